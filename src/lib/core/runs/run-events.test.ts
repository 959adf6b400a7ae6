import { tallyRequests } from './request-tally';
import { describe, expect, it } from 'vitest';
import type { RunCounts, RunRow } from '../contracts/rows';
import type { RunDetail, RunRecordSummary } from '../contracts/run-api';
import type { RunEvent } from '../contracts/run-api';
import { applyRunEvent, applyRunEvents, appendLog, LOG_LIMIT, type LiveFigures } from './run-events';

const counts = (over: Partial<RunCounts> = {}): RunCounts => ({
	total: 10,
	done: 3,
	failed: 1,
	samples: 12,
	engineCalls: 8,
	cacheHits: 0,
	promptTokens: 4000,
	completionTokens: 2000,
	engineMs: 4000,
	...over
});

const record = (i: number, over: Partial<RunRecordSummary> = {}): RunRecordSummary => ({
	recordIndex: i,
	recordId: `chunk-${i}`,
	label: `Chunk ${i + 1}`,
	state: 'pending',
	stepCount: 0,
	sampleCount: 0,
	requests: tallyRequests([]),
	notes: [],
	...over
});

function detail(): RunDetail {
	const run = {
		id: 'run-1',
		recipeId: 'chunked',
		label: 'Chunked — Mara',
		params: {},
		settings: { sampling: { max_tokens: 512 }, seed: 1 },
		engine: { kind: 'test', label: 'Rehearsal' },
		concurrency: 4,
		manifest: {} as RunRow['manifest'],
		state: 'running',
		counts: counts(),
		createdAt: 1,
		updatedAt: 1
	} satisfies RunRow;
	return { run, status: { state: 'current' }, live: true, records: [record(0), record(1), record(2)], log: [] };
}

describe('applyRunEvent', () => {
	const figures = { requestsInFlight: 0, tokensPerSecond: null };
	it('ignores other runs', () => {
		const d = detail();
		expect(applyRunEvent(d, figures, { type: 'state', runId: 'other', state: 'done' }).detail).toBe(d);
	});
	it('a progress event saying the inputs are all read drops the run’s reading mark', () => {
		const reading = { ...detail(), run: { ...detail().run, feed: { from: 500 } } };
		const still = applyRunEvent(reading, figures, { type: 'progress', runId: 'run-1', counts: counts({ done: 9 }), requestsInFlight: 3, tokensPerSecond: 41, reading: true });
		expect(still.detail.run.feed).toEqual({ from: 500 });
		const read = applyRunEvent(reading, figures, { type: 'progress', runId: 'run-1', counts: counts({ done: 9 }), requestsInFlight: 3, tokensPerSecond: 41, reading: false });
		expect(read.detail.run.feed).toBeUndefined();
	});

	it('progress updates counts and live figures', () => {
		const next = applyRunEvent(detail(), figures, { type: 'progress', runId: 'run-1', counts: counts({ done: 9 }), requestsInFlight: 3, tokensPerSecond: 41 });
		expect(next.detail.run.counts.done).toBe(9);
		expect(next.figures).toEqual({ requestsInFlight: 3, tokensPerSecond: 41 });
	});
	it('a record event replaces that record only', () => {
		const d = detail();
		const next = applyRunEvent(d, figures, { type: 'record', runId: 'run-1', record: record(1, { state: 'failed', error: { type: 'parse', message: 'no JSON' } }) });
		expect(next.detail.records.map((r) => r.state)).toEqual(['pending', 'failed', 'pending']);
		expect(d.records[1].state).toBe('pending');
	});
	it('streamed requests in flight become live figures; a finished state clears them', () => {
		const request = { recordIndex: 1, label: 'Entry 2', stepIndex: 0, attempt: 1, tokens: 12, tokensPerSecond: 30, ms: 800 };
		const d = detail();
		const next = applyRunEvent(d, figures, { type: 'requests', runId: 'run-1', requests: [request], tokensPerSecond: 30 });
		expect(next.detail).toBe(d);
		expect(next.figures).toEqual({ requestsInFlight: 1, tokensPerSecond: null, streams: [request], streamTokensPerSecond: 30 });
		expect(applyRunEvent(d, next.figures, { type: 'state', runId: 'run-1', state: 'done' }).figures).toMatchObject({ streams: [], streamTokensPerSecond: null });
	});
	it('a finished state ends live work', () => {
		const next = applyRunEvent(detail(), { requestsInFlight: 4, tokensPerSecond: 10 }, { type: 'state', runId: 'run-1', state: 'done' });
		expect(next.detail.run.state).toBe('done');
		expect(next.detail.live).toBe(false);
		expect(next.figures.requestsInFlight).toBe(0);
	});
	it('log lines are appended and capped', () => {
		const lines = Array.from({ length: LOG_LIMIT + 5 }, (_, i) => ({ at: i, level: 'info' as const, message: `line ${i}` }));
		const log = appendLog([], lines);
		expect(log).toHaveLength(LOG_LIMIT);
		expect(log[0].message).toBe('line 5');
		const next = applyRunEvent(detail(), figures, { type: 'log', runId: 'run-1', line: { at: 1, level: 'warn', message: 'Iteration 2 retried' } });
		expect(next.detail.log.at(-1)?.message).toBe('Iteration 2 retried');
	});

	it('a batch of events gives what one event at a time gives, with one copy of the records', () => {
		const events: RunEvent[] = [
			{ type: 'record', runId: 'run-1', record: record(1, { stepCount: 1 }) },
			{ type: 'log', runId: 'run-1', line: { at: 2, level: 'info', message: 'Chunk 2: asked' } },
			{ type: 'record', runId: 'other', record: record(0, { state: 'failed' }) },
			{ type: 'progress', runId: 'run-1', counts: counts({ done: 5 }), requestsInFlight: 2, tokensPerSecond: 9 },
			{ type: 'record', runId: 'run-1', record: record(1, { state: 'done', stepCount: 2, sampleCount: 1 }) },
			{ type: 'record', runId: 'run-1', record: record(3, { state: 'done', stepCount: 2, sampleCount: 1 }) },
			{ type: 'state', runId: 'run-1', state: 'done' }
		];
		const start = detail();
		const batched = applyRunEvents(start, figures, events);
		const oneByOne = events.reduce<{ detail: RunDetail; figures: LiveFigures }>((acc, event) => applyRunEvent(acc.detail, acc.figures, event), { detail: start, figures });
		expect(batched).toEqual(oneByOne);
		expect(batched.detail.records.map((r) => [r.recordIndex, r.state])).toEqual([
			[0, 'pending'],
			[1, 'done'],
			[2, 'pending'],
			[3, 'done']
		]);
		// The detail it started from is left as it was; events about other runs change nothing.
		expect(start.records[1].state).toBe('pending');
		expect(applyRunEvents(start, figures, [events[2]]).detail).toBe(start);
	});
});

