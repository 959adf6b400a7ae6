/**
 * Skein's own full-fidelity JSONL (written by `export/serialize.ts`):
 * `{"messages": [...], ...extra keys..., "skein": {"v": 1, id, tags, characters?, meta, hash, preference?, extra?}}`.
 * `skein.extra` is present only when an extra key would have collided with `messages` or `skein`;
 * then the top level carries nothing but those two keys.
 */
import { EntrySchema, type Entry } from '../model';
import { hasKey, isRecord, omitKeys, type JsonRecord } from '../json-safety';

export const SKEIN_FORMAT_VERSION = 1;
export const SKEIN_KEY = 'skein';
/** Top-level keys an extra key must not take. */
export const SKEIN_RESERVED_KEYS: ReadonlySet<string> = new Set(['messages', SKEIN_KEY]);

export function isSkeinRecord(record: JsonRecord): boolean {
	return hasKey(record, SKEIN_KEY) && isRecord(record[SKEIN_KEY]) && hasKey(record, 'messages');
}

/** A Skein record → its entry (exactly as exported), or the reason it is not valid. */
export function convertSkein(record: JsonRecord): Entry | string {
	const skein = record[SKEIN_KEY] as JsonRecord;
	if (skein.v !== SKEIN_FORMAT_VERSION) return `unsupported Skein record version: ${JSON.stringify(skein.v) ?? 'none'}`;
	const extra = hasKey(skein, 'extra') ? skein.extra : omitKeys(record, SKEIN_RESERVED_KEYS);
	const candidate = {
		id: skein.id,
		messages: record.messages,
		tags: skein.tags,
		...(hasKey(skein, 'characters') ? { characters: skein.characters } : {}),
		meta: skein.meta,
		extra,
		hash: skein.hash,
		...(hasKey(skein, 'preference') ? { preference: skein.preference } : {})
	};
	// Validate only: zod's output is a rebuilt copy, and the parsed original is already exact.
	const result = EntrySchema.safeParse(candidate);
	if (!result.success) {
		const issue = result.error.issues[0];
		const path = issue.path.map(String).join('.');
		return `invalid Skein record: ${path === '' ? '' : path + ': '}${issue.message}`;
	}
	return candidate as Entry;
}
