/**
 * Maps what web-llm throws to our `EngineError`, in plain words with what to do next.
 *
 * Several of its failures are untyped (`Error`, `TypeError`), so matching is by `name` first and
 * by message pattern second (webllm.md B.8). `unavailable` means "this device/model combination
 * will not work": the dispatcher must not retry it; `network` may be retried.
 */
import { EngineError, isEngineError } from '$lib/core/contracts/engine';

interface ErrorLike {
	name: string;
	message: string;
}

function asErrorLike(error: unknown): ErrorLike {
	if (error instanceof Error) return { name: error.name, message: error.message };
	if (typeof error === 'object' && error !== null) {
		const record = error as { name?: unknown; message?: unknown };
		return { name: typeof record.name === 'string' ? record.name : '', message: typeof record.message === 'string' ? record.message : String(error) };
	}
	// Through the dedicated worker web-llm rejects with `err.toString()`: "DeviceLostError: …".
	const text = String(error);
	const named = /^([A-Za-z]*(?:Error|Exception)): ([\s\S]*)$/.exec(text);
	return named ? { name: named[1], message: named[2] } : { name: '', message: text };
}

const USE_ENDPOINT = 'or use a model server (endpoint) instead.';

/**
 * How a lost GPU device reads: web-llm's DeviceLostError, the browser's own wordings ("Device was
 * lost", "GPUDevice was destroyed", "Instance reference no longer exists", "GPU process crashed"),
 * and, after loading, the model-not-loaded errors web-llm throws once it has unloaded silently.
 */
const DEVICE_LOST = /device (?:was |is |has been )?(?:lost|destroyed)|GPUDevice[^.]*\b(?:lost|destroyed)|Instance reference no longer exists|GPU (?:process )?(?:crashed|was reset|connection (?:was )?lost)|context lost/i;
const MODEL_GONE_NAMES = new Set(['ModelNotLoadedError', 'WorkerEngineModelNotLoadedError', 'SpecifiedModelNotFoundError']);
const MODEL_GONE = /Model not loaded before|is not loaded with a model|not found in loaded models/i;

/** During a generation: the model is no longer on the GPU (device lost, web-llm unloaded it). */
export function isGpuLostError(error: unknown): boolean {
	if (isEngineError(error)) return false;
	const { name, message } = asErrorLike(error);
	return name === 'DeviceLostError' || MODEL_GONE_NAMES.has(name) || DEVICE_LOST.test(message) || MODEL_GONE.test(message);
}

/** `modelId` (when known) makes the advice concrete. */
export function toEngineError(error: unknown, modelId?: string): EngineError {
	if (isEngineError(error)) return error;
	const { name, message } = asErrorLike(error);
	const model = modelId ? `"${modelId}"` : 'the model';

	if (name === 'AbortError') return new EngineError('aborted', 'The request was cancelled.');
	if (name === 'WebGPUNotAvailableError' || /WebGPU is not supported/i.test(message)) {
		return new EngineError('unavailable', `This browser has no WebGPU. Use Chrome or Edge 113+, ${USE_ENDPOINT}`);
	}
	if (/Unable to find a compatible GPU/i.test(message)) {
		return new EngineError('unavailable', `No usable graphics card was found (it may be blocked or disabled). Update the browser or graphics driver, ${USE_ENDPOINT}`);
	}
	if (/Cannot initialize runtime because of requested/i.test(message)) {
		return new EngineError('unavailable', `This graphics card's limits are too low for in-browser models. Try another device, ${USE_ENDPOINT}`);
	}
	if (name === 'ShaderF16SupportError' || /extension 'f16' is not allowed/i.test(message) || /shader-f16/i.test(message)) {
		return new EngineError('unavailable', `${model} needs 16-bit GPU support (shader-f16), which this device lacks. Pick the q4f32_1 build of the same model.`);
	}
	if (name === 'FeatureSupportError') {
		return new EngineError('unavailable', `This device lacks a GPU feature ${model} needs. Pick a q4f32_1 build or a different model.`);
	}
	if (name === 'DeviceLostError' || DEVICE_LOST.test(message)) {
		return new EngineError(
			'unavailable',
			`The graphics card ran out of memory (or was reset) while running ${model}. Pick a smaller model or a "-1k" variant, and close other GPU-heavy tabs.`
		);
	}
	if (name === 'ContextWindowSizeExceededError' || /context window size/i.test(message)) {
		return new EngineError('unavailable', `The prompt and answer do not fit in ${model}'s context window. Shorten the input, lower max tokens, or pick a model with a larger context.`);
	}
	if (name === 'CompileError' || /expected magic word|WebAssembly\.(?:instantiate|compile)\(\)/i.test(message)) {
		return new EngineError(
			'unavailable',
			`The model library (.wasm) of ${model} is not a WebAssembly file: the URL answered with something else (a web page, an error, a cut-off download). Check the model library URL.`
		);
	}
	if (name === 'LinkError' || /Cannot find (?:global )?function|Cannot find PackedFunc|version mismatch/i.test(message)) {
		return new EngineError(
			'unavailable',
			`The model library (.wasm) of ${model} does not fit this version of web-llm (0.2.86 needs a library built for 0.2.80 or later, like the prebuilt ones under web-llm-models/v0_2_80/).`
		);
	}
	if (name === 'ModelNotFoundError' || /Cannot find model record/i.test(message)) {
		return new EngineError('unavailable', `${model} is not in this version's model list. Pick another model.`);
	}
	if (name === 'ModelNotLoadedError') {
		return new EngineError('unavailable', 'No model is loaded yet. Load a model first.');
	}
	if (name === 'QuotaExceededError' || /quota/i.test(message)) {
		return new EngineError('unavailable', `Not enough storage space to save ${model}. Free disk space, delete cached models, or leave private/incognito mode (it allows very little storage).`);
	}
	if (/'add' on 'Cache'/.test(message) || /Cache\.add\(\) encountered a network error/i.test(message) || (name === 'TypeError' && /Failed to fetch|NetworkError|Load failed/i.test(message))) {
		return new EngineError('network', `Could not download ${model} (offline, blocked, or the file is missing). Check the connection and try again.`);
	}
	return new EngineError('bad-response', `The in-browser model failed: ${name && name !== 'Error' ? `${name}: ` : ''}${message}`);
}
