import { describe, expect, it, vi } from 'vitest';
import { EngineError, type ChatRequest, type StreamUpdate } from '$lib/core/contracts/engine';
import type { InitProgressReportLike, LoadStatus } from './progress';
import { ScriptedMLCEngine } from './scripted-mlc-engine';
import { WebLLMEngine, WHITESPACE_RUN_LIMIT, type MLCLikeEngine, type WebLLMAppConfig } from './webllm-engine';

const MODEL = 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC';
const OTHER = 'Qwen2.5-1.5B-Instruct-q4f32_1-MLC';

/** `withTerminate: false` is web-llm used in-thread (no worker to end): cancel must unload instead. */
function setup(options: { withTerminate?: boolean } = {}) {
	const engines: ScriptedMLCEngine[] = [];
	const factory = vi.fn(async (onProgress: (report: InitProgressReportLike) => void): Promise<MLCLikeEngine> => {
		const scripted = new ScriptedMLCEngine(onProgress);
		// An own property hides the class's method: the adapter sees an engine it cannot end.
		if (options.withTerminate === false) Object.assign(scripted, { terminate: undefined });
		engines.push(scripted);
		return scripted;
	});
	let clock = 1000;
	const lost: Array<[string, string]> = [];
	const engine = new WebLLMEngine({ factory, now: () => (clock += 50), onLost: (modelId, message) => lost.push([modelId, message]) });
	return { engine, factory, engines, fake: () => engines[engines.length - 1], lost };
}

const request: ChatRequest = { messages: [{ role: 'user', content: 'Say ok as JSON.' }], sampling: { max_tokens: 32, temperature: 0 }, responseFormat: { type: 'json_object', schema: { type: 'object' } } };

