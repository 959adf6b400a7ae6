/**
 * A live run's progress stored in batches: the steps completed, the records ended (with their
 * samples), the answers for the response cache and the run row's counts, usage, log and heartbeat
 * of one short window (workers/live-run.ts flushes every RUN_BATCH_MS or RUN_BATCH_ITEMS), all in
 * ONE transaction. One transaction per step made IndexedDB, not the engine, the limit of a fast
 * run (~5 records/s); a batch of a few hundred items costs about what one did.
 *
 * All or nothing: a reload finds every item of a batch or none of it, never a record marked done
 * without its samples, and never a stored step without its answer in the response cache (what a
 * resume replays). What a reload loses is the window not yet flushed.
 */
import type { CachedAnswer } from '$lib/core/runtime/cache-key';
import { keepReviews } from '$lib/core/runtime/kept-reviews';
import type { RunCounts } from '$lib/core/contracts/rows';
import type { StepRecord } from '$lib/core/runtime/dispatcher';
import type { SkeinDatabase } from './database';
import { applyRecordEnd, countTransition, samplesOfRecord, type RecordEnd, type RunUsage, type StoredRecordRow, type StoredRunRow } from './runs-repo';

export interface RunBatch {
	runId: string;
	/** Completed steps in the order they completed; `restart` drops the steps an earlier attempt stored. */
	steps: { recordIndex: number; step: StepRecord; restart: boolean }[];
	/** Records ended, in order (usage and run fields come with the batch, not each end). */
	ends: Omit<RecordEnd, 'runId' | 'usage' | 'run'>[];
	/** Answers for the response cache, by key (flagged `unusable` when the recipe could not use them). */
	cache: Map<string, CachedAnswer>;
	/** Answers already stored that the recipe could not use: flagged, applied after `cache`. */
	unusable: Map<string, string>;
	/** Cache keys to drop, applied after `cache`. */
	uncache: Set<string>;
	/** The run's engine usage so far (kept by the live run). */
	usage: RunUsage;
	/** Other run fields written with it (log, heartbeat). */
	run: Partial<Omit<StoredRunRow, 'counts'>>;
}

export function emptyBatch(runId: string, usage: RunUsage, run: RunBatch['run'] = {}): RunBatch {
	return { runId, steps: [], ends: [], cache: new Map(), unusable: new Map(), uncache: new Set(), usage, run };
}

/** Items a batch holds (what decides an early flush). */
export function batchSize(batch: RunBatch): number {
	return batch.steps.length + batch.ends.length + batch.cache.size + batch.unusable.size + batch.uncache.size;
}

export interface StoredBatch {
	/** The run's counts after the batch. */
	counts: RunCounts;
	/**
	 * The records the batch changed, as stored, with the samples each ended with (-1: not ended);
	 * a record that completed steps and ended in the same batch also comes with `progressed`, the
	 * record as it was after each of those steps (still pending), so a view still sees it advance.
	 */
	records: { record: StoredRecordRow; samples: number; progressed?: StoredRecordRow[] }[];
}

/** Whether a stored record may have samples: it ended once (its end stored steps or a round). */
function mayHaveSamples(record: StoredRecordRow | undefined): boolean {
	return !!record && (record.state !== 'pending' || record.steps.length > 0 || record.generatedWith !== undefined || (record.round ?? 0) > 0);
}

/** Stores a batch in one transaction; nothing when the run is gone (deleted meanwhile). */
export async function storeRunBatch(db: SkeinDatabase, batch: RunBatch, now = Date.now()): Promise<StoredBatch | undefined> {
	const { runId } = batch;
	return db.transaction('rw', [db.runs, db.runRecords, db.runSamples, db.responseCache], async () => {
		const touched = [...new Set([...batch.steps.map((item) => item.recordIndex), ...batch.ends.map((end) => end.recordIndex)])];
		const endedIndexes = [...new Set(batch.ends.map((end) => end.recordIndex))];
		const [run, rows] = await Promise.all([db.runs.get(runId), db.runRecords.bulkGet(touched.map((recordIndex) => [runId, recordIndex] as [string, number]))]);
		if (!run) return undefined;
		const records = new Map<number, StoredRecordRow>();
		touched.forEach((recordIndex, i) => {
			const row = rows[i];
			if (row) records.set(recordIndex, row);
		});
		// Only a record that ended before can have samples to replace: a record on its first run
		// (nothing stored of it yet) costs no lookup, which was one query per record of a fast run.
		const oldSamples = await Promise.all(endedIndexes.map((recordIndex) => (mayHaveSamples(records.get(recordIndex)) ? samplesOfRecord(db, runId, recordIndex).toArray() : [])));
		const ended = new Map<number, number>();
		const progressed = new Map<number, StoredRecordRow[]>();
		for (const { recordIndex, step, restart } of batch.steps) {
			const record = records.get(recordIndex);
			if (!record) continue;
			const advanced = { ...record, steps: restart ? [step] : [...record.steps, step], updatedAt: now };
			records.set(recordIndex, advanced);
			if (advanced.state === 'pending') progressed.set(recordIndex, [...(progressed.get(recordIndex) ?? []), advanced]);
		}
		let counts: RunCounts = { ...run.counts, ...batch.usage };
		const removed: string[] = [];
		const put = [];
		const old = new Map(endedIndexes.map((recordIndex, i) => [recordIndex, oldSamples[i]]));
		for (const end of batch.ends) {
			const record = records.get(end.recordIndex);
			if (!record) continue;
			const gone = old.get(end.recordIndex) ?? [];
			// A new sample with the same messages as one it replaces keeps its review (kept-reviews.ts).
			const kept = keepReviews(gone, end.samples);
			old.set(end.recordIndex, kept);
			counts = countTransition(counts, record.state, end.state);
			counts.samples = Math.max(0, counts.samples - gone.length + end.samples.length);
			removed.push(...gone.map((sample) => sample.id));
			put.push(...kept);
			records.set(end.recordIndex, applyRecordEnd(record, end, now));
			ended.set(end.recordIndex, end.samples.length);
		}
		await db.runRecords.bulkPut([...records.values()]);
		if (removed.length) await db.runSamples.bulkDelete(removed);
		if (put.length) await db.runSamples.bulkPut(put);
		if (batch.cache.size) await db.responseCache.bulkPut([...batch.cache].map(([key, answer]) => ({ key, response: answer.response, at: now, ...(answer.unusable !== undefined ? { unusable: answer.unusable } : {}) })));
		for (const [key, reason] of batch.unusable) await db.responseCache.update(key, { unusable: reason });
		if (batch.uncache.size) await db.responseCache.bulkDelete([...batch.uncache]);
		await db.runs.put({ ...run, ...batch.run, counts, updatedAt: now });
		return {
			counts,
			records: [...records.values()].map((record) => {
				const samples = ended.get(record.recordIndex) ?? -1;
				const before = progressed.get(record.recordIndex);
				return samples >= 0 && before ? { record, samples, progressed: before } : { record, samples };
			})
		};
	});
}