describe('applyRunEvents within a window of records', () => {
	const figures = { requestsInFlight: 0, tokensPerSecond: null };
	const event = (r: RunRecordSummary): RunEvent => ({ type: 'record', runId: 'run-1', record: r });
	const indexes = (d: RunDetail) => d.records.map((r) => r.recordIndex);

	it('keeps a view of all records to its first `limit`: a record past it is not added, one in it is replaced', () => {
		const d = detail();
		const next = applyRunEvents(d, figures, [event(record(7, { state: 'done' })), event(record(1, { state: 'done', stepCount: 1 }))], { limit: 3 }).detail;
		expect(indexes(next)).toEqual([0, 1, 2]);
		expect(next.records[1]).toMatchObject({ state: 'done', stepCount: 1 });
		// Unbounded (no window), the same record is listed in its place.
		expect(indexes(applyRunEvents(d, figures, [event(record(7))]).detail)).toEqual([0, 1, 2, 7]);
	});

	it('a filtered view drops a record that left its state and takes one that entered it, in position, within the limit', () => {
		const failed: RunDetail = { ...detail(), records: [record(2, { state: 'failed' }), record(5, { state: 'failed' }), record(9, { state: 'failed' })] };
		const window = { state: 'failed' as const, limit: 3 };
		// Record 5 was retried (pending again); record 4 failed: it comes before the last one listed.
		const next = applyRunEvents(failed, figures, [event(record(5, { state: 'pending' })), event(record(4, { state: 'failed' }))], window).detail;
		expect(indexes(next)).toEqual([2, 4, 9]);
		// A full list takes an earlier record and lets the last go; a later one waits for "Show more".
		expect(indexes(applyRunEvents(next, figures, [event(record(0, { state: 'failed' }))], window).detail)).toEqual([0, 2, 4]);
		expect(indexes(applyRunEvents(next, figures, [event(record(12, { state: 'failed' }))], window).detail)).toEqual([2, 4, 9]);
		// A record in another state never enters.
		expect(indexes(applyRunEvents(next, figures, [event(record(3, { state: 'done' }))], window).detail)).toEqual([2, 4, 9]);
	});
});
