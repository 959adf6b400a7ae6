/**
 * What a workspace backup holds, table by table, and how the tables hang together: the top-level
 * things a restore asks about (a dataset, a tag, a run …) and the rows that belong to them (a
 * dataset's blocks, history, snapshots; a run's records and samples), so that "skip", "replace" or
 * "keep both" applies to a thing with everything that belongs to it.
 *
 * The table names are db/schema.ts's TABLES (a test checks they agree); core cannot import db/.
 */

/** The top-level things a restore plans for. */
export const ITEM_KINDS = [
	'dataset',
	'tag',
	'character',
	'promptChunk',
	'promptTemplate',
	'characterSheet',
	'identityDocument',
	'promptPool',
	'run',
	'setting'
] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

export const ITEM_KIND_LABELS: Record<ItemKind, { one: string; many: string }> = {
	dataset: { one: 'dataset', many: 'datasets' },
	tag: { one: 'tag', many: 'tags' },
	character: { one: 'character', many: 'characters' },
	promptChunk: { one: 'prompt chunk', many: 'prompt chunks' },
	promptTemplate: { one: 'prompt template', many: 'prompt templates' },
	characterSheet: { one: 'character sheet', many: 'character sheets' },
	identityDocument: { one: 'identity document', many: 'identity documents' },
	promptPool: { one: 'prompt pool', many: 'prompt pools' },
	run: { one: 'run', many: 'runs' },
	setting: { one: 'setting', many: 'settings' }
};

/** How a table's rows are written: `plain` JSON (hot tables of JSON data), or `tagged` (Blobs, typed arrays). */
export type RowCodec = 'plain' | 'tagged';

export interface TableSpec {
	table: string;
	/** The row's primary key field(s), as Dexie declares it. */
	key: string | string[];
	/** Rows a restore plans for one by one. */
	item?: { kind: ItemKind; label: string | null };
	/** Rows that belong to an item (or to a snapshot, which belongs to a dataset). */
	parent?: { kind: ItemKind | 'snapshot'; field: string };
	codec: RowCodec;
	/** Auto-incremented key: kept when free in the target, assigned anew when taken. */
	autoKey?: boolean;
	/** Large rows: read and written a few at a time. */
	large?: boolean;
	/** Left out unless asked for (the response cache). */
	optional?: boolean;
}

/**
 * The tables of the current schema version, in restore order (parents before the rows that
 * belong to them). Settings that belong to one dataset are keyed `<prefix><datasetId>`.
 */
export const BACKUP_TABLES: TableSpec[] = [
	{ table: 'datasets', key: 'id', item: { kind: 'dataset', label: 'name' }, codec: 'tagged' },
	{ table: 'blocks', key: ['datasetId', 'blockNo'], parent: { kind: 'dataset', field: 'datasetId' }, codec: 'plain', large: true },
	{ table: 'originals', key: 'id', parent: { kind: 'dataset', field: 'datasetId' }, codec: 'tagged', autoKey: true, large: true },
	{ table: 'history', key: 'id', parent: { kind: 'dataset', field: 'datasetId' }, codec: 'plain', autoKey: true },
	{ table: 'snapshots', key: 'id', parent: { kind: 'dataset', field: 'datasetId' }, codec: 'tagged' },
	{ table: 'snapshotBlocks', key: ['snapshotId', 'blockNo'], parent: { kind: 'snapshot', field: 'snapshotId' }, codec: 'plain', large: true },
	{ table: 'savedFilters', key: 'id', parent: { kind: 'dataset', field: 'datasetId' }, codec: 'tagged' },
	{ table: 'settings', key: 'key', item: { kind: 'setting', label: null }, codec: 'tagged' },
	{ table: 'tags', key: 'slug', item: { kind: 'tag', label: 'label' }, codec: 'tagged' },
	{ table: 'characters', key: 'id', item: { kind: 'character', label: 'name' }, codec: 'tagged' },
	{ table: 'promptChunks', key: 'id', item: { kind: 'promptChunk', label: null }, codec: 'tagged' },
	{ table: 'promptTemplates', key: 'id', item: { kind: 'promptTemplate', label: null }, codec: 'tagged' },
	{ table: 'characterSheets', key: 'id', item: { kind: 'characterSheet', label: 'name' }, codec: 'tagged' },
	{ table: 'identityDocuments', key: 'id', item: { kind: 'identityDocument', label: 'name' }, codec: 'tagged' },
	{ table: 'promptPools', key: 'id', item: { kind: 'promptPool', label: 'name' }, codec: 'tagged' },
	{ table: 'promptPoolBlocks', key: ['poolId', 'blockNo'], parent: { kind: 'promptPool', field: 'poolId' }, codec: 'plain', large: true },
	{ table: 'promptPoolRatingIndexes', key: 'poolId', parent: { kind: 'promptPool', field: 'poolId' }, codec: 'tagged' },
	{ table: 'runs', key: 'id', item: { kind: 'run', label: 'label' }, codec: 'tagged' },
	{ table: 'runManifests', key: 'runId', parent: { kind: 'run', field: 'runId' }, codec: 'plain' },
	{ table: 'runRecords', key: ['runId', 'recordIndex'], parent: { kind: 'run', field: 'runId' }, codec: 'plain' },
	{ table: 'runSamples', key: 'id', parent: { kind: 'run', field: 'runId' }, codec: 'plain' },
	{ table: 'responseCache', key: 'key', codec: 'plain', optional: true }
];

/** Tables of older schema versions that a backup made then may hold (migrated on restore). */
export const RETIRED_TABLES: TableSpec[] = [
	{ table: 'promptPoolItems', key: ['poolId', 'index'], parent: { kind: 'promptPool', field: 'poolId' }, codec: 'plain' }
];

export function tableSpec(table: string): TableSpec | undefined {
	return BACKUP_TABLES.find((spec) => spec.table === table) ?? RETIRED_TABLES.find((spec) => spec.table === table);
}

/** Settings keys that belong to one dataset (db/settings-keys.ts validationProfileKey, validationSummaryKey; db/collection-repo.ts defaultNamesKey). */
export const DATASET_SETTING_PREFIXES = ['validationProfile:', 'validationSummary:', 'names:'] as const;

/** The dataset a setting belongs to, or null for a workspace-wide setting. */
export function settingDataset(key: string): string | null {
	for (const prefix of DATASET_SETTING_PREFIXES) if (key.startsWith(prefix)) return key.slice(prefix.length);
	return null;
}

/** Kinds a restore can keep twice (the copy gets a new id); the rest are replaced or skipped. */
export const KEEP_BOTH_KINDS: ReadonlySet<ItemKind> = new Set(['dataset', 'character', 'characterSheet', 'identityDocument', 'promptPool', 'run']);

/** A row's primary key as a string (compound keys joined), for maps and messages. */
export function rowKey(row: Record<string, unknown>, key: string | string[]): string {
	return Array.isArray(key) ? JSON.stringify(key.map((field) => row[field])) : String(row[key]);
}
