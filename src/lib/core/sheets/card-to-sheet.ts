/**
 * SillyTavern character card (V1/V2/V3 JSON object, or PNG bytes) → character sheet
 * (reference/formats.md §3.4). The card's prose fields and each enabled lorebook entry become
 * chunks; the greeting and example dialogues become part of every chunk's context, as examples of
 * the character's voice. `{{char}}`/`<BOT>` become the character's name (V3 `nickname` first) and
 * `{{user}}`/`<USER>` are kept as the `{{user}}` placeholder. The card object itself is kept as
 * is in `sheet.card` and never modified, so unknown fields and extensions survive.
 */
import { recogniseCharacterCard } from '../formats/character-card';
import { decodeBase64Utf8, findCardChunk, readPngTextChunks } from '../import/png-card';
import { hasKey, isRecord, type JsonRecord } from '../json-safety';
import { DEFAULT_CHUNK_SETTINGS, resolveBuildOptions, type CharacterSheet, type SheetBuildOptions, type SheetChunk, type SheetChunkSettings } from './sheet';
import { DEFAULT_PROMPT_TEMPLATE } from './prompt';
import { leadText } from './character-name';

export interface CardToSheetOptions extends SheetBuildOptions {
	settings?: SheetChunkSettings;
	promptTemplate?: string;
}

export interface CardSheetResult {
	ok: true;
	sheet: CharacterSheet;
	spec: 'chara_card_v1' | 'chara_card_v2' | 'chara_card_v3';
	warnings: string[];
}

export interface CardSheetError {
	ok: false;
	error: string;
}

/** The prose fields that become chunks, in the order a reader meets them. */
const CHUNK_FIELDS = [
	['description', 'Description'],
	['personality', 'Personality'],
	['scenario', 'Scenario'],
	['system_prompt', 'System prompt']
] as const;

/** Card macros, case-insensitive as SillyTavern reads them. */
export function substituteCardMacros(text: string, characterName: string): string {
	return text.replace(/\{\{\s*char\s*\}\}|<BOT>/gi, () => characterName).replace(/\{\{\s*user\s*\}\}|<USER>/gi, '{{user}}');
}

function stringField(record: JsonRecord, key: string): string {
	const value = hasKey(record, key) ? record[key] : undefined;
	return typeof value === 'string' ? value : '';
}

function entryTitle(entry: JsonRecord, index: number): string {
	const name = stringField(entry, 'name').trim() || stringField(entry, 'comment').trim();
	if (name !== '') return `Lore: ${name}`;
	const keys = hasKey(entry, 'keys') && Array.isArray(entry.keys) ? entry.keys.filter((k): k is string => typeof k === 'string' && k.trim() !== '') : [];
	return keys.length > 0 ? `Lore: ${keys.slice(0, 3).join(', ')}` : `Lore entry ${index + 1}`;
}

function buildContext(name: string, data: JsonRecord, macros: (text: string) => string): string {
	const parts: string[] = [name === '' ? 'You are the character described below.' : `You are ${name}.`];
	const firstMessage = stringField(data, 'first_mes').trim();
	if (firstMessage !== '') parts.push(`Example opening message:\n${macros(firstMessage)}`);
	const examples = stringField(data, 'mes_example').trim();
	if (examples !== '') parts.push(`Example dialogues:\n${macros(examples)}`);
	return parts.join('\n\n');
}

