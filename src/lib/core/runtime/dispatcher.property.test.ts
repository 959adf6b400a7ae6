import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../contracts/engine';
import { TestEngine, testEmpty, testHttpError, testNetworkError, testRateLimited, testReply, testServerError, type TestStep } from '../../engines/test-engine';
import { InMemoryResponseCache } from './cache-key';
import { VirtualClock } from './clock';
import { dispatch, type DispatchEvent, type InputRecord } from './dispatcher';
import { askAll, seededRandom, type Task } from './task';

const req = (text: string): ChatRequest => ({ messages: [{ role: 'user', content: text }], sampling: { max_tokens: 16 } });

const outcome = fc.constantFrom<() => TestStep>(
	() => testReply('ok', 1),
	() => testReply('ok', 0),
	() => testServerError(503),
	() => testRateLimited(10),
	() => testNetworkError(),
	() => testHttpError(400),
	() => testEmpty()
);

/** Per record: how many parallel requests per yield, and a scripted outcome sequence per request. */
const scenario = fc.record({
	concurrency: fc.integer({ min: 1, max: 6 }),
	maxAttempts: fc.integer({ min: 1, max: 4 }),
	records: fc.array(fc.record({ yields: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }), script: fc.array(outcome, { maxLength: 6 }) }), { minLength: 1, maxLength: 12 })
});

describe('dispatcher properties', () => {
	it('never exceeds concurrency, ends every record exactly once, bounds attempts', async () => {
		await fc.assert(
			fc.asyncProperty(scenario, async ({ concurrency, maxAttempts, records }) => {
				const engine = new TestEngine();
				const inputs: InputRecord<number>[] = records.map((_, i) => ({ id: `r${i}`, input: i }));
				records.forEach((record, i) => engine.on((request) => request.messages[0].content.startsWith(`r${i}-`), ...record.script.map((make) => make())));
				const task: Task<number, string> = async function* (index) {
					const parts: string[] = [];
					for (const [y, width] of records[index].yields.entries()) {
						const answers = yield* askAll(Array.from({ length: width }, (_, k) => req(`r${index}-${y}-${k}`)));
						parts.push(...answers.map((a) => a.content));
					}
					return parts.join();
				};
				const ended = new Map<string, number>();
				const result = await dispatch(inputs, {
					recipeId: 'p',
					engine,
					task,
					concurrency,
					retry: { maxAttempts, maxEmptyAnswerRetries: 1 },
					clock: new VirtualClock(),
					random: seededRandom(3),
					onEvent: (event: DispatchEvent<number, string>) => {
						const id = event.type === 'record-done' ? event.recordId : event.type === 'record-failed' ? event.record.recordId : undefined;
						if (id) ended.set(id, (ended.get(id) ?? 0) + 1);
					}
				});
				expect(engine.maxInFlight).toBeLessThanOrEqual(concurrency);
				expect(result.counts.done + result.counts.failed).toBe(inputs.length);
				for (const input of inputs) expect(ended.get(input.id)).toBe(1);
				const totalRequests = records.reduce((sum, r) => sum + r.yields.reduce((a, b) => a + b, 0), 0);
				// Each request: at most maxAttempts transport attempts plus one extra for the empty-answer retry.
				expect(engine.requests.length).toBeLessThanOrEqual(totalRequests * (maxAttempts + 1));
			}),
			{ numRuns: 60 }
		);
	});

	it('a cache hit means no engine call: re-running any completed run costs nothing', async () => {
		await fc.assert(
			fc.asyncProperty(fc.array(fc.string({ maxLength: 8 }), { minLength: 1, maxLength: 10 }), fc.integer({ min: 1, max: 5 }), async (texts, concurrency) => {
				const inputs = texts.map((text, i) => ({ id: `r${i}`, input: text }));
				const task: Task<string, string> = async function* (text) {
					const [a] = yield* askAll([req(`a:${text}`)]);
					const [b] = yield* askAll([req(`b:${text}:${a.content}`)]);
					return b.content;
				};
				const cache = new InMemoryResponseCache();
				const first = await dispatch(inputs, { recipeId: 'p', engine: new TestEngine({ seed: 5 }), task, cache, concurrency, modelKey: 'm' });
				const engine = new TestEngine({ seed: 99 });
				const second = await dispatch(inputs, { recipeId: 'p', engine, task, cache, concurrency, modelKey: 'm' });
				expect(engine.requests).toHaveLength(0);
				expect(second.samples.map((s) => s.sample)).toEqual(first.samples.map((s) => s.sample));
			}),
			{ numRuns: 40 }
		);
	});
});
