/**
 * The rows Skein stores (one home for every layer: db/ writes them, workers/ and the page read
 * them). The IndexedDB layout itself — table names, indexes, block size, and why — is db/schema.ts.
 */
import type { Entry, ImportReport } from '../model';
import type { OperationRecord } from '../curation/operations';
import type { CharacterSheet } from '../sheets/sheet';
import type { IdentityDocument, PromptPool } from '../recipes/sources';
import type { DraftSample, RecordStat, RunSettings } from '../recipes/recipe';
import type { RunManifest } from '../runtime/manifest';
import type { StepRecord } from '../runtime/dispatcher';
import type { TaskNote } from '../runtime/task';
import type { ChatResponse, StructuredOutputMode } from './engine';
import type { RunRateLimits } from '../runtime/rate-limits';
import type { TemplateTarget } from '../templates/target-schema';

/** Small key-value facts about this browser's copy of the app (e.g. whether the sample was seeded). */
export interface SettingRow {
	key: string;
	value: unknown;
}

export type DatasetStatus = 'importing' | 'ready';

export interface DatasetRow {
	id: string;
	name: string;
	createdAt: number;
	updatedAt: number;
	status: DatasetStatus;
	/** While importing: refreshed every few seconds so another tab can tell a live import from a dead one. */
	heartbeatAt: number;
	entryCount: number;
	/** Number of entries in each block, in block order: the entry browser maps positions to blocks with it. */
	blockSizes: number[];
	/** Next number for generated entry ids (`e<n>`). */
	nextEntryNo: number;
	/** Approximate bytes of the working copy (sum of imported line lengths). */
	sizeBytes: number;
	report: ImportReport | null;
	/** Hash of the imported entries' content hashes, in order: the same data imported twice matches. */
	contentHash?: string;
	/** true for the built-in sample dataset. */
	builtIn?: boolean;
	/** The model the data is for (chat template, max_seq_len, loss mode); absent = none chosen. */
	templateTarget?: TemplateTarget;
}

export interface BlockRow {
	datasetId: string;
	blockNo: number;
	entries: Entry[];
}

export interface OriginalRow {
	id?: number;
	datasetId: string;
	fileName: string;
	mimeType: string;
	sizeBytes: number;
	/** The imported bytes, untouched. */
	blob: Blob;
	importedAt: number;
}

/**
 * One change to the working copy at a position: `before` null = inserted, `after` null = deleted.
 * Undo applies the changes swapped, in reverse order.
 */
export interface EntryChange {
	position: number;
	before: Entry | null;
	after: Entry | null;
}

/**
 * One undoable operation on a dataset. `seq` orders a dataset's history; `undone` ones form the
 * redo stack. Either position-based `changes` (an editor save, checked against what the editor
 * loaded) or an id-based curation `operation` with its compact inverse (bulk actions, split, join).
 */
export interface HistoryRow {
	id?: number;
	datasetId: string;
	seq: number;
	label: string;
	at: number;
	undone: boolean;
	changes: EntryChange[];
	operation?: OperationRecord;
	/** The tab that made the change (db/history-origin.ts); absent in rows from before it was kept. */
	origin?: string;
}

/** A named copy of a dataset's working copy at one moment; its blocks are in `snapshotBlocks`. */
export interface SnapshotRow {
	id: string;
	datasetId: string;
	name: string;
	createdAt: number;
	entryCount: number;
	blockSizes: number[];
}

export interface SnapshotBlockRow {
	snapshotId: string;
	blockNo: number;
	entries: Entry[];
}

/** The tag library (all datasets): a canonical slug, its label, category and aliases. */
export interface TagRow {
	slug: string;
	label: string;
	category?: string;
	aliases: string[];
}

/** The character library: who speaks in roleplay data, and the speaker names that mean them. */
export interface CharacterRow {
	id: string;
	name: string;
	description: string;
	aliases: string[];
}

/** A named filter of the entry browser, per dataset (the filter itself is its URL form). */
export interface SavedFilterRow {
	id: string;
	datasetId: string;
	name: string;
	/** `encodeFilterToUrl` output. */
	query: string;
	createdAt: number;
}

/**
 * A row of the prompt compiler's registry (a chunk or a template with its mappings). The compiler
 * defines `value`'s shape and validates it with zod when read; `builtInHash` tells a user's edit
 * from an upgraded built-in ("built-in changed, yours kept").
 */
export interface PromptRegistryRow {
	id: string;
	value: unknown;
	/** Hash of the built-in version this row was seeded from or last reset to; absent for user-made rows. */
	builtInHash?: string;
	/** True once the user edited it: upgrades of the built-in library never overwrite it. */
	edited: boolean;
	updatedAt: number;
}

/** A character sheet (core/sheets/sheet.ts) as stored. */
export type CharacterSheetRow = CharacterSheet & { updatedAt: number };

export type IdentityDocumentRow = IdentityDocument;

export type PromptPoolRow = PromptPool;

/**
 * One prompt of a pool as schema version 3 stored it (one row each; too slow to write at 100k).
 * Kept only so the version 4 upgrade can read it into blocks.
 */
export interface PromptPoolItemRow {
	poolId: string;
	index: number;
	text: string;
	/** -1 = unrated (IndexedDB cannot index null). */
	rating: number;
	ordinal: number;
}

