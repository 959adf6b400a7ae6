/**
 * Tool calling (the current OpenAI format): assistant `tool_calls`, `tool` answers with a
 * `tool_call_id`, and per-message `weight`.
 */
import { canonicalRole, hasKey, isRecord, makeFinding, messagesOf, roleOf, safeJson } from '../inspect';
import type { EntryRule, Finding } from '../types';

function isToolMessage(message: unknown): boolean {
	const role = roleOf(message);
	return role !== undefined && canonicalRole(role) === 'tool';
}

export const toolCallIdMissing: EntryRule = {
	scope: 'entry',
	id: 'tool-call-id-missing',
	title: 'Tool result without tool_call_id',
	description: 'A tool message does not say which call it answers ("tool_call_id").',
	defaultSeverity: 'error',
	repairKind: 'manual',
	check(entry) {
		const messages = messagesOf(entry);
		if (messages === null) return [];
		let findings: Finding[] | null = null;
		for (let i = 0; i < messages.length; i++) {
			const message = messages[i];
			if (!isRecord(message) || !isToolMessage(message)) continue;
			const id = message.tool_call_id;
			if (typeof id === 'string' && id !== '') continue;
			(findings ??= []).push(makeFinding(toolCallIdMissing, entry, `Message ${i + 1} is a tool result without a tool_call_id.`, i));
		}
		return findings ?? [];
	}
};

export const toolCallIdUnmatched: EntryRule = {
	scope: 'entry',
	id: 'tool-call-id-unmatched',
	title: 'Tool result answers no call',
	description: 'A tool message\'s tool_call_id matches no tool call of an earlier assistant message.',
	defaultSeverity: 'error',
	repairKind: 'manual',
	check(entry) {
		const messages = messagesOf(entry);
		if (messages === null) return [];
		let calls: Set<string> | null = null;
		let findings: Finding[] | null = null;
		for (let i = 0; i < messages.length; i++) {
			const message = messages[i];
			if (!isRecord(message)) continue;
			if (Array.isArray(message.tool_calls)) {
				for (const call of message.tool_calls) if (isRecord(call) && typeof call.id === 'string') (calls ??= new Set()).add(call.id);
			}
			if (!isToolMessage(message)) continue;
			const id = message.tool_call_id;
			if (typeof id !== 'string' || id === '' || calls?.has(id)) continue;
			(findings ??= []).push(makeFinding(toolCallIdUnmatched, entry, `Message ${i + 1} answers tool call ${safeJson(id)}, which no earlier assistant message made.`, i));
		}
		return findings ?? [];
	}
};

/** Why a `tool_calls` value is malformed, or null. Arguments are checked by their own rule. */
function malformedToolCalls(value: unknown): string | null {
	if (!Array.isArray(value)) return 'tool_calls is not a list';
	for (let c = 0; c < value.length; c++) {
		const call = value[c];
		if (!isRecord(call)) return `tool call ${c + 1} is not an object`;
		if (typeof call.id !== 'string' || call.id === '') return `tool call ${c + 1} has no id`;
		if (hasKey(call, 'type') && call.type !== 'function') return `tool call ${c + 1} has type ${safeJson(call.type)}, not "function"`;
		if (!isRecord(call.function) || typeof call.function.name !== 'string' || call.function.name === '') return `tool call ${c + 1} has no function name`;
	}
	return null;
}

export const toolCallMalformed: EntryRule = {
	scope: 'entry',
	id: 'tool-call-malformed',
	title: 'Malformed tool call',
	description: 'An assistant message\'s tool_calls is not a list of {id, type: "function", function: {name, arguments}}.',
	defaultSeverity: 'error',
	repairKind: 'manual',
	check(entry) {
		const messages = messagesOf(entry);
		if (messages === null) return [];
		let findings: Finding[] | null = null;
		for (let i = 0; i < messages.length; i++) {
			const message = messages[i];
			if (!isRecord(message) || !hasKey(message, 'tool_calls')) continue;
			const reason = malformedToolCalls(message.tool_calls);
			if (reason !== null) (findings ??= []).push(makeFinding(toolCallMalformed, entry, `Message ${i + 1}: ${reason}.`, i));
		}
		return findings ?? [];
	}
};

