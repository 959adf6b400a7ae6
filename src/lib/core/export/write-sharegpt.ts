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
 *   observations answer the calls in order. An assistant message with both text and tool calls
 *   is skipped: the variant has no turn for both, and splitting it would break alternation.
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
import { skipped, written, type WriteOutcome } from './write-outcome';

const SPEAKER_OF_ROLE = { system: 'system', user: 'human', assistant: 'gpt', tool: 'observation' } as const;
const TURN_KEYS: ReadonlySet<string> = new Set(['from', 'value']);
/** Keys turned into the function_call / observation structure. */
const TOOL_KEYS: ReadonlySet<string> = new Set(['tool_calls', 'tool_call_id']);

export const LOSS_TOOL_CALL_IDS = 'tool call ids dropped (observations answer calls in order)';
export const LOSS_TOOLS_AS_TEXT = 'tools list written as JSON text without the OpenAI function wrapper';

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
				return skipped(skip('tool-call-with-text', `${where}: text and tool calls in one message have no single ShareGPT turn`));
			}
			const calls = (message.tool_calls as unknown[]).map(toShareGptCall);
			if (calls.some((call) => call === null)) {
				return skipped(skip('tool-call-shape', `${where}: a tool call is not of the form {function: {name, arguments}}`));
			}
			from = 'function_call';
			value = JSON.stringify(calls.length === 1 ? calls[0] : calls);
			losses.add(LOSS_TOOL_CALL_IDS);
		} else if (message.content === null) {
			return skipped(skip('missing-content', `${where}: no content`));
		} else {
			value = message.content;
		}

		const turn: Record<string, unknown> = { from, value };
		const rest: [string, unknown][] = [];
		for (const key of otherMessageKeys(message)) {
			if (TOOL_KEYS.has(key)) {
				if (key === 'tool_call_id') losses.add(LOSS_TOOL_CALL_IDS);
				continue;
			}
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
		record.tools = toolsColumn(entry.extra.tools);
		if (typeof entry.extra.tools !== 'string') losses.add(LOSS_TOOLS_AS_TEXT);
	}
	return written([JSON.stringify(record)], [...losses]);
}
