/**
 * Skein's data model. Every boundary (import, worker messages, database reads of older
 * versions, re-import of Skein's own JSONL) validates with these zod schemas; code inside
 * the core works on the inferred types.
 */
import { z } from 'zod';
import { FORMAT_IDS } from './format-ids';

/** The four roles every trainer understands. Custom speaker names are kept as-is until mapped. */
export const STANDARD_ROLES = ['system', 'user', 'assistant', 'tool'] as const;
export type StandardRole = (typeof STANDARD_ROLES)[number];

/**
 * A message: `role` and `content`, plus `name`, `weight`, `tool_calls`, `tool_call_id` and any
 * other key, preserved as own properties (the OpenAI shape), so that export is lossless.
 * `content` is a string, an array of structured parts (kept and flagged), or null (tool-call turns).
 */
export const MessageSchema = z.looseObject({
	role: z.string(),
	content: z.union([z.string(), z.array(z.unknown()), z.null()])
});
export type Message = z.infer<typeof MessageSchema>;

export const REVIEW_STATES = ['draft', 'accepted', 'rejected'] as const;
export const ReviewStateSchema = z.enum(REVIEW_STATES);
export type ReviewState = z.infer<typeof ReviewStateSchema>;

export { FORMAT_IDS, FORMAT_LABELS } from './format-ids';
export const FormatIdSchema = z.enum(FORMAT_IDS);
export type FormatId = z.infer<typeof FormatIdSchema>;

export const EntrySourceSchema = z.object({
	format: FormatIdSchema,
	file: z.string().optional(),
	line: z.number().int().nonnegative().optional()
});
export type EntrySource = z.infer<typeof EntrySourceSchema>;

/** Free metadata. Known keys are typed; anything else (generation provenance, ISF fields) is kept. */
export const EntryMetaSchema = z.looseObject({
	review: ReviewStateSchema,
	source: EntrySourceSchema.optional(),
	notes: z.string().optional(),
	provenance: z.unknown().optional()
});
export type EntryMeta = z.infer<typeof EntryMetaSchema>;

/**
 * Preference data kept as data (issue 16), not flattened into a chat:
 * - `pair` (DPO/ORPO): `messages` is the shared prompt (it ends on the user's turn); `chosen` and
 *   `rejected` are the two continuations (usually one assistant message each). `origin` says where
 *   the pair came from: an imported file, SillyTavern swipes, a regenerated turn, judge scores or
 *   review decisions.
 * - `label` (KTO, unpaired): `messages` is prompt plus completion, and `label` says whether the
 *   completion is wanted. An unwanted one must never reach an SFT export unannounced.
 */
export const PREFERENCE_ORIGINS = ['import', 'swipes', 'regeneration', 'judge', 'review'] as const;
export const PreferenceSchema = z.discriminatedUnion('kind', [
	z.object({
		kind: z.literal('pair'),
		chosen: z.array(MessageSchema),
		rejected: z.array(MessageSchema),
		origin: z.enum(PREFERENCE_ORIGINS).optional()
	}),
	z.object({ kind: z.literal('label'), label: z.boolean(), origin: z.enum(PREFERENCE_ORIGINS).optional() })
]);
export type Preference = z.infer<typeof PreferenceSchema>;

export const EntrySchema = z.object({
	/** Stable and unique within its dataset. */
	id: z.string().min(1),
	messages: z.array(MessageSchema),
	/** Slugs. */
	tags: z.array(z.string()),
	/** Speaker (role or custom name) → character name. */
	characters: z.record(z.string(), z.string()).optional(),
	meta: EntryMetaSchema,
	/** Unknown top-level keys of the imported record, preserved for export. */
	extra: z.record(z.string(), z.unknown()),
	/** Content hash of the messages (roles and contents), for dedup and staleness. */
	hash: z.string(),
	/** Present on preference data only (see PreferenceSchema). */
	preference: PreferenceSchema.optional()
});
export type Entry = z.infer<typeof EntrySchema>;

/** One bad record in an import: where it is, what it looked like, and why it was not imported. */
export interface LineError {
	line: number;
	excerpt: string;
	reason: string;
}

/** A conversion or guess the importer made, counted over the file ("human → user", …). */
export interface ImportNote {
	text: string;
	count: number;
	/** First line it applied to. */
	line: number;
}

export interface CharacterCardFound {
	line: number;
	name: string;
	spec: 'chara_card_v1' | 'chara_card_v2' | 'chara_card_v3';
	/** Where it came from: a JSON record or a PNG text chunk. */
	container: 'json' | 'png';
}

/** A SillyTavern lorebook (world info) found in an import: lore for character sheets, not entries. */
export interface LorebookFound {
	line: number;
	/** The book's own name, or the file's name without its extension. */
	name: string;
	kind: 'world-info' | 'character-book';
	entries: number;
	/** Entries SillyTavern has not switched off (the ones offered as chunks). */
	enabled: number;
}

export interface IsfErrorRecord {
	line: number;
	errorType: string;
	message: string;
}

export type FileContainer = 'jsonl' | 'json-array' | 'json' | 'png' | 'parquet' | 'binary' | 'empty' | 'text';

export interface FileImportReport {
	fileName: string;
	sizeBytes: number;
	container: FileContainer;
	lines: number;
	records: number;
	imported: number;
	formats: Partial<Record<FormatId, number>>;
	notes: ImportNote[];
	/** The first MAX_REPORTED_ERRORS bad records; `errorCount` has the total. */
	errors: LineError[];
	errorCount: number;
	cards: CharacterCardFound[];
	/** Lorebooks found (absent in reports stored before they were recognised). */
	lorebooks?: LorebookFound[];
	isfErrors: IsfErrorRecord[];
	isfErrorCount: number;
	/** Lines that had invalid UTF-8 (decoded with U+FFFD replacement characters). */
	invalidUtf8Lines: number;
	/**
	 * OpenAI's data-prep check (`format_errors`) over the records that parsed but never became
	 * entries (not an object, no messages list, a broken message): category → count. The
	 * openai-cookbook profile adds them to its report, as the notebook would count them.
	 */
	cookbookNotImported?: Record<string, number>;
	/**
	 * The same check over the records Skein converted from another shape (ShareGPT, Alpaca,
	 * SillyTavern lines…): what the notebook says about the original file, though the entries now
	 * have messages and an OpenAI export of them passes.
	 */
	cookbookConverted?: Record<string, number>;
	/** A file-level verdict when nothing could be read ("this is not a dataset"). */
	fatal?: string;
	/** Preference data among the imported entries (absent when there was none). */
	preference?: PreferenceCounts;
}

/** Preference entries: DPO pairs and KTO labels, and how many of the labels say "unwanted". */
export interface PreferenceCounts {
	pairs: number;
	labels: number;
	unwanted: number;
}

export interface ImportReport {
	files: FileImportReport[];
	imported: number;
	errorCount: number;
	durationMs: number;
	startedAt: number;
}

export const MAX_REPORTED_ERRORS = 500;
