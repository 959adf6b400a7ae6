/**
 * Changes to a dataset's working copy, entry by entry, with undo and redo that survive reloads.
 *
 * Each operation is one IndexedDB transaction over the dataset row, the blocks it touches and the
 * history: the entries change, the counts change and the history grows together, or not at all.
 * A change carries the entry as the editor saw it (`before`); if the stored entry differs (another
 * tab saved it meanwhile), the whole operation is refused with EntryConflictError instead of
 * silently overwriting that edit.
 */
import Dexie from 'dexie';
import type { Entry } from '$lib/core/model';
import { OperationRun, operationRecord, type OperationSummary } from '$lib/core/curation/bulk';
import type { CurationOp } from '$lib/core/curation/operations';
import { blockOf, blockStarts } from '$lib/core/paging';
import type { SkeinDatabase } from './database';
import type { DatasetRow, EntryChange, HistoryRow } from '$lib/core/contracts/rows';
import type { HistoryState, HistoryStepResult } from '$lib/core/contracts/history';
import { historyOrigin, madeElsewhere } from './history-origin';

export class EntryConflictError extends Error {
	constructor(readonly position: number) {
		super(`Entry #${position + 1} was changed elsewhere (another tab?) since you opened it. Reload it to see the current version.`);
		this.name = 'EntryConflictError';
	}
}


