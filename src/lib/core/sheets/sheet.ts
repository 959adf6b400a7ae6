/**
 * The character sheet model (SPEC §1 "Character sheets", §8.3): a character document split into
 * chunks, each carrying what one run of the chunked iterative generation recipe needs — the
 * context (sent as the system message), the document section, the per-chunk settings and a
 * mustache prompt template using Skein's variables (see `prompt.ts`).
 *
 * A sheet made from a SillyTavern card keeps the card object whole in `card`, so re-export never
 * loses fields Skein does not understand (reference/formats.md §3.4: "never destroy").
 */
import { z } from 'zod';

/** Upper bounds keep a typo ("2000000 entries") from turning into a run that never ends. */
export const MAX_ENTRIES_PER_ITERATION = 1000;
export const MAX_ITERATIONS = 100;

export const SheetChunkSettingsSchema = z.object({
	/** `nb_dataset_entries` in seed 003: entries asked for in each iteration. */
	entriesPerIteration: z.number().int().min(1).max(MAX_ENTRIES_PER_ITERATION),
	/** `nb_iterations` in seed 003: how many times the chunk is asked. */
	iterations: z.number().int().min(1).max(MAX_ITERATIONS)
});
export type SheetChunkSettings = z.infer<typeof SheetChunkSettingsSchema>;

/**
 * Seed 003's recommended settings for small models (5 × 5: "manageable for small models"); the
 * seed program itself ran 20 × 5, which a 0.5B–3B model answers with cut-off or repeated entries.
 * An imported seed 003 chunk file keeps its own settings.
 */
export const DEFAULT_CHUNK_SETTINGS: SheetChunkSettings = { entriesPerIteration: 5, iterations: 5 };

export const SheetChunkSchema = z.object({
	id: z.string().min(1),
	title: z.string(),
	context: z.string(),
	document: z.string(),
	settings: SheetChunkSettingsSchema,
	promptTemplate: z.string()
});
export type SheetChunk = z.infer<typeof SheetChunkSchema>;

export const SHEET_SOURCE_KINDS = ['document', 'seed003', 'card', 'lorebook'] as const;
export type SheetSourceKind = (typeof SHEET_SOURCE_KINDS)[number];

export const CharacterSheetSchema = z.object({
	id: z.string().min(1),
	name: z.string(),
	sourceKind: z.enum(SHEET_SOURCE_KINDS),
	chunks: z.array(SheetChunkSchema),
	/**
	 * Who the character is, in a few sentences about them (not "You are …"): every chunk's prompt
	 * carries it, so a chunk about the character's boots still says whose boots. Older sheets have
	 * none; the chunks' context stands in (core/sheets/character-name.ts).
	 */
	introduction: z.string().optional(),
	/** The original card, unchanged (z.unknown keeps every field, known or not). */
	card: z.unknown().optional(),
	/** The PNG the card came in, whole: exported again as the card's picture. */
	cardImage: z.instanceof(Blob).optional(),
	/** ISO 8601 timestamp. */
	createdAt: z.string().min(1)
});
export type CharacterSheet = z.infer<typeof CharacterSheetSchema>;

/** Injected ids and clock keep the converters pure and their tests deterministic. */
export interface SheetBuildOptions {
	newId?: () => string;
	now?: () => Date;
}

export function resolveBuildOptions(options: SheetBuildOptions = {}): { newId: () => string; now: () => Date } {
	return { newId: options.newId ?? (() => crypto.randomUUID()), now: options.now ?? (() => new Date()) };
}

/** CRLF / CR → LF and no BOM: every parser here works on this form. */
export function normaliseNewlines(text: string): string {
	return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}
