import { describe, expect, it } from 'vitest';
import { EngineError } from '$lib/core/contracts/engine';
import { toEngineError } from './errors';

/** Builds an error the way web-llm's classes do: a message and a `name`. */
function named(name: string, message: string): Error {
	const error = new Error(message);
	error.name = name;
	return error;
}

const MODEL = 'Qwen2.5-1.5B-Instruct-q4f16_1-MLC';

describe('toEngineError (messages from @mlc-ai/web-llm 0.2.86)', () => {
	const cases: Array<[string, unknown, EngineError['kind'], RegExp]> = [
		[
			'WebGPUNotAvailableError',
			named('WebGPUNotAvailableError', 'WebGPU is not supported in your current environment, but it is necessary to run the WebLLM engine. Please make sure that your browser supports WebGPU'),
			'unavailable',
			/no WebGPU.*Chrome or Edge/
		],
		[
			'no adapter (plain Error)',
			new Error("Unable to find a compatible GPU. This issue might be because your computer doesn't have a GPU, or your system settings are not configured properly."),
			'unavailable',
			/No usable graphics card/
		],
		['limits too low', new Error('Cannot initialize runtime because of requested maxBufferSize exceeds limit'), 'unavailable', /limits are too low/],
		[
			'ShaderF16SupportError',
			named('ShaderF16SupportError', 'This model requires WebGPU extension shader-f16, which is not enabled in this browser.'),
			'unavailable',
			/shader-f16.*q4f32_1/
		],
		['f16 model without the record saying so (WGSL error)', new Error("error: extension 'f16' is not allowed in the current environment"), 'unavailable', /shader-f16/],
		[
			'DeviceLostError',
			named(
				'DeviceLostError',
				'The WebGPU device was lost while loading the model. This issue often occurs due to running out of memory (OOM). To resolve this, try reloading with a model that has fewer parameters or uses a smaller context length.'
			),
			'unavailable',
			/ran out of memory.*smaller model.*-1k/
		],
		[
			'ContextWindowSizeExceededError',
			named('ContextWindowSizeExceededError', 'Prompt tokens exceed context window size: number of prompt tokens: 5000; context window size: 4096'),
			'unavailable',
			/context window/
		],
		[
			'ModelNotFoundError',
			named('ModelNotFoundError', `Cannot find model record in appConfig for ${MODEL}. Please check if the model ID is correct`),
			'unavailable',
			/not in this version's model list/
		],
		['ModelNotLoadedError', named('ModelNotLoadedError', 'Model not loaded before trying to complete ChatCompletionRequest.'), 'unavailable', /Load a model first/],
		['Cache.add network/404', new TypeError("Failed to execute 'add' on 'Cache': Request failed"), 'network', /Could not download/],
		['old Cache.add network error', new TypeError('Cache.add() encountered a network error'), 'network', /Could not download/],
		['QuotaExceededError (DOMException-like)', { name: 'QuotaExceededError', message: 'The quota has been exceeded.' }, 'unavailable', /storage space/],
		['AbortError', named('AbortError', 'The operation was aborted.'), 'aborted', /cancelled/]
	];

	it.each(cases)('%s', (_label, error, kind, message) => {
		const mapped = toEngineError(error, MODEL);
		expect(mapped).toBeInstanceOf(EngineError);
		expect(mapped.kind).toBe(kind);
		expect(mapped.message).toMatch(message);
	});

	it('names the model in the advice', () => {
		expect(toEngineError(named('DeviceLostError', 'lost'), MODEL).message).toContain(MODEL);
	});

	it('passes EngineErrors through and keeps unknown failures readable', () => {
		const original = new EngineError('aborted', 'The request was cancelled.');
		expect(toEngineError(original)).toBe(original);
		const unknown = toEngineError(named('WeirdError', 'something broke'));
		expect(unknown.kind).toBe('bad-response');
		expect(unknown.message).toContain('WeirdError: something broke');
		expect(toEngineError('a string').message).toContain('a string');
	});
});

describe('toEngineError through the dedicated worker (web-llm rejects with err.toString())', () => {
	it.each([
		// Seen in headless Chromium with --enable-unsafe-webgpu and no network: the config fetch fails.
		['TypeError: Failed to fetch', 'network', /Could not download/],
		["TypeError: Failed to execute 'add' on 'Cache': Request failed", 'network', /Could not download/],
		['DeviceLostError: The WebGPU device was lost while loading the model. This issue often occurs due to running out of memory', 'unavailable', /ran out of memory/],
		['ShaderF16SupportError: This model requires WebGPU extension shader-f16, which is not enabled in this browser.', 'unavailable', /shader-f16/],
		['QuotaExceededError: Quota exceeded.', 'unavailable', /Not enough storage/],
		['Error: something new', 'bad-response', /^The in-browser model failed: something new$/]
	] as const)('%s', (thrown, kind, message) => {
		const error = toEngineError(thrown, MODEL);
		expect(error.kind).toBe(kind);
		expect(error.message).toMatch(message);
	});

	it('explains a model library that is not WebAssembly, or not for this web-llm', () => {
		const compile = new Error('WebAssembly.instantiate(): expected magic word 00 61 73 6d, found 3c 68 74 6d @+0');
		compile.name = 'CompileError';
		expect(toEngineError(compile, 'mara-q4f32_1')).toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/model library \(\.wasm\) of "mara-q4f32_1" is not a WebAssembly file.*Check the model library URL/) });
		expect(toEngineError('CompileError: WebAssembly.instantiate(): expected magic word 00 61 73 6d').message).toMatch(/not a WebAssembly file/);
		const link = new Error('WebAssembly.Instance(): Import #3 "env" "TVMFFIEnvModRegisterSystemLibSymbol": function import requires a callable');
		link.name = 'LinkError';
		expect(toEngineError(link, 'mara-q4f32_1').message).toMatch(/does not fit this version of web-llm \(0\.2\.86/);
	});
});
