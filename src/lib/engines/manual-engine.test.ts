import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '$lib/core/contracts/engine';
import { ManualEngine, type PendingManualRequest } from './manual-engine';

const request = (content: string): ChatRequest => ({ messages: [{ role: 'user', content }], sampling: { max_tokens: 100 } });

describe('ManualEngine with caller ids', () => {
	it("uses the caller's request id and run id, and keeps a reused id answerable", async () => {
		const published: PendingManualRequest[] = [];
		const engine = new ManualEngine({ onRequest: (p) => published.push(p) });
		const first = engine.chat(request('one'), { requestId: 'run-1:0', runId: 'run-1' });
		const second = engine.chat(request('two'), { requestId: 'run-1:0', runId: 'run-1' });
		expect(published.map((p) => [p.requestId, p.runId])).toEqual([
			['run-1:0', 'run-1'],
			['run-1:0-1', 'run-1']
		]);
		engine.provideReply('run-1:0-1', 'second answer');
		engine.provideReply('run-1:0', 'first answer');
		expect((await first).content).toBe('first answer');
		expect((await second).content).toBe('second answer');
	});

	it('skip fails the request with a non-retryable error and settles it once', async () => {
		const settled: string[] = [];
		const engine = new ManualEngine({ onSettled: (id) => settled.push(id) });
		const pending = engine.chat(request('hard question'), { requestId: 'q1' });
		expect(engine.skip('q1')).toBe(true);
		await expect(pending).rejects.toMatchObject({ kind: 'unavailable', message: 'You skipped this request.' });
		expect(engine.skip('q1')).toBe(false);
		expect(engine.provideReply('q1', 'late')).toBe(false);
		expect(settled).toEqual(['q1']);
	});
});
