import { describe, expect, it } from 'vitest';
import type { RunCounts, RunRow } from '$lib/core/contracts/rows';
import type { RunDetail, RunRecordSummary } from '$lib/core/contracts/run-api';
import { applyRunEvent, appendLog, averageTokensPerSecond, formatRate, isBelowThreshold, LOG_LIMIT, matchesReviewFilter, progressShare, progressText, reviewKeyAction, runActions, statusBadge } from './run-display';
import type { DraftSample } from '$lib/core/recipes/recipe';

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

describe('statusBadge', () => {
	it('CURRENT has no reasons; PARTIAL says the limit; STALE lists every change', () => {
		expect(statusBadge({ state: 'current' })).toEqual({ label: 'CURRENT', tone: 'ok', reasons: [] });
		expect(statusBadge({ state: 'partial', limit: 5 }).reasons).toEqual(['Limited to the first 5 records.']);
		const stale = statusBadge({
			state: 'stale',
			partial: true,
			changes: [
				{ kind: 'document-changed', name: 'Mara', reason: 'Document "Mara" changed.' },
				{ kind: 'model', reason: 'The model settings (sampling) changed.' }
			]
		});
		expect(stale.label).toBe('STALE');
		expect(stale.reasons).toEqual(['Document "Mara" changed.', 'The model settings (sampling) changed.', 'The run was also limited to some of the records.']);
	});
});

describe('progress figures', () => {
	it('counts failed records as finished', () => {
		expect(progressShare(counts())).toBeCloseTo(0.4);
		expect(progressShare(counts({ total: 0 }))).toBe(0);
		expect(progressText(counts())).toBe('4 of 10 records · 1 failed · 12 samples');
	});
	it('tokens per second from engine time', () => {
		expect(averageTokensPerSecond(counts())).toBe(500);
		expect(averageTokensPerSecond(counts({ engineMs: 0 }))).toBeNull();
		expect(formatRate(12.345)).toBe('12.3 tok/s');
		expect(formatRate(512.4)).toBe('512 tok/s');
		expect(formatRate(null)).toBe('—');
	});
});

describe('runActions', () => {
	it('pause only while live; resume after a pause or an interruption; no cancel once finished', () => {
		expect(runActions('running', true)).toEqual({ pause: true, resume: false, cancel: true });
		expect(runActions('paused', false)).toEqual({ pause: false, resume: true, cancel: true });
		expect(runActions('interrupted', false)).toEqual({ pause: false, resume: true, cancel: true });
		expect(runActions('done', false)).toEqual({ pause: false, resume: false, cancel: false });
		// "running" in storage with no dispatcher in this worker: the page was reloaded mid-run.
		expect(runActions('running', false).resume).toBe(true);
	});
});

describe('applyRunEvent', () => {
	const figures = { requestsInFlight: 0, tokensPerSecond: null };
	it('ignores other runs', () => {
		const d = detail();
		expect(applyRunEvent(d, figures, { type: 'state', runId: 'other', state: 'done' }).detail).toBe(d);
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
});

describe('reviewKeyAction', () => {
	const key = (k: string, over = {}) => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, inField: false, ...over });
	it('maps A R E N P and the arrows', () => {
		expect(['a', 'R', 'e', 'n', 'ArrowRight', 'p', 'ArrowLeft'].map((k) => reviewKeyAction(key(k)))).toEqual(['accept', 'reject', 'edit', 'next', 'next', 'previous', 'previous']);
	});
	it('leaves typing in a field and shortcuts alone', () => {
		expect(reviewKeyAction(key('a', { inField: true }))).toBeNull();
		expect(reviewKeyAction(key('r', { ctrlKey: true }))).toBeNull();
		expect(reviewKeyAction(key('x'))).toBeNull();
	});
});

describe('review filters', () => {
	const sample = (judge?: DraftSample['judge']): DraftSample => ({ messages: [{ role: 'user', content: 'Are you Tidewatch?' }], tags: [], meta: {}, ...(judge ? { judge } : {}) });
	const low = { score: 3, rationale: 'Breaks voice.', threshold: 7, passed: false };
	const high = { score: 8, rationale: 'In voice.', threshold: 7, passed: true };
	const unscored = { score: 0, rationale: '', threshold: 7, passed: false, error: 'The judge answer had no <score>.' };

	it('"below judge threshold" keeps judged samples under the threshold, whatever their review state', () => {
		expect(isBelowThreshold({ sample: sample(low) })).toBe(true);
		expect(isBelowThreshold({ sample: sample(high) })).toBe(false);
		// A judge that could not score did not mark the sample.
		expect(isBelowThreshold({ sample: sample(unscored) })).toBe(false);
		expect(isBelowThreshold({ sample: sample() })).toBe(false);
		expect(matchesReviewFilter({ sample: sample(low), review: 'accepted' }, 'below-threshold')).toBe(true);
	});

	it('review-state filters match the state; "all" matches everything', () => {
		expect(matchesReviewFilter({ sample: sample(), review: 'pending' }, 'pending')).toBe(true);
		expect(matchesReviewFilter({ sample: sample(), review: 'pending' }, 'accepted')).toBe(false);
		expect(matchesReviewFilter({ sample: sample(low), review: 'rejected' }, 'all')).toBe(true);
	});
});
