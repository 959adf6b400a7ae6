import { describe, expect, it } from 'vitest';
import { EngineError, type ChatRequest, type ChatResponse } from '$lib/core/contracts/engine';
import type { RemoteEngine } from '$lib/core/contracts/run-api';
import { asEngineError, RemoteEngineAdapter } from './remote-engine-adapter';

const QWEN = 'Qwen2.5-1.5B-Instruct-q4f32_1-MLC';
const ask = (content: string, signal?: AbortSignal): ChatRequest => ({ messages: [{ role: 'user', content }], sampling: { max_tokens: 64 }, ...(signal ? { signal } : {}) });
const answer = (content: string): ChatResponse => ({ content, finishReason: 'stop', model: QWEN, timing: { startedAt: 0, ms: 1 } });

function page(overrides: Partial<RemoteEngine> = {}) {
	const calls: { requestId: string; request: Omit<ChatRequest, 'signal'> }[] = [];
	const cancelled: string[] = [];
	let model = QWEN;
	const remote: RemoteEngine = {
		describe: async () => ({ kind: 'webllm', model, maxConcurrency: 1, supportsJsonSchema: true }),
		chat: async (requestId, request) => {
			calls.push({ requestId, request });
			return answer(`answer to ${request.messages[0].content}`);
		},
		cancel: (requestId) => void cancelled.push(requestId),
		...overrides
	};
	return { remote, calls, cancelled, load: (next: string) => (model = next) };
}

