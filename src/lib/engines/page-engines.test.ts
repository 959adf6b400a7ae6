import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { InitProgressReportLike } from './webllm/progress';
import type { MLCLikeEngine, WebLLMAppConfig } from './webllm/webllm-engine';
import type { WebLLMChatCompletion, WebLLMChatRequest } from './webllm/request';
import { CUSTOM_MODELS_KEY } from './custom-models';
import { fromRemoteError } from './page-engine-core';

/** Stands in for web-llm in its worker: scripted progress, a reload that can fail or wait for unload. */
const fake = vi.hoisted(() => ({
	reloads: [] as Array<{ modelId: string; extra?: unknown }>,
	requests: [] as unknown[],
	reloadError: undefined as unknown,
	holdReload: false,
	releaseReload: undefined as (() => void) | undefined,
	/** web-llm after device.lost: the model is gone, requests fail. */
	lost: false
}));

vi.mock('./webllm/create-worker-engine', () => ({
	createWorkerMLCEngine: async (onProgress: (report: InitProgressReportLike) => void): Promise<MLCLikeEngine> => ({
		async generate(request: WebLLMChatRequest, onDelta: (text: string) => void): Promise<WebLLMChatCompletion> {
			fake.requests.push(request);
			if (fake.lost) {
				const error = new Error('Model not loaded before trying to complete ChatCompletionRequest.');
				error.name = 'ModelNotLoadedError';
				throw error;
			}
			onDelta('[{"prompt":"Hi"}]');
			return { model: 'x', choices: [{ message: { content: '[{"prompt":"Hi"}]' }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 6, total_tokens: 15 } };
		},
		async reload(modelId: string, extra?: WebLLMAppConfig) {
			fake.reloads.push({ modelId, extra });
			fake.lost = false;
			onProgress({ progress: 0, timeElapsed: 0, text: 'Start to fetch params' });
			onProgress({ progress: 0.45, timeElapsed: 4, text: 'Fetching param cache[5/11]: 120 MB fetched. 45% completed, 4 secs elapsed.' });
			if (fake.holdReload) return new Promise<void>((resolve) => (fake.releaseReload = resolve));
			if (fake.reloadError) throw fake.reloadError;
			onProgress({ progress: 0.5, timeElapsed: 6, text: 'Loading model from cache[6/11]: 60 MB loaded. 50% completed, 6 secs elapsed.' });
			onProgress({ progress: 1, timeElapsed: 9, text: 'Finish loading on WebGPU - google' });
		},
		async unload() {
			fake.releaseReload?.();
		},
		interruptGenerate() {}
	})
}));

const pageEngines = await import('./page-engines.svelte');
const { answerManual, cancelLoad, loadedWebLLM, loadModel, manualQueue, onWebLLMLost, remoteEngineFor, skipManual, unloadModel, webllmStatus } = pageEngines;

class MemoryStorage {
	items = new Map<string, string>();
	getItem = (key: string) => this.items.get(key) ?? null;
	setItem = (key: string, value: string) => void this.items.set(key, value);
}

beforeEach(() => {
	vi.stubGlobal('localStorage', new MemoryStorage());
	Object.assign(fake, { reloads: [], requests: [], reloadError: undefined, holdReload: false, releaseReload: undefined, lost: false });
});
afterEach(async () => {
	await unloadModel();
	vi.unstubAllGlobals();
});

const request = { messages: [{ role: 'user' as const, content: 'Two prompts as JSON.' }], sampling: { max_tokens: 200 }, responseFormat: { type: 'json_object' as const } };

describe('the in-browser model on the page', () => {
	it('loads with phase lines, then serves runs through the remote engine', async () => {
		const lines: string[] = [];
		const loading = loadModel('Qwen2.5-0.5B-Instruct-q4f32_1-MLC');
		expect(webllmStatus).toMatchObject({ state: 'loading', label: 'Qwen2.5 0.5B (q4f32_1)', phaseCount: 3 });
		expect(loadedWebLLM()).toBeNull();
		lines.push(webllmStatus.phaseLine);
		expect(await loading).toBe(true);
		expect(webllmStatus).toMatchObject({ state: 'loaded', phaseLine: 'Ready', progress: 1, gpu: 'WebGPU - google', error: null });
		expect(lines).toEqual(['Preparing: model files and GPU check']);
		expect(loadedWebLLM()).toEqual({ modelId: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC', label: 'Qwen2.5 0.5B (q4f32_1)', contextWindow: 4096 });

		const remote = remoteEngineFor('webllm');
		expect(await remote.describe()).toEqual({ kind: 'webllm', model: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC', maxConcurrency: 1, supportsJsonSchema: true });
		const response = await remote.chat('run-1:0:0', request);
		expect(response).toMatchObject({ content: '[{"prompt":"Hi"}]', finishReason: 'stop', usage: { totalTokens: 15 } });
		expect(fake.requests).toHaveLength(1);

		await unloadModel();
		expect(loadedWebLLM()).toBeNull();
		const refused = await remote.chat('run-1:0:1', request).catch((thrown: unknown) => fromRemoteError(thrown));
		expect(refused).toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/Load a model first/) });
	});

	it('reports a failed load in plain words and recovers', async () => {
		fake.reloadError = 'TypeError: Failed to fetch';
		expect(await loadModel('Llama-3.2-1B-Instruct-q4f32_1-MLC')).toBe(false);
		expect(webllmStatus).toMatchObject({ state: 'failed', error: expect.stringMatching(/^Could not download "Llama-3.2-1B-Instruct-q4f32_1-MLC"/) });
		fake.reloadError = undefined;
		expect(await loadModel('Llama-3.2-1B-Instruct-q4f32_1-MLC', { cached: true })).toBe(true);
		expect(webllmStatus.error).toBeNull();
	});

	it('shows the phase while downloading and can be cancelled', async () => {
		fake.holdReload = true;
		const loading = loadModel('SmolLM2-360M-Instruct-q4f32_1-MLC');
		await vi.waitFor(() => expect(webllmStatus.phaseLine).toBe('Phase 1 of 3: downloading weights 45%'));
		expect(webllmStatus.progress).toBeCloseTo(0.45);
		cancelLoad();
		expect(await loading).toBe(false);
		expect(webllmStatus).toMatchObject({ state: 'idle', cancelled: true, error: null });
		expect(loadedWebLLM()).toBeNull();
	});

	it("loads a custom model with its record, and refuses an id it doesn't know", async () => {
		const custom = {
			modelId: 'tuned-qwen-q4f32_1',
			weightsUrl: 'https://huggingface.co/my-org/tuned-qwen-q4f32_1-MLC',
			modelLibUrl: 'https://example.org/Qwen2-0.5B-Instruct-q4f32_1-ctx4k_cs1k-webgpu.wasm',
			vramMB: 1100,
			contextWindow: 4096
		};
		localStorage.setItem(CUSTOM_MODELS_KEY, JSON.stringify([custom]));
		expect(await loadModel('tuned-qwen-q4f32_1')).toBe(true);
		expect(fake.reloads.at(-1)).toMatchObject({ modelId: 'tuned-qwen-q4f32_1', extra: { model_list: [{ model_id: 'tuned-qwen-q4f32_1', model: custom.weightsUrl, model_lib: custom.modelLibUrl }] } });
		expect(loadedWebLLM()?.label).toBe('tuned-qwen-q4f32_1');

		expect(await loadModel('removed-model')).toBe(false);
		expect(webllmStatus.error).toMatch(/not in this version's model list/);
		expect(fake.reloads.at(-1)?.modelId).toBe('tuned-qwen-q4f32_1');
	});
});

describe('the in-browser model during a run', () => {
	it('a lost GPU pauses the runs using it, holds their requests, and they go on once the same model is reloaded', async () => {
		const paused: string[][] = [];
		onWebLLMLost((runIds) => paused.push(runIds));
		expect(await loadModel('Qwen2.5-0.5B-Instruct-q4f32_1-MLC')).toBe(true);
		const remote = remoteEngineFor('webllm', 'run-gpu');
		await remote.chat('run-gpu:0', request);
		fake.lost = true;
		const held = remote.chat('run-gpu:1', request);
		await vi.waitFor(() => expect(webllmStatus.state).toBe('lost'));
		expect(webllmStatus.error).toMatch(/graphics card was reset or ran out of memory.*Reload the model/);
		expect(paused.at(-1)).toContain('run-gpu');
		// The run still names its model, so the data worker's model check lets requests through to wait.
		expect((await remote.describe()).model).toBe('Qwen2.5-0.5B-Instruct-q4f32_1-MLC');
		let settled = false;
		void held.then(() => (settled = true));
		await new Promise((resolve) => setTimeout(resolve, 20));
		expect(settled).toBe(false);
		expect(await loadModel('Qwen2.5-0.5B-Instruct-q4f32_1-MLC')).toBe(true);
		expect((await held).content).toBe('[{"prompt":"Hi"}]');
		expect(fake.requests).toHaveLength(3);
	});

	it('a held request fails, rather than answering with it, when another model is loaded instead', async () => {
		expect(await loadModel('Qwen2.5-0.5B-Instruct-q4f32_1-MLC')).toBe(true);
		const remote = remoteEngineFor('webllm', 'run-other');
		fake.lost = true;
		const held = remote.chat('run-other:0', request).catch((thrown: unknown) => fromRemoteError(thrown));
		await vi.waitFor(() => expect(webllmStatus.state).toBe('lost'));
		expect(await loadModel('Llama-3.2-1B-Instruct-q4f32_1-MLC')).toBe(true);
		expect(await held).toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/This run uses Qwen2.5-0.5B-Instruct-q4f32_1-MLC, but Llama-3.2-1B-Instruct-q4f32_1-MLC is loaded now/) });
	});

	it('refuses to load another model while a run is generating, unless forced', async () => {
		expect(await loadModel('Qwen2.5-0.5B-Instruct-q4f32_1-MLC')).toBe(true);
		await remoteEngineFor('webllm', 'run-busy').chat('run-busy:0', request);
		expect(await loadModel('Llama-3.2-1B-Instruct-q4f32_1-MLC')).toBe(false);
		expect(webllmStatus.refused).toMatch(/A run is generating with Qwen2.5 0.5B \(q4f32_1\)\. Pause it/);
		expect(webllmStatus.state).toBe('loaded');
		expect(fake.reloads).toHaveLength(1);
		expect(await loadModel('Llama-3.2-1B-Instruct-q4f32_1-MLC', { force: true })).toBe(true);
		expect(webllmStatus.refused).toBeNull();
	});

	it('shows Cancelling… until a cancelled load has stopped', async () => {
		fake.holdReload = true;
		const loading = loadModel('SmolLM2-360M-Instruct-q4f32_1-MLC');
		await vi.waitFor(() => expect(webllmStatus.phaseLine).toMatch(/downloading/));
		cancelLoad();
		expect(webllmStatus.cancelling).toBe(true);
		expect(await loading).toBe(false);
		expect(webllmStatus).toMatchObject({ cancelling: false, cancelled: true, state: 'idle' });
	});
});

