/**
 * ShareGPT, the LLaMA-Factory variant (reference/formats.md §3.2):
 *
 *   {"conversations": [{"from": "system" | "human" | "gpt" | "function_call" | "observation",
 *                       "value": "…"}, …], "tools"?: "<JSON text>"}
 *
 * - system → `system` turn (LLaMA-Factory, axolotl and FastChat all read a leading system turn),
 *   user → `human`, assistant → `gpt`, tool → `observation`.
 * - An assistant message with `tool_calls` becomes one `function_call` turn whose value is the
 *   JSON text of `{name, arguments}` (a list of them for parallel calls), with `arguments`
 *   parsed from OpenAI's JSON string when it is JSON. Call ids and `tool_call_id` are dropped:
 *   observations answer the calls in order (Skein's importer links them again with the same
 *   generated ids). Tool messages in a row (the results of parallel calls) become one
 *   observation turn, joined as LLaMA-Factory's own OpenAI converter joins them
 *   (`PARALLEL_RESULTS_SEPARATOR`), because LLaMA-Factory wants human/observation and
 *   gpt/function_call turns to alternate. An assistant message with both text and tool calls is
 *   skipped (the variant has no turn for both, and splitting it would break alternation), unless
 *   the text is only reasoning (`<think>` blocks): that is dropped, and counted as a loss.
 * - Media columns (`images`, `videos`, `audios`) are written back next to `conversations`.
 * - `tools` from the entry's extra keys is written as LLaMA-Factory's `tools` column: JSON text of
 *   the function definitions, with OpenAI's `{type: 'function', function: {…}}` wrapper removed.
 * - Other message keys (`name`, `weight`, …) stay on the turn, where Skein's importer and axolotl
 *   read them back; LLaMA-Factory ignores them. A key that would clash with `from`/`value` is
 *   dropped and counted.
 * - Skipped: custom speaker roles (map them first), structured content parts, messages without
 *   content, tool calls of an unknown shape.
 */
import type { Entry, Message } from '../model';
import { hasKey, isRecord } from '../json-safety';
import { describeMessage, droppedKeyLoss, hasToolCalls, isStandardRole, otherMessageKeys } from './message-fields';
import { skip } from './skip-reason';
import { stripThinking } from './think-tags';
import { generatedCallId, normaliseTools, PARALLEL_RESULTS_SEPARATOR } from '../formats/tool-calls';
import { mediaColumnsOf } from '../formats/media';
import { skipped, written, type WriteOutcome } from './write-outcome';

const SPEAKER_OF_ROLE = { system: 'system', user: 'human', assistant: 'gpt', tool: 'observation' } as const;
const TURN_KEYS: ReadonlySet<string> = new Set(['from', 'value']);
/** Keys turned into the function_call / observation structure. */
const TOOL_KEYS: ReadonlySet<string> = new Set(['tool_calls', 'tool_call_id']);

export const LOSS_TOOL_CALL_IDS = 'tool call ids dropped (observations answer calls in order; re-import numbers them call_1, call_2, …)';
export const LOSS_TOOLS_AS_TEXT = 'tools list written as JSON text without the OpenAI function wrapper, and it reads back differently';
export const LOSS_REASONING_BEFORE_CALL = 'reasoning before a tool call dropped (a function_call turn holds only the call)';

interface ShareGptCall {
	name: string;
	arguments: unknown;
}

/** OpenAI `{id?, type?, function: {name, arguments}}` → `{name, arguments}`, or null. */
function toShareGptCall(call: unknown): ShareGptCall | null {
	if (!isRecord(call) || !hasKey(call, 'function') || !isRecord(call.function)) return null;
	const fn = call.function;
	if (typeof fn.name !== 'string') return null;
	let args: unknown = hasKey(fn, 'arguments') ? fn.arguments : {};
	if (typeof args === 'string') {
		try {
			args = JSON.parse(args);
		} catch {
			// Not JSON: kept as the string the model wrote.
		}
	}
	return { name: fn.name, arguments: args };
}

/** LLaMA-Factory's `tools` column: JSON text of plain function definitions. */
export function toolsColumn(tools: unknown): string {
	if (typeof tools === 'string') return tools;
	if (!Array.isArray(tools)) return JSON.stringify(tools) ?? '';
	const plain = tools.map((tool) => (isRecord(tool) && tool.type === 'function' && isRecord(tool.function) ? tool.function : tool));
	return JSON.stringify(plain);
}