export const toolCallArgumentsInvalid: EntryRule = {
	scope: 'entry',
	id: 'tool-call-arguments-invalid',
	title: 'Tool call arguments are not JSON',
	description: 'A tool call\'s function.arguments must be a string holding a JSON object.',
	defaultSeverity: 'error',
	repairKind: 'manual',
	check(entry) {
		const messages = messagesOf(entry);
		if (messages === null) return [];
		let findings: Finding[] | null = null;
		for (let i = 0; i < messages.length; i++) {
			const message = messages[i];
			if (!isRecord(message) || !Array.isArray(message.tool_calls)) continue;
			message.tool_calls.forEach((call: unknown, c: number) => {
				if (!isRecord(call) || !isRecord(call.function)) return;
				const args = call.function.arguments;
				let reason: string | null = null;
				if (typeof args !== 'string') reason = args === undefined ? 'has no arguments' : 'has arguments that are not a string';
				else {
					try {
						if (!isRecord(JSON.parse(args))) reason = 'has arguments that are not a JSON object';
					} catch {
						reason = 'has arguments that are not valid JSON';
					}
				}
				if (reason !== null) (findings ??= []).push(makeFinding(toolCallArgumentsInvalid, entry, `Message ${i + 1}, tool call ${c + 1} ${reason}.`, i));
			});
		}
		return findings ?? [];
	}
};

export const weightInvalid: EntryRule = {
	scope: 'entry',
	id: 'weight-invalid',
	title: 'Invalid weight',
	description: 'OpenAI accepts "weight" only on assistant messages and only as 0 (do not train on this message) or 1.',
	defaultSeverity: 'error',
	repairKind: 'manual',
	check(entry) {
		const messages = messagesOf(entry);
		if (messages === null) return [];
		let findings: Finding[] | null = null;
		for (let i = 0; i < messages.length; i++) {
			const message = messages[i];
			if (!isRecord(message) || !hasKey(message, 'weight')) continue;
			const weight = message.weight;
			const role = roleOf(message);
			let reason: string | null = null;
			if (weight !== 0 && weight !== 1) reason = `has weight ${safeJson(weight)}; only 0 or 1 is accepted`;
			else if (role === undefined || canonicalRole(role) !== 'assistant') reason = 'has a weight but is not an assistant message';
			if (reason !== null) (findings ??= []).push(makeFinding(weightInvalid, entry, `Message ${i + 1} ${reason}.`, i));
		}
		return findings ?? [];
	}
};


/** The tools list of an entry (`extra.tools`) or of a raw record (`tools`); undefined when there is none. */
export function toolsOf(entry: unknown): unknown {
	if (!isRecord(entry)) return undefined;
	if (isRecord(entry.extra) && hasKey(entry.extra, 'tools')) return entry.extra.tools;
	return hasKey(entry, 'tools') ? entry.tools : undefined;
}

/** Why a tools value is not OpenAI's list of function tools, or null. */
export function malformedTools(tools: unknown): string | null {
	if (typeof tools === 'string') return 'tools is text, not a list (OpenAI wants a list of {type: "function", function: {name, parameters}})';
	if (!Array.isArray(tools)) return `tools is ${tools === null ? 'null' : typeof tools}, not a list`;
	for (let t = 0; t < tools.length; t++) {
		const tool: unknown = tools[t];
		const where = `tool ${t + 1}`;
		if (!isRecord(tool)) return `${where} is not an object`;
		if (tool.type !== 'function') return `${where} has type ${tool.type === undefined ? 'missing' : safeJson(tool.type)}, not "function"`;
		if (!isRecord(tool.function)) return `${where} has no "function" object`;
		const fn = tool.function;
		if (typeof fn.name !== 'string' || fn.name === '') return `${where} has no function name`;
		if (!/^[a-zA-Z0-9_-]{1,64}$/.test(fn.name)) return `${where}'s name ${safeJson(fn.name)} is not 1–64 letters, digits, _ or -`;
		// OpenAI: omitting parameters means "no parameters"; when given they are a JSON Schema object.
		if (hasKey(fn, 'parameters') && !isRecord(fn.parameters)) return `${where} (${fn.name}) has parameters that are not an object`;
	}
	return null;
}

export const toolsMalformed: EntryRule = {
	scope: 'entry',
	id: 'tools-malformed',
	title: 'Malformed tools',
	description: 'The entry\'s tools list is not a list of {type: "function", function: {name, parameters}} (what OpenAI fine-tuning and the chat templates read).',
	defaultSeverity: 'error',
	repairKind: 'manual',
	check(entry) {
		const tools = toolsOf(entry);
		// Absent, or LLaMA-Factory's empty column: no tools.
		if (tools === undefined || tools === '') return [];
		const reason = malformedTools(tools);
		return reason === null ? [] : [makeFinding(toolsMalformed, entry, `${reason[0].toUpperCase()}${reason.slice(1)}.`)];
	}
};

export const TOOL_RULES: readonly EntryRule[] = [toolCallIdMissing, toolCallIdUnmatched, toolCallMalformed, toolCallArgumentsInvalid, weightInvalid, toolsMalformed];
