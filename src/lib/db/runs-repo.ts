/**
 * Reads and writes of generation runs: the run row, one row per input record (persisted as each
 * step completes) and one row per generated sample (the review queue). Every change that touches
 * more than one row is one transaction, so a reload never finds a record marked done without its
 * samples, or samples without their record.
 *
 * A stored run row carries two fields schema.ts does not name (Dexie keeps whatever a row holds):
 * the last lines of its log, kept across reloads, and the heartbeat of the worker driving it, so
 * a second tab can tell a run live elsewhere from one a closed tab left behind.
 */
import type { SkeinDatabase } from './database';
import type { EngineChoice, RunCounts, RunRecordRow, RunRecordState, RunRow, RunSampleRow, RunState, RunTableRow, SampleReview } from '$lib/core/contracts/rows';
import type { RunManifest } from '$lib/core/runtime/manifest';
import type { RunSettings } from '$lib/core/recipes/recipe';
import type { StepRecord } from '$lib/core/runtime/dispatcher';
import type { RunLogLine } from '$lib/core/contracts/run-api';
import { keepReviews } from '$lib/core/runtime/kept-reviews';

/** Lines of a run's log kept (in memory and in its row). */
export const RUN_LOG_LIMIT = 500;

export interface StoredRunRow extends RunRow {
	/** The most recent log lines, oldest first. */
	log?: RunLogLine[];
	/** Last time the worker driving this run said it is alive (ms). */
	heartbeatAt?: number;
	/** Display names of the sources the run read, by `${kind}:${id}`, for "… was deleted". */
	sourceNames?: Record<string, string>;
}

/**
 * What a record's last attempt ran with. A stopped run's engine and settings can be edited
 * (editRun) before anything is re-run: the samples it already has were still made with these,
 * and their provenance must say so.
 */
export interface GeneratedWith {
	engine: EngineChoice;
	settings: RunSettings;
}

export interface StoredRecordRow extends RunRecordRow {
	generatedWith?: GeneratedWith;
	/**
	 * The position the record first ran at, when a re-run of what changed moved it: its seeded
	 * random comes from that position, so it asks again what it asked then (and the cache answers).
	 */
	seedIndex?: number;
}

export function emptyCounts(total = 0): RunCounts {
	return { total, done: 0, failed: 0, samples: 0, engineCalls: 0, cacheHits: 0, promptTokens: 0, completionTokens: 0, engineMs: 0 };
}

export function sampleId(runId: string, recordIndex: number, sampleIndex: number): string {
	return `${runId}:${recordIndex}:${sampleIndex}`;
}

/** Keeps the newest `limit` lines. */
export function trimLog(log: RunLogLine[], limit = RUN_LOG_LIMIT): RunLogLine[] {
	return log.length > limit ? log.slice(log.length - limit) : log;
}

const recordsOf = (db: SkeinDatabase, runId: string) => db.runRecords.where('[runId+recordIndex]').between([runId, -Infinity], [runId, Infinity]);

/** A record's samples, by their id prefix (`${runId}:${recordIndex}:`). */
export function samplesOfRecord(db: SkeinDatabase, runId: string, recordIndex: number) {
	return db.runSamples.where('id').startsWith(`${runId}:${recordIndex}:`);
}

/** The run row as its table holds it (schema version 5: the manifest goes to runManifests). */
function tableRowOf(run: StoredRunRow): RunTableRow {
	// eslint-disable-next-line @typescript-eslint/no-unused-vars
	const { manifest, ...row } = run;
	return row;
}

/** Run rows with their manifests (a row from before version 5 may still carry its own). */
async function withManifests(db: SkeinDatabase, rows: readonly RunTableRow[]): Promise<StoredRunRow[]> {
	const manifests = await db.runManifests.bulkGet(rows.map((row) => row.id));
	return rows.flatMap((row, i) => {
		const manifest = manifests[i]?.manifest ?? row.manifest;
		return manifest ? [{ ...row, manifest } as StoredRunRow] : [];
	});
}

/** Writes a new run and its records (all pending) at once. */
export async function createRun(db: SkeinDatabase, run: StoredRunRow, records: RunRecordRow[]): Promise<void> {
	await db.transaction('rw', [db.runs, db.runManifests, db.runRecords], async () => {
		await db.runs.add(tableRowOf(run));
		await db.runManifests.put({ runId: run.id, manifest: run.manifest });
		await db.runRecords.bulkAdd(records);
	});
}

/**
 * Adds a block of records to a run whose inputs are read while it runs (workers/run-feed.ts),
 * with the run's new total and feed position, or, with the last block, its full manifest.
 */
