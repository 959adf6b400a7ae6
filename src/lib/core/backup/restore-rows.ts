/**
 * Reading a backup's rows for a restore, in two passes over the archive (neither holds more than
 * one file of rows at a time):
 *
 * 1. `inspectArchive` — every file read and checksummed, every row decoded and checked against
 *    its table's schema, row counts compared with the manifest, every row that belongs to a
 *    dataset, snapshot, pool or run checked to have it in the backup, every Blob's checksum
 *    verified; it returns the top-level items for planning. A problem throws BackupFileError
 *    naming the file and row: nothing has been written yet.
 * 2. `restoreBatches` — the rows again, transformed by the user's decisions (skipped, or given a
 *    new id for "keep both", with every reference to a thing kept twice repointed to its copy:
 *    repoint.ts), one batch per file, for the writer to put in one transaction.
 */
import { BackupArchive, BackupFileError } from './archive';
import { describeItem, itemKey, type BackupItem, type Decision } from './plan';
import { BACKUP_TABLES, RETIRED_TABLES, rowKey, settingDataset, type ItemKind, type TableSpec } from './layout';
import { decodeTagged, encodeTagged, withoutBlobPaths } from './row-codec';
import { rowProblem } from './row-schemas';
import { ReferenceRepointer } from './repoint';
import { hashText } from '../hash';

type Row = Record<string, unknown>;

/** A Blob restored from the archive: a slice of the backup file (its bytes are verified in pass 1). */
export type BlobAt = (offset: number, size: number, type: string) => Blob;

export interface ArchiveInspection {
	items: BackupItem[];
	/** Rows per table, as read (equal to the manifest's counts). */
	rows: Record<string, number>;
	/** Rows that belong to something the backup does not hold (left over from a deletion): left out. */
	orphans: Record<string, number>;
	context: RestoreContext;
}

export type InspectProgress = (filesRead: number, files: number) => void;

function specsOf(archive: BackupArchive): TableSpec[] {
	const specs: TableSpec[] = [];
	for (const spec of [...BACKUP_TABLES, ...RETIRED_TABLES]) if (archive.manifest.stores[spec.table]) specs.push(spec);
	const unknown = Object.keys(archive.manifest.stores).find((table) => !specs.some((spec) => spec.table === table));
	if (unknown) throw new BackupFileError(`The backup has a table "${unknown}" that this version of Skein does not know.`);
	return specs;
}

function readRows(archive: BackupArchive, file: string): Row[] {
	const rows = archive.readJson(file);
	if (!Array.isArray(rows) || rows.some((row) => row === null || typeof row !== 'object' || Array.isArray(row))) {
		throw new BackupFileError(`${file} is damaged: it should hold a list of rows.`);
	}
	return rows as Row[];
}

function decodeRow(spec: TableSpec, row: Row, archive: BackupArchive, blobAt: BlobAt): Row {
	if (spec.codec === 'plain') return row;
	return decodeTagged(row, (path, type) => {
		const { offset, size } = archive.storedRange(path);
		return blobAt(offset, size, type);
	}) as Row;
}

/** The item a row is (a top-level thing the plan asks about), if any. */
/** What pass 1 learnt that pass 2 needs: which datasets the backup holds, and each snapshot's dataset. */
export interface RestoreContext {
	datasets: ReadonlySet<string>;
	snapshotDatasets: ReadonlyMap<string, string>;
}

/** The dataset a setting belongs to, when the backup holds that dataset (otherwise it is a workspace setting). */
function settingOwner(row: Row, context: RestoreContext): string | null {
	const dataset = settingDataset(String(row.key));
	return dataset !== null && context.datasets.has(dataset) ? dataset : null;
}

/** The item a row is (a top-level thing the plan asks about), if any. */
function itemOf(spec: TableSpec, row: Row, context: RestoreContext): { kind: ItemKind; labelField: string | null } | null {
	if (!spec.item) return null;
	if (spec.table === 'settings' && settingOwner(row, context) !== null) return null;
	return { kind: spec.item.kind, labelField: spec.item.label };
}

/** The parent a dependent row belongs to, as [kind, id]; null when the backup does not hold it. */
function parentOf(spec: TableSpec, row: Row, context: RestoreContext): [ItemKind, string] | null {
	if (spec.table === 'settings') {
		const dataset = settingOwner(row, context);
		return dataset === null ? null : ['dataset', dataset];
	}
	if (!spec.parent) return null;
	const id = String(row[spec.parent.field]);
	if (spec.parent.kind === 'snapshot') {
		const dataset = context.snapshotDatasets.get(id);
		return dataset === undefined ? null : ['dataset', dataset];
	}
	return [spec.parent.kind, id];
}

const emptyBlob: BlobAt = (_offset, _size, type) => new Blob([], { type });

