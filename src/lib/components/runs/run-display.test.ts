import { describe, expect, it } from 'vitest';
import type { RunCounts } from '$lib/core/contracts/rows';
import { averageTokensPerSecond, formatRate, liveRequestText, progressShare, progressText, reviewKeyAction, runActions, statusBadge } from './run-display';

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

describe('statusBadge', () => {
	it('CURRENT has no reasons; PARTIAL says the limit; STALE lists every change', () => {
		expect(statusBadge({ state: 'current' })).toEqual({ label: 'CURRENT', tone: 'ok', reasons: [] });
		expect(statusBadge({ state: 'partial', limit: 5 }).reasons).toEqual(['Limited to the first 5 records.']);
		expect(statusBadge({ state: 'partial', reading: true }).reasons).toEqual(['Its inputs are still being read: it covers those read so far (resume a stopped run to read on).']);
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
		expect(progressText(counts(), true)).toBe('4 of 10+ records (the rest are being read) · 1 failed · 12 samples');
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

describe('liveRequestText', () => {
	it('says record, step, attempt, tokens so far, speed and time', () => {
		expect(liveRequestText({ recordIndex: 3, label: 'Chunk: The storm', stepIndex: 1, attempt: 2, tokens: 143, tokensPerSecond: 38.24, ms: 3140 })).toBe('Chunk: The storm · step 2 (attempt 2) · 143 tokens · 38.2 tok/s · 3.1 s');
		expect(liveRequestText({ recordIndex: 0, label: 'Entry 1', stepIndex: 0, attempt: 1, tokens: 1, tokensPerSecond: null, ms: 420 })).toBe('Entry 1 · step 1 · 1 token · 0.4 s');
	});
});
