import { describe, expect, it } from 'vitest';
import type { ChatRequest, ChatResponse, Engine } from '../contracts/engine';
import { dispatch } from './dispatcher';
import { ask, type Task } from './task';

/** An engine that answers at once, so only the dispatcher's own overhead is measured. */
const instantEngine: Engine = {
	id: 'instant',
	label: 'instant',
	kind: 'test',
	maxConcurrency: 50,
	supportsJsonSchema: false,
	async chat(request: ChatRequest): Promise<ChatResponse> {
		return { content: request.messages[0].content, finishReason: 'stop', model: 'instant', timing: { startedAt: 0, ms: 0 } };
	}
};

const task: Task<number, string> = async function* (n) {
	const response = yield* ask({ messages: [{ role: 'user', content: `item ${n}` }], sampling: { max_tokens: 8, temperature: 0.7 } });
	return response.content;
};

describe('dispatcher overhead', () => {
	it('dispatches at least 500 requests/s at concurrency 50 against an instant engine', async () => {
		const records = Array.from({ length: 20_000 }, (_, i) => ({ id: `r${i}`, input: i }));
		await dispatch(records.slice(0, 2000), { recipeId: 'bench', engine: instantEngine, task, concurrency: 50 });
		const started = performance.now();
		const result = await dispatch(records, { recipeId: 'bench', engine: instantEngine, task, concurrency: 50, onEvent: () => undefined });
		const seconds = (performance.now() - started) / 1000;
		const perSecond = Math.round(result.counts.engineCalls / seconds);
		console.log(`dispatcher: ${perSecond} requests/s (${result.counts.engineCalls} requests, concurrency 50)`);
		expect(result.counts.done).toBe(records.length);
		expect(perSecond).toBeGreaterThan(500);
	});
});