export function inspectArchive(archive: BackupArchive, onProgress?: InspectProgress): ArchiveInspection {
	const specs = specsOf(archive);
	const files = specs.reduce((sum, spec) => sum + archive.manifest.stores[spec.table].files.length, 0);
	let filesRead = 0;
	const items: BackupItem[] = [];
	const present = new Set<string>();
	const rows: Record<string, number> = {};
	const orphans: Record<string, number> = {};
	const datasets = new Set<string>();
	const snapshotDatasets = new Map<string, string>();
	const context: RestoreContext = { datasets, snapshotDatasets };
	for (const spec of specs) {
		const store = archive.manifest.stores[spec.table];
		let count = 0;
		const keys = new Set<string>();
		for (const file of store.files) {
			readRows(archive, file).forEach((raw, index) => {
				const where = `${file}, row ${index + 1} (${spec.table})`;
				const row = decodeRow(spec, raw, archive, emptyBlob);
				const problem = rowProblem(spec.table, row);
				if (problem) throw new BackupFileError(`${where}: ${problem}.`);
				if (!spec.autoKey) {
					const key = rowKey(row, spec.key);
					if (keys.has(key)) throw new BackupFileError(`${where}: the key ${key} appears twice.`);
					keys.add(key);
				}
				const item = itemOf(spec, row, context);
				if (item) {
					const described = describeItem(item.kind, withoutBlobPaths(raw) as Row, spec.key as string, item.labelField);
					items.push(described);
					present.add(itemKey(item.kind, described.id));
					if (item.kind === 'dataset') datasets.add(described.id);
				} else if (spec.table !== 'responseCache') {
					const parent = parentOf(spec, row, context);
					if (!parent || !present.has(itemKey(parent[0], parent[1]))) orphans[spec.table] = (orphans[spec.table] ?? 0) + 1;
					else if (spec.table === 'snapshots') snapshotDatasets.set(String(row.id), String(row.datasetId));
				}
				count++;
			});
			onProgress?.(++filesRead, files);
		}
		if (count !== store.rows) throw new BackupFileError(`The backup's ${spec.table} holds ${count} rows where its manifest says ${store.rows}: it is incomplete or was changed.`);
		rows[spec.table] = count;
	}
	for (const blob of archive.manifest.blobs) archive.verifyStored(blob.path);
	return { items, rows, orphans, context };
}

export interface RestoreBatch {
	table: string;
	spec: TableSpec;
	rows: Row[];
}

/** A derived id for a dependent row of an item kept twice: stable for the same new parent. */
function derivedId(oldId: string, newParent: string): string {
	return `${oldId}~${hashText(newParent).slice(0, 8)}`;
}

/**
 * The rows to write, table by table in restore order, with the decisions applied: rows of
 * skipped items are left out; rows of items kept twice get the item's new id (and their own ids
 * derived from it where they have one).
 */
export function* restoreBatches(
	archive: BackupArchive,
	decisions: ReadonlyMap<string, Decision>,
	context: RestoreContext,
	blobAt: BlobAt
): Generator<RestoreBatch> {
	const references = new ReferenceRepointer(decisions);
	for (const spec of specsOf(archive)) {
		for (const file of archive.manifest.stores[spec.table].files) {
			const out: Row[] = [];
			for (const raw of readRows(archive, file)) {
				const row = decodeRow(spec, raw, archive, blobAt);
				const transformed = transformRow(spec, row, decisions, context);
				if (transformed) out.push(references.row(spec.table, transformed));
			}
			if (out.length) yield { table: spec.table, spec, rows: out };
		}
	}
}

export function transformRow(spec: TableSpec, row: Row, decisions: ReadonlyMap<string, Decision>, context: RestoreContext): Row | null {
	if (spec.table === 'responseCache') return row;
	const item = itemOf(spec, row, context);
	if (item) {
		const keyField = spec.key as string;
		const decision = decisions.get(itemKey(item.kind, String(row[keyField])));
		if (!decision || decision.action === 'skip') return null;
		if (decision.action !== 'keep-both') return row;
		const copy = { ...row, [keyField]: decision.newId };
		if (item.labelField) copy[item.labelField] = decision.newLabel;
		return copy;
	}
	const parent = parentOf(spec, row, context);
	if (!parent) return null;
	const decision = decisions.get(itemKey(parent[0], parent[1]));
	if (!decision || decision.action === 'skip') return null;
	if (decision.action !== 'keep-both') return row;
	const newParent = decision.newId;
	const copy: Row = { ...row };
	if (spec.autoKey) delete copy[spec.key as string];
	switch (spec.table) {
		case 'settings':
			copy.key = String(row.key).slice(0, String(row.key).length - parent[1].length) + newParent;
			return copy;
		case 'snapshots':
			copy.id = derivedId(String(row.id), newParent);
			copy.datasetId = newParent;
			return copy;
		case 'snapshotBlocks':
			copy.snapshotId = derivedId(String(row.snapshotId), newParent);
			return copy;
		case 'savedFilters':
			copy.id = derivedId(String(row.id), newParent);
			copy.datasetId = newParent;
			return copy;
		case 'runSamples':
			copy.runId = newParent;
			copy.id = `${newParent}:${String(row.recordIndex)}:${String(row.sampleIndex)}`;
			return copy;
		default:
			if (spec.parent) copy[spec.parent.field] = newParent;
			return copy;
	}
}

/** Encodes a row for a backup file (tagged tables: Blobs stored as entries through `storeBlob`). */
export function encodeRow(spec: TableSpec, row: Row, storeBlob: (blob: Blob) => string): unknown {
	return spec.codec === 'plain' ? row : encodeTagged(row, storeBlob);
}
