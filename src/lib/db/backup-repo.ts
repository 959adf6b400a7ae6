/**
 * The workspace backup's storage side: reading every table in pages by primary key (a backup
 * never holds a whole table), the rows a restore plans against, and writing a restore — every
 * table in one transaction, so a failure (a quota error, a bad row) leaves nothing behind.
 */
import Dexie, { type Table } from 'dexie';
import type { SkeinDatabase } from './database';
import { SCHEMA_VERSIONS } from './database';
import { BACKUP_TABLES, settingDataset, type ItemKind, type TableSpec } from '$lib/core/backup/layout';
import type { Decision } from '$lib/core/backup/plan';

type Row = Record<string, unknown>;

/** Rows per read: a few for tables of 1,000-entry blocks, more for small rows. */
export function pageSize(spec: TableSpec): number {
	return spec.large ? 8 : 500;
}

function keyOf(row: Row, key: string | string[]): unknown {
	return Array.isArray(key) ? key.map((field) => row[field]) : row[key];
}

/** A table's rows in pages, in primary key order; each page is one short read transaction. */
export async function* tablePages(db: Dexie, spec: TableSpec, size = pageSize(spec)): AsyncGenerator<Row[]> {
	const table = db.table(spec.table) as Table<Row, unknown>;
	let last: unknown = undefined;
	for (;;) {
		const page = last === undefined ? await table.limit(size).toArray() : await table.where(':id').above(last).limit(size).toArray();
		if (!page.length) return;
		yield page;
		if (page.length < size) return;
		last = keyOf(page[page.length - 1], spec.key);
	}
}

/** The tables a backup of this database holds (those its schema has). */
export function backupTables(db: Dexie, includeResponseCache: boolean): TableSpec[] {
	const names = new Set(db.tables.map((table) => table.name));
	return BACKUP_TABLES.filter((spec) => names.has(spec.table) && (includeResponseCache || !spec.optional));
}

/** The rows of the top-level tables (small: datasets, tags, runs … not their blocks or records). */
export async function itemRows(db: SkeinDatabase): Promise<{ spec: TableSpec; rows: Row[] }[]> {
	const out: { spec: TableSpec; rows: Row[] }[] = [];
	for (const spec of BACKUP_TABLES) {
		if (!spec.item) continue;
		const rows = (await db.table(spec.table).toArray()) as Row[];
		out.push({ spec, rows });
	}
	return out;
}

/** Deletes this browser's rows that belong to a replaced item (the item's own row is overwritten). */
async function deleteDependents(db: SkeinDatabase, kind: ItemKind, id: string): Promise<void> {
	switch (kind) {
		case 'dataset': {
			await db.blocks.where('[datasetId+blockNo]').between([id, Dexie.minKey], [id, Dexie.maxKey]).delete();
			await db.originals.where('datasetId').equals(id).delete();
			await db.history.where('datasetId').equals(id).delete();
			const snapshots = await db.snapshots.where('datasetId').equals(id).primaryKeys();
			for (const snapshot of snapshots) await db.snapshotBlocks.where('snapshotId').equals(snapshot).delete();
			await db.snapshots.bulkDelete(snapshots);
			await db.savedFilters.where('datasetId').equals(id).delete();
			const keys = (await db.settings.toCollection().primaryKeys()).filter((key) => settingDataset(String(key)) === id);
			await db.settings.bulkDelete(keys);
			return;
		}
		case 'promptPool':
			await db.promptPoolBlocks.where('[poolId+blockNo]').between([id, Dexie.minKey], [id, Dexie.maxKey]).delete();
			await db.promptPoolRatingIndexes.delete(id);
			return;
		case 'run':
			await db.runRecords.where('runId').equals(id).delete();
			await db.runSamples.where('runId').equals(id).delete();
			await db.runManifests.delete(id);
			return;
		default:
			return;
	}
}

export interface RestoreWrite {
	table: string;
	spec: TableSpec;
	rows: Row[];
}

/**
 * Writes a restore in one transaction over every table: first the dependents of replaced items
 * are deleted, then each batch is put. `batches` must be synchronous (it reads the backup file
 * with FileReaderSync): awaiting anything but IndexedDB would end the transaction. Rows with an
 * auto-incremented key keep it when it is free here and get a new one when it is taken.
 */
export async function writeRestore(
	db: SkeinDatabase,
	decisions: ReadonlyMap<string, Decision>,
	batches: Iterable<RestoreWrite>,
	onBatch?: (written: number) => void
): Promise<Record<string, number>> {
	const written: Record<string, number> = {};
	await db.transaction('rw', db.tables, async () => {
		for (const [key, decision] of decisions) {
			if (decision.action !== 'replace') continue;
			const split = key.indexOf(':');
			await deleteDependents(db, key.slice(0, split) as ItemKind, key.slice(split + 1));
		}
		let count = 0;
		for (const batch of batches) {
			const table = db.table(batch.table) as Table<Row, unknown>;
			let rows = batch.rows;
			if (batch.spec.autoKey) {
				const field = batch.spec.key as string;
				const wanted = rows.map((row) => row[field]).filter((id) => id !== undefined) as number[];
				const taken = new Set((await table.bulkGet(wanted)).filter(Boolean).map((row) => (row as Row)[field]));
				rows = rows.map((row) => {
					if (row[field] === undefined || !taken.has(row[field])) return row;
					const copy = { ...row };
					delete copy[field];
					return copy;
				});
			}
			await table.bulkPut(rows);
			written[batch.table] = (written[batch.table] ?? 0) + rows.length;
			onBatch?.((count += rows.length));
		}
	});
	return written;
}

/** Row counts per table (count() walks rows: only for a backup's manifest check and tests). */
export async function rowCounts(db: Dexie): Promise<Record<string, number>> {
	const out: Record<string, number> = {};
	for (const table of db.tables) out[table.name] = await table.count();
	return out;
}

/** A database at an older schema version (a staging copy a backup made by that version is written into, then upgraded). */
export function databaseAtVersion(name: string, version: number): Dexie {
	const db = new Dexie(name);
	for (const [number, stores] of Object.entries(SCHEMA_VERSIONS)) {
		if (Number(number) <= version) db.version(Number(number)).stores(stores);
	}
	return db;
}