describe('the manual queue', () => {
	it('lists requests per run; answers and skips settle them', async () => {
		const runA = remoteEngineFor('manual', 'run-a');
		const runB = remoteEngineFor('manual', 'run-b');
		expect(await runA.describe()).toMatchObject({ kind: 'manual', supportsJsonSchema: false, maxConcurrency: 1 });
		const first = runA.chat('a-1', request);
		const second = runB.chat('b-1', request).catch((thrown: unknown) => fromRemoteError(thrown));
		expect(manualQueue.items.map((item) => item.requestId)).toEqual(['a-1', 'b-1']);
		expect(manualQueue.forRun('run-a').map((item) => item.requestId)).toEqual(['a-1']);
		expect(manualQueue.forRun('run-a')[0].promptText).toBe('### user\nTwo prompts as JSON.\n\n### note\nAnswer with JSON only.');

		expect(answerManual('a-1', '[{"prompt":"Hello"}]')).toBe(true);
		expect((await first).content).toBe('[{"prompt":"Hello"}]');
		expect(skipManual('b-1')).toBe(true);
		expect(await second).toMatchObject({ kind: 'unavailable' });
		expect(manualQueue.items).toEqual([]);
		expect(answerManual('a-1', 'again')).toBe(false);
	});

	it('shows requests of a run started without its id in every run view', async () => {
		const untagged = remoteEngineFor('manual');
		const tagged = remoteEngineFor('manual', 'run-d');
		const first = untagged.chat('u-1', request);
		const second = tagged.chat('d-1', request);
		expect(manualQueue.forRun('run-e').map((item) => item.requestId)).toEqual(['u-1']);
		expect(manualQueue.forRun('run-d').map((item) => item.requestId)).toEqual(['u-1', 'd-1']);
		answerManual('u-1', 'one');
		answerManual('d-1', 'two');
		expect([(await first).content, (await second).content]).toEqual(['one', 'two']);
	});

	it('a run cancelling its request removes it from the queue', async () => {
		const remote = remoteEngineFor('manual', 'run-c');
		const pending = remote.chat('c-1', request).catch((thrown: unknown) => fromRemoteError(thrown));
		expect(manualQueue.forRun('run-c')).toHaveLength(1);
		remote.cancel('c-1');
		expect(await pending).toMatchObject({ kind: 'aborted' });
		expect(manualQueue.forRun('run-c')).toEqual([]);
	});
});
