/**
 * ShareGPT and the other things called "ShareGPT" (reference/formats.md §3.2):
 * - `sharegpt`: `{conversations: [{from, value}, ...], system?, tools?, id?, chosen?, rejected?,
 *   images?, videos?, audios?}`. A separate non-empty `system` column becomes a leading system
 *   message (trainers such as LLaMA-Factory prepend it the same way). `function_call` turns become
 *   assistant `tool_calls` and `observation` turns the tool messages answering them
 *   (`tool-calls.ts`); a `tools` column given as JSON text is parsed into the OpenAI tools list.
 *   `id` and media columns stay in `extra` untouched. Records with `chosen` / `rejected` turns are
 *   LLaMA-Factory ranking data and never reach this adapter whole (`preference.ts`).
 * - `sharegpt-pairs`: ms-swift `{system?, conversation: [{human, assistant}, ...]}`.
 * - `turn-list`: the record itself is a list of turns (unsloth#321).
 */
import type { Message } from '../model';
import { hasKey, isRecord, omitKeys, type JsonRecord } from '../json-safety';
import type { Conversion, ConversionContext } from './conversion';
import { convertTurns, turnKind } from './turns';
import { linkShareGptToolCalls, normaliseTools, type TurnKind } from './tool-calls';
import { noteMediaColumns } from './media';

const SHAREGPT_CONSUMED = new Set(['conversations']);
const SHAREGPT_CONSUMED_WITH_SYSTEM = new Set(['conversations', 'system']);

/** A non-empty `system` string column → leading system message; returns whether it was used. */
function takeSystemColumn(record: JsonRecord, messages: Message[], ctx: ConversionContext, label: string): boolean {
	const system = hasKey(record, 'system') ? record.system : undefined;
	if (typeof system !== 'string' || system.length === 0) return false;
	messages.push({ role: 'system', content: system });
	ctx.note(`${label} system column moved to a leading system message`);
	return true;
}

export function convertShareGpt(record: JsonRecord, ctx: ConversionContext): Conversion {
	const turns = record.conversations;
	if (!Array.isArray(turns)) return 'conversations must be a list';
	const messages: Message[] = [];
	const usedSystem = takeSystemColumn(record, messages, ctx, 'ShareGPT');
	const converted = convertTurns(turns, 'conversations', ctx, messages);
	if (typeof converted === 'string') return converted;
	let linked = converted;
	const offset = usedSystem ? 1 : 0;
	let kinds: TurnKind[] | null = null;
	for (let i = 0; i < turns.length; i++) {
		const kind = turnKind(turns[i]);
		if (kind === 'other') continue;
		kinds ??= new Array<TurnKind>(converted.length).fill('other');
		kinds[i + offset] = kind;
	}
	if (kinds !== null) linked = linkShareGptToolCalls(converted, kinds, ctx);
	if (hasKey(record, 'chosen') || hasKey(record, 'rejected')) ctx.note('preference pairs (chosen/rejected) kept as metadata');
	noteMediaColumns(record, ctx);
	const extra = omitKeys(record, usedSystem ? SHAREGPT_CONSUMED_WITH_SYSTEM : SHAREGPT_CONSUMED);
	if (hasKey(extra, 'tools')) extra.tools = normaliseTools(extra.tools, ctx);
	return { messages: linked, extra };
}

const PAIRS_CONSUMED = new Set(['conversation']);
const PAIRS_CONSUMED_WITH_SYSTEM = new Set(['conversation', 'system']);
const PAIR_KEYS = new Set(['human', 'assistant']);

function pairText(value: unknown, ctx: ConversionContext): string {
	if (typeof value === 'string') return value;
	ctx.note('non-text pair value converted to text (JSON)');
	return JSON.stringify(value) ?? '';
}

export function convertShareGptPairs(record: JsonRecord, ctx: ConversionContext): Conversion {
	const pairs = record.conversation;
	if (!Array.isArray(pairs)) return 'conversation must be a list';
	const messages: Message[] = [];
	const usedSystem = takeSystemColumn(record, messages, ctx, 'ms-swift');
	ctx.note('ms-swift human/assistant pairs expanded into user/assistant turns');
	for (let i = 0; i < pairs.length; i++) {
		const pair: unknown = pairs[i];
		if (!isRecord(pair)) return `conversation[${i}] is not a {human, assistant} pair`;
		const rest = omitKeys(pair, PAIR_KEYS);
		const hasRest = Object.keys(rest).length > 0;
		if (hasRest) ctx.note('extra keys of a conversation pair kept on its user message');
		if (hasKey(pair, 'human')) {
			const content = pairText(pair.human, ctx);
			messages.push(hasRest ? { role: 'user', content, ...rest } : { role: 'user', content });
		}
		if (hasKey(pair, 'assistant')) messages.push({ role: 'assistant', content: pairText(pair.assistant, ctx) });
		if (!hasKey(pair, 'human') && !hasKey(pair, 'assistant')) return `conversation[${i}] has neither "human" nor "assistant"`;
	}
	return { messages, extra: omitKeys(record, usedSystem ? PAIRS_CONSUMED_WITH_SYSTEM : PAIRS_CONSUMED) };
}

export function convertTurnList(turns: readonly unknown[], ctx: ConversionContext): Conversion {
	const messages = convertTurns(turns, 'turns', ctx);
	if (typeof messages === 'string') return messages;
	return { messages, extra: {} };
}
