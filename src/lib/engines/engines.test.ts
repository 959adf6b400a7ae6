import { describe, expect, it } from 'vitest';
import { EngineError, type ChatRequest } from '$lib/core/contracts/engine';
import { ManualEngine, renderPromptText, type PendingManualRequest } from './manual-engine';
import { TestEngine, testBadJson, testEmpty, testRateLimited, testReply, testTimeout, testTruncated } from './test-engine';

const request = (text: string): ChatRequest => ({ messages: [{ role: 'user', content: text }], sampling: { max_tokens: 10, temperature: 0.1 } });

describe('TestEngine', () => {
	it('answers deterministically by seed and records requests', async () => {
		const a = new TestEngine({ seed: 1 });
		const b = new TestEngine({ seed: 1 });
		const c = new TestEngine({ seed: 2 });
		const [ra, rb, rc] = await Promise.all([a.chat(request('x')), b.chat(request('x')), c.chat(request('x'))]);
		expect(ra.content).toBe(rb.content);
		expect(ra.content).not.toBe(rc.content);
		expect(a.requests).toEqual([{ messages: [{ role: 'user', content: 'x' }], sampling: { max_tokens: 10, temperature: 0.1 } }]);
	});

	it('plays scripted replies, bad JSON, empty, length-cut answers and errors', async () => {
		const engine = new TestEngine();
		engine.on('x', testReply('one'), testBadJson(), testEmpty(), testTruncated('half'));
		engine.enqueue(testRateLimited(2500), testTimeout());
		expect((await engine.chat(request('x'))).content).toBe('one');
		expect((await engine.chat(request('x'))).content).toContain('{');
		expect((await engine.chat(request('x'))).content).toBe('');
		expect((await engine.chat(request('x'))).finishReason).toBe('length');
		await expect(engine.chat(request('y'))).rejects.toMatchObject({ kind: 'http', status: 429, retryAfterMs: 2500 });
		await expect(engine.chat(request('y'))).rejects.toMatchObject({ kind: 'timeout' });
		expect(engine.callsMatching('x')).toBe(4);
	});

	it('slow answers can be aborted', async () => {
		const engine = new TestEngine({ delayMs: 10_000 });
		const controller = new AbortController();
		const pending = engine.chat({ ...request('x'), signal: controller.signal });
		controller.abort();
		await expect(pending).rejects.toBeInstanceOf(EngineError);
		await expect(pending).rejects.toMatchObject({ kind: 'aborted' });
	});
});

describe('ManualEngine', () => {
	it('publishes the compiled prompt and resolves with the pasted reply', async () => {
		const published: PendingManualRequest[] = [];
		const engine = new ManualEngine({ onRequest: (p) => published.push(p), now: () => 1000 });
		const pending = engine.chat({ messages: [{ role: 'system', content: 'Be Skein.' }, { role: 'user', content: 'Hi' }], sampling: { max_tokens: 5 } });
		expect(published).toHaveLength(1);
		expect(published[0].promptText).toBe('### system\nBe Skein.\n\n### user\nHi');
		expect(engine.pending()).toHaveLength(1);
		expect(engine.provideReply(published[0].requestId, 'Hello!')).toBe(true);
		expect(await pending).toMatchObject({ content: 'Hello!', finishReason: 'stop', model: 'manual' });
		expect(engine.provideReply(published[0].requestId, 'again')).toBe(false);
		expect(engine.pending()).toHaveLength(0);
	});

	it('is cancellable by id and by signal', async () => {
		const engine = new ManualEngine();
		const first = engine.chat(request('a'));
		const controller = new AbortController();
		const second = engine.chat({ ...request('b'), signal: controller.signal });
		const [one, two] = engine.pending();
		engine.cancel(one.requestId);
		controller.abort();
		await expect(first).rejects.toMatchObject({ kind: 'aborted' });
		await expect(second).rejects.toMatchObject({ kind: 'aborted' });
		expect(engine.provideReply(two.requestId, 'late')).toBe(false);
	});

	it('asks for JSON when a response format is requested', () => {
		expect(renderPromptText({ messages: [{ role: 'user', content: 'q' }], responseFormat: { type: 'json_object' } })).toContain('JSON only');
	});
});