export async function appendRecords(db: SkeinDatabase, runId: string, records: RunRecordRow[], end: { feed: { from: number } } | { manifest: RunManifest }, now = Date.now()): Promise<RunCounts | undefined> {
	return db.transaction('rw', [db.runs, db.runManifests, db.runRecords], async () => {
		const run = await db.runs.get(runId);
		if (!run) return undefined;
		if (records.length) await db.runRecords.bulkAdd(records);
		const counts = { ...run.counts, total: run.counts.total + records.length };
		const row: RunTableRow = { ...run, counts, updatedAt: now };
		if ('feed' in end) row.feed = end.feed;
		else {
			delete row.feed;
			await db.runManifests.put({ runId, manifest: end.manifest });
		}
		await db.runs.put(row);
		return counts;
	});
}

export async function getRun(db: SkeinDatabase, runId: string): Promise<StoredRunRow | undefined> {
	const row = await db.runs.get(runId);
	return row ? (await withManifests(db, [row]))[0] : undefined;
}

/** Runs in any of these states (those a closed tab may have left running). */
export async function runsInStates(db: SkeinDatabase, states: readonly RunState[]): Promise<StoredRunRow[]> {
	return withManifests(db, await db.runs.where('state').anyOf([...states]).toArray());
}

/**
 * Writes a live run's engine usage figures (over the stored counts), its log and heartbeat, on the
 * row as it is now (a run deleted meanwhile is not brought back).
 */
export async function flushRunUsage(db: SkeinDatabase, runId: string, usage: RunUsage, log: RunLogLine[], now = Date.now()): Promise<void> {
	await db.transaction('rw', [db.runs], async () => {
		const run = await db.runs.get(runId);
		if (run) await db.runs.put({ ...run, counts: { ...run.counts, ...usage }, log, heartbeatAt: now, updatedAt: now } as StoredRunRow);
	});
}

/** Newest first. */
export async function listRunRows(db: SkeinDatabase): Promise<StoredRunRow[]> {
	const rows = await withManifests(db, await db.runs.toArray());
	return rows.sort((a, b) => b.createdAt - a.createdAt);
}

export async function updateRun(db: SkeinDatabase, runId: string, changes: Partial<StoredRunRow>): Promise<void> {
	const { manifest, ...rest } = changes;
	if (manifest === undefined) {
		await db.runs.update(runId, rest);
		return;
	}
	await db.transaction('rw', [db.runs, db.runManifests], async () => {
		if (!(await db.runs.update(runId, rest)) && !(await db.runs.get(runId))) return;
		await db.runManifests.put({ runId, manifest });
	});
}

export async function listRecords(db: SkeinDatabase, runId: string): Promise<StoredRecordRow[]> {
	return recordsOf(db, runId).toArray();
}

/**
 * A page of a run's records by position: all of them from `offset`, or those in `state` after
 * skipping `offset` of them. Reads `limit` rows, whatever the size of the run.
 */
export async function recordsPage(db: SkeinDatabase, runId: string, page: { state?: RunRecordState; offset: number; limit: number }): Promise<StoredRecordRow[]> {
	if (page.limit <= 0) return [];
	if (!page.state) return db.runRecords.where('[runId+recordIndex]').between([runId, page.offset], [runId, Infinity]).limit(page.limit).toArray();
	return db.runRecords.where('[runId+state]').equals([runId, page.state]).offset(page.offset).limit(page.limit).toArray();
}

/** How many samples each of these records has (one key-range count each, in one transaction). */
export async function sampleCountsOf(db: SkeinDatabase, runId: string, recordIndexes: readonly number[]): Promise<Map<number, number>> {
	return db.transaction('r', db.runSamples, async () => {
		const counts = await Promise.all(recordIndexes.map((recordIndex) => samplesOfRecord(db, runId, recordIndex).count()));
		return new Map(recordIndexes.map((recordIndex, i) => [recordIndex, counts[i]]));
	});
}

export async function getRecord(db: SkeinDatabase, runId: string, recordIndex: number): Promise<StoredRecordRow | undefined> {
	return db.runRecords.get([runId, recordIndex]);
}

/** Each record's label, by position. */
export async function recordLabels(db: SkeinDatabase, runId: string): Promise<Map<number, string>> {
	const labels = new Map<number, string>();
	await recordsOf(db, runId).each((record) => labels.set(record.recordIndex, record.label));
	return labels;
}

export async function recordsInState(db: SkeinDatabase, runId: string, state: RunRecordState): Promise<RunRecordRow[]> {
	return db.runRecords.where('[runId+state]').equals([runId, state]).toArray();
}

