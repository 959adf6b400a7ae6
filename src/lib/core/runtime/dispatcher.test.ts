import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../contracts/engine';
import {
	TestEngine,
	testBadJson,
	testEmpty,
	testHttpError,
	testNetworkError,
	testRateLimited,
	testReply,
	testServerError,
	testTimeout,
	testTruncated
} from '../../engines/test-engine';
import { jsonRecordsOf } from './answers';
import { InMemoryResponseCache, ROUND_SEED_STRIDE } from './cache-key';
import { VirtualClock } from './clock';
import { dispatch, Dispatcher, retryFailedOnly, type DispatchEvent, type DispatchOptions, type InputRecord } from './dispatcher';
import { ask, askAll, RetryableAnswerError, seededRandom, TaskError, type Task } from './task';

const req = (text: string, extra: Partial<ChatRequest['sampling']> = {}): ChatRequest => ({
	messages: [{ role: 'user', content: text }],
	sampling: { max_tokens: 64, ...extra }
});

const records = (n: number): InputRecord<string>[] => Array.from({ length: n }, (_, i) => ({ id: `r${i}`, input: `q${i}` }));

/** One request per record; the answer becomes the sample. */
const echoTask: Task<string, string> = async function* (input) {
	const response = yield* ask(req(input));
	return response.content;
};

function options<S>(engine: TestEngine, task: Task<string, S>, extra: Partial<DispatchOptions<string, S>> = {}): DispatchOptions<string, S> {
	return { recipeId: 'test-recipe', engine, task, clock: new VirtualClock(), random: seededRandom(1), ...extra };
}

