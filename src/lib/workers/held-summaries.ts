/**
 * The summaries of a just-started run's first records, kept in memory while it runs.
 *
 * The run view opens on a run the moment it starts. Reading its first page from the database
 * would wait behind the run's batch writes (IndexedDB serves a read after the writes queued
 * before it), which cost ~250–350 ms at concurrency 50. A run started here knows every record's
 * summary: it created them (pending, no step, no sample) and it hears each one that is stored.
 * Only positions below HELD_RECORDS are kept, so a run of a million records holds a bounded few.
 */
import type { RunRecordSummary } from '$lib/core/contracts/run-api';

/** Positions kept: a few pages of the run view. */
export const HELD_RECORDS = 1000;

export class HeldSummaries {
	readonly #byIndex = new Map<number, RunRecordSummary>();

	hold(summary: RunRecordSummary): void {
		if (summary.recordIndex < HELD_RECORDS) this.#byIndex.set(summary.recordIndex, summary);
	}

	/**
	 * Records from position `offset`, up to `limit` and the run's `total`, or null when one of them
	 * is not held (the caller reads the database).
	 */
	page(offset: number, limit: number, total: number): RunRecordSummary[] | null {
		const end = Math.min(offset + limit, total);
		const page: RunRecordSummary[] = [];
		for (let recordIndex = offset; recordIndex < end; recordIndex++) {
			const summary = this.#byIndex.get(recordIndex);
			if (!summary) return null;
			page.push(summary);
		}
		return page;
	}
}
