/**
 * Recognising SillyTavern lorebooks (world info). Two shapes carry the same entries:
 * - a world-info file, as SillyTavern saves and exports it: `{"entries": {"0": {uid, key: [...],
 *   keysecondary, comment, content, constant, disable, order, …}, "1": …}, name?}` (entries keyed
 *   by uid);
 * - a character book (the character card V2 spec's `character_book`, also saved on its own):
 *   `{"name"?, "entries": [{keys: [...], content, enabled, insertion_order, name?, comment?, …}]}`.
 * Lorebooks are lore for character sheets, not conversations: the importer lists them in the
 * report, and the library turns their entries into sheet chunks.
 */
import { hasKey, isRecord, type JsonRecord } from '../json-safety';

export type LorebookKind = 'world-info' | 'character-book';

export interface LorebookEntry {
	/** The entry's comment or name, or its first keys when it has none. */
	title: string;
	keys: string[];
	content: string;
	/** False for entries SillyTavern has switched off (`disable: true` / `enabled: false`). */
	enabled: boolean;
}

export interface RecognisedLorebook {
	kind: LorebookKind;
	/** The book's own name; '' when it has none (world-info files are named by their file). */
	name: string;
	entries: LorebookEntry[];
}

function strings(value: unknown): string[] {
	return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string' && item.trim() !== '').map((item) => item.trim()) : [];
}

function text(record: JsonRecord, key: string): string {
	const value = hasKey(record, key) ? record[key] : undefined;
	return typeof value === 'string' ? value : '';
}

/** An entry of either shape: content as text, and keys (`key` in world info, `keys` in a book). */
function looksLikeEntry(value: unknown): value is JsonRecord {
	return isRecord(value) && typeof value.content === 'string' && (Array.isArray(value.key) || Array.isArray(value.keys));
}

function readEntry(entry: JsonRecord, index: number): LorebookEntry {
	const keys = strings(hasKey(entry, 'key') ? entry.key : entry.keys);
	const named = text(entry, 'comment').trim() || text(entry, 'name').trim();
	const title = named || (keys.length > 0 ? keys.slice(0, 3).join(', ') : `Entry ${index + 1}`);
	const enabled = !(entry.disable === true || entry.enabled === false);
	return { title, keys, content: text(entry, 'content'), enabled };
}

export function recogniseLorebook(record: JsonRecord): RecognisedLorebook | null {
	if (!hasKey(record, 'entries')) return null;
	const entries = record.entries;
	const name = text(record, 'name').trim();
	if (Array.isArray(entries)) {
		if (entries.length === 0 || !entries.every(looksLikeEntry)) return null;
		return { kind: 'character-book', name, entries: entries.map((entry, index) => readEntry(entry, index)) };
	}
	if (!isRecord(entries)) return null;
	const values = Object.values(entries);
	if (values.length === 0 || !values.every(looksLikeEntry)) return null;
	// Entries are keyed by uid; SillyTavern lists them by `displayIndex` when it has one.
	const ordered = values
		.map((entry, index) => ({ entry, index, at: typeof entry.displayIndex === 'number' ? entry.displayIndex : index }))
		.sort((a, b) => a.at - b.at || a.index - b.index);
	return { kind: 'world-info', name, entries: ordered.map(({ entry }, index) => readEntry(entry, index)) };
}

export const LOREBOOK_NOTE = 'SillyTavern lorebook (world info) recognised: listed in the report, not imported as entries';