describe('dispatcher basics', () => {
	it('runs every record, keeps input order, records provenance with the request as sent', async () => {
		const engine = new TestEngine({ delayMs: 0 });
		const task: Task<string, string> = async function* (input) {
			const response = yield* ask(req(input, { temperature: 0.3, top_p: 0.9, seed: 7, stop: ['END'] }));
			return response.content;
		};
		const result = await dispatch(records(5), options(engine, task, { concurrency: 2 }));
		expect(result.counts).toMatchObject({ total: 5, done: 5, failed: 0, samples: 5, engineCalls: 5 });
		expect(result.samples.map((s) => s.provenance.recordId)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
		const step = result.samples[0].provenance.steps[0];
		expect(step.request.sampling).toEqual({ max_tokens: 64, temperature: 0.3, top_p: 0.9, seed: 7, stop: ['END'] });
		expect(step.model).toBe('test-model');
		expect(step.attempts).toBe(1);
		expect(result.samples[0].provenance.recipeId).toBe('test-recipe');
		expect(result.samples[0].provenance.input).toBe('q0');
		// The engine really received the sampling parameters.
		expect(engine.requests[0].sampling).toEqual({ max_tokens: 64, temperature: 0.3, top_p: 0.9, seed: 7, stop: ['END'] });
	});

	it('yield req receives one response, yield [req] an array, in request order even when answers arrive out of order', async () => {
		const engine = new TestEngine();
		engine.on('slow', testReply('SLOW', 30)).on('fast', testReply('FAST', 1)).on('single', testReply('ONE'));
		const seen: unknown[] = [];
		const task: Task<string, string> = async function* () {
			const one = yield req('single');
			seen.push(one);
			const pair = yield [req('slow'), req('fast')];
			seen.push(pair);
			const [solo] = yield* askAll([req('other')]);
			return solo.content;
		};
		const result = await dispatch(records(1), { recipeId: 'x', engine, task });
		expect(Array.isArray(seen[0])).toBe(false);
		expect((seen[0] as { content: string }).content).toBe('ONE');
		expect((seen[1] as { content: string }[]).map((r) => r.content)).toEqual(['SLOW', 'FAST']);
		expect(result.samples).toHaveLength(1);
		expect(result.samples[0].provenance.steps.map((s) => s.stepIndex).sort()).toEqual([0, 1, 2, 3]);
	});

	it('a task may return several samples or none', async () => {
		const engine = new TestEngine();
		const task: Task<string, string> = async function* (input) {
			yield req(input);
			return input === 'q0' ? ['a', 'b', 'c'] : null;
		};
		const result = await dispatch(records(2), options(engine, task));
		expect(result.samples.map((s) => [s.sample, s.sampleIndex])).toEqual([
			['a', 0],
			['b', 1],
			['c', 2]
		]);
		expect(result.counts.done).toBe(2);
	});

	it('TaskError fails the record with its type and keeps partial steps; other errors are unexpected-error', async () => {
		const engine = new TestEngine();
		const task: Task<string, string> = async function* (input) {
			yield req(input);
			if (input === 'q0') throw new TaskError('no-facts', 'No facts found.');
			if (input === 'q1') throw new Error('boom');
			return input;
		};
		const result = await dispatch(records(3), options(engine, task));
		expect(result.failures.map((f) => [f.recordId, f.error.type])).toEqual([
			['r0', 'no-facts'],
			['r1', 'unexpected-error']
		]);
		expect(result.failures[0].steps).toHaveLength(1);
		expect(result.failures[0].error.message).toBe('No facts found.');
		expect(result.samples).toHaveLength(1);
	});

	it('an empty yield fails the record', async () => {
		const task: Task<string, string> = async function* () {
			yield [];
			return 'never';
		};
		const result = await dispatch(records(1), options(new TestEngine(), task));
		expect(result.failures[0].error.type).toBe('empty-yield');
	});
});

describe('retries', () => {
	it('retries 429 honouring Retry-After, 5xx, timeouts and network errors with exponential backoff', async () => {
		const engine = new TestEngine();
		engine.on('q0', testRateLimited(7000), testServerError(503), testTimeout(), testNetworkError(), testReply('finally'));
		const clock = new VirtualClock();
		const events: DispatchEvent<string, string>[] = [];
		const result = await dispatch(records(1), options(engine, echoTask, { clock, random: () => 0.5, onEvent: (e) => events.push(e) }));
		expect(result.samples[0].sample).toBe('finally');
		expect(result.samples[0].provenance.steps[0].attempts).toBe(5);
		// Retry-After 7 s, then 2 s, 4 s, 8 s (random 0.5 = no jitter).
		expect(clock.sleeps).toEqual([7000, 2000, 4000, 8000]);
		expect(events.filter((e) => e.type === 'step-retry')).toHaveLength(4);
	});

	it('gives up after maxAttempts and fails the record with the HTTP type', async () => {
		const engine = new TestEngine();
		engine.on('q0', ...Array.from({ length: 10 }, () => testServerError(500)));
		const result = await dispatch(records(1), options(engine, echoTask, { retry: { maxAttempts: 3 } }));
		expect(engine.requests).toHaveLength(3);
		expect(result.failures[0].error.type).toBe('http-500');
		expect(result.failures[0].steps[0].error?.status).toBe(500);
	});

	it('does not retry other 4xx', async () => {
		const engine = new TestEngine();
		engine.on('q0', testHttpError(400), testReply('never'));
		const result = await dispatch(records(1), options(engine, echoTask));
		expect(engine.requests).toHaveLength(1);
		expect(result.failures[0].error.type).toBe('http-400');
	});

	it('retries empty answers a bounded number of times, including length-cut answers with only thinking', async () => {
		const engine = new TestEngine();
		engine.on('q0', testEmpty(), testTruncated('<think>hmm'), testReply('ok'));
		engine.on('q1', testEmpty(), testEmpty(), testEmpty(), testEmpty());
		const result = await dispatch(records(2), options(engine, echoTask, { retry: { maxEmptyAnswerRetries: 2 } }));
		expect(result.samples.map((s) => s.sample)).toEqual(['ok']);
		expect(result.failures[0].error.type).toBe('empty-answer');
		expect(engine.callsMatching('q1')).toBe(3);
	});

	it('a task rejecting an unparsable answer gets the last step asked again; earlier steps are replayed, not re-sent', async () => {
		const engine = new TestEngine();
		engine.on('first', testReply('{"a": 1}'));
		engine.on('second', testBadJson(), testReply('prose only'), testReply('```json\n{"b": 2,}\n```'));
		const task: Task<string, number> = async function* () {
			const first = jsonRecordsOf(yield* ask(req('first')));
			const second = jsonRecordsOf(yield* ask(req('second')));
			return Number(first[0].a) + Number(second[0].b);
		};
		const cache = new InMemoryResponseCache();
		const result = await dispatch(records(1), options(engine, task, { cache }));
		expect(result.samples[0].sample).toBe(3);
		expect(engine.callsMatching('first')).toBe(1);
		expect(engine.callsMatching('second')).toBe(3);
		const steps = result.samples[0].provenance.steps;
		expect(steps.filter((s) => s.rejected)).toHaveLength(2);
		expect(steps.filter((s) => !s.rejected).map((s) => s.stepIndex)).toEqual([0, 1]);
	});

	it('unusable answers are bounded too', async () => {
		const engine = new TestEngine();
		engine.on('q0', testBadJson(), testBadJson(), testBadJson(), testBadJson());
		const task: Task<string, unknown> = async function* (input) {
			return jsonRecordsOf(yield* ask(req(input)));
		};
		const result = await dispatch(records(1), options(engine, task, { retry: { maxUnusableAnswerRetries: 2 } }));
		expect(engine.requests).toHaveLength(3);
		expect(result.failures[0].error.type).toBe('unparsable-answer');
	});

	it('a failed request is thrown into the task, which may recover', async () => {
		const engine = new TestEngine();
		engine.on('q0', testHttpError(404));
		const task: Task<string, string> = async function* (input) {
			try {
				return (yield* ask(req(input))).content;
			} catch {
				return 'fallback';
			}
		};
		const result = await dispatch(records(1), options(engine, task));
		expect(result.samples[0].sample).toBe('fallback');
		expect(result.samples[0].provenance.steps[0].error?.status).toBe(404);
	});
});

describe('cache, resume and retry failed only', () => {
	it('a second run over the same records is served from the cache without engine calls', async () => {
		const cache = new InMemoryResponseCache();
		const first = new TestEngine();
		const one = await dispatch(records(4), options(first, echoTask, { cache, modelKey: 'm' }));
		const second = new TestEngine();
		const two = await dispatch(records(4), options(second, echoTask, { cache, modelKey: 'm' }));
		expect(second.requests).toHaveLength(0);
		expect(two.counts.cacheHits).toBe(4);
		expect(two.samples.map((s) => s.sample)).toEqual(one.samples.map((s) => s.sample));
		expect(two.samples[0].provenance.steps[0].cached).toBe(true);
	});

	it('retry failed only re-runs just the failures and merges', async () => {
		const engine = new TestEngine();
		engine.on('q1', testHttpError(400));
		const cache = new InMemoryResponseCache();
		const all = records(3);
		const first = await dispatch(all, options(engine, echoTask, { cache }));
		expect(first.failures.map((f) => f.recordId)).toEqual(['r1']);
		const fresh = new TestEngine();
		const merged = await retryFailedOnly(first, all, options(fresh, echoTask, { cache }));
		expect(fresh.requests).toHaveLength(1);
		expect(merged.failures).toHaveLength(0);
		expect(merged.samples.map((s) => s.provenance.recordId)).toEqual(['r0', 'r1', 'r2']);
		expect(merged.counts.done).toBe(3);
	});
});

describe('unusable answers and retry rounds', () => {
	/** A record whose one answer must be JSON: anything else fails it (TaskError, no in-run retry). */
	const jsonTask: Task<string, string> = async function* (input) {
		const response = yield* ask(req(input, { seed: 11 }));
		try {
			return JSON.stringify(JSON.parse(response.content));
		} catch {
			throw new TaskError('invalid-json', `Not JSON: ${response.content.slice(0, 20)}`);
		}
	};

	it('an answer the recipe gave up on is flagged: a resume replays it, a retry round asks again with the seed moved on', async () => {
		const cache = new InMemoryResponseCache();
		const broken = new TestEngine();
		broken.on('q0', testReply('Sure! Here is the JSON you asked for'));
		const first = await dispatch(records(1), options(broken, jsonTask, { cache }));
		expect(first.failures.map((f) => f.error.type)).toEqual(['invalid-json']);
		expect(first.failures[0].steps[0].rejected).toMatch(/Not JSON/);
		const key = first.failures[0].steps[0].cacheKey;
		expect((await cache.get(key))?.unusable).toMatch(/Not JSON/);

		// A resume (round 0) replays exactly what happened: no request, same failure.
		const resumed = new TestEngine();
		const again = await dispatch(records(1), options(resumed, jsonTask, { cache }));
		expect(resumed.requests).toHaveLength(0);
		expect(again.failures).toHaveLength(1);

		// Retry failed only (round 1): the server is fixed, the model is really asked again.
		const fixed = new TestEngine();
		fixed.on('q0', testReply('{"ok": true}'));
		const retried = await dispatch(records(1), options(fixed, jsonTask, { cache, rounds: () => ({ round: 1 }) }));
		expect(fixed.requests).toHaveLength(1);
		expect(fixed.requests[0].sampling.seed).toBe(11 + ROUND_SEED_STRIDE);
		expect(retried.samples.map((s) => s.sample)).toEqual(['{"ok":true}']);
		const step = retried.samples[0].provenance.steps[0];
		expect(step).toMatchObject({ round: 1, cached: false, attempts: 1 });
		expect(step.cacheKey).not.toBe(key);

		// A reload during round 1 replays round 1's answer.
		const reloaded = new TestEngine();
		const replay = await dispatch(records(1), options(reloaded, jsonTask, { cache, rounds: () => ({ round: 1 }) }));
		expect(reloaded.requests).toHaveLength(0);
		expect(replay.samples.map((s) => s.sample)).toEqual(['{"ok":true}']);
	});

	it('a retry round replays the usable steps and re-asks only those the task called unusable', async () => {
		// Two iterations; the task itself re-asks an unusable answer once (context.unusable), then skips.
		const iterTask: Task<string, string[]> = async function* (input, context) {
			const kept: string[] = [];
			for (const part of ['first', 'second']) {
				for (let attempt = 1; attempt <= 2; attempt++) {
					const answer = yield* ask(req(`${input} ${part} try ${attempt}`));
					if (answer.content.startsWith('{')) {
						kept.push(answer.content);
						break;
					}
					context.unusable('not JSON');
				}
			}
			if (!kept.length) throw new TaskError('no-entries', 'nothing kept');
			return kept;
		};
		const cache = new InMemoryResponseCache();
		const engine = new TestEngine();
		engine.on('first', testReply('{"a":1}')).on('second', testReply('in character, no JSON'), testReply('still no JSON'));
		const one = await dispatch(records(1), options(engine, iterTask, { cache }));
		expect(one.samples.map((s) => s.sample)).toEqual(['{"a":1}']);
		expect(engine.requests).toHaveLength(3);
		expect(one.samples[0].provenance.steps.filter((step) => step.rejected).map((step) => step.stepIndex)).toEqual([1, 2]);

		// Resume: all three replayed.
		const resumed = new TestEngine();
		await dispatch(records(1), options(resumed, iterTask, { cache }));
		expect(resumed.requests).toHaveLength(0);

		// Ask again (a retry round): only the two unusable answers are asked again.
		const later = new TestEngine({ defaultReply: () => '{"b":2}' });
		const two = await dispatch(records(1), options(later, iterTask, { cache, rounds: () => ({ round: 1 }) }));
		expect(later.requests.map((r) => r.messages[0].content)).toEqual(['q0 second try 1']);
		expect(two.samples.map((s) => s.sample)).toEqual([['{"a":1}', '{"b":2}']].flat());
		expect(two.samples[0].provenance.steps.map((step) => step.cached)).toEqual([true, false]);

		// Fresh ("ask again, ignore the cache"): every step is asked.
		const fresh = new TestEngine({ defaultReply: () => '{"c":3}' });
		await dispatch(records(1), options(fresh, iterTask, { cache, rounds: () => ({ round: 2, fresh: true }) }));
		expect(fresh.requests).toHaveLength(2);
	});

	it('an in-run re-ask after RetryableAnswerError keeps the rejected answer for a resume, so a resume pays nothing', async () => {
		const strict: Task<string, string> = async function* (input) {
			const response = yield* ask(req(input));
			if (!response.content.startsWith('{')) throw new RetryableAnswerError('not JSON');
			return response.content;
		};
		const cache = new InMemoryResponseCache();
		const engine = new TestEngine();
		engine.on('q0', testReply('prose'), testReply('{"x":1}'));
		const one = await dispatch(records(1), options(engine, strict, { cache }));
		expect(engine.requests).toHaveLength(2);
		expect(one.samples[0].provenance.steps.map((step) => Boolean(step.rejected))).toEqual([true, false]);
		const resumed = new TestEngine();
		const two = await dispatch(records(1), options(resumed, strict, { cache }));
		expect(resumed.requests).toHaveLength(0);
		expect(two.samples.map((s) => s.sample)).toEqual(['{"x":1}']);
	});

	it('a step says which attempts were retried and why', async () => {
		const engine = new TestEngine();
		engine.on('q0', testRateLimited(10), testServerError(503), testReply('fine'));
		const result = await dispatch(records(1), options(engine, echoTask));
		const step = result.samples[0].provenance.steps[0];
		expect(step.attempts).toBe(3);
		expect(step.retries?.map((retry) => [retry.attempt, retry.error.kind, retry.error.status])).toEqual([
			[1, 'http', 429],
			[2, 'http', 503]
		]);
	});
});

describe('concurrency, rate limit, pause and cancel', () => {
	it('never has more than `concurrency` requests in flight', async () => {
		const engine = new TestEngine({ delayMs: 2 });
		const task: Task<string, string> = async function* (input) {
			const answers = yield* askAll([req(input + 'a'), req(input + 'b'), req(input + 'c')]);
			return answers.map((a) => a.content).join();
		};
		await dispatch(records(20), { recipeId: 'x', engine, task, concurrency: 4 });
		expect(engine.maxInFlight).toBeLessThanOrEqual(4);
		expect(engine.maxInFlight).toBeGreaterThan(1);
	});

	it('free request slots go to the oldest record first', async () => {
		const engine = new TestEngine({ delayMs: 1 });
		const task: Task<string, string> = async function* (input) {
			yield req(`${input}-a`);
			yield req(`${input}-b`);
			return input;
		};
		const starts: string[] = [];
		await dispatch(records(4), { recipeId: 'x', engine, task, concurrency: 1, maxActiveRecords: 3, onEvent: (e) => e.type === 'step-started' && starts.push(e.request.messages[0].content) });
		expect(starts.indexOf('q0-b')).toBeLessThan(starts.indexOf('q2-a'));
		expect(starts.indexOf('q1-b')).toBeLessThan(starts.indexOf('q3-a'));
		expect(starts).toHaveLength(8);
	});

	it('the token bucket spaces requests by the rate after the burst', async () => {
		const clock = new VirtualClock();
		const engine = new TestEngine();
		const starts: number[] = [];
		await dispatch(records(6), options(engine, echoTask, { clock, rateLimit: { requestsPerSecond: 2, burst: 2 }, onEvent: (e) => e.type === 'step-started' && starts.push(clock.now()) }));
		expect(starts).toEqual([0, 0, 500, 1000, 1500, 2000]);
	});

	it('a tokens-per-minute budget charges each request its worst case and gives back what the answer did not use', async () => {
		// Worst case of each request: 'q0' is 1 token + max_tokens 64 = 65; 130 tokens a minute.
		const used = (total: number) => ({ type: 'reply' as const, content: 'ok', usage: { promptTokens: 1, completionTokens: total - 1, totalTokens: total } });
		const fullClock = new VirtualClock();
		const full = new TestEngine().enqueue(used(65), used(65), used(65), used(65));
		const fullStarts: number[] = [];
		await dispatch(records(4), options(full, echoTask, { clock: fullClock, concurrency: 1, tokensPerMinute: 130, onEvent: (e) => e.type === 'step-started' && fullStarts.push(fullClock.now()) }));
		expect(fullStarts).toEqual([0, 0, 30_000, 60_000]);

		const lightClock = new VirtualClock();
		const light = new TestEngine().enqueue(used(5), used(5), used(5), used(5));
		const lightStarts: number[] = [];
		await dispatch(records(4), options(light, echoTask, { clock: lightClock, concurrency: 1, tokensPerMinute: 130, onEvent: (e) => e.type === 'step-started' && lightStarts.push(lightClock.now()) }));
		expect(lightStarts).toEqual([0, 0, 0, 0]);
	});

	it('a Retry-After from the server holds back every request until then, not only the one that got it', async () => {
		const clock = new VirtualClock();
		const engine = new TestEngine();
		engine.on('q0', testRateLimited(2000));
		const starts: [string, number][] = [];
		await dispatch(records(4), options(engine, echoTask, { clock, concurrency: 1, onEvent: (e) => e.type === 'step-started' && starts.push([e.request.messages[0].content, clock.now()]) }));
		expect(starts[0]).toEqual(['q0', 0]);
		// Whichever goes next (the retried q0 or the next record), nothing goes before 2 s.
		expect(starts.slice(1).sort()).toEqual([
			['q0', 2000],
			['q1', 2000],
			['q2', 2000],
			['q3', 2000]
		]);
	});

	it('pause stops new requests; resume continues', async () => {
		const engine = new TestEngine({ delayMs: 5 });
		const dispatcher = new Dispatcher({ recipeId: 'x', engine, task: echoTask, concurrency: 1 });
		let completed = 0;
		const running = dispatcher.run(records(5));
		dispatcher.pause();
		await new Promise((resolve) => setTimeout(resolve, 40));
		completed = engine.requests.length;
		expect(completed).toBeLessThanOrEqual(1);
		dispatcher.resume();
		const result = await running;
		expect(result.counts.done).toBe(5);
	});

	it('pause also holds back a request that was already waiting for a slot', async () => {
		const engine = new TestEngine({ delayMs: 20 });
		const dispatcher = new Dispatcher({ recipeId: 'x', engine, task: echoTask, concurrency: 1 });
		const running = dispatcher.run(records(3));
		// r0 is in flight, r1 waits for the slot; pause before r0 answers.
		await new Promise((resolve) => setTimeout(resolve, 5));
		expect(engine.requests.length).toBe(1);
		dispatcher.pause();
		await new Promise((resolve) => setTimeout(resolve, 80));
		expect(engine.requests.length).toBe(1);
		dispatcher.resume();
		expect((await running).counts.done).toBe(3);
	});

	it('cancel aborts in-flight requests and reports unfinished records', async () => {
		const engine = new TestEngine({ delayMs: 10_000 });
		const controller = new AbortController();
		const running = dispatch(records(3), { recipeId: 'x', engine, task: echoTask, concurrency: 2, signal: controller.signal });
		await new Promise((resolve) => setTimeout(resolve, 5));
		controller.abort();
		const result = await running;
		expect(result.cancelled).toBe(true);
		expect(result.unfinished).toEqual(['r0', 'r1', 'r2']);
		expect(result.counts.failed).toBe(0);
	});

	it('emits progress and step events a caller can persist', async () => {
		const events: DispatchEvent<string, string>[] = [];
		await dispatch(records(2), options(new TestEngine(), echoTask, { onEvent: (e) => events.push(e) }));
		const types = events.map((e) => e.type);
		expect(types.filter((t) => t === 'step-completed')).toHaveLength(2);
		expect(types.filter((t) => t === 'record-done')).toHaveLength(2);
		const last = events.filter((e) => e.type === 'progress').at(-1);
		expect(last?.type === 'progress' && last.progress).toMatchObject({ total: 2, done: 2, failed: 0, active: 0 });
	});
});

describe('task notes', () => {
	it('are emitted live and kept with the record, from the attempt that ended it only', async () => {
		const engine = new TestEngine();
		engine.on('q0', testBadJson(), testReply('{"ok": true}'));
		const task: Task<string, string> = async function* (input, context) {
			context.note({ level: 'info', message: `asking ${input}`, kind: 'ask' });
			const response = yield* ask(req(input));
			jsonRecordsOf(response);
			return response.content;
		};
		const events: DispatchEvent<string, string>[] = [];
		const result = await dispatch(records(1), options(engine, task, { onEvent: (event) => events.push(event) }));
		expect(result.samples[0].provenance.notes).toEqual([{ level: 'info', message: 'asking q0', kind: 'ask' }]);
		// The rejected first attempt noted too, live.
		expect(events.filter((event) => event.type === 'task-note')).toHaveLength(2);
		const done = events.find((event) => event.type === 'record-done');
		expect(done?.type === 'record-done' && done.notes).toHaveLength(1);
	});

	it('are kept on a failed record', async () => {
		const engine = new TestEngine();
		const task: Task<string, string> = async function* (input, context) {
			context.note({ level: 'warn', message: 'giving up', kind: 'skip' });
			yield* ask(req(input));
			throw new TaskError('no-facts', 'Nothing usable.');
		};
		const result = await dispatch(records(1), options(engine, task));
		expect(result.failures[0].notes).toEqual([{ level: 'warn', message: 'giving up', kind: 'skip' }]);
		expect(result.failures[0].error.type).toBe('no-facts');
	});
});

describe('re-asking an unusable answer', () => {
	it('moves the sampling seed on, so a seeded model does not repeat the answer; unseeded requests stay as they are', async () => {
		const engine = new TestEngine();
		engine.on('seeded', testBadJson(), testBadJson(), testReply('{"ok": 1}'));
		engine.on('plain', testBadJson(), testReply('{"ok": 2}'));
		const task: Task<string, string> = async function* (input) {
			const response = yield* ask(req(input, input === 'seeded' ? { seed: 42 } : {}));
			jsonRecordsOf(response);
			return response.content;
		};
		const result = await dispatch(
			[
				{ id: 'a', input: 'seeded' },
				{ id: 'b', input: 'plain' }
			],
			options(engine, task, { concurrency: 1 })
		);
		expect(result.counts.done).toBe(2);
		const seedsOf = (input: string) => engine.requests.filter((request) => request.messages[0].content === input).map((request) => request.sampling.seed);
		expect(seedsOf('seeded')).toEqual([42, 43, 44]);
		expect(seedsOf('plain')).toEqual([undefined, undefined]);
	});
});

describe('dispatcher over a feed (records handed over as they are read)', () => {
	it('runs every record the feed hands over, at its position, keeping nothing of ended records', async () => {
		const blocks = [records(30).slice(0, 5), records(30).slice(5, 20), records(30).slice(20)];
		let handed = 0;
		let reads = 0;
		const queue: { index: number; record: InputRecord<string> }[] = [];
		let reading: Promise<void> | null = null;
		const read = () =>
			(reading ??= new Promise<void>((resolve) => setTimeout(resolve, 1)).then(() => {
				for (const record of blocks[reads]) queue.push({ index: handed++, record });
				reads++;
				reading = null;
			}));
		const feed = {
			next: async () => {
				while (!queue.length && reads < blocks.length) await read();
				return queue.shift() ?? null;
			},
			known: () => handed
		};
		const events: DispatchEvent<string, string>[] = [];
		const seeded: Task<string, string> = async function* (input, context) {
			const response = yield* ask(req(`${input} ${context.random().toFixed(6)}`));
			return response.content;
		};
		const engine = new TestEngine();
		const result = await new Dispatcher(options(engine, seeded, { concurrency: 3, onEvent: (event) => events.push(event) })).runFeed(feed);
		expect(result.counts).toMatchObject({ total: 30, done: 30, failed: 0, samples: 30, unfinished: 0 });
		expect(result.samples).toEqual([]);
		expect(events.filter((event) => event.type === 'record-done')).toHaveLength(30);
		// Each record's seeded random follows its position: the same requests as a run over all at once.
		const atOnce = new TestEngine();
		await dispatch(records(30), options(atOnce, seeded, { concurrency: 3 }));
		const texts = (engine: TestEngine) => engine.requests.map((request) => String(request.messages[0].content)).sort();
		expect(texts(engine)).toEqual(texts(atOnce));
	});

	it('stops taking records when cancelled, and lists those started and not ended', async () => {
		const engine = new TestEngine({ delayMs: 20 });
		let handed = 0;
		const dispatcher = new Dispatcher(options(engine, echoTask, { concurrency: 2, clock: undefined }));
		const feed = { next: async () => (handed < 100 ? { index: handed, record: { id: `r${handed++}`, input: 'q' } } : null), known: () => handed };
		setTimeout(() => dispatcher.cancel(), 30);
		const result = await dispatcher.runFeed(feed);
		expect(result.cancelled).toBe(true);
		expect(handed).toBeLessThan(100);
		expect(result.counts.done + result.unfinished.length).toBeLessThanOrEqual(handed);
	});
});

describe('dispatcher: what the engine changed about a request', () => {
	it('a notice on an answer (max_tokens lowered to fit the window) goes to the record’s log as a warning', async () => {
		const engine = new TestEngine();
		const chat = engine.chat.bind(engine);
		engine.chat = async (request) => ({ ...(await chat(request)), notice: 'max_tokens lowered from 800 to 100: the prompt (924 tokens) leaves only that much of gemma-2b’s 1024-token context window.' });
		const events: DispatchEvent<string, string>[] = [];
		await dispatch(records(1), options(engine, echoTask, { onEvent: (event) => events.push(event) }));
		const notes = events.flatMap((event) => (event.type === 'task-note' ? [event.note] : []));
		expect(notes).toEqual([{ level: 'warn', kind: 'engine-notice', message: expect.stringMatching(/^step 1: max_tokens lowered from 800 to 100/) }]);
	});
});