/**
 * Stores a completed step of a record. `restart` drops the steps an earlier attempt stored (the
 * first step of a record re-run by a new dispatcher; the replay brings them back from the cache).
 * Returns the record as stored, or nothing when it is gone.
 */
export async function appendStep(db: SkeinDatabase, runId: string, recordIndex: number, step: StepRecord, restart: boolean, now = Date.now()): Promise<StoredRecordRow | undefined> {
	return db.transaction('rw', db.runRecords, async () => {
		const record = await db.runRecords.get([runId, recordIndex]);
		if (!record) return undefined;
		const updated: StoredRecordRow = { ...record, steps: restart ? [step] : [...record.steps, step], updatedAt: now };
		await db.runRecords.put(updated);
		return updated;
	});
}

/** The response-cache keys of this run's answered steps that no other run's steps use. */
export async function cacheKeysOnlyIn(db: SkeinDatabase, runId: string): Promise<string[]> {
	const keys = new Set<string>();
	await db.runRecords
		.where('runId')
		.equals(runId)
		.each((record) => {
			for (const step of record.steps) if (step.response) keys.add(step.cacheKey);
		});
	if (!keys.size) return [];
	await db.runRecords.each((record) => {
		if (record.runId === runId) return;
		for (const step of record.steps) keys.delete(step.cacheKey);
	});
	return [...keys];
}

/** A record's state change, done/failed counts included. */
export function countTransition(counts: RunCounts, from: RunRecordState, to: RunRecordState): RunCounts {
	const next = { ...counts };
	if (from === 'done') next.done--;
	if (from === 'failed') next.failed--;
	if (to === 'done') next.done++;
	if (to === 'failed') next.failed++;
	return next;
}

export interface RecordEnd {
	runId: string;
	recordIndex: number;
	state: 'done' | 'failed';
	steps: StepRecord[];
	notes: RunRecordRow['notes'];
	error?: RunRecordRow['error'];
	stats?: RunRecordRow['stats'];
	/** The record's samples (done records); they replace any the record had. */
	samples: RunSampleRow[];
	/** The run's engine usage so far (kept by the service while the run is live). */
	usage?: RunUsage;
	/** Other run fields written with it (log, heartbeat). */
	run?: Partial<Omit<StoredRunRow, 'counts'>>;
	/** The engine and settings the record ran with (kept on its row for provenance). */
	generatedWith?: GeneratedWith;
}

export type RunUsage = Pick<RunCounts, 'engineCalls' | 'cacheHits' | 'promptTokens' | 'completionTokens' | 'engineMs'>;

/** The record's row once it ended (state, steps, notes, error, stats, what it ran with). */
export function applyRecordEnd(record: StoredRecordRow, end: Omit<RecordEnd, 'runId' | 'usage' | 'run'>, now: number): StoredRecordRow {
	const updated: StoredRecordRow = { ...record, state: end.state, steps: end.steps, notes: end.notes, updatedAt: now };
	if (end.generatedWith) updated.generatedWith = structuredClone(end.generatedWith);
	if (end.error) updated.error = end.error;
	else delete updated.error;
	if (end.stats) updated.stats = end.stats;
	else delete updated.stats;
	return updated;
}

/**
 * Ends a record: its row, its samples (replacing those of an earlier attempt; a new sample with
 * the same messages as an old one keeps its review, core/runtime/kept-reviews.ts) and the run's
 * counts, in one transaction. Returns the run's new counts.
 */
export async function endRecord(db: SkeinDatabase, end: RecordEnd, now = Date.now()): Promise<RunCounts | undefined> {
	return db.transaction('rw', [db.runs, db.runRecords, db.runSamples], async () => {
		const [run, record] = await Promise.all([db.runs.get(end.runId), db.runRecords.get([end.runId, end.recordIndex])]);
		if (!run || !record) return undefined;
		const old = await samplesOfRecord(db, end.runId, end.recordIndex).toArray();
		await db.runSamples.bulkDelete(old.map((row) => row.id));
		await db.runSamples.bulkPut(keepReviews(old, end.samples));
		await db.runRecords.put(applyRecordEnd(record, end, now));
		const counts = countTransition({ ...run.counts, ...end.usage }, record.state, end.state);
		counts.samples = Math.max(0, counts.samples - old.length + end.samples.length);
		await db.runs.put({ ...run, ...end.run, counts, updatedAt: now });
		return counts;
	});
}

/** Sets records back to pending (retry failed, re-run stale), counts adjusted. */
export async function resetRecords(db: SkeinDatabase, runId: string, recordIndexes: number[], now = Date.now()): Promise<void> {
	await resetInto(db, runId, recordIndexes, now, (record) => record);
}