describe('WebLLMEngine', () => {
	it('declares itself a single-slot, schema-capable webllm engine', () => {
		const { engine } = setup();
		expect(engine).toMatchObject({ kind: 'webllm', maxConcurrency: 1, supportsJsonSchema: true, id: 'webllm' });
		expect(engine.label).toMatch(/no model loaded/);
	});

	it('loads with monotonic phases, then streams an answer with the mapped request naming its model', async () => {
		const { engine, factory, fake } = setup();
		const phases: LoadStatus[] = [];
		await engine.load(MODEL, (status) => phases.push(status));
		expect(phases.map((status) => status.phase)).toEqual(['fetching', 'fetching', 'loading-to-gpu', 'compiling-shaders', 'finishing']);
		expect(phases.at(-1)?.fraction).toBe(1);
		expect(engine.modelId).toBe(MODEL);
		expect(engine.label).toContain('Qwen2.5 0.5B');

		const updates: StreamUpdate[] = [];
		engine.onStream = (update) => updates.push(update);
		const response = await engine.chat(request);
		expect(response).toMatchObject({ content: '{"ok": true}', finishReason: 'stop', model: MODEL, decodeTokensPerSecond: 30, usage: { totalTokens: 15 } });
		expect(response.timing.ms).toBeGreaterThan(0);
		expect(fake().requests[0]).toMatchObject({ model: MODEL, stream: true, stream_options: { include_usage: true }, max_tokens: 32, temperature: 0, response_format: { type: 'json_object', schema: '{"type":"object"}' } });
		// Live figures for the run view: one update per token, then a last one.
		expect(updates.map((update) => [update.chunks, update.done])).toEqual([
			[1, false],
			[2, false],
			[3, false],
			[3, true]
		]);
		expect(updates[0].messages).toBe(request.messages);
		expect(updates[2].firstTokenMs).toBeGreaterThan(0);

		await engine.load(OTHER);
		expect(factory).toHaveBeenCalledTimes(1);
	});

	it('refuses to chat before a model is loaded', async () => {
		const { engine } = setup();
		await expect(engine.chat(request)).rejects.toMatchObject({ kind: 'unavailable' });
	});

	it('maps load failures and forgets the model', async () => {
		const { engine, fake } = setup();
		await engine.load(MODEL);
		const lost = new Error('The WebGPU device was lost while loading the model.');
		lost.name = 'DeviceLostError';
		fake().reloadError = lost;
		const error = await engine.load('Phi-3.5-mini-instruct-q4f16_1-MLC').catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(EngineError);
		expect((error as EngineError).message).toMatch(/-1k/);
		expect(engine.modelId).toBeUndefined();
	});

	it('retries creating the engine after the factory failed', async () => {
		const factory = vi.fn<(onProgress: (report: InitProgressReportLike) => void) => Promise<MLCLikeEngine>>();
		factory.mockRejectedValueOnce(new TypeError("Failed to execute 'add' on 'Cache': Request failed"));
		factory.mockImplementation(async (onProgress) => new ScriptedMLCEngine(onProgress));
		const engine = new WebLLMEngine({ factory });
		await expect(engine.load(MODEL)).rejects.toMatchObject({ kind: 'network' });
		await engine.load(MODEL);
		expect(engine.modelId).toBe(MODEL);
	});

	it('maps chat failures', async () => {
		const { engine, fake } = setup();
		await engine.load(MODEL);
		const tooLong = new Error('Prompt tokens exceed context window size: number of prompt tokens: 5000; context window size: 4096');
		tooLong.name = 'ContextWindowSizeExceededError';
		fake().generateError = tooLong;
		await expect(engine.chat(request)).rejects.toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/context window/) });
	});

	it('interrupts generation when the signal fires and reports aborted', async () => {
		const { engine, fake } = setup();
		await engine.load(MODEL);
		fake().hangAfterTokens = true;
		const controller = new AbortController();
		const pending = engine.chat({ ...request, signal: controller.signal });
		await vi.waitFor(() => expect(fake().requests).toHaveLength(1));
		controller.abort();
		await expect(pending).rejects.toMatchObject({ kind: 'aborted' });
		expect(fake().interrupts).toBe(1);
	});

	it('rejects an already aborted request without generating', async () => {
		const { engine, fake } = setup();
		await engine.load(MODEL);
		const controller = new AbortController();
		controller.abort();
		await expect(engine.chat({ ...request, signal: controller.signal })).rejects.toMatchObject({ kind: 'aborted' });
		expect(fake().requests).toHaveLength(0);
	});

	it('runs requests one at a time, so aborting one does not interrupt another', async () => {
		const { engine, fake } = setup();
		await engine.load(MODEL);
		fake().hangAfterTokens = true;
		const first = engine.chat(request);
		const controller = new AbortController();
		const second = engine.chat({ ...request, signal: controller.signal });
		expect(engine.generating).toBe(true);
		await vi.waitFor(() => expect(fake().requests).toHaveLength(1));
		controller.abort();
		await expect(second).rejects.toMatchObject({ kind: 'aborted' });
		expect(fake().interrupts).toBe(0);
		fake().interruptGenerate();
		expect((await first).finishReason).toBe('abort');
		expect(fake().requests).toHaveLength(1);
		await vi.waitFor(() => expect(engine.generating).toBe(false));
	});

	it('unloads', async () => {
		const { engine, fake } = setup();
		await engine.unload();
		await engine.load(MODEL);
		await engine.unload();
		expect(fake().unloads).toBe(1);
		expect(fake().gpuMB).toBe(0);
		expect(engine.modelId).toBeUndefined();
	});

	it('passes a custom model record to web-llm and labels the engine with its name', async () => {
		const { engine, fake } = setup();
		const appConfig: WebLLMAppConfig = {
			model_list: [
				{
					model: 'https://huggingface.co/my-org/Qwen2.5-0.5B-tuned-q4f32_1-MLC',
					model_id: 'my-qwen-tuned',
					model_lib: 'https://example.org/libs/Qwen2-0.5B-Instruct-q4f32_1_cs1k-webgpu.wasm',
					vram_required_MB: 1100,
					overrides: { context_window_size: 2048, sliding_window_size: -1 }
				}
			]
		};
		await engine.load('my-qwen-tuned', undefined, { appConfig, label: 'My tuned Qwen', contextWindow: 2048 });
		expect(fake().reloads).toEqual([{ modelId: 'my-qwen-tuned', extra: appConfig }]);
		expect(engine.modelId).toBe('my-qwen-tuned');
		expect(engine.label).toBe('In-browser (WebGPU): My tuned Qwen');
		await engine.chat(request);
		expect(fake().requests[0]).toMatchObject({ max_tokens: 32, model: 'my-qwen-tuned' });
		// A later prebuilt load sends no custom records.
		await engine.load(MODEL);
		expect(fake().reloads[1]).toEqual({ modelId: MODEL });
		expect(engine.label).toContain('Qwen2.5 0.5B');
	});
});

