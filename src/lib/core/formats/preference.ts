/**
 * Preference data on import (issue 16): records that hold a pair of answers (DPO / ORPO) or a
 * labelled answer (KTO) become entries with `preference`, never plain chats.
 *
 * LLaMA-Factory (`dataset_info.json` with `"ranking": true`, data/README.md; v1 converter):
 * - ShareGPT: `{conversations: [{from, value}…], chosen: {from, value}, rejected: {from, value}, system?, tools?}`
 *   — the conversation is the prompt (it ends on the human turn), chosen / rejected one message each;
 * - the same with OpenAI tags: `{messages: [{role, content}…], chosen: {role, content}, rejected: {…}}`;
 * - Alpaca: `{instruction, input?, chosen, rejected, system?, history?}` with text answers;
 * - v1: `{chosen_messages, rejected_messages}`, two whole conversations (typed `{type, value}` parts)
 *   whose shared beginning is the prompt;
 * - KTO: `{messages | conversations, label: bool}` (kto_en_demo.json; the last message is the
 *   answer) or Alpaca `{instruction, input?, output, kto_tag: bool}`.
 *
 * TRL (docs/source/dataset_formats.md):
 * - preference: `{prompt, chosen, rejected}`, standard (text) or conversational (message lists);
 *   with an implicit prompt, `{chosen, rejected}` whose shared beginning is the prompt
 *   (`extract_prompt`: the longest common prefix of messages, or of characters minus a space
 *   before the point where they differ);
 * - unpaired preference (KTO): `{prompt, completion, label: bool}`, standard or conversational.
 *
 * Standard (plain-text) TRL prompts become one user turn and answers one assistant turn, so the
 * data is a chat like every other entry (the report notes it).
 */
import type { Message, Preference, PreferenceCounts } from '../model';
import { formatCount, plural } from '../display';
import { hasKey, isRecord, omitKeys, type JsonRecord } from '../json-safety';
import type { Conversion, ConversionContext, ConvertedRecord } from './conversion';
import { alpacaInstructionKey, alpacaOutputKey, convertAlpaca } from './alpaca';
import { convertOpenAi, convertOpenAiMessages } from './openai';
import { convertShareGpt } from './sharegpt';
import { convertLlamaFactory, isLlamaFactoryMessages } from './llamafactory';
import { convertTurn, convertTurns } from './turns';

export type PreferenceShape = 'llamafactory-ranking' | 'llamafactory-kto' | 'trl-preference' | 'trl-kto';

/** The key that holds a KTO label (a boolean): TRL's and LLaMA-Factory's demo use `label`, its README `kto_tag`. */
function ktoKey(record: JsonRecord): 'label' | 'kto_tag' | null {
	if (hasKey(record, 'label') && typeof record.label === 'boolean') return 'label';
	if (hasKey(record, 'kto_tag') && typeof record.kto_tag === 'boolean') return 'kto_tag';
	return null;
}

/** Which preference shape a record is, or null for everything else. */
export function detectPreferenceShape(record: JsonRecord): PreferenceShape | null {
	if (hasKey(record, 'chosen') && hasKey(record, 'rejected')) {
		if (hasKey(record, 'conversations') || hasKey(record, 'messages') || alpacaInstructionKey(record) !== undefined) return 'llamafactory-ranking';
		return 'trl-preference';
	}
	if (hasKey(record, 'chosen_messages') && hasKey(record, 'rejected_messages')) return 'llamafactory-ranking';
	if (ktoKey(record) === null) return null;
	if (hasKey(record, 'prompt') && hasKey(record, 'completion')) return 'trl-kto';
	if (hasKey(record, 'messages') || hasKey(record, 'conversations')) return 'llamafactory-kto';
	if (alpacaInstructionKey(record) !== undefined && alpacaOutputKey(record) !== undefined) return 'llamafactory-kto';
	return null;
}

