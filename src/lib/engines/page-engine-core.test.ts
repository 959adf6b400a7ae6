import * as Comlink from 'comlink';
import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineError, type ChatRequest, type ChatResponse } from '$lib/core/contracts/engine';
import { ManualEngine } from './manual-engine';
import { fromRemoteError, RemoteEngineHost, toRemoteError, type PageEngineBackend } from './page-engine-core';
import type { RemoteEngine } from '$lib/core/contracts/run-api';

const request: Omit<ChatRequest, 'signal'> = { messages: [{ role: 'user', content: 'Write 2 questions about tea.' }], sampling: { max_tokens: 64 } };

function manualBackend(engine: ManualEngine, runId?: string): PageEngineBackend {
	return {
		chat: (requestId, chatRequest) => engine.chat(chatRequest, { requestId, ...(runId ? { runId } : {}) }),
		describe: () => ({ kind: 'manual', model: 'manual', maxConcurrency: 1, supportsJsonSchema: false })
	};
}

const ports: Array<{ close(): void }> = [];
afterEach(() => {
	for (const port of ports.splice(0)) port.close();
});

/** The host exposed on one end of a real MessageChannel, as the data worker would see it. */
function overComlink(host: RemoteEngineHost): Comlink.Remote<RemoteEngine> {
	const { port1, port2 } = new MessageChannel();
	ports.push(port1, port2);
	Comlink.expose(host, port1 as unknown as Comlink.Endpoint);
	return Comlink.wrap<RemoteEngine>(port2 as unknown as Comlink.Endpoint);
}

describe('remote errors', () => {
	it('keep kind, status and Retry-After as plain data', () => {
		const error = new EngineError('http', 'Too many requests.', { status: 429, retryAfterMs: 2000 });
		const serialized = toRemoteError(error);
		expect(serialized).toEqual({ name: 'EngineError', kind: 'http', message: 'Too many requests.', status: 429, retryAfterMs: 2000 });
		expect(structuredClone(serialized)).toEqual(serialized);
		const back = fromRemoteError(structuredClone(serialized));
		expect(back).toBeInstanceOf(EngineError);
		expect(back).toMatchObject({ kind: 'http', status: 429, retryAfterMs: 2000 });
	});

	it('classify anything else as a bad response', () => {
		expect(toRemoteError(new TypeError('x is undefined'))).toMatchObject({ kind: 'bad-response', message: 'TypeError: x is undefined' });
		expect(fromRemoteError(Object.assign(new Error('lost kind'), { name: 'EngineError' }))).toMatchObject({ kind: 'bad-response', message: 'lost kind' });
		expect(fromRemoteError({ kind: 'made-up', message: 'm' })).toMatchObject({ kind: 'bad-response' });
		expect(fromRemoteError('boom')).toMatchObject({ kind: 'bad-response', message: 'boom' });
	});
});

describe('RemoteEngineHost over Comlink', () => {
	it('answers a manual request with the pasted reply, tagged with the run', async () => {
		const manual = new ManualEngine({ now: () => 5000 });
		const remote = overComlink(new RemoteEngineHost(manualBackend(manual, 'run-7')));
		const pending = remote.chat('run-7:r0:s0', request);
		await expect.poll(() => manual.pending().length).toBe(1);
		expect(manual.pending()[0]).toMatchObject({ requestId: 'run-7:r0:s0', runId: 'run-7', promptText: '### user\nWrite 2 questions about tea.' });
		manual.provideReply('run-7:r0:s0', '1. Is green tea bitter?\n2. How long to steep?');
		expect(await pending).toMatchObject({ content: '1. Is green tea bitter?\n2. How long to steep?', finishReason: 'stop', model: 'manual' });
		expect(await remote.describe()).toEqual({ kind: 'manual', model: 'manual', maxConcurrency: 1, supportsJsonSchema: false });
	});

	it('cancel(requestId) aborts only that request, and the worker sees kind aborted', async () => {
		const manual = new ManualEngine();
		const host = new RemoteEngineHost(manualBackend(manual));
		const remote = overComlink(host);
		const first = remote.chat('a', request).catch((thrown: unknown) => fromRemoteError(thrown));
		const second = remote.chat('b', request);
		await expect.poll(() => manual.pending().length).toBe(2);
		await remote.cancel('a');
		expect(await first).toMatchObject({ kind: 'aborted' });
		expect(manual.pending().map((p) => p.requestId)).toEqual(['b']);
		manual.provideReply('b', 'fine');
		expect((await second).content).toBe('fine');
		expect(host.inFlight).toBe(0);
	});

	it('a skipped manual request fails as unavailable (not retried), over the wire', async () => {
		const manual = new ManualEngine();
		const remote = overComlink(new RemoteEngineHost(manualBackend(manual)));
		const pending = remote.chat('s', request).catch((thrown: unknown) => fromRemoteError(thrown));
		await expect.poll(() => manual.pending().length).toBe(1);
		manual.skip('s');
		expect(await pending).toMatchObject({ kind: 'unavailable', message: 'You skipped this request.' });
	});

	it('returns plain data only, even when the backend answers with extra class state', async () => {
		class RichResponse implements ChatResponse {
			content = '{"ok":true}';
			finishReason = 'stop';
			model = 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC';
			timing = { startedAt: 1, ms: 2 };
			decodeTokensPerSecond = 31.5;
			helper() {
				return 'not cloneable';
			}
		}
		const host = new RemoteEngineHost({
			chat: async () => new RichResponse(),
			describe: () => ({ kind: 'webllm', model: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC', maxConcurrency: 1, supportsJsonSchema: true })
		});
		const response = await overComlink(host).chat('x', request);
		expect(response).toEqual({ content: '{"ok":true}', finishReason: 'stop', model: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC', timing: { startedAt: 1, ms: 2 }, decodeTokensPerSecond: 31.5 });
	});
});

describe('RemoteEngineHost: streamed progress', () => {
	it('answers progress(requestId) over Comlink while the answer streams, and forgets it when done', async () => {
		let finish: () => void = () => undefined;
		const backend: PageEngineBackend = {
			chat: async (_requestId, chatRequest, { onStream } = {}) => {
				onStream?.({ messages: chatRequest.messages, chars: 9, chunks: 3, startedAt: 1000, ms: 250, firstTokenMs: 80, done: false });
				await new Promise<void>((resolve) => (finish = resolve));
				onStream?.({ messages: chatRequest.messages, chars: 9, chunks: 3, startedAt: 1000, ms: 300, firstTokenMs: 80, done: true });
				return { content: '["a","b"]', finishReason: 'stop', model: 'm', timing: { startedAt: 1000, ms: 300 } };
			},
			describe: () => ({ kind: 'webllm', model: 'm', maxConcurrency: 1, supportsJsonSchema: true })
		};
		const remote = overComlink(new RemoteEngineHost(backend));
		const progress = (id: string) => (remote as unknown as { progress(id: string): Promise<unknown> }).progress(id);
		expect(await progress('r-1')).toBeNull();
		const pending = remote.chat('r-1', request);
		await new Promise((resolve) => setTimeout(resolve, 20));
		expect(await progress('r-1')).toEqual({ chars: 9, chunks: 3, startedAt: 1000, ms: 250, firstTokenMs: 80 });
		finish();
		await pending;
		expect(await progress('r-1')).toBeNull();
	});
});