describe('WebLLMEngine: cancelling a load in every phase', () => {
	it('while downloading: the worker is ended at once, nothing stays on the GPU, and a retry loads in a fresh one', async () => {
		const { engine, engines, factory } = setup();
		expect(engine.cancelLoad()).toBe(false);
		await engine.load(MODEL);
		engines[0].holdAt = 'fetch';
		const loading = engine.load(OTHER);
		await vi.waitFor(() => expect(engines[0].waitingIn).toBe('fetch'));
		expect(engine.cancelLoad()).toBe(true);
		await expect(loading).rejects.toMatchObject({ kind: 'aborted' });
		expect(engines[0].terminated).toBe(true);
		expect(engines[0].gpuMB).toBe(0);
		expect(engine.modelId).toBeUndefined();
		// Retry: a new engine (worker) is made and the load succeeds.
		await engine.load(OTHER);
		expect(factory).toHaveBeenCalledTimes(2);
		expect(engines[1].loaded).toBe(OTHER);
		expect(engine.modelId).toBe(OTHER);
	});

	it.each(['upload', 'compile'] as const)('while in the %s phase (web-llm’s abort reaches only downloads): ended at once, memory freed', async (phase) => {
		const { engine, engines } = setup();
		engine.load(MODEL).catch(() => undefined);
		await vi.waitFor(() => expect(engines).toHaveLength(1));
		engines[0].holdAt = phase;
		const loading = engine.load(OTHER);
		await vi.waitFor(() => expect(engines[0].waitingIn).toBe(phase));
		expect(engines[0].gpuMB).toBeGreaterThan(0);
		expect(engine.cancelLoad()).toBe(true);
		await expect(loading).rejects.toMatchObject({ kind: 'aborted' });
		expect(engines[0].terminated).toBe(true);
		expect(engines[0].gpuMB).toBe(0);
		// Even if the dead worker's reload went on, nothing comes of it.
		engines[0].advance();
		await Promise.resolve();
		expect(engine.modelId).toBeUndefined();
	});

	it.each(['upload', 'compile'] as const)('without a worker to end (%s phase): web-llm’s reload resolves loaded, and the adapter unloads it before reporting cancelled', async (phase) => {
		const { engine, engines } = setup({ withTerminate: false });
		await engine.load(MODEL);
		const held = engine as unknown as { current: ScriptedMLCEngine };
		expect(held.current).toBe(engines[0]);
		engines[0].holdAt = phase;
		const loading = engine.load(OTHER);
		await vi.waitFor(() => expect(held.current.waitingIn).toBe(phase));
		expect(engine.cancelLoad()).toBe(true);
		let settled = false;
		void loading.catch(() => (settled = true));
		await Promise.resolve();
		// Still running (the GPU is busy); the page shows "Cancelling…" meanwhile.
		expect(settled).toBe(false);
		held.current.advance();
		await expect(loading).rejects.toMatchObject({ kind: 'aborted' });
		expect(held.current.loaded).toBeUndefined();
		expect(held.current.gpuMB).toBe(0);
		expect(engine.modelId).toBeUndefined();
	});

	it('a load queued behind a generation is dropped at once, and never reaches web-llm', async () => {
		const { engine, fake } = setup();
		await engine.load(MODEL);
		fake().hangAfterTokens = true;
		const answering = engine.chat(request);
		const loading = engine.load(OTHER);
		expect(engine.cancelLoad()).toBe(true);
		await expect(loading).rejects.toMatchObject({ kind: 'aborted' });
		fake().hangAfterTokens = false;
		fake().finish();
		await answering;
		await engine.chat(request);
		expect(fake().reloads.map((reload) => reload.modelId)).toEqual([MODEL]);
		expect(engine.modelId).toBe(MODEL);
	});
});

