/**
 * OpenAI / ChatML `messages` JSONL, minimal or with metadata.
 *
 * - minimal: exactly `entryToLine(entry, 'openai')`: `{messages, tools?}`.
 * - with metadata ("annotated"): `{messages, tools?, id, metadata: {tags, review, characters?,
 *   provenance?}}` — generated entries carry their generation provenance (recipe, record, every
 *   step as sent, model, sampling, judge) so a trainer's pipeline can filter on it. Skein's fields
 *   go under one `metadata` key (plus the conventional top-level `id`, as ISF's minimal samples
 *   have) so they cannot collide with keys a trainer reads. Trainers that reject unknown keys
 *   (OpenAI's own endpoint) want the minimal variant.
 *
 * Messages keep only OpenAI's keys unless "keep other message keys" is on (then every key is
 * written as stored); whatever the role, nothing is ever skipped here. Whether a trainer accepts custom roles is the
 * pre-export check's business, not the writer's.
 */
import type { Entry, Message } from '../model';
import { droppedKeyLoss, droppedMediaLoss } from './message-fields';
import { mediaColumnsOf } from '../formats/media';
import { entryToOpenAiRecord } from './serialize';
import { written, type WriteOutcome } from './write-outcome';

export function entryToOpenAiMetadataRecord(entry: Entry): Record<string, unknown> {
	const metadata = {
		tags: entry.tags,
		review: entry.meta.review,
		...(entry.characters !== undefined ? { characters: entry.characters } : {}),
		...(entry.meta.provenance !== undefined ? { provenance: entry.meta.provenance } : {})
	};
	return { ...entryToOpenAiRecord(entry), id: entry.id, metadata };
}

/** The message keys OpenAI's chat format defines; anything else (send_date, swipes…) is foreign. */
const OPENAI_KEYS: ReadonlySet<string> = new Set(['role', 'content', 'name', 'weight', 'tool_calls', 'tool_call_id', 'function_call', 'refusal']);

/**
 * The entry with only OpenAI's message keys, and the keys dropped (as losses). Messages with
 * nothing foreign are kept as they are (the common case costs one key count).
 */
function withOpenAiKeysOnly(entry: Entry): { entry: Entry; losses: string[] } {
	let messages: Message[] | null = null;
	let dropped: Set<string> | null = null;
	for (let i = 0; i < entry.messages.length; i++) {
		const message = entry.messages[i];
		const keys = Object.keys(message);
		if (keys.length === 2 && keys.every((key) => OPENAI_KEYS.has(key))) continue;
		if (keys.every((key) => OPENAI_KEYS.has(key))) continue;
		messages ??= entry.messages.slice();
		const kept: [string, unknown][] = [];
		for (const key of keys) {
			if (OPENAI_KEYS.has(key)) kept.push([key, (message as Record<string, unknown>)[key]]);
			else (dropped ??= new Set()).add(key);
		}
		messages[i] = Object.fromEntries(kept) as Message;
	}
	if (messages === null) return { entry, losses: [] };
	return { entry: { ...entry, messages }, losses: [...(dropped ?? [])].map(droppedKeyLoss) };
}

/**
 * `keepExtras` writes every message key (SillyTavern's send_date, swipes…) as stored; otherwise
 * only OpenAI's keys, which is what its endpoint and the openai-chat profile accept.
 */
export function writeOpenAi(entry: Entry, withMetadata: boolean, keepExtras = false): WriteOutcome {
	const { entry: out, losses } = keepExtras ? { entry, losses: [] } : withOpenAiKeysOnly(entry);
	const record = withMetadata ? entryToOpenAiMetadataRecord(out) : entryToOpenAiRecord(out);
	const media = mediaColumnsOf(entry.extra);
	return written([JSON.stringify(record)], media.length === 0 ? losses : [...losses, ...media.map(droppedMediaLoss)]);
}
