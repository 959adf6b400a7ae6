import Dexie, { type EntityTable, type Table, type Transaction } from 'dexie';
import { poolBlocksAndIndex } from './pool-blocks';
import { DB_NAME, TABLES } from './schema';
import { type BlockRow, type DatasetRow, type HistoryRow, type SnapshotRow, type SnapshotBlockRow, type TagRow, type CharacterRow, type SavedFilterRow, type PromptRegistryRow, type OriginalRow, type SettingRow, type CharacterSheetRow, type IdentityDocumentRow, type PromptPoolRow, type PromptPoolItemRow, type PromptPoolBlockRow, type PromptPoolRatingIndexRow, type RunRow, type RunTableRow, type RunManifestRow, type RunRecordRow, type RunSampleRow, type ResponseCacheRow } from '$lib/core/contracts/rows';

/**
 * Numbered schema versions. Never edit a published version: add a new one with an upgrade
 * function, and a test in database.test.ts that opens data written by the previous version.
 */
export const SCHEMA_VERSIONS: Record<number, Record<string, string | null>> = {
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
	},
	// 4: prompt pools in blocks of POOL_BLOCK_SIZE plus a rating index, instead of one row per prompt
	// (upgradeTo4 moves version 3's items over; Dexie drops the old table after the upgrade ran).
	4: {
		[TABLES.promptPoolItems]: null,
		[TABLES.promptPoolBlocks]: '[poolId+blockNo]',
		[TABLES.promptPoolRatingIndexes]: 'poolId'
	},
	// 5: run manifests in their own table (a run row is rewritten with every batch of progress, and
	// a run over 100k entries has 100k document hashes); upgradeTo5 moves them out of the run rows.
	5: {
		[TABLES.runManifests]: 'runId'
	}
};
export const CURRENT_SCHEMA_VERSION = 5;

/** Upgrade functions by the version they upgrade to. */
const UPGRADES: Record<number, (tx: Transaction) => Promise<void>> = {
	4: upgradePoolsToBlocks,
	5: upgradeManifestsOutOfRuns
};

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
	promptPoolBlocks!: Table<PromptPoolBlockRow, [string, number]>;
	promptPoolRatingIndexes!: EntityTable<PromptPoolRatingIndexRow, 'poolId'>;
	/** Run rows without their manifest (runs-repo.ts joins them with runManifests). */
	runs!: EntityTable<RunTableRow, 'id'>;
	runManifests!: EntityTable<RunManifestRow, 'runId'>;
	runRecords!: Table<RunRecordRow, [string, number]>;
	runSamples!: EntityTable<RunSampleRow, 'id'>;
	responseCache!: EntityTable<ResponseCacheRow, 'key'>;

	constructor(name: string = DB_NAME) {
		super(name);
		for (const [version, stores] of Object.entries(SCHEMA_VERSIONS)) {
			const upgrade = UPGRADES[Number(version)];
			const declared = this.version(Number(version)).stores(stores);
			if (upgrade) declared.upgrade(upgrade);
		}
	}
}

let shared: SkeinDatabase | null = null;

/** One connection per JavaScript context (page or worker). */
export function getDatabase(): SkeinDatabase {
	shared ??= new SkeinDatabase();
	return shared;
}

/** Version 3 kept one row per prompt: rewrite each pool's items, in pool order, as blocks and a rating index. */
async function upgradePoolsToBlocks(tx: Transaction): Promise<void> {
	const pools = (await tx.table(TABLES.promptPools).toArray()) as { id: string }[];
	const items = tx.table<PromptPoolItemRow, [string, number]>(TABLES.promptPoolItems);
	for (const pool of pools) {
		const rows = await items.where('[poolId+index]').between([pool.id, Dexie.minKey], [pool.id, Dexie.maxKey]).toArray();
		const { blocks, index } = poolBlocksAndIndex(pool.id, rows.map((row) => ({ text: row.text, rating: row.rating === -1 ? null : row.rating })));
		await tx.table(TABLES.promptPoolBlocks).bulkAdd(blocks);
		await tx.table(TABLES.promptPoolRatingIndexes).add(index);
	}
}

/** Version 4 kept each run's manifest in its row: move it to runManifests. */
async function upgradeManifestsOutOfRuns(tx: Transaction): Promise<void> {
	const runs = tx.table(TABLES.runs);
	const moved: RunManifestRow[] = [];
	await runs.toCollection().modify((run: Partial<RunRow>) => {
		if (run.id === undefined || run.manifest === undefined) return;
		moved.push({ runId: run.id, manifest: run.manifest });
		delete run.manifest;
	});
	if (moved.length) await tx.table(TABLES.runManifests).bulkPut(moved);
}