describe('RemoteEngineAdapter', () => {
	it('sends each request with its own id and no signal (AbortSignals cannot cross Comlink)', async () => {
		const { remote, calls } = page();
		const engine = new RemoteEngineAdapter(remote, 'manual', 'Paste replies', 'manual', false);
		expect([engine.maxConcurrency, engine.kind, engine.supportsJsonSchema]).toEqual([1, 'manual', false]);
		const controller = new AbortController();
		expect((await engine.chat(ask('one', controller.signal))).content).toBe('answer to one');
		await engine.chat(ask('two'));
		expect(calls.map((call) => call.requestId)).toEqual([expect.stringMatching(/^manual#[0-9a-z]+-1$/), expect.stringMatching(/^manual#[0-9a-z]+-2$/)]);
		expect(calls.every((call) => !('signal' in call.request))).toBe(true);
	});

	it('cancels an aborted request by its id, and stops waiting at once for a page that never answers', async () => {
		const { remote, cancelled } = page({ chat: () => new Promise(() => undefined) });
		const engine = new RemoteEngineAdapter(remote, 'manual', 'Paste replies', 'manual', false);
		const controller = new AbortController();
		const pending = engine.chat(ask('hard', controller.signal));
		controller.abort();
		await expect(pending).rejects.toMatchObject({ kind: 'aborted' });
		expect(cancelled).toEqual([expect.stringMatching(/^manual#/)]);
		const aborted = new AbortController();
		aborted.abort();
		await expect(engine.chat(ask('late', aborted.signal))).rejects.toMatchObject({ kind: 'aborted' });
	});

	it('never asks another model than the run’s (the user may load one meanwhile)', async () => {
		const { remote, calls, load } = page();
		const engine = new RemoteEngineAdapter(remote, `webllm:${QWEN}`, 'In this browser', 'webllm', true, QWEN);
		await engine.chat(ask('one'));
		load('Llama-3.2-1B-Instruct-q4f32_1-MLC');
		await expect(engine.chat(ask('two'))).rejects.toMatchObject({
			kind: 'unavailable',
			message: `This run uses ${QWEN}, but Llama-3.2-1B-Instruct-q4f32_1-MLC is loaded now. Load ${QWEN} on the Engines page, then retry the failed records.`
		});
		expect(calls).toHaveLength(1);
		const gone = new RemoteEngineAdapter({ ...remote, describe: () => Promise.reject(new Error('closed')) }, 'w', 'w', 'webllm', true, QWEN);
		await expect(gone.chat(ask('x'))).rejects.toMatchObject({ message: expect.stringContaining('but no model is loaded now') });
	});

	it('turns an error that crossed Comlink back into an EngineError', async () => {
		const { remote } = page({ chat: () => Promise.reject({ message: 'HTTP 429', kind: 'http', status: 429, retryAfterMs: 500 }) });
		const engine = new RemoteEngineAdapter(remote, 'manual', 'Paste replies', 'manual', false);
		const error = await engine.chat(ask('x')).catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(EngineError);
		expect(error).toMatchObject({ kind: 'http', status: 429, retryAfterMs: 500, message: 'HTTP 429' });
	});
});

describe('asEngineError', () => {
	it('keeps an EngineError, and reads the kind, status and wait of a cloned one', () => {
		const original = new EngineError('timeout', 'Too slow.');
		expect(asEngineError(original)).toBe(original);
		expect(asEngineError({ message: 'Interrupted', kind: 'aborted' })).toMatchObject({ kind: 'aborted', message: 'Interrupted' });
		expect(asEngineError({ message: 'x', kind: 'no-such-kind', status: '500' })).toMatchObject({ kind: 'unavailable', message: 'x', status: undefined });
		expect(asEngineError(new Error('You skipped this request.'))).toMatchObject({ kind: 'unavailable', message: 'You skipped this request.' });
		expect(asEngineError('plain text')).toMatchObject({ kind: 'unavailable', message: 'plain text' });
		expect(asEngineError(undefined)).toMatchObject({ kind: 'unavailable', message: 'undefined' });
	});
});

describe('RemoteEngineAdapter: streamed answers', () => {
	it('polls the page for the answer’s progress and reports it against the dispatcher’s messages, then a last update', async () => {
		let seen = { chars: 0, chunks: 0, startedAt: 1000, ms: 0 } as { chars: number; chunks: number; startedAt: number; ms: number; firstTokenMs?: number };
		let finish: (response: ChatResponse) => void = () => undefined;
		const { remote } = page({
			chat: () => new Promise<ChatResponse>((resolve) => (finish = resolve)),
			progress: async () => (seen.chunks ? seen : null)
		});
		const engine = new RemoteEngineAdapter(remote, `webllm:${QWEN}`, 'In this browser', 'webllm', true, QWEN);
		const updates: Array<{ chunks: number; done: boolean; same: boolean }> = [];
		const request = ask('Two prompts as JSON.');
		engine.onStream = (update) => updates.push({ chunks: update.chunks, done: update.done, same: update.messages === request.messages });
		const pending = engine.chat(request);
		seen = { chars: 12, chunks: 5, startedAt: 1000, ms: 300, firstTokenMs: 100 };
		await new Promise((resolve) => setTimeout(resolve, 450));
		seen = { chars: 30, chunks: 11, startedAt: 1000, ms: 700, firstTokenMs: 100 };
		await new Promise((resolve) => setTimeout(resolve, 450));
		finish(answer('[]'));
		await pending;
		expect(updates).toEqual([
			{ chunks: 5, done: false, same: true },
			{ chunks: 11, done: false, same: true },
			{ chunks: 11, done: true, same: true }
		]);
	});

	it('does not poll a page engine that does not stream, nor without a listener', async () => {
		let polled = 0;
		const { remote } = page({ progress: async () => (polled++, null) });
		const engine = new RemoteEngineAdapter(remote, 'manual', 'Paste replies', 'manual', false);
		await engine.chat(ask('hi'));
		expect(polled).toBe(0);
	});
});

describe('RemoteEngineAdapter: the run’s model travels with each request', () => {
	it('passes the model an in-browser run was started with, and none for manual runs', async () => {
		const models: Array<string | undefined> = [];
		const { remote } = page({ chat: async (_id, request, model) => (models.push(model), answer(request.messages[0].content)) });
		await new RemoteEngineAdapter(remote, `webllm:${QWEN}`, 'In this browser', 'webllm', true, QWEN).chat(ask('a'));
		await new RemoteEngineAdapter(remote, 'manual', 'Paste replies', 'manual', false).chat(ask('b'));
		expect(models).toEqual([QWEN, undefined]);
	});
});