/** Entries compare equal when their stored JSON is equal (key order is preserved by clones). */
function sameEntry(a: Entry | undefined | null, b: Entry | undefined | null): boolean {
	if (!a || !b) return a === b;
	return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Applies changes in order to the working copy. Replacements keep block sizes; inserts and deletes
 * grow or shrink the block holding the position (blocks may drift from 1,000 entries; that is fine).
 */
async function writeChanges(db: SkeinDatabase, dataset: DatasetRow, changes: EntryChange[], now: number): Promise<DatasetRow> {
	const blockSizes = [...dataset.blockSizes];
	const loaded = new Map<number, Entry[]>();
	const load = async (blockNo: number) => {
		let entries = loaded.get(blockNo);
		if (!entries) {
			entries = (await db.blocks.get([dataset.id, blockNo]))?.entries ?? [];
			loaded.set(blockNo, entries);
		}
		return entries;
	};
	let entryCount = dataset.entryCount;
	for (const change of changes) {
		const starts = blockStarts(blockSizes);
		if (change.before) {
			const blockNo = blockOf(change.position, starts, blockSizes);
			if (blockNo < 0) throw new EntryConflictError(change.position);
			const entries = await load(blockNo);
			const offset = change.position - starts[blockNo];
			if (!sameEntry(entries[offset], change.before)) throw new EntryConflictError(change.position);
			if (change.after) entries[offset] = change.after;
			else {
				entries.splice(offset, 1);
				blockSizes[blockNo] -= 1;
				entryCount -= 1;
			}
		} else if (change.after) {
			// Insert: into the block holding the position, or at the end of the last block.
			let blockNo = blockOf(change.position, starts, blockSizes);
			if (blockNo < 0) {
				if (change.position !== entryCount) throw new EntryConflictError(change.position);
				blockNo = Math.max(0, blockSizes.length - 1);
				if (blockSizes.length === 0) blockSizes.push(0);
			}
			const entries = await load(blockNo);
			entries.splice(change.position - (starts[blockNo] ?? 0), 0, change.after);
			blockSizes[blockNo] += 1;
			entryCount += 1;
		}
	}
	for (const [blockNo, entries] of loaded) await db.blocks.put({ datasetId: dataset.id, blockNo, entries });
	const updated: DatasetRow = { ...dataset, blockSizes, entryCount, updatedAt: Math.max(now, dataset.updatedAt + 1) };
	await db.datasets.put(updated);
	return updated;
}

/** Progress of an operation over the blocks of a dataset. */
export type BlockProgress = (done: number, total: number) => void;

/**
 * Runs an id-based curation operation over every block in order, writing only the blocks it
 * changed, and returns the new dataset row with the operation's summary (which holds the inverse).
 */
async function runOperation(
	db: SkeinDatabase,
	dataset: DatasetRow,
	op: CurationOp,
	now: number,
	onProgress?: BlockProgress
): Promise<{ dataset: DatasetRow; summary: OperationSummary }> {
	const run = new OperationRun(op);
	// An empty dataset still gets one (empty) block, so that inserts have somewhere to land.
	const total = Math.max(1, dataset.blockSizes.length);
	const blockSizes: number[] = [];
	// Pipelined: the next block is requested before this one is written, so IndexedDB reads and
	// writes while the operation runs on the block in hand.
	const read = (blockNo: number) => db.blocks.get([dataset.id, blockNo]).then((row) => row?.entries ?? []);
	let next = read(0);
	const writes: Promise<unknown>[] = [];
	for (let blockNo = 0; blockNo < total; blockNo++) {
		const block = await next;
		if (blockNo + 1 < total) next = read(blockNo + 1);
		const out = run.applyBlock(block, { first: blockNo === 0, last: blockNo === total - 1 });
		if (out.changed) writes.push(db.blocks.put({ datasetId: dataset.id, blockNo, entries: out.entries }));
		blockSizes.push(out.entries.length);
		onProgress?.(blockNo + 1, total);
	}
	await Promise.all(writes);
	const summary = run.finish();
	const updated: DatasetRow = {
		...dataset,
		blockSizes,
		entryCount: blockSizes.reduce((a, b) => a + b, 0),
		updatedAt: Math.max(now, dataset.updatedAt + 1)
	};
	await db.datasets.put(updated);
	return { dataset: updated, summary };
}

export interface CurationResult {
	dataset: DatasetRow;
	summary: OperationSummary;
	label: string;
}

/**
 * Applies a curation operation (bulk tags, review, system prompt, delete, split, join, …) as one
 * transaction and records it with its inverse for undo. Nothing is recorded when nothing changed.
 */
export async function applyCuration(
	db: SkeinDatabase,
	datasetId: string,
	op: CurationOp,
	label: string,
	onProgress?: BlockProgress,
	now = Date.now()
): Promise<CurationResult> {
	return db.transaction('rw', [db.datasets, db.blocks, db.history], async () => {
		const dataset = await readyDataset(db, datasetId);
		const { dataset: updated, summary } = await runOperation(db, dataset, op, now, onProgress);
		if (summary.changedCount + summary.removedCount + summary.insertedCount > 0) {
			const last = await historyOf(db, datasetId).last();
			await historyOf(db, datasetId)
				.filter((row) => row.undone)
				.delete();
			await db.history.add({
				datasetId,
				seq: (last?.seq ?? 0) + 1,
				label,
				at: now,
				undone: false,
				changes: [],
				operation: operationRecord(op, summary, label),
				...originField()
			});
		}
		return { dataset: updated, summary, label };
	});
}

function invert(changes: EntryChange[]): EntryChange[] {
	return changes
		.slice()
		.reverse()
		.map((c) => ({ position: c.position, before: c.after, after: c.before }));
}

async function readyDataset(db: SkeinDatabase, datasetId: string): Promise<DatasetRow> {
	const dataset = await db.datasets.get(datasetId);
	if (!dataset || dataset.status !== 'ready') throw new Error('That dataset does not exist (it may have been deleted).');
	return dataset;
}

/** A dataset's history rows in `seq` order (a fresh collection each call: collections are one-shot). */
function historyOf(db: SkeinDatabase, datasetId: string) {
	return db.history.where('[datasetId+seq]').between([datasetId, Dexie.minKey], [datasetId, Dexie.maxKey]);
}

/** Applies an operation and records it for undo. Anything that could be redone is dropped. */
export async function applyOperation(
	db: SkeinDatabase,
	datasetId: string,
	label: string,
	changes: EntryChange[],
	now = Date.now()
): Promise<DatasetRow> {
	return db.transaction('rw', [db.datasets, db.blocks, db.history], async () => {
		const dataset = await readyDataset(db, datasetId);
		const updated = await writeChanges(db, dataset, changes, now);
		const last = await historyOf(db, datasetId).last();
		await historyOf(db, datasetId)
			.filter((row) => row.undone)
			.delete();
		await db.history.add({ datasetId, seq: (last?.seq ?? 0) + 1, label, at: now, undone: false, changes, ...originField() });
		return updated;
	});
}

async function lastDone(db: SkeinDatabase, datasetId: string): Promise<HistoryRow | undefined> {
	return historyOf(db, datasetId)
		.filter((row) => !row.undone)
		.last();
}

async function firstUndone(db: SkeinDatabase, datasetId: string): Promise<HistoryRow | undefined> {
	return historyOf(db, datasetId)
		.filter((row) => row.undone)
		.first();
}

/** This tab's id for a new history row (none when no tab gave one). */
function originField(): { origin?: string } {
	const origin = historyOrigin();
	return origin ? { origin } : {};
}

/** `anyTab`: revert it even when another tab made it (the user confirmed). */
export interface HistoryStepOptions {
	anyTab?: boolean;
}

/**
 * Reverts the latest operation and returns its label (null when there is nothing to undo). When
 * another tab made it, nothing is done unless `anyTab`: its label comes back in `elsewhere`.
 */
export async function undo(db: SkeinDatabase, datasetId: string, now = Date.now(), options: HistoryStepOptions = {}): Promise<HistoryStepResult> {
	return db.transaction('rw', [db.datasets, db.blocks, db.history], async () => {
		const row = await lastDone(db, datasetId);
		if (!row) return { label: null };
		if (!options.anyTab && madeElsewhere(row.origin)) return { label: null, elsewhere: row.label };
		const dataset = await readyDataset(db, datasetId);
		if (row.operation) await runOperation(db, dataset, row.operation.inverse, now);
		else await writeChanges(db, dataset, invert(row.changes), now);
		await db.history.update(row.id as number, { undone: true });
		return { label: row.label };
	});
}

/** Re-applies the operation undone last (as `undo`, another tab's only with `anyTab`). */
export async function redo(db: SkeinDatabase, datasetId: string, now = Date.now(), options: HistoryStepOptions = {}): Promise<HistoryStepResult> {
	return db.transaction('rw', [db.datasets, db.blocks, db.history], async () => {
		const row = await firstUndone(db, datasetId);
		if (!row) return { label: null };
		if (!options.anyTab && madeElsewhere(row.origin)) return { label: null, elsewhere: row.label };
		const dataset = await readyDataset(db, datasetId);
		if (row.operation) await runOperation(db, dataset, row.operation.forward, now);
		else await writeChanges(db, dataset, row.changes, now);
		await db.history.update(row.id as number, { undone: false });
		return { label: row.label };
	});
}

export async function historyState(db: SkeinDatabase, datasetId: string): Promise<HistoryState> {
	const [done, undone] = await Promise.all([lastDone(db, datasetId), firstUndone(db, datasetId)]);
	return {
		canUndo: !!done,
		canRedo: !!undone,
		undoLabel: done?.label ?? null,
		redoLabel: undone?.label ?? null,
		...(madeElsewhere(done?.origin) ? { undoElsewhere: true } : {}),
		...(madeElsewhere(undone?.origin) ? { redoElsewhere: true } : {})
	};
}

/** The entry at a position, as stored now. */
export async function readEntryAt(db: SkeinDatabase, datasetId: string, position: number): Promise<Entry | undefined> {
	const dataset = await readyDataset(db, datasetId);
	const starts = blockStarts(dataset.blockSizes);
	const blockNo = blockOf(position, starts, dataset.blockSizes);
	if (blockNo < 0) return undefined;
	const block = await db.blocks.get([datasetId, blockNo]);
	return block?.entries[position - starts[blockNo]];
}