describe('WebLLMEngine: GPU lost after loading', () => {
	it('web-llm unloads silently; the next request says the GPU was lost, the page is told once, and a reload recovers', async () => {
		const { engine, fake, lost } = setup();
		await engine.load(MODEL);
		await engine.chat(request);
		fake().loseDevice({ watched: false });
		const error = (await engine.chat(request).catch((caught: unknown) => caught)) as EngineError;
		expect(error).toMatchObject({ kind: 'unavailable' });
		expect(error.message).toMatch(/graphics card was reset or ran out of memory/);
		expect(error.message).toMatch(/Reload the model, then resume the run/);
		expect(lost).toEqual([[MODEL, error.message]]);
		expect(engine.modelId).toBeUndefined();
		// Later requests fail at once without reaching web-llm, and do not repeat the alarm.
		await expect(engine.chat(request)).rejects.toMatchObject({ kind: 'unavailable' });
		expect(fake().requests).toHaveLength(2);
		expect(lost).toHaveLength(1);
		await engine.load(MODEL);
		expect((await engine.chat(request)).finishReason).toBe('stop');
	});

	it('is noticed without waiting for a request (the worker watches web-llm’s list of loaded models)', async () => {
		const { engine, fake, lost } = setup();
		await engine.load(MODEL);
		fake().loseDevice();
		expect(lost).toHaveLength(1);
		expect(lost[0][0]).toBe(MODEL);
		expect(engine.modelId).toBeUndefined();
		// A request now says why, without reaching web-llm.
		await expect(engine.chat(request)).rejects.toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/graphics card was reset/) });
		expect(fake().requests).toHaveLength(0);
		// An unload we asked for is not a loss.
		await engine.load(MODEL);
		await engine.unload();
		expect(lost).toHaveLength(1);
	});

	it.each([
		['DeviceLostError', 'The WebGPU device was lost while loading the model.'],
		['Error', 'Device was lost. This can happen due to insufficient memory or other GPU constraints.'],
		['OperationError', 'GPUDevice was destroyed.'],
		['Error', 'A valid external Instance reference no longer exists.'],
		['WorkerEngineModelNotLoadedError', 'WebWorkerMLCEngine is not loaded with a model. Did you call `engine.reload()`?']
	])('reads %s “%s” as a lost GPU', async (name, message) => {
		const { engine, fake, lost } = setup();
		await engine.load(MODEL);
		const error = new Error(message);
		error.name = name;
		fake().generateError = error;
		await expect(engine.chat(request)).rejects.toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/Reload the model/) });
		expect(lost).toHaveLength(1);
	});
});

