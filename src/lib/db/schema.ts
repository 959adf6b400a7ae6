/**
 * The IndexedDB layout, chosen from measurements (../shared/reference/measurements.md §3b):
 * one row per entry writes at ~9 MB/s here, one row per block of 1,000 entries ~4× faster, and
 * `count()` walks every row. So:
 *
 * - `datasets`  — one small row per dataset carrying its counts (entryCount, blockSizes): the
 *                 list and the entry browser never call `count()`.
 * - `blocks`    — the working copy, ENTRY_BLOCK_SIZE entries per row, keyed [datasetId+blockNo].
 *                 Entries stay individually editable: an edit rewrites the one block holding the entry.
 * - `promptPoolBlocks` — a prompt pool's items, POOL_BLOCK_SIZE per row, with one rating index
 *                 row per pool (promptPoolRatingIndexes) so a sample reads only the blocks it needs.
 * - `originals` — each imported file kept byte-for-byte as a Blob (Chromium stores large Blobs as
 *                 files beside LevelDB, so this costs a file copy, not a parse).
 */

export const DB_NAME = 'skein';
export const ENTRY_BLOCK_SIZE = 1000;
/** Prompts per promptPoolBlocks row (see PromptPoolBlockRow). */
export const POOL_BLOCK_SIZE = 1000;

export const TABLES = {
	datasets: 'datasets',
	blocks: 'blocks',
	originals: 'originals',
	settings: 'settings',
	history: 'history',
	snapshots: 'snapshots',
	snapshotBlocks: 'snapshotBlocks',
	tags: 'tags',
	characters: 'characters',
	savedFilters: 'savedFilters',
	promptChunks: 'promptChunks',
	promptTemplates: 'promptTemplates',
	characterSheets: 'characterSheets',
	identityDocuments: 'identityDocuments',
	promptPools: 'promptPools',
	/** Version 3's one row per prompt; emptied into promptPoolBlocks and dropped by version 4. */
	promptPoolItems: 'promptPoolItems',
	promptPoolBlocks: 'promptPoolBlocks',
	promptPoolRatingIndexes: 'promptPoolRatingIndexes',
	runs: 'runs',
	runManifests: 'runManifests',
	runRecords: 'runRecords',
	runSamples: 'runSamples',
	responseCache: 'responseCache'
} as const;