/** A card given as a parsed JSON value. */
export function cardObjectToSheet(card: unknown, options: CardToSheetOptions = {}): CardSheetResult | CardSheetError {
	if (!isRecord(card)) return { ok: false, error: 'not a character card: expected a JSON object' };
	const recognised = recogniseCharacterCard(card);
	if (recognised === null) return { ok: false, error: 'not a character card: no "spec" of chara_card_v2/v3 and not the six V1 fields' };
	const data: JsonRecord = recognised.spec === 'chara_card_v1' ? card : hasKey(card, 'data') && isRecord(card.data) ? card.data : card;
	const warnings: string[] = [];
	if (recognised.spec !== 'chara_card_v1' && data === card) warnings.push('card: "data" is missing; fields were read from the top level');

	const nickname = recognised.spec === 'chara_card_v3' ? stringField(data, 'nickname').trim() : '';
	const name = nickname || recognised.name.trim();
	if (name === '') warnings.push('card: no name; {{char}} is left empty');
	const macros = (text: string) => substituteCardMacros(text, name);
	const { newId, now } = resolveBuildOptions(options);
	const context = buildContext(name, data, macros);
	const makeChunk = (title: string, text: string): SheetChunk => ({
		id: newId(),
		title,
		context,
		document: macros(text.trim()),
		settings: { ...(options.settings ?? DEFAULT_CHUNK_SETTINGS) },
		promptTemplate: options.promptTemplate ?? DEFAULT_PROMPT_TEMPLATE
	});

	const chunks: SheetChunk[] = [];
	for (const [field, title] of CHUNK_FIELDS) {
		const text = stringField(data, field);
		if (text.trim() !== '') chunks.push(makeChunk(title, text));
	}
	const book = hasKey(data, 'character_book') ? data.character_book : undefined;
	if (book !== undefined && book !== null) {
		const entries = isRecord(book) && hasKey(book, 'entries') ? book.entries : undefined;
		if (!Array.isArray(entries)) warnings.push('character_book: no "entries" array; lorebook skipped');
		else {
			let disabled = 0;
			entries.forEach((entry, index) => {
				if (!isRecord(entry)) {
					warnings.push(`character_book: entry ${index + 1} is not an object; skipped`);
					return;
				}
				if (hasKey(entry, 'enabled') && entry.enabled === false) {
					disabled++;
					return;
				}
				const content = stringField(entry, 'content');
				if (content.trim() === '') return;
				chunks.push(makeChunk(entryTitle(entry, index), content));
			});
			if (disabled > 0) warnings.push(`character_book: ${disabled} disabled entr${disabled > 1 ? 'ies' : 'y'} left out`);
		}
	}
	if (chunks.length === 0) warnings.push('card: no description, personality, scenario, system prompt or lorebook text; the sheet has no chunks');

	// Who the character is, for every chunk's prompt: the description's first paragraph.
	const introduction = leadText(macros(stringField(data, 'description').trim()).split(/\n\s*\n/)[0] ?? '', 600);
	const sheet: CharacterSheet = { id: newId(), name, sourceKind: 'card', chunks, ...(introduction ? { introduction } : {}), card, createdAt: now().toISOString() };
	return { ok: true, sheet, spec: recognised.spec, warnings };
}

/** A card embedded in a PNG (`ccv3` preferred over `chara`), read with the importer's PNG reader. */
export function pngCardToSheet(bytes: Uint8Array, options: CardToSheetOptions = {}): CardSheetResult | CardSheetError {
	const chunks = readPngTextChunks(bytes);
	if (chunks === null) return { ok: false, error: 'not a PNG file' };
	const chunk = findCardChunk(chunks);
	if (chunk === null) return { ok: false, error: 'this PNG has no character card (no "ccv3" or "chara" text chunk)' };
	const text = decodeBase64Utf8(chunk.text);
	if (text === null) return { ok: false, error: `the PNG's "${chunk.keyword}" chunk is not valid base64` };
	let card: unknown;
	try {
		card = JSON.parse(text);
	} catch (error) {
		return { ok: false, error: `the PNG's "${chunk.keyword}" chunk is not valid JSON (${error instanceof Error ? error.message : String(error)})` };
	}
	return cardObjectToSheet(card, options);
}

/** Either form: PNG bytes or a parsed JSON value. */
export function cardToSheet(input: Uint8Array | unknown, options: CardToSheetOptions = {}): CardSheetResult | CardSheetError {
	return input instanceof Uint8Array ? pngCardToSheet(input, options) : cardObjectToSheet(input, options);
}
