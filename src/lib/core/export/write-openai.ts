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
 * Messages are written as they are, every key included, whatever the role: OpenAI's shape is
 * Skein's model, so nothing is ever skipped here. Whether a trainer accepts custom roles is the
 * pre-export check's business, not the writer's.
 */
import type { Entry } from '../model';
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

export function writeOpenAi(entry: Entry, withMetadata: boolean): WriteOutcome {
	const record = withMetadata ? entryToOpenAiMetadataRecord(entry) : entryToOpenAiRecord(entry);
	return written([JSON.stringify(record)]);
}
