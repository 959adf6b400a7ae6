/**
 * Preference exports (issue 16), in TRL's conversational formats and LLaMA-Factory's ranking one:
 *
 * - `dpo` (TRL preference, DPO / ORPO / reward models): `{"prompt": [...], "chosen": [...], "rejected": [...]}`,
 *   every value a list of `{role, content, …}` messages; one line per pair. Other entries are skipped.
 * - `kto` (TRL unpaired preference): `{"prompt": [...], "completion": [...], "label": bool}`; a
 *   labelled entry is one line (the completion is what follows its last user turn); a pair is two
 *   lines, chosen `true` and rejected `false`, as TRL's `unpair_preference_dataset` makes them.
 * - `sharegpt-ranking` (LLaMA-Factory, `"formatting": "sharegpt", "ranking": true`):
 *   `{"conversations": [{from, value}…], "chosen": {"from": "gpt", "value"}, "rejected": {…}, tools?}`;
 *   only pairs whose answers are one assistant text message each (what LLaMA-Factory accepts).
 *
 * Messages are written as stored (with their other keys); `tools` from the entry's extra keys goes
 * along in the TRL formats (TRL reads a `tools` column), media columns are counted as lost.
 */
import type { Entry, Message } from '../model';
import { hasKey } from '../json-safety';
import { mediaColumnsOf } from '../formats/media';
import { skip } from './skip-reason';
import { droppedMediaLoss } from './message-fields';
import { skipped, written, type WriteOutcome } from './write-outcome';
import { writeShareGpt } from './write-sharegpt';

export const PREFERENCE_EXPORT_FORMATS = ['dpo', 'kto', 'sharegpt-ranking'] as const;
export type PreferenceExportFormat = (typeof PREFERENCE_EXPORT_FORMATS)[number];

function notPreference(entry: Entry, wants: string): WriteOutcome {
	if (entry.preference?.kind === 'label') return skipped(skip('not-a-pair', `a labelled answer (KTO), not a pair: ${wants}`));
	return skipped(skip('no-preference', `not preference data (no chosen / rejected pair or label): ${wants}`));
}

function extrasOf(entry: Entry): { tools?: unknown; losses: string[] } {
	const losses = mediaColumnsOf(entry.extra).map((column) => droppedMediaLoss(column));
	const tools = hasKey(entry.extra, 'tools') && entry.extra.tools !== null && entry.extra.tools !== undefined ? entry.extra.tools : undefined;
	return tools === undefined ? { losses } : { tools, losses };
}

export function writeDpo(entry: Entry): WriteOutcome {
	const preference = entry.preference;
	if (preference?.kind !== 'pair') return notPreference(entry, 'the DPO format needs a chosen and a rejected answer');
	const { tools, losses } = extrasOf(entry);
	const record = { prompt: entry.messages, chosen: preference.chosen, rejected: preference.rejected, ...(tools !== undefined ? { tools } : {}) };
	return written([JSON.stringify(record)], losses);
}

/** Where a labelled conversation's completion starts: after its last user turn (null when it has none). */
export function completionStart(messages: readonly Message[]): number | null {
	for (let i = messages.length - 1; i >= 0; i--) if (messages[i].role === 'user') return i + 1 < messages.length ? i + 1 : null;
	return null;
}

export function writeKto(entry: Entry): WriteOutcome {
	const preference = entry.preference;
	const { tools, losses } = extrasOf(entry);
	const line = (prompt: Message[], completion: Message[], label: boolean) =>
		JSON.stringify({ prompt, completion, label, ...(tools !== undefined ? { tools } : {}) });
	if (preference?.kind === 'pair') {
		return written([line(entry.messages, preference.chosen, true), line(entry.messages, preference.rejected, false)], losses);
	}
	if (preference?.kind !== 'label') return notPreference(entry, 'the KTO format needs a labelled answer or a pair');
	const start = completionStart(entry.messages);
	if (start === null) return skipped(skip('no-exchange', 'no answer after the last user turn, so there is no completion to label'));
	return written([line(entry.messages.slice(0, start), entry.messages.slice(start), preference.label)], losses);
}

function singleAnswer(messages: readonly Message[]): string | null {
	if (messages.length !== 1) return null;
	const [message] = messages;
	return message.role === 'assistant' && typeof message.content === 'string' && !hasKey(message, 'tool_calls') ? message.content : null;
}

export function writeShareGptRanking(entry: Entry): WriteOutcome {
	const preference = entry.preference;
	if (preference?.kind !== 'pair') return notPreference(entry, 'the ranking format needs a chosen and a rejected answer');
	const chosen = singleAnswer(preference.chosen);
	const rejected = singleAnswer(preference.rejected);
	if (chosen === null || rejected === null) {
		return skipped(skip('multi-turn', `the ${chosen === null ? 'chosen' : 'rejected'} answer is not one assistant text message, which LLaMA-Factory's ranking format needs`));
	}
	const prompt = writeShareGpt({ ...entry, preference: undefined });
	if (prompt.kind === 'skipped') return prompt;
	const record = JSON.parse(prompt.lines[0]) as Record<string, unknown>;
	const line = JSON.stringify({ conversations: record.conversations, chosen: { from: 'gpt', value: chosen }, rejected: { from: 'gpt', value: rejected }, ...omitConversations(record) });
	return written([line], prompt.losses);
}

function omitConversations(record: Record<string, unknown>): Record<string, unknown> {
	const rest: Record<string, unknown> = {};
	for (const key of Object.keys(record)) if (key !== 'conversations') Object.defineProperty(rest, key, { value: record[key], enumerable: true, writable: true, configurable: true });
	return rest;
}
