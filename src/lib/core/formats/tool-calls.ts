/**
 * Tool calls between LLaMA-Factory's shapes and the internal (OpenAI) form.
 *
 * LLaMA-Factory (data/README.md, src/llamafactory/data/converter.py, v1 data_plugins/converter.py):
 * - a `function_call` turn's value is the JSON text of `{name, arguments}`, or of a list of them
 *   for parallel calls; the `observation` turn after it holds the result(s). When several results
 *   answer parallel calls in one observation turn, LLaMA-Factory's own OpenAI converter joins them
 *   with `PARALLEL_RESULTS_SEPARATOR`, so that is how they are told apart.
 * - the `tools` column is the JSON *text* of a list of function definitions, either plain
 *   (`{name, description, parameters}`, glaive demos) or OpenAI-wrapped
 *   (`{type: "function", function: {…}}`, reason_tool_use demo).
 *
 * Internally an assistant call is `{role: 'assistant', content: null, tool_calls: [{id, type:
 * 'function', function: {name, arguments: <JSON text>}}]}` and each result a `{role: 'tool',
 * content, tool_call_id}`; `tools` is the OpenAI array. Call ids are generated from the call's
 * position in the conversation (`call_1`, `call_2`, …), so importing the same file twice gives the
 * same ids and an exported-then-reimported ShareGPT file gets them back.
 */
import type { Message } from '../model';
import { hasKey, isRecord, omitKeys, type JsonRecord } from '../json-safety';
import type { ConversionContext } from './conversion';

/** How LLaMA-Factory joins the results of parallel calls into one observation. */
export const PARALLEL_RESULTS_SEPARATOR = '\n</tool_response>\n<tool_response>\n';

/** The id of the n-th call (1-based) of a conversation. */
export function generatedCallId(n: number): string {
	return `call_${n}`;
}

export interface OpenAiToolCall {
	id: string;
	type: 'function';
	function: { name: string; arguments: string };
}

/** `{name, arguments}` (arguments an object or JSON text) → an OpenAI call, or null. */
export function toOpenAiCall(value: unknown, id: string): OpenAiToolCall | null {
	if (!isRecord(value) || typeof value.name !== 'string' || value.name === '') return null;
	const raw = hasKey(value, 'arguments') ? value.arguments : {};
	const args = typeof raw === 'string' ? raw : JSON.stringify(raw ?? {});
	return { id, type: 'function', function: { name: value.name, arguments: args } };
}

/** A function_call value (JSON text of one call or a list) → its calls, or null when it is not one. */
export function parseCallText(text: unknown): { name: string; arguments: unknown }[] | null {
	if (typeof text !== 'string') return null;
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		return null;
	}
	const list = Array.isArray(parsed) ? parsed : [parsed];
	if (list.length === 0) return null;
	for (const call of list) if (!isRecord(call) || typeof call.name !== 'string' || call.name === '') return null;
	return list as { name: string; arguments: unknown }[];
}

/**
 * A `tools` value → the OpenAI array when it can be: JSON text is parsed, plain function
 * definitions are wrapped. Anything else is returned as it was (the tools-shape rule reports it).
 */
export function normaliseTools(value: unknown, ctx: ConversionContext): unknown {
	let tools = value;
	if (typeof value === 'string') {
		if (value.trim() === '') return value;
		try {
			tools = JSON.parse(value);
		} catch {
			ctx.note('tools column is text but not JSON: kept as it was (flagged by "Malformed tools")');
			return value;
		}
		if (!Array.isArray(tools)) {
			ctx.note('tools column is JSON but not a list: kept as it was (flagged by "Malformed tools")');
			return value;
		}
		ctx.note('tools column given as JSON text: parsed into the tools list');
	}
	if (!Array.isArray(tools)) return tools;
	let wrapped = 0;
	const out = tools.map((tool: unknown) => {
		if (isRecord(tool) && !hasKey(tool, 'type') && !hasKey(tool, 'function') && typeof tool.name === 'string') {
			wrapped++;
			return { type: 'function', function: tool };
		}
		return tool;
	});
	if (wrapped > 0) ctx.note('plain function definitions in tools wrapped as OpenAI {type: "function", function}');
	return out;
}

/** What the ShareGPT converter knows about each message it made from a turn. */
export type TurnKind = 'function_call' | 'observation' | 'other';

/**
 * Turns `function_call` messages (their content still the call's JSON text) into assistant
 * `tool_calls` and links the `observation` messages after them with `tool_call_id`. A call that
 * is not JSON of `{name, arguments}` stays as assistant text (noted); an observation that answers
 * no call stays a tool message without an id (the tool-call rules report it).
 */
export function linkShareGptToolCalls(messages: Message[], kinds: readonly TurnKind[], ctx: ConversionContext): Message[] {
	const out: Message[] = [];
	let callCount = 0;
	/** Ids of the latest calls not yet answered, in order. */
	let open: string[] = [];
	for (let i = 0; i < messages.length; i++) {
		const message = messages[i];
		const kind = kinds[i];
		if (kind === 'function_call') {
			const calls = parseCallText(message.content);
			if (calls === null) {
				ctx.note('function_call turn that is not JSON of {name, arguments}: kept as assistant text');
				out.push(message);
				open = [];
				continue;
			}
			const toolCalls = calls.map((call) => toOpenAiCall(call, generatedCallId(++callCount)) as OpenAiToolCall);
			const rest = omitKeys(message as JsonRecord, new Set(['role', 'content', 'tool_calls']));
			out.push({ role: 'assistant', content: null, ...rest, tool_calls: toolCalls });
			ctx.note(calls.length > 1 ? 'function_call turn with parallel calls converted to assistant tool_calls' : 'function_call turn converted to an assistant tool call (id generated)');
			open = toolCalls.map((call) => call.id);
			continue;
		}
		if (kind === 'observation') {
			if (open.length === 0) {
				ctx.note('observation turn that follows no function_call: kept as a tool message without tool_call_id');
				out.push(message);
				continue;
			}
			const text = message.content;
			const pieces = open.length > 1 && typeof text === 'string' ? text.split(PARALLEL_RESULTS_SEPARATOR) : null;
			if (pieces !== null && pieces.length === open.length && (i + 1 >= messages.length || kinds[i + 1] !== 'observation')) {
				for (let p = 0; p < pieces.length; p++) out.push({ ...message, content: pieces[p], tool_call_id: open[p] });
				ctx.note('observation answering parallel calls split into one tool message per call');
				open = [];
				continue;
			}
			if (open.length > 1 && (i + 1 >= messages.length || kinds[i + 1] !== 'observation')) {
				ctx.note('one observation answers several parallel calls and its results cannot be told apart: linked to the first call');
				out.push({ ...message, tool_call_id: open[0] });
				open = [];
				continue;
			}
			out.push({ ...message, tool_call_id: open[0] });
			ctx.note('observation turn linked to its function_call as a tool message (tool_call_id)');
			open = open.slice(1);
			continue;
		}
		open = [];
		out.push(message);
	}
	return out;
}
