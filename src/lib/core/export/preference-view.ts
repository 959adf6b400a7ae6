/**
 * What an export makes of preference data (issue 16), before the format writer sees it:
 *
 * - SFT formats (OpenAI, ShareGPT, Alpaca, prompt / response, pre-rendered text) train on every assistant answer, so
 *   a pair becomes its prompt + the chosen answer (the rejected answer is never written), a wanted
 *   label (KTO `true`) a plain chat, and an unwanted one (KTO `false`) is left out — each counted
 *   in the export report (a change, or a skip with its reason), never silent.
 * - Preference formats and Skein's own keep the pair; the transforms (system prompt, name macros,
 *   think policy) then run over prompt + chosen and prompt + rejected alike, so both answers are
 *   written under the same rules.
 */
import type { Entry } from '../model';
import { hashMessages } from '../hash';
import type { ExportFileFormat } from './serialize';
import { skip } from './skip-reason';
import { applyTransforms, type TransformOptions, type TransformOutcome } from './transforms';

export const SFT_FORMATS: ReadonlySet<ExportFileFormat> = new Set(['openai', 'sharegpt', 'alpaca', 'prompt-response', 'rendered-text']);

export const CHANGE_PAIR_AS_CHOSEN = 'preference pair written as its prompt + chosen answer (the rejected answer is not written)';
export const CHANGE_LABEL_AS_CHAT = 'answer labelled wanted (KTO true) written as a chat';
export const UNWANTED_MESSAGE = 'answer labelled unwanted (KTO false): an SFT export never writes it (the KTO export does, with its label)';

/** The entry without its preference, with these messages. */
function plainChat(entry: Entry, messages = entry.messages): Entry {
	const { preference: _dropped, ...rest } = entry;
	return messages === entry.messages ? rest : { ...rest, messages, hash: hashMessages(messages) };
}

/** The transforms over a pair: prompt + chosen and prompt + rejected, both answers under the same rules. */
function transformPair(entry: Entry, options: TransformOptions | undefined): TransformOutcome {
	const preference = entry.preference;
	if (preference?.kind !== 'pair') return applyTransforms(entry, options);
	const chosen = applyTransforms(plainChat(entry, [...entry.messages, ...preference.chosen]), options);
	if (chosen.kind === 'excluded') return { kind: 'excluded', reason: { ...chosen.reason, message: `chosen answer side: ${chosen.reason.message}` } };
	const rejected = applyTransforms(plainChat(entry, [...entry.messages, ...preference.rejected]), options);
	if (rejected.kind === 'excluded') return { kind: 'excluded', reason: { ...rejected.reason, message: `rejected answer side: ${rejected.reason.message}` } };
	const changes = [...new Set([...chosen.changes, ...rejected.changes])];
	if (changes.length === 0) return { kind: 'kept', entry, changes };
	const promptLength = chosen.entry.messages.length - preference.chosen.length;
	const prompt = chosen.entry.messages.slice(0, promptLength);
	const transformed: Entry = {
		...chosen.entry,
		messages: prompt,
		hash: hashMessages(prompt),
		preference: { ...preference, chosen: chosen.entry.messages.slice(promptLength), rejected: rejected.entry.messages.slice(rejected.entry.messages.length - preference.rejected.length) }
	};
	return { kind: 'kept', entry: transformed, changes };
}

/** The entry as `format` will write it (after the transforms), or why it is left out. */
export function prepareForExport(entry: Entry, format: ExportFileFormat, options?: TransformOptions): TransformOutcome {
	const preference = entry.preference;
	if (preference === undefined) return applyTransforms(entry, options);
	if (!SFT_FORMATS.has(format)) return transformPair(entry, options);
	if (preference.kind === 'label' && !preference.label) return { kind: 'excluded', reason: skip('unwanted-answer', UNWANTED_MESSAGE) };
	const chat = preference.kind === 'pair' ? plainChat(entry, [...entry.messages, ...preference.chosen]) : plainChat(entry);
	const outcome = applyTransforms(chat, options);
	if (outcome.kind === 'excluded') return outcome;
	return { ...outcome, changes: [preference.kind === 'pair' ? CHANGE_PAIR_AS_CHOSEN : CHANGE_LABEL_AS_CHAT, ...outcome.changes] };
}
