/**
 * A kept character card written out again as a Character Card V2 or V3 object
 * (reference/formats.md §3.4). The card is the one a sheet kept whole (`sheet.card`); nothing
 * Skein does not understand is dropped, so `extensions`, `character_book` (with entries' own
 * extensions) and any unknown field come back exactly as they were read.
 *
 * - V2 → V2 and V3 → V3: the kept object, unchanged.
 * - V2 → V3: the same object with `spec: "chara_card_v3"`, `spec_version: "3.0"` and V3's one
 *   required addition, `data.group_only_greetings` (empty when absent). This is what SillyTavern
 *   itself writes in a PNG's `ccv3` chunk.
 * - V3 → V2: the same object with `spec: "chara_card_v2"`, `spec_version: "2.0"`; V3-only fields
 *   stay in `data` (V2 readers ignore fields they do not know, as the V2 spec asks).
 * - V1 (six top-level fields) → V2/V3: those fields copied into `data` with the V2 defaults
 *   beside them; the top-level fields stay too, for V1 readers, as SillyTavern writes them.
 */
import { recogniseCharacterCard } from './character-card';
import { hasKey, isRecord, type JsonRecord } from '../json-safety';

export type CardFormat = 'v2' | 'v3';

const SPECS = { v2: { spec: 'chara_card_v2', spec_version: '2.0' }, v3: { spec: 'chara_card_v3', spec_version: '3.0' } } as const;

/** V2's fields beyond V1's six, with their empty values (V2 spec: every field is present). */
function v2Defaults(): JsonRecord {
	return { creator_notes: '', system_prompt: '', post_history_instructions: '', alternate_greetings: [], tags: [], creator: '', character_version: '', extensions: {} };
}

const V1_FIELDS = ['name', 'description', 'personality', 'scenario', 'first_mes', 'mes_example'] as const;

export type CardExport = { ok: true; card: JsonRecord; name: string } | { ok: false; error: string };

/** The kept card as a V2 or V3 object (see the module comment for what changes). */
export function exportCard(card: unknown, format: CardFormat): CardExport {
	if (!isRecord(card)) return { ok: false, error: 'This sheet keeps no character card (it was not made from one).' };
	const recognised = recogniseCharacterCard(card);
	if (!recognised) return { ok: false, error: 'The kept card is not a V1, V2 or V3 character card.' };
	const target = SPECS[format];
	if (recognised.spec === target.spec) return { ok: true, card, name: recognised.name };
	let data: JsonRecord;
	if (recognised.spec === 'chara_card_v1') {
		data = { ...Object.fromEntries(V1_FIELDS.map((field) => [field, card[field]])), ...v2Defaults() };
	} else {
		const kept = hasKey(card, 'data') && isRecord(card.data) ? card.data : {};
		data = { ...kept };
	}
	if (format === 'v3' && !Array.isArray(data.group_only_greetings)) data.group_only_greetings = [];
	return { ok: true, card: { ...card, ...target, data }, name: recognised.name };
}

/** A file name for the card: its character's name, made safe for file systems. */
export function cardFileName(name: string, format: CardFormat | 'png'): string {
	const printable = [...name].map((char) => (char.charCodeAt(0) < 0x20 ? ' ' : char)).join('');
	const stem = printable.replace(/[\\/:*?"<>|]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 80) || 'character';
	return format === 'png' ? `${stem}.png` : `${stem}.card-${format}.json`;
}