describe('WebLLMEngine: context window and whitespace loops', () => {
	it('lowers max_tokens to what the window leaves, and says why when the answer is still cut off', async () => {
		const { engine, fake } = setup();
		await engine.load('gemma-2-2b-it-q4f32_1-MLC-1k');
		fake().tokensPerText = () => 900;
		fake().tokens = Array.from({ length: 200 }, () => 'word ');
		const error = (await engine.chat({ ...request, sampling: { max_tokens: 800 } }).catch((caught: unknown) => caught)) as EngineError;
		// The prompt: 900 + 8 for its one message + 16 kept free = 924; 1024 − 924 = 100 tokens left.
		expect(fake().requests[0].max_tokens).toBe(100);
		expect(error).toMatchObject({ kind: 'bad-response' });
		expect(error.message).toMatch(/cut off at 100 tokens.*924 tokens.*1024-token context window.*Raising max tokens will not help/);
	});

	it('says so when it lowered max_tokens, even when the answer fit', async () => {
		const { engine, fake } = setup();
		await engine.load('gemma-2-2b-it-q4f32_1-MLC-1k');
		fake().tokensPerText = () => 900;
		fake().tokens = ['The lamp ', 'is lit.'];
		const response = await engine.chat({ ...request, sampling: { max_tokens: 800 } });
		expect(fake().requests[0].max_tokens).toBe(100);
		expect(response.notice).toMatch(/max_tokens lowered from 800 to 100: the prompt \(924 tokens\) leaves only that much of .*1024-token context window/);
		// A request that fits is sent as asked, without a notice.
		fake().tokensPerText = () => 10;
		const fits = await engine.chat({ ...request, sampling: { max_tokens: 200 } });
		expect(fits.notice).toBeUndefined();
	});

	it('refuses a prompt that leaves no room, before generating', async () => {
		const { engine, fake } = setup();
		await engine.load('gemma-2-2b-it-q4f32_1-MLC-1k');
		fake().tokensPerText = () => 1000;
		await expect(engine.chat(request)).rejects.toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/leaves no room for an answer in .*1024-token context window/) });
		expect(fake().requests).toHaveLength(0);
	});

	it('estimates from characters when the tokenizer cannot be reached', async () => {
		const { engine, fake } = setup();
		await engine.load(MODEL);
		fake().tokensPerText = undefined;
		await engine.chat({ messages: [{ role: 'user', content: 'x'.repeat(12_000) }], sampling: { max_tokens: 1000 } });
		// ≈ 4000 tokens of 4096: 4096 − 4000 − 8 − 16 = 72 left.
		expect(fake().requests[0].max_tokens).toBe(72);
	});

	it('stops an answer that runs into whitespace and reports it as a retryable cut', async () => {
		const { engine, fake } = setup();
		await engine.load(MODEL);
		fake().tokens = ['{"entries": [', ...Array.from({ length: 500 }, () => '\n')];
		const error = (await engine.chat({ ...request, sampling: { max_tokens: 1000 } }).catch((caught: unknown) => caught)) as EngineError;
		expect(error).toMatchObject({ kind: 'timeout' });
		expect(error.message).toMatch(new RegExp(`${WHITESPACE_RUN_LIMIT} blank characters in a row`));
		expect(error.partial?.startsWith('{"entries": [')).toBe(true);
		expect(fake().interrupts).toBe(1);
		// Stopped right at the limit, not after max_tokens.
		expect(error.partial?.length).toBe('{"entries": ['.length + WHITESPACE_RUN_LIMIT);
	});
});

describe('WebLLMEngine: a run’s model', () => {
	it('answers only with the run’s model loaded, also when a load was queued before the request', async () => {
		const { engine, fake } = setup();
		await engine.load(MODEL);
		expect((await engine.chat(request, { model: MODEL })).model).toBe(MODEL);
		fake().hangAfterTokens = true;
		const answering = engine.chat(request, { model: MODEL });
		// The race: another model is loaded after the request left the run but before its turn.
		const loading = engine.load(OTHER);
		const late = engine.chat(request, { model: MODEL }).catch((caught: unknown) => caught);
		fake().hangAfterTokens = false;
		fake().finish();
		await answering;
		await loading;
		expect(await late).toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/This run uses Qwen2.5-0.5B-Instruct-q4f32_1-MLC, but Qwen2.5-1.5B-Instruct-q4f32_1-MLC is loaded now/) });
		// Nothing was generated for it with the other model.
		expect(fake().requests.map((sent) => sent.model)).toEqual([MODEL, MODEL]);
	});
});
