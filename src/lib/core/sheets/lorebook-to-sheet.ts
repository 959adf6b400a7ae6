/**
 * SillyTavern lorebook → character sheet chunks: each enabled entry with text becomes one chunk
 * ("Lore: <comment or keys>"), as a card's own `character_book` entries do (card-to-sheet.ts).
 * A lorebook becomes a new sheet of its own, or its entries are added to an existing sheet,
 * taking that sheet's context and name so the new chunks read like its others.
 */
import { isRecord } from '../json-safety';
import { recogniseLorebook, type RecognisedLorebook } from '../formats/lorebook';
import { substituteCardMacros } from './card-to-sheet';
import { DEFAULT_PROMPT_TEMPLATE } from './prompt';
import { DEFAULT_CHUNK_SETTINGS, resolveBuildOptions, type CharacterSheet, type SheetBuildOptions, type SheetChunk } from './sheet';

export interface LorebookChunks {
	chunks: SheetChunk[];
	warnings: string[];
}

export type LorebookRead = { ok: true; book: RecognisedLorebook } | { ok: false; error: string };

/** A parsed JSON value as a lorebook, or why it is not one. */
export function readLorebook(value: unknown): LorebookRead {
	const book = isRecord(value) ? recogniseLorebook(value) : null;
	if (book === null) return { ok: false, error: 'not a SillyTavern lorebook: expected "entries" with "key"/"keys" and "content" in each' };
	return { ok: true, book };
}

/** The chunks a lorebook gives: one per enabled entry with text. */
export function lorebookChunks(book: RecognisedLorebook, options: SheetBuildOptions & { context: string; characterName: string }): LorebookChunks {
	const { newId } = resolveBuildOptions(options);
	const warnings: string[] = [];
	const chunks: SheetChunk[] = [];
	let disabled = 0;
	let empty = 0;
	for (const entry of book.entries) {
		if (!entry.enabled) {
			disabled++;
			continue;
		}
		if (entry.content.trim() === '') {
			empty++;
			continue;
		}
		chunks.push({
			id: newId(),
			title: `Lore: ${entry.title}`,
			context: options.context,
			document: options.characterName === '' ? entry.content.trim() : substituteCardMacros(entry.content.trim(), options.characterName),
			settings: { ...DEFAULT_CHUNK_SETTINGS },
			promptTemplate: DEFAULT_PROMPT_TEMPLATE
		});
	}
	if (disabled > 0) warnings.push(`${disabled} disabled entr${disabled > 1 ? 'ies' : 'y'} left out`);
	if (empty > 0) warnings.push(`${empty} entr${empty > 1 ? 'ies' : 'y'} without text left out`);
	if (chunks.length === 0) warnings.push('no enabled entry has text: no chunks were made');
	return { chunks, warnings };
}

/** A new sheet named after the lorebook (or its file), one chunk per enabled entry. */
export function lorebookToSheet(book: RecognisedLorebook, fallbackName: string, options: SheetBuildOptions = {}): { sheet: CharacterSheet; warnings: string[] } {
	const { newId, now } = resolveBuildOptions(options);
	const name = book.name.trim() || fallbackName.trim();
	const context = name === '' ? 'You know the lore described below.' : `You know the lore of ${name}, described below.`;
	const { chunks, warnings } = lorebookChunks(book, { ...options, newId, context, characterName: '' });
	return { sheet: { id: newId(), name, sourceKind: 'lorebook', chunks, createdAt: now().toISOString() }, warnings };
}

/** The sheet with the lorebook's entries added after its chunks, in the sheet's own context. */
export function addLorebookToSheet(sheet: CharacterSheet, book: RecognisedLorebook, options: SheetBuildOptions = {}): { sheet: CharacterSheet; added: number; warnings: string[] } {
	const context = sheet.chunks[0]?.context ?? (sheet.name === '' ? '' : `You are ${sheet.name}.`);
	const { chunks, warnings } = lorebookChunks(book, { ...options, context, characterName: sheet.name });
	return { sheet: { ...sheet, chunks: [...sheet.chunks, ...chunks] }, added: chunks.length, warnings };
}