/**
 * Up to POOL_BLOCK_SIZE prompts of a pool in pool order, keyed [poolId+blockNo]: item `index` is
 * `texts[index % POOL_BLOCK_SIZE]` of block `floor(index / POOL_BLOCK_SIZE)`. One row per block
 * writes a 100k-prompt pool in well under a second, where one row per prompt took ~12 s.
 */
export interface PromptPoolBlockRow {
	poolId: string;
	blockNo: number;
	texts: string[];
	/** Parallel to `texts`; -1 = unrated. */
	ratings: number[];
}

/**
 * Where each rating's items are: `byRating[key][ordinal]` is the pool index of the `ordinal`-th
 * item with that rating (key as ratingKey: '' = unrated), so a stratified sample reads only the
 * blocks holding the items it chose.
 */
export interface PromptPoolRatingIndexRow {
	poolId: string;
	byRating: Record<string, Uint32Array>;
}

/**
 * How a run reaches its engine, without secrets: an endpoint's API key stays in localStorage
 * (settings-keys.ts) and is never written here, exported or logged.
 */
export type EngineChoice =
	| { kind: 'test'; label: string; options?: { delayMs?: number; failEvery?: number; badJsonEvery?: number } }
	| {
			kind: 'endpoint';
			label: string;
			baseUrl: string;
			model: string;
			/** How structured answers are asked for (negotiated on the Engines page); json_object when absent (runs from before). */
			structuredOutput?: StructuredOutputMode;
			/** Whether answers are streamed (SSE); false when absent (runs from before). */
			stream?: boolean;
	  }
	| { kind: 'webllm'; label: string; modelId: string }
	| { kind: 'manual'; label: string };

export type RunState = 'queued' | 'running' | 'paused' | 'interrupted' | 'cancelled' | 'done';

export interface RunCounts {
	total: number;
	done: number;
	failed: number;
	samples: number;
	engineCalls: number;
	cacheHits: number;
	promptTokens: number;
	completionTokens: number;
	/** Sum of engine-reported milliseconds of answered calls (tokens/s = completionTokens / this). */
	engineMs: number;
}

/** A generation run: recipe, parameters, engine, settings and manifest (SPEC §1 "Runs"). */
export interface RunRow {
	id: string;
	recipeId: string;
	/** "Chunked generation — Mara sheet", editable. */
	label: string;
	params: unknown;
	settings: RunSettings;
	engine: EngineChoice;
	/** Concurrency actually used. */
	concurrency: number;
	manifest: RunManifest;
	state: RunState;
	counts: RunCounts;
	createdAt: number;
	updatedAt: number;
	/** Dataset accepted samples go to by default. */
	targetDatasetId?: string;
	/** Requests and tokens per minute the run keeps to (none: as fast as concurrency allows). */
	rateLimits?: RunRateLimits;
	/**
	 * An unlimited run whose inputs are still being read, block by block, while it runs
	 * (workers/run-feed.ts): the source position the next block starts at. Absent once every
	 * input is a record (and the manifest covers them all).
	 */
	feed?: { from: number };
}

/**
 * A run's manifest, in its own table (schema version 5): a run over a large dataset has one
 * document hash per entry, and the run row is rewritten with every batch of progress.
 */
export interface RunManifestRow {
	runId: string;
	manifest: RunManifest;
}

/** A run as its table holds it: without the manifest (a row written before version 5 may still have one). */
export type RunTableRow = Omit<RunRow, 'manifest'> & { manifest?: RunManifest };

export type RunRecordState = 'pending' | 'done' | 'failed';

/** One input record of a run and everything that happened to it (persisted as each step completes). */
export interface RunRecordRow {
	runId: string;
	recordIndex: number;
	recordId: string;
	label: string;
	input: unknown;
	state: RunRecordState;
	steps: StepRecord[];
	notes: TaskNote[];
	error?: { type: string; message: string };
	stats?: RecordStat[];
	/**
	 * Retry round (absent: 0): "Retry failed only" and "Ask again" start a new round, in which
	 * answers flagged unusable are asked again with the seed moved on (core/runtime/cache-key.ts).
	 */
	round?: number;
	/** Set by "Ask again, ignore the cache": this round replays nothing from earlier rounds. */
	fresh?: boolean;
	updatedAt: number;
}

export type SampleReview = 'pending' | 'accepted' | 'rejected';

/** A generated sample awaiting review; accepted ones are copied into a dataset with provenance. */
export interface RunSampleRow {
	/** `${runId}:${recordIndex}:${sampleIndex}`: a re-run of a record replaces its samples. */
	id: string;
	runId: string;
	recordIndex: number;
	sampleIndex: number;
	sample: DraftSample;
	review: SampleReview;
	/** The reviewer's edit of the messages, when any. */
	edited?: DraftSample['messages'];
	acceptedInto?: { datasetId: string; entryId: string; at: number };
	createdAt: number;
}

/** The response cache (core/runtime/cache-key.ts): a resumed run pays nothing twice. */
export interface ResponseCacheRow {
	key: string;
	response: ChatResponse;
	at: number;
	/** Set when the recipe could not use this answer: a retry round asks again instead of replaying it. */
	unusable?: string;
}
