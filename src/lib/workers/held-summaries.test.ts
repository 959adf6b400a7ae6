import { describe, expect, it } from 'vitest';
import type { RunRecordSummary } from '$lib/core/contracts/run-api';
import { tallyRequests } from '$lib/core/runs/request-tally';
import { HELD_RECORDS, HeldSummaries } from './held-summaries';

const summary = (recordIndex: number, over: Partial<RunRecordSummary> = {}): RunRecordSummary => ({
	recordIndex,
	recordId: `entry-${recordIndex}`,
	label: `Entry ${recordIndex + 1}`,
	state: 'pending',
	stepCount: 0,
	sampleCount: 0,
	notes: [],
	requests: tallyRequests([]),
	...over
});

describe('HeldSummaries', () => {
	it('serves a page it holds whole, with the latest summary of each record, and bounds it by the total', () => {
		const held = new HeldSummaries();
		for (let i = 0; i < 5; i++) held.hold(summary(i));
		held.hold(summary(1, { state: 'done', stepCount: 2, sampleCount: 1 }));
		expect(held.page(0, 200, 5)?.map((s) => s.recordIndex)).toEqual([0, 1, 2, 3, 4]);
		expect(held.page(0, 200, 5)?.[1]).toMatchObject({ state: 'done', sampleCount: 1 });
		expect(held.page(2, 2, 5)?.map((s) => s.recordIndex)).toEqual([2, 3]);
	});

	it('answers null when a record of the page is missing (the caller reads the database)', () => {
		const held = new HeldSummaries();
		held.hold(summary(0));
		held.hold(summary(2));
		expect(held.page(0, 3, 3)).toBeNull();
	});

	it('keeps only the first HELD_RECORDS positions, so a huge run holds a bounded few', () => {
		const held = new HeldSummaries();
		for (let i = 0; i < HELD_RECORDS + 50; i++) held.hold(summary(i));
		expect(held.page(HELD_RECORDS - 10, 10, HELD_RECORDS + 50)).toHaveLength(10);
		expect(held.page(HELD_RECORDS, 10, HELD_RECORDS + 50)).toBeNull();
	});
});
