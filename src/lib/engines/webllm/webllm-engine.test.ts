import { describe, expect, it, vi } from 'vitest';
import { EngineError, type ChatRequest } from '$lib/core/contracts/engine';
import type { InitProgressReportLike, LoadStatus } from './progress';
import type { WebLLMChatCompletion, WebLLMChatRequest } from './request';
import { WebLLMEngine, type MLCLikeEngine, type WebLLMAppConfig } from './webllm-engine';

const MODEL = 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC';

/** A scripted stand-in for web-llm's engine: reports progress on reload, answers or hangs on create. */
class FakeMLCEngine implements MLCLikeEngine {
	requests: WebLLMChatRequest[] = [];
	reloadError: unknown;
	createError: unknown;
	/** When set, `create` waits until `interruptGenerate` and then resolves with the partial text. */
	hang = false;
	interrupted = 0;
	unloaded = 0;
	/** The extra records each reload was given. */
	appConfigs: Array<WebLLMAppConfig | undefined> = [];
	/** When set, `reload` stops after the download starts and waits until `unload` (web-llm then resolves quietly). */
	hangReload = false;
	private release: (() => void) | undefined;
	private releaseReload: (() => void) | undefined;

	constructor(private readonly onProgress: (report: InitProgressReportLike) => void) {}

	chat = {
		completions: {
			create: async (request: WebLLMChatRequest): Promise<WebLLMChatCompletion> => {
				this.requests.push(request);
				if (this.createError) throw this.createError;
				if (this.hang) await new Promise<void>((resolve) => (this.release = resolve));
				return {
					model: MODEL,
					choices: [{ message: { content: this.hang ? '{"par' : '{"ok":true}' }, finish_reason: this.hang ? 'abort' : 'stop' }],
					usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8, extra: { decode_tokens_per_s: 30 } }
				};
			}
		}
	};

	async reload(modelId: string, extra?: WebLLMAppConfig): Promise<void> {
		this.appConfigs.push(extra);
		this.onProgress({ progress: 0, timeElapsed: 0, text: 'Start to fetch params' });
		if (this.hangReload) {
			await new Promise<void>((resolve) => (this.releaseReload = resolve));
			return;
		}
		this.onProgress({ progress: 1, timeElapsed: 2, text: 'Fetching param cache[2/2]: 300MB fetched. 100% completed, 2 secs elapsed.' });
		this.onProgress({ progress: 0.5, timeElapsed: 3, text: 'Loading model from cache[1/2]: 150MB loaded. 50% completed, 3 secs elapsed.' });
		if (this.reloadError) throw this.reloadError;
		this.onProgress({ progress: 1, timeElapsed: 4, text: `Finish loading on WebGPU - ${modelId}` });
	}

	async unload(): Promise<void> {
		this.unloaded += 1;
		this.releaseReload?.();
	}

	interruptGenerate(): void {
		this.interrupted += 1;
		this.release?.();
	}
}

function setup() {
	let fake: FakeMLCEngine | undefined;
	const factory = vi.fn(async (onProgress: (report: InitProgressReportLike) => void) => (fake = new FakeMLCEngine(onProgress)));
	let clock = 1000;
	const engine = new WebLLMEngine({ factory, now: () => (clock += 50) });
	return { engine, factory, fake: () => fake as FakeMLCEngine };
}

const request: ChatRequest = { messages: [{ role: 'user', content: 'Say ok as JSON.' }], sampling: { max_tokens: 32, temperature: 0 }, responseFormat: { type: 'json_object', schema: { type: 'object' } } };