/**
 * Whether re-importing gives the entry's call ids back: the importer numbers calls `call_1`,
 * `call_2`, … and links results in order, so only other ids (or another order) are lost.
 */
function idsComeBack(messages: readonly Message[]): boolean {
	let n = 0;
	let open: unknown[] = [];
	for (const message of messages) {
		if (hasToolCalls(message)) {
			open = [];
			for (const call of message.tool_calls as unknown[]) {
				const id = isRecord(call) ? call.id : undefined;
				if (id !== generatedCallId(++n)) return false;
				open.push(id);
			}
		} else if (message.role === 'tool') {
			if (hasKey(message, 'tool_call_id') && message.tool_call_id !== open.shift()) return false;
		} else open = [];
	}
	return true;
}

const SILENT = { note() {} };

/** Whether the tools column, read back by the importer, is the entry's tools list again. */
function toolsComeBack(tools: unknown, column: string): boolean {
	if (typeof tools === 'string') return true;
	return JSON.stringify(normaliseTools(column, SILENT)) === JSON.stringify(tools);
}

export function writeShareGpt(entry: Entry): WriteOutcome {
	if (entry.messages.length === 0) return skipped(skip('no-messages', 'the entry has no messages'));
	const losses = new Set<string>();
	const conversations: Record<string, unknown>[] = [];
	for (let i = 0; i < entry.messages.length; i++) {
		const message: Message = entry.messages[i];
		const where = describeMessage(i, message);
		if (!isStandardRole(message.role)) {
			return skipped(skip('custom-role', `${where}: ShareGPT has no speaker for a custom role; map it to a standard role first`));
		}
		if (Array.isArray(message.content)) return skipped(skip('structured-content', `${where}: structured content parts cannot be a ShareGPT value`));

		let from: string = SPEAKER_OF_ROLE[message.role];
		let value: string;
		if (message.role === 'assistant' && hasToolCalls(message)) {
			if (typeof message.content === 'string' && message.content.length > 0) {
				const answer = stripThinking(message.content);
				if (!('text' in answer) || answer.text.trim() !== '') {
					return skipped(skip('tool-call-with-text', `${where}: text and tool calls in one message have no single ShareGPT turn`));
				}
				losses.add(LOSS_REASONING_BEFORE_CALL);
			}
			const calls = (message.tool_calls as unknown[]).map(toShareGptCall);
			if (calls.some((call) => call === null)) {
				return skipped(skip('tool-call-shape', `${where}: a tool call is not of the form {function: {name, arguments}}`));
			}
			from = 'function_call';
			value = JSON.stringify(calls.length === 1 ? calls[0] : calls);
		} else if (message.content === null) {
			return skipped(skip('missing-content', `${where}: no content`));
		} else {
			value = message.content;
		}

		if (message.role === 'tool' && conversations.length > 0 && entry.messages[i - 1].role === 'tool') {
			// A result of the same parallel call round: it joins the observation before it.
			const previous = conversations[conversations.length - 1];
			previous.value = `${previous.value as string}${PARALLEL_RESULTS_SEPARATOR}${value}`;
			continue;
		}
		const turn: Record<string, unknown> = { from, value };
		const rest: [string, unknown][] = [];
		for (const key of otherMessageKeys(message)) {
			if (TOOL_KEYS.has(key)) continue;
			if (TURN_KEYS.has(key)) {
				losses.add(droppedKeyLoss(key));
				continue;
			}
			rest.push([key, message[key]]);
		}
		// fromEntries defines own properties, so a `__proto__` message key stays data.
		conversations.push(rest.length === 0 ? turn : { ...turn, ...Object.fromEntries(rest) });
	}
	const record: Record<string, unknown> = { conversations };
	if (hasKey(entry.extra, 'tools') && entry.extra.tools !== undefined && entry.extra.tools !== null) {
		const column = toolsColumn(entry.extra.tools);
		record.tools = column;
		if (!toolsComeBack(entry.extra.tools, column)) losses.add(LOSS_TOOLS_AS_TEXT);
	}
	for (const column of mediaColumnsOf(entry.extra)) record[column] = entry.extra[column];
	if (!idsComeBack(entry.messages)) losses.add(LOSS_TOOL_CALL_IDS);
	return written([JSON.stringify(record)], [...losses]);
}
