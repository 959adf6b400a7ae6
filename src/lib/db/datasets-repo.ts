/**
 * Reads and writes of datasets and their blocks. Every multi-row change is one transaction, so a
 * failure (quota, crash, cancel) never leaves half a change behind.
 */
import type { Entry, ImportReport } from '$lib/core/model';
import type { TemplateTarget } from '$lib/core/templates/target-schema';
import type { SkeinDatabase } from './database';
import type { BlockRow, DatasetRow, OriginalRow } from '$lib/core/contracts/rows';
import { deleteDatasetExtras } from './collection-repo';
import { validationProfileKey, validationSummaryKey } from './settings-keys';

/** An import whose heartbeat is older than this was left by a closed or crashed tab. */
export const ABANDONED_IMPORT_MS = 60_000;

export function newDatasetId(): string {
	return `ds-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

export async function listDatasets(db: SkeinDatabase): Promise<DatasetRow[]> {
	const rows = await db.datasets.where('status').equals('ready').toArray();
	return rows.sort((a, b) => b.updatedAt - a.updatedAt);
}

export async function getDataset(db: SkeinDatabase, id: string): Promise<DatasetRow | undefined> {
	return db.datasets.get(id);
}

export async function createImportingDataset(
	db: SkeinDatabase,
	name: string,
	now = Date.now()
): Promise<DatasetRow> {
	const row: DatasetRow = {
		id: newDatasetId(),
		name,
		createdAt: now,
		updatedAt: now,
		status: 'importing',
		heartbeatAt: now,
		entryCount: 0,
		blockSizes: [],
		nextEntryNo: 1,
		sizeBytes: 0,
		report: null
	};
	await db.datasets.add(row);
	return row;
}

/**
 * Reserves `count` fresh entry ids (`e<n>`) on the dataset row, in one transaction: the one
 * allocator for every new entry (split halves, joins, copies, pasted replies, accepted samples).
 */
export async function allocateEntryIds(db: SkeinDatabase, datasetId: string, count: number): Promise<string[]> {
	return db.transaction('rw', db.datasets, async () => {
		const dataset = await db.datasets.get(datasetId);
		if (!dataset) throw new Error('That dataset no longer exists.');
		const first = dataset.nextEntryNo;
		await db.datasets.update(datasetId, { nextEntryNo: first + count });
		return Array.from({ length: count }, (_, i) => `e${first + i}`);
	});
}

export async function touchImport(db: SkeinDatabase, id: string, now = Date.now()): Promise<void> {
	await db.datasets.update(id, { heartbeatAt: now });
}

export async function putBlock(db: SkeinDatabase, datasetId: string, blockNo: number, entries: Entry[]): Promise<void> {
	await db.blocks.put({ datasetId, blockNo, entries });
}

export async function putOriginal(db: SkeinDatabase, row: OriginalRow): Promise<void> {
	await db.originals.add(row);
}

export interface DatasetCompletion {
	contentHash: string;
	entryCount: number;
	blockSizes: number[];
	nextEntryNo: number;
	sizeBytes: number;
	report: ImportReport;
}

/** Makes an imported dataset visible: until this, it is 'importing' and hidden from the list. */
export async function completeImport(
	db: SkeinDatabase,
	id: string,
	done: DatasetCompletion,
	now = Date.now()
): Promise<void> {
	await db.datasets.update(id, { ...done, status: 'ready', updatedAt: now, heartbeatAt: now });
}

/** Ready datasets other than `exceptId` holding the same content. The table is small: a scan is fine. */
export async function findSameContent(db: SkeinDatabase, contentHash: string, exceptId: string): Promise<DatasetRow[]> {
	return db.datasets.filter((row) => row.status === 'ready' && row.id !== exceptId && row.contentHash === contentHash).toArray();
}

export async function readBlock(db: SkeinDatabase, datasetId: string, blockNo: number): Promise<BlockRow | undefined> {
	return db.blocks.get([datasetId, blockNo]);
}

/** Several blocks in one request (read back to back, not one round trip each); a missing block is undefined. */
export async function readBlocks(db: SkeinDatabase, datasetId: string, blockNos: readonly number[]): Promise<(BlockRow | undefined)[]> {
	return db.blocks.bulkGet(blockNos.map((blockNo) => [datasetId, blockNo] as [string, number]));
}

export async function renameDataset(db: SkeinDatabase, id: string, name: string, now = Date.now()): Promise<void> {
	const trimmed = name.trim();
	if (!trimmed) throw new Error('A dataset needs a name.');
	const changed = await db.datasets.update(id, { name: trimmed, updatedAt: now });
	if (!changed) throw new Error('That dataset no longer exists.');
}

/**
 * Sets (or, with null, clears) the model a dataset is for. Validated here: the row is read back by
 * the workers and by restored backups, so nothing malformed may be stored.
 */
export async function setTemplateTarget(db: SkeinDatabase, id: string, target: TemplateTarget | null, now = Date.now()): Promise<void> {
	// The schema (zod) loads on first use: this module is on the first page, zod need not be.
	const value = target === null ? undefined : (await import('$lib/core/templates/target-schema')).TemplateTargetSchema.parse(target);
	const changed = await db.datasets.update(id, { templateTarget: value, updatedAt: now });
	if (!changed) throw new Error('That dataset no longer exists.');
}

/** Removes a dataset, its working copy and its originals, all or nothing. */
export async function deleteDataset(db: SkeinDatabase, id: string): Promise<void> {
	await db.transaction('rw', [db.datasets, db.blocks, db.originals, db.history, db.snapshots, db.snapshotBlocks, db.settings, db.savedFilters], async () => {
		await db.blocks.where('[datasetId+blockNo]').between([id, -Infinity], [id, Infinity]).delete();
		await deleteDatasetExtras(db, id);
		await db.savedFilters.where('datasetId').equals(id).delete();
		await db.settings.bulkDelete([validationSummaryKey(id), validationProfileKey(id)]);
		await db.originals.where('datasetId').equals(id).delete();
		await db.history.where('datasetId').equals(id).delete();
		await db.datasets.delete(id);
	});
}

/** Deletes imports left behind by a tab that closed or crashed mid-import. */
export async function deleteAbandonedImports(db: SkeinDatabase, now = Date.now()): Promise<string[]> {
	const stale = await db.datasets
		.where('status')
		.equals('importing')
		.filter((row) => now - row.heartbeatAt > ABANDONED_IMPORT_MS)
		.primaryKeys();
	for (const id of stale) await deleteDataset(db, id);
	return stale;
}

export async function listOriginals(db: SkeinDatabase, datasetId: string): Promise<Omit<OriginalRow, 'blob'>[]> {
	const rows = await db.originals.where('datasetId').equals(datasetId).toArray();
	return rows.map(({ blob: _blob, ...rest }) => rest);
}

export async function getOriginal(db: SkeinDatabase, id: number): Promise<OriginalRow | undefined> {
	return db.originals.get(id);
}

export async function getSetting<T>(db: SkeinDatabase, key: string): Promise<T | undefined> {
	const row = await db.settings.get(key);
	return row?.value as T | undefined;
}

export async function setSetting(db: SkeinDatabase, key: string, value: unknown): Promise<void> {
	await db.settings.put({ key, value });
}