describe('WebLLMEngine', () => {
	it('declares itself a single-slot, schema-capable webllm engine', () => {
		const { engine } = setup();
		expect(engine).toMatchObject({ kind: 'webllm', maxConcurrency: 1, supportsJsonSchema: true, id: 'webllm' });
		expect(engine.label).toMatch(/no model loaded/);
	});

	it('loads with monotonic phases, then chats with the mapped request', async () => {
		const { engine, factory, fake } = setup();
		const phases: LoadStatus[] = [];
		await engine.load(MODEL, (status) => phases.push(status));
		expect(phases.map((status) => status.phase)).toEqual(['fetching', 'fetching', 'loading-to-gpu', 'finishing']);
		expect(phases.at(-1)?.fraction).toBe(1);
		expect(engine.modelId).toBe(MODEL);
		expect(engine.label).toContain('Qwen2.5 0.5B');

		const response = await engine.chat(request);
		expect(response).toMatchObject({ content: '{"ok":true}', finishReason: 'stop', model: MODEL, decodeTokensPerSecond: 30, usage: { totalTokens: 8 } });
		expect(response.timing.ms).toBeGreaterThan(0);
		expect(fake().requests[0]).toMatchObject({ max_tokens: 32, temperature: 0, response_format: { type: 'json_object', schema: '{"type":"object"}' } });

		await engine.load('Qwen2.5-1.5B-Instruct-q4f32_1-MLC');
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
		factory.mockImplementation(async (onProgress) => new FakeMLCEngine(onProgress));
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
		fake().createError = tooLong;
		await expect(engine.chat(request)).rejects.toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/context window/) });
	});

	it('interrupts generation when the signal fires and reports aborted', async () => {
		const { engine, fake } = setup();
		await engine.load(MODEL);
		fake().hang = true;
		const controller = new AbortController();
		const pending = engine.chat({ ...request, signal: controller.signal });
		await vi.waitFor(() => expect(fake().requests).toHaveLength(1));
		controller.abort();
		await expect(pending).rejects.toMatchObject({ kind: 'aborted' });
		expect(fake().interrupted).toBe(1);
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
		fake().hang = true;
		const first = engine.chat(request);
		const controller = new AbortController();
		const second = engine.chat({ ...request, signal: controller.signal });
		await vi.waitFor(() => expect(fake().requests).toHaveLength(1));
		controller.abort();
		await expect(second).rejects.toMatchObject({ kind: 'aborted' });
		expect(fake().interrupted).toBe(0);
		fake().interruptGenerate();
		expect((await first).finishReason).toBe('abort');
		expect(fake().requests).toHaveLength(1);
	});

	it('unloads', async () => {
		const { engine, fake } = setup();
		await engine.unload();
		await engine.load(MODEL);
		await engine.unload();
		expect(fake().unloaded).toBe(1);
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
					overrides: { context_window_size: 2048 }
				}
			]
		};
		await engine.load('my-qwen-tuned', undefined, { appConfig, label: 'My tuned Qwen' });
		expect(fake().appConfigs).toEqual([appConfig]);
		expect(engine.modelId).toBe('my-qwen-tuned');
		expect(engine.label).toBe('In-browser (WebGPU): My tuned Qwen');
		await engine.chat(request);
		expect(fake().requests[0]).toMatchObject({ max_tokens: 32 });
		// A later prebuilt load sends no custom records.
		await engine.load(MODEL);
		expect(fake().appConfigs[1]).toBeUndefined();
		expect(engine.label).toContain('Qwen2.5 0.5B');
	});

	it('cancels a load in progress: the download stops and the load reports aborted', async () => {
		const { engine, fake } = setup();
		const phases: LoadStatus[] = [];
		expect(engine.cancelLoad()).toBe(false);
		await engine.load(MODEL);
		fake().hangReload = true;
		const loading = engine.load('Qwen2.5-1.5B-Instruct-q4f32_1-MLC', (status) => phases.push(status));
		await vi.waitFor(() => expect(phases).toHaveLength(1));
		expect(engine.cancelLoad()).toBe(true);
		await expect(loading).rejects.toMatchObject({ kind: 'aborted' });
		expect(fake().unloaded).toBe(1);
		expect(engine.modelId).toBeUndefined();
		// The engine stays usable.
		fake().hangReload = false;
		await engine.load(MODEL);
		expect(engine.modelId).toBe(MODEL);
	});
});
