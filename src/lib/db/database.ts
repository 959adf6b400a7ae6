import Dexie, { type EntityTable, type Table } from 'dexie';
import { DB_NAME, TABLES } from './schema';
import { type BlockRow, type DatasetRow, type HistoryRow, type SnapshotRow, type SnapshotBlockRow, type TagRow, type CharacterRow, type SavedFilterRow, type PromptRegistryRow, type OriginalRow, type SettingRow, type CharacterSheetRow, type IdentityDocumentRow, type PromptPoolRow, type PromptPoolItemRow, type RunRow, type RunRecordRow, type RunSampleRow, type ResponseCacheRow } from '$lib/core/contracts/rows';

/**
 * Numbered schema versions. Never edit a published version: add a new one with an upgrade
 * function, and a test in database.test.ts that opens data written by the previous version.
 */
export const SCHEMA_VERSIONS: Record<number, Record<string, string>> = {
	1: {
		[TABLES.datasets]: 'id, updatedAt, status',
		[TABLES.blocks]: '[datasetId+blockNo], datasetId',
		[TABLES.originals]: '++id, datasetId',
		[TABLES.settings]: 'key'
	},
	// 2: undo/redo history, snapshots, the tag and character libraries, saved filters.
	2: {
		[TABLES.datasets]: 'id, updatedAt, status',
		[TABLES.blocks]: '[datasetId+blockNo], datasetId',
		[TABLES.originals]: '++id, datasetId',
		[TABLES.settings]: 'key',
		[TABLES.history]: '++id, [datasetId+seq], datasetId',
		[TABLES.snapshots]: 'id, datasetId',
		[TABLES.snapshotBlocks]: '[snapshotId+blockNo], snapshotId',
		[TABLES.tags]: 'slug',
		[TABLES.characters]: 'id',
		[TABLES.savedFilters]: 'id, datasetId',
		[TABLES.promptChunks]: 'id',
		[TABLES.promptTemplates]: 'id'
	},
	// 3: generation — character sheets, identity documents, prompt pools, runs and the response cache.
	// Dexie carries unchanged tables over when a version lists only what it adds.
	3: {
		[TABLES.characterSheets]: 'id, updatedAt',
		[TABLES.identityDocuments]: 'id, updatedAt',
		[TABLES.promptPools]: 'id, createdAt',
		[TABLES.promptPoolItems]: '[poolId+index], [poolId+rating+ordinal]',
		[TABLES.runs]: 'id, createdAt, state',
		[TABLES.runRecords]: '[runId+recordIndex], runId, [runId+state]',
		[TABLES.runSamples]: 'id, runId, [runId+review]',
		[TABLES.responseCache]: 'key, at'
	}
};
export const CURRENT_SCHEMA_VERSION = 3;

export class SkeinDatabase extends Dexie {
	datasets!: EntityTable<DatasetRow, 'id'>;
	blocks!: Table<BlockRow, [string, number]>;
	originals!: EntityTable<OriginalRow, 'id'>;
	settings!: EntityTable<SettingRow, 'key'>;
	history!: EntityTable<HistoryRow, 'id'>;
	snapshots!: EntityTable<SnapshotRow, 'id'>;
	snapshotBlocks!: Table<SnapshotBlockRow, [string, number]>;
	tags!: EntityTable<TagRow, 'slug'>;
	characters!: EntityTable<CharacterRow, 'id'>;
	savedFilters!: EntityTable<SavedFilterRow, 'id'>;
	/** The prompt compiler's registry (Data Generation): rows owned by src/lib/db/prompt-registry-repo.ts. */
	promptChunks!: EntityTable<PromptRegistryRow, 'id'>;
	promptTemplates!: EntityTable<PromptRegistryRow, 'id'>;
	characterSheets!: EntityTable<CharacterSheetRow, 'id'>;
	identityDocuments!: EntityTable<IdentityDocumentRow, 'id'>;
	promptPools!: EntityTable<PromptPoolRow, 'id'>;
	promptPoolItems!: Table<PromptPoolItemRow, [string, number]>;
	runs!: EntityTable<RunRow, 'id'>;
	runRecords!: Table<RunRecordRow, [string, number]>;
	runSamples!: EntityTable<RunSampleRow, 'id'>;
	responseCache!: EntityTable<ResponseCacheRow, 'key'>;

	constructor(name: string = DB_NAME) {
		super(name);
		for (const [version, stores] of Object.entries(SCHEMA_VERSIONS)) {
			this.version(Number(version)).stores(stores);
		}
	}
}

let shared: SkeinDatabase | null = null;

/** One connection per JavaScript context (page or worker). */
export function getDatabase(): SkeinDatabase {
	shared ??= new SkeinDatabase();
	return shared;
}