export function convertPreference(shape: PreferenceShape, record: JsonRecord, ctx: ConversionContext): Conversion {
	switch (shape) {
		case 'llamafactory-ranking':
			return convertLlamaFactoryRanking(record, ctx);
		case 'llamafactory-kto':
			return convertLlamaFactoryKto(record, ctx);
		case 'trl-preference':
			return convertTrlPreference(record, ctx);
		case 'trl-kto':
			return convertTrlKto(record, ctx);
	}
}

/** Counts a preference entry into a file report's figures. */
export function countPreference(counts: PreferenceCounts | undefined, preference: Preference): PreferenceCounts {
	const next = counts ?? { pairs: 0, labels: 0, unwanted: 0 };
	if (preference.kind === 'pair') next.pairs++;
	else {
		next.labels++;
		if (!preference.label) next.unwanted++;
	}
	return next;
}

/** "3 preference pairs, 2 labelled answers (1 unwanted)" — the import report's line. */
export function describePreferenceCounts(counts: PreferenceCounts): string {
	const parts: string[] = [];
	if (counts.pairs > 0) parts.push(plural(counts.pairs, 'preference pair'));
	if (counts.labels > 0) parts.push(`${plural(counts.labels, 'labelled answer')} (${formatCount(counts.unwanted)} unwanted)`);
	return parts.join(', ');
}

/**
 * An entry's preference data as comparable text ('' for a plain chat), for telling duplicates
 * apart: a pair's messages are only its prompt, so two pairs on one prompt with different answers
 * are different entries (read defensively: validation sees raw records too).
 */
export function preferenceKeyOf(entry: unknown): string {
	if (!isRecord(entry) || !isRecord(entry.preference)) return '';
	const { kind, chosen, rejected, label } = entry.preference;
	return kind === 'pair' ? `\u0000pair:${JSON.stringify([chosen, rejected]) ?? ''}` : `\u0000label:${String(label)}`;
}

// ——— pieces ———

const PAIR_KEYS = new Set(['chosen', 'rejected']);

/** One answer of a pair: a turn object, a list of turns, or text (an assistant message). */
function answerOf(value: unknown, label: string, ctx: ConversionContext): Message[] | string {
	if (typeof value === 'string') return [{ role: 'assistant', content: value }];
	if (Array.isArray(value)) {
		if (value.length === 0) return `${label} is an empty list`;
		return isRecord(value[0]) && hasKey(value[0], 'from') ? convertTurns(value, label, ctx) : convertOpenAiMessages(value, label, ctx);
	}
	if (isRecord(value)) {
		const message = convertTurn(value, 0, label, ctx);
		return typeof message === 'string' ? message.replace(`${label}[0]`, label) : [message];
	}
	return `${label} must be a message, a list of messages or text`;
}

/** Text or a message list → messages; text becomes one message of `role`. */
function messagesOf(value: unknown, label: string, role: 'user' | 'assistant', ctx: ConversionContext): Message[] | string {
	if (typeof value === 'string') return [{ role, content: value }];
	if (Array.isArray(value)) return convertOpenAiMessages(value, label, ctx);
	return `${label} must be text or a list of messages`;
}

function pair(prompt: ConvertedRecord, chosen: Message[], rejected: Message[]): ConvertedRecord {
	return { ...prompt, preference: { kind: 'pair', chosen, rejected, origin: 'import' } };
}