/**
 * Sets records back to pending in their next retry round ("Retry failed only"; "Ask again" with
 * `fresh`, which also takes done records and replays nothing from earlier rounds).
 */
export async function startRetryRound(db: SkeinDatabase, runId: string, recordIndexes: number[], options: { fresh: boolean }, now = Date.now()): Promise<void> {
	await resetInto(db, runId, recordIndexes, now, (record) => {
		const next: RunRecordRow = { ...record, round: (record.round ?? 0) + 1 };
		if (options.fresh) next.fresh = true;
		else delete next.fresh;
		return next;
	});
}

async function resetInto(db: SkeinDatabase, runId: string, recordIndexes: number[], now: number, change: (record: RunRecordRow) => RunRecordRow): Promise<void> {
	await db.transaction('rw', [db.runs, db.runRecords], async () => {
		const run = await db.runs.get(runId);
		if (!run) return;
		let counts = run.counts;
		for (const recordIndex of recordIndexes) {
			const record = await db.runRecords.get([runId, recordIndex]);
			if (!record || record.state === 'pending') continue;
			counts = countTransition(counts, record.state, 'pending');
			const reset: RunRecordRow = { ...change(record), state: 'pending', updatedAt: now };
			delete reset.error;
			await db.runRecords.put(reset);
		}
		await db.runs.put({ ...run, counts, updatedAt: now });
	});
}

/** Replaces a run's whole record set (re-run stale) together with the run row. */
export async function replaceRecords(
	db: SkeinDatabase,
	run: StoredRunRow,
	records: StoredRecordRow[],
	samples: { remove: string[]; put: RunSampleRow[] }
): Promise<void> {
	await db.transaction('rw', [db.runs, db.runManifests, db.runRecords, db.runSamples], async () => {
		await recordsOf(db, run.id).delete();
		await db.runRecords.bulkPut(records);
		await db.runSamples.bulkDelete(samples.remove);
		await db.runSamples.bulkPut(samples.put);
		await db.runs.put(tableRowOf(run));
		await db.runManifests.put({ runId: run.id, manifest: run.manifest });
	});
}

/** A run with its records and samples. The response cache is shared by content and stays. */
export async function deleteRun(db: SkeinDatabase, runId: string): Promise<void> {
	await db.transaction('rw', [db.runs, db.runManifests, db.runRecords, db.runSamples], async () => {
		await recordsOf(db, runId).delete();
		await db.runSamples.where('runId').equals(runId).delete();
		await db.runs.delete(runId);
		await db.runManifests.delete(runId);
	});
}

/** In record, then sample order. */
export async function listSamples(db: SkeinDatabase, runId: string, review?: SampleReview): Promise<RunSampleRow[]> {
	const rows = review ? await db.runSamples.where('[runId+review]').equals([runId, review]).toArray() : await db.runSamples.where('runId').equals(runId).toArray();
	return rows.sort((a, b) => a.recordIndex - b.recordIndex || a.sampleIndex - b.sampleIndex);
}

export async function getSample(db: SkeinDatabase, id: string): Promise<RunSampleRow | undefined> {
	return db.runSamples.get(id);
}

/** The samples with these ids that exist, in the order asked. */
export async function getSamples(db: SkeinDatabase, ids: readonly string[]): Promise<RunSampleRow[]> {
	return (await db.runSamples.bulkGet([...ids])).filter((row): row is RunSampleRow => row !== undefined);
}

export async function putSamples(db: SkeinDatabase, rows: RunSampleRow[]): Promise<void> {
	await db.runSamples.bulkPut(rows);
}

/**
 * Marks samples as copied into a dataset, on their rows as they are now: an edit or review saved
 * while the entries were being added is kept, and a sample deleted meanwhile is not brought back.
 */
export async function markAccepted(db: SkeinDatabase, marks: { id: string; acceptedInto: NonNullable<RunSampleRow['acceptedInto']> }[]): Promise<void> {
	await db.transaction('rw', db.runSamples, async () => {
		const rows = await db.runSamples.bulkGet(marks.map((mark) => mark.id));
		await db.runSamples.bulkPut(rows.flatMap((row, i) => (row ? [{ ...row, acceptedInto: marks[i].acceptedInto }] : [])));
	});
}

/** Samples by review state. */
export async function reviewCounts(db: SkeinDatabase, runId: string): Promise<Record<SampleReview, number>> {
	const count = (review: SampleReview) => db.runSamples.where('[runId+review]').equals([runId, review]).count();
	const [pending, accepted, rejected] = await Promise.all([count('pending'), count('accepted'), count('rejected')]);
	return { pending, accepted, rejected };
}
