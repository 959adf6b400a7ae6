/**
 * A scripted stand-in for web-llm 0.2.86's engine at the adapter's seam (`MLCLikeEngine`), for
 * tests. It reproduces what web-llm really does where the adapter must cope (read from its
 * lib/index.js, `MLCEngine.reload` / `unload` / `_generate` and the device.lost handler):
 * - `unload()` aborts the reload's controller, which only the downloads listen to: a reload
 *   stopped while downloading resolves quietly (web-llm swallows the AbortError); one past the
 *   downloads (GPU upload, shader compilation) runs on, resolves, and leaves the model loaded;
 * - a request naming a model that is not loaded throws ModelNotLoadedError (none loaded) or
 *   SpecifiedModelNotFoundError (another one loaded);
 * - `device.lost` after loading unloads the model silently;
 * - `interruptGenerate()` ends the answer with finish_reason "abort" and the text so far.
 * Tests hold a load in a phase (`holdAt`) and let it go on with `advance()`.
 */
import type { InitProgressReportLike } from './progress';
import type { WebLLMChatCompletion, WebLLMChatRequest } from './request';
import type { MLCLikeEngine, WebLLMAppConfig } from './webllm-engine';

export type ScriptedPhase = 'fetch' | 'upload' | 'compile';

function namedError(name: string, message: string): Error {
	const error = new Error(message);
	error.name = name;
	return error;
}

export class ScriptedMLCEngine implements MLCLikeEngine {
	/** Model loaded on the "GPU" (what web-llm's loadedModelIdToPipeline holds). */
	loaded: string | undefined;
	/** MB of GPU memory the stand-in holds: allocated from the upload phase on. */
	gpuMB = 0;
	terminated = false;
	requests: WebLLMChatRequest[] = [];
	reloads: Array<{ modelId: string; extra?: WebLLMAppConfig }> = [];
	unloads = 0;
	interrupts = 0;
	/** Stop the next reloads when they reach this phase, until `advance()`. */
	holdAt: ScriptedPhase | undefined;
	/** The phase a held reload waits in. */
	waitingIn: ScriptedPhase | undefined;
	reloadError: unknown;
	/** Text pieces each answer streams (one per token). */
	tokens: string[] = ['{"ok"', ': ', 'true}'];
	/** When set, an answer streams these, then waits for `interruptGenerate` or `finish()`. */
	hangAfterTokens = false;
	generateError: unknown;
	/** Prompt tokens `countTokens` reports; undefined = the tokenizer is not reachable. */
	tokensPerText: ((text: string) => number) | undefined = (text) => Math.ceil(text.length / 4);
	private aborted = false;
	private wake: (() => void) | undefined;
	private finishAnswer: (() => void) | undefined;

	constructor(
		private readonly onProgress: (report: InitProgressReportLike) => void,
		private readonly modelMB = 1200
	) {}

	/** Lets a held reload go on from its phase. */
	advance(): void {
		this.waitingIn = undefined;
		this.wake?.();
	}

	private async phase(phase: ScriptedPhase): Promise<void> {
		if (this.holdAt !== phase) return;
		this.waitingIn = phase;
		await new Promise<void>((resolve) => (this.wake = resolve));
	}

	async reload(modelId: string, extra?: WebLLMAppConfig): Promise<void> {
		this.reloads.push({ modelId, ...(extra ? { extra } : {}) });
		// reloadInternal unloads the previous model first.
		this.loaded = undefined;
		this.gpuMB = 0;
		this.aborted = false;
		this.onProgress({ progress: 0, timeElapsed: 0, text: 'Start to fetch params' });
		await this.phase('fetch');
		// web-llm: an AbortError during the downloads is logged and reload() returns.
		if (this.aborted) return;
		this.onProgress({ progress: 1, timeElapsed: 2, text: 'Fetching param cache[2/2]: 300MB fetched. 100% completed, 2 secs elapsed.' });
		if (this.reloadError) throw this.reloadError;
		this.gpuMB = this.modelMB;
		this.onProgress({ progress: 0.5, timeElapsed: 3, text: 'Loading model from cache[1/2]: 150MB loaded. 50% completed, 3 secs elapsed.' });
		await this.phase('upload');
		this.onProgress({ progress: 0.5, timeElapsed: 4, text: 'Loading GPU shader modules[40/80]: 50% completed, 4 secs elapsed.' });
		await this.phase('compile');
		// Past the downloads an unload changed nothing: the pipeline is set and reload resolves.
		this.loaded = modelId;
		this.onProgress({ progress: 1, timeElapsed: 5, text: `Finish loading on WebGPU - scripted` });
	}

	async unload(): Promise<void> {
		this.unloads += 1;
		this.loaded = undefined;
		this.gpuMB = 0;
		this.aborted = true;
	}

	private lossListener: (() => void) | undefined;

	/** web-llm's device.lost handler: logs, then `this.unload()`; the worker's watch then reports it. */
	loseDevice(options: { watched?: boolean } = {}): void {
		// web-llm's own unload, not one the adapter asked for (so not counted in `unloads`).
		this.loaded = undefined;
		this.gpuMB = 0;
		// `watched: false`: the worker's periodic look has not come round yet.
		if (options.watched !== false) this.lossListener?.();
	}

	watchLoss(listener: () => void): void {
		this.lossListener = listener;
	}

	interruptGenerate(): void {
		this.interrupts += 1;
		this.finishAnswer?.();
	}

	/** Ends a hanging answer as if the model had stopped. */
	finish(): void {
		this.finishAnswer?.();
	}

	async countTokens(texts: string[]): Promise<number | undefined> {
		const count = this.tokensPerText;
		return count ? texts.reduce((sum, text) => sum + count(text), 0) : undefined;
	}

	terminate(): void {
		this.terminated = true;
		this.loaded = undefined;
		this.gpuMB = 0;
	}

	async generate(request: WebLLMChatRequest, onDelta: (text: string) => void): Promise<WebLLMChatCompletion> {
		this.requests.push(request);
		if (this.generateError) throw this.generateError;
		if (!this.loaded) throw namedError('ModelNotLoadedError', 'Model not loaded before trying to complete ChatCompletionRequest. Please ensure you have called `MLCEngine.reload(model)` to load the model before initiating APIs.');
		if (request.model !== this.loaded) {
			throw namedError('SpecifiedModelNotFoundError', `Specified model ${request.model} for ChatCompletionRequest is not found in loaded models. Please check if the correct model is loaded/specified. Currently loaded models are:\n${this.loaded}`);
		}
		let interrupted = false;
		const stop = new Promise<void>((resolve) => (this.finishAnswer = () => ((interrupted = true), resolve())));
		let content = '';
		let count = 0;
		for (const token of this.tokens) {
			if (interrupted || count >= request.max_tokens) break;
			content += token;
			count += 1;
			onDelta(token);
			await Promise.resolve();
		}
		if (this.hangAfterTokens && !interrupted) await stop;
		this.finishAnswer = undefined;
		const finish = interrupted ? 'abort' : count >= request.max_tokens ? 'length' : 'stop';
		return {
			model: request.model,
			choices: [{ message: { content }, finish_reason: finish }],
			usage: { prompt_tokens: 12, completion_tokens: count, total_tokens: 12 + count, extra: { decode_tokens_per_s: 30 } }
		};
	}
}