function sameMessage(a: Message, b: Message): boolean {
	return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** TRL's `extract_prompt` over message lists: the longest common prefix is the prompt. */
export function splitSharedPrompt(chosen: Message[], rejected: Message[]): { prompt: Message[]; chosen: Message[]; rejected: Message[] } {
	let shared = 0;
	const limit = Math.min(chosen.length, rejected.length);
	while (shared < limit && sameMessage(chosen[shared], rejected[shared])) shared++;
	return { prompt: chosen.slice(0, shared), chosen: chosen.slice(shared), rejected: rejected.slice(shared) };
}

/** TRL's `extract_prompt` over text: the common prefix, without the space before the point they differ. */
export function splitSharedText(chosen: string, rejected: string): { prompt: string; chosen: string; rejected: string } {
	let at = 0;
	const limit = Math.min(chosen.length, rejected.length);
	while (at < limit && chosen[at] === rejected[at]) at++;
	if (at < limit && at > 0 && chosen[at - 1] === ' ') at--;
	return { prompt: chosen.slice(0, at), chosen: chosen.slice(at), rejected: rejected.slice(at) };
}

// ——— LLaMA-Factory ———

function convertLlamaFactoryRanking(record: JsonRecord, ctx: ConversionContext): Conversion {
	if (hasKey(record, 'chosen_messages')) return convertLlamaFactoryV1Pair(record, ctx);
	const rest = omitKeys(record, PAIR_KEYS);
	let prompt: Conversion;
	if (hasKey(record, 'conversations') || hasKey(record, 'messages')) {
		const key = hasKey(record, 'conversations') ? 'conversations' : 'messages';
		const list = record[key];
		if (!Array.isArray(list)) return `${key} must be a list`;
		const fromTags = list.length > 0 && isRecord(list[0]) && hasKey(list[0], 'from');
		if (key === 'conversations' || fromTags) {
			const asShareGpt = key === 'conversations' ? rest : { ...omitKeys(rest, new Set(['messages'])), conversations: list };
			prompt = convertShareGpt(asShareGpt, ctx);
			ctx.note('LLaMA-Factory ShareGPT ranking record read as a prompt with chosen / rejected answers');
		} else {
			prompt = isLlamaFactoryMessages(rest) ? convertLlamaFactory(rest, ctx) : convertOpenAi(rest, ctx);
			ctx.note('LLaMA-Factory ranking record (OpenAI tags) read as a prompt with chosen / rejected answers');
		}
	} else {
		// Alpaca ranking: the instruction (+ input) is the prompt; the answers are text.
		const probe = convertAlpaca({ ...rest, output: '' }, ctx);
		if (typeof probe === 'string') return probe.replace(' and an output', '');
		probe.messages.pop();
		prompt = probe;
		ctx.note('LLaMA-Factory Alpaca ranking record read as a prompt with chosen / rejected answers');
	}
	if (typeof prompt === 'string') return prompt;
	const chosen = answerOf(record.chosen, 'chosen', ctx);
	if (typeof chosen === 'string') return chosen;
	const rejected = answerOf(record.rejected, 'rejected', ctx);
	if (typeof rejected === 'string') return rejected;
	return pair(prompt, chosen, rejected);
}

const V1_KEYS = new Set(['chosen_messages', 'rejected_messages']);

function convertLlamaFactoryV1Pair(record: JsonRecord, ctx: ConversionContext): Conversion {
	const side = (key: string): Conversion => {
		const list = record[key];
		if (!Array.isArray(list)) return `${key} must be a list`;
		const wrapped = { messages: list };
		const converted = isLlamaFactoryMessages(wrapped) ? convertLlamaFactory(wrapped, ctx) : convertOpenAi(wrapped, ctx);
		return typeof converted === 'string' ? converted.replace(/^messages/, key) : converted;
	};
	const chosen = side('chosen_messages');
	if (typeof chosen === 'string') return chosen;
	const rejected = side('rejected_messages');
	if (typeof rejected === 'string') return rejected;
	const split = splitSharedPrompt(chosen.messages, rejected.messages);
	ctx.note('LLaMA-Factory v1 pair: the shared beginning of chosen_messages and rejected_messages read as the prompt');
	const extra = { ...chosen.extra, ...omitKeys(record, V1_KEYS) };
	return pair({ messages: split.prompt, extra }, split.chosen, split.rejected);
}

function convertLlamaFactoryKto(record: JsonRecord, ctx: ConversionContext): Conversion {
	const key = ktoKey(record) as 'label' | 'kto_tag';
	const label = record[key] as boolean;
	const rest = omitKeys(record, new Set([key]));
	let converted: Conversion;
	if (hasKey(rest, 'conversations')) converted = convertShareGpt(rest, ctx);
	else if (hasKey(rest, 'messages')) converted = isLlamaFactoryMessages(rest) ? convertLlamaFactory(rest, ctx) : convertOpenAi(rest, ctx);
	else converted = convertAlpaca(rest, ctx);
	if (typeof converted === 'string') return converted;
	ctx.note(`LLaMA-Factory KTO record: the last answer labelled ${label ? 'wanted' : 'unwanted'} ("${key}")`);
	return { ...converted, preference: { kind: 'label', label, origin: 'import' } };
}

// ——— TRL ———

const TRL_PAIR_KEYS = new Set(['prompt', 'chosen', 'rejected']);

function convertTrlPreference(record: JsonRecord, ctx: ConversionContext): Conversion {
	const extra = omitKeys(record, TRL_PAIR_KEYS);
	const { chosen, rejected } = record;
	if (!hasKey(record, 'prompt')) {
		if (typeof chosen === 'string' && typeof rejected === 'string') {
			const split = splitSharedText(chosen, rejected);
			ctx.note('TRL standard preference with an implicit prompt: the shared beginning read as the user turn');
			const prompt: Message[] = split.prompt === '' ? [] : [{ role: 'user', content: split.prompt }];
			return pair({ messages: prompt, extra }, [{ role: 'assistant', content: split.chosen }], [{ role: 'assistant', content: split.rejected }]);
		}
		if (!Array.isArray(chosen) || !Array.isArray(rejected)) return 'chosen and rejected must both be text or both lists of messages';
		const whole = convertOpenAiMessages(chosen, 'chosen', ctx);
		if (typeof whole === 'string') return whole;
		const other = convertOpenAiMessages(rejected, 'rejected', ctx);
		if (typeof other === 'string') return other;
		const split = splitSharedPrompt(whole, other);
		ctx.note('TRL conversational preference with an implicit prompt: the shared messages read as the prompt');
		return pair({ messages: split.prompt, extra }, split.chosen, split.rejected);
	}
	const prompt = messagesOf(record.prompt, 'prompt', 'user', ctx);
	if (typeof prompt === 'string') return prompt;
	const chosenMessages = messagesOf(chosen, 'chosen', 'assistant', ctx);
	if (typeof chosenMessages === 'string') return chosenMessages;
	const rejectedMessages = messagesOf(rejected, 'rejected', 'assistant', ctx);
	if (typeof rejectedMessages === 'string') return rejectedMessages;
	ctx.note(typeof record.prompt === 'string' ? 'TRL standard preference: the prompt read as a user turn, the answers as assistant turns' : 'TRL conversational preference (prompt / chosen / rejected)');
	return pair({ messages: prompt, extra }, chosenMessages, rejectedMessages);
}

const TRL_KTO_KEYS = new Set(['prompt', 'completion', 'label']);

function convertTrlKto(record: JsonRecord, ctx: ConversionContext): Conversion {
	const label = record.label as boolean;
	const prompt = messagesOf(record.prompt, 'prompt', 'user', ctx);
	if (typeof prompt === 'string') return prompt;
	const completion = messagesOf(record.completion, 'completion', 'assistant', ctx);
	if (typeof completion === 'string') return completion;
	ctx.note(typeof record.prompt === 'string' ? 'TRL standard unpaired preference: the prompt read as a user turn, the completion as the labelled assistant turn' : 'TRL conversational unpaired preference (prompt / completion / label)');
	return { messages: [...prompt, ...completion], extra: omitKeys(record, TRL_KTO_KEYS), preference: { kind: 'label', label, origin: 'import' } };
}
