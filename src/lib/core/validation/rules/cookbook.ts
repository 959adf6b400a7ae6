/**
 * The seven format-error categories of OpenAI's chat fine-tuning data-prep notebook, with its
 * names and its exact counting (reference/formats.md §3.1):
 *
 * - `data_type`, `missing_messages_list`: once per example; the example's other checks are skipped.
 * - `message_missing_key`, `message_unrecognized_key`, `unrecognized_role`, `missing_content`:
 *   once per offending message (a message can count in several categories).
 * - `example_missing_assistant_message`: once per example.
 *
 * Where the notebook would crash instead of counting, we count what it would count for an empty
 * object, and say so here:
 * - a message that is not an object counts as `message_missing_key`, `unrecognized_role` and
 *   `missing_content` (the notebook raises on `message.get`);
 * - a `messages` value that is truthy but not a list (a string, a number, an object) counts as
 *   `missing_messages_list` (the notebook would iterate characters or keys, or raise).
 */
import { convertedAtImport, hasKey, isRecord, makeFinding, safeJson, type JsonRecord } from '../inspect';
import type { Entry } from '../../model';
import type { EntryRule, Finding, ValidationContext } from '../types';

const COOKBOOK_KEYS: ReadonlySet<string> = new Set(['role', 'content', 'name', 'function_call', 'weight']);
const COOKBOOK_ROLES: ReadonlySet<string> = new Set(['system', 'user', 'assistant', 'function']);

/** Python's truthiness, for the notebook's `not content` and `not messages`. */
export function pythonTruthy(value: unknown): boolean {
	if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
	if (Array.isArray(value)) return value.length > 0;
	if (typeof value === 'object') return Object.keys(value).length > 0;
	return true;
}

/** Python's `dict.get(key)`: own keys only, None (undefined) when absent. */
function get(record: JsonRecord, key: string): unknown {
	return hasKey(record, key) ? record[key] : undefined;
}

/** The list the per-message categories iterate, or null when the example stops earlier. */
function cookbookMessages(entry: unknown): readonly unknown[] | null {
	if (!isRecord(entry)) return null;
	const messages = get(entry, 'messages');
	if (!pythonTruthy(messages) || !Array.isArray(messages)) return null;
	return messages;
}

export const dataType: EntryRule = {
	scope: 'entry',
	id: 'data_type',
	title: 'data_type',
	description: 'OpenAI notebook: the example is not a JSON object (dict). Counted once; its other checks are skipped.',
	defaultSeverity: 'error',
	repairKind: 'manual',
	halts: true,
	check(entry) {
		return isRecord(entry) ? [] : [makeFinding(dataType, entry, 'The example is not a JSON object.')];
	}
};

export const missingMessagesList: EntryRule = {
	scope: 'entry',
	id: 'missing_messages_list',
	title: 'missing_messages_list',
	description: 'OpenAI notebook: "messages" is absent or empty. Counted once; the example\'s other checks are skipped.',
	defaultSeverity: 'error',
	repairKind: 'manual',
	halts: true,
	check(entry) {
		if (!isRecord(entry)) return [];
		const messages = get(entry, 'messages');
		if (!pythonTruthy(messages)) return [makeFinding(missingMessagesList, entry, 'The example has no messages, or an empty list.')];
		if (!Array.isArray(messages)) return [makeFinding(missingMessagesList, entry, '"messages" is not a list.')];
		return [];
	}
};

/** Runs one per-message predicate of the notebook over every message. */
function perMessage(rule: EntryRule, entry: unknown, offends: (message: unknown) => string | null): Finding[] {
	const messages = cookbookMessages(entry);
	if (messages === null) return [];
	const findings: Finding[] = [];
	for (let i = 0; i < messages.length; i++) {
		const reason = offends(messages[i]);
		if (reason !== null) findings.push(makeFinding(rule, entry, `Message ${i + 1}: ${reason}`, i));
	}
	return findings;
}

export const messageMissingKey: EntryRule = {
	scope: 'entry',
	id: 'message_missing_key',
	title: 'message_missing_key',
	description: 'OpenAI notebook: a message lacks "role" or "content" (counted per message).',
	defaultSeverity: 'error',
	repairKind: 'manual',
	check(entry) {
		const converted = convertedAtImport(entry);
		let index = -1;
		return perMessage(messageMissingKey, entry, (message) => {
			index++;
			if (!isRecord(message)) return 'not an object, so it has neither "role" nor "content".';
			// The file had no content here (the importer set it to null): the notebook counts that.
			const filled = converted?.get(index)?.was === 'missing' && message.content === null;
			const missing = ['role', 'content'].filter((key) => !hasKey(message, key) || (key === 'content' && filled));
			return missing.length === 0 ? null : `missing ${missing.map((key) => `"${key}"`).join(' and ')}.`;
		});
	}
};

export const messageUnrecognizedKey: EntryRule = {
	scope: 'entry',
	id: 'message_unrecognized_key',
	title: 'message_unrecognized_key',
	description: 'OpenAI notebook: a message has a key other than role, content, name, function_call, weight (counted per message).',
	defaultSeverity: 'error',
	repairKind: 'manual',
	check(entry) {
		return perMessage(messageUnrecognizedKey, entry, (message) => {
			if (!isRecord(message)) return null;
			const unknown = Object.keys(message).filter((key) => !COOKBOOK_KEYS.has(key));
			return unknown.length === 0 ? null : `unrecognized key${unknown.length > 1 ? 's' : ''} ${unknown.map((key) => JSON.stringify(key)).join(', ')}.`;
		});
	}
};

export const unrecognizedRole: EntryRule = {
	scope: 'entry',
	id: 'unrecognized_role',
	title: 'unrecognized_role',
	description: 'OpenAI notebook: role is not system, user, assistant or function (counted per message).',
	defaultSeverity: 'error',
	repairKind: 'manual',
	check(entry) {
		return perMessage(unrecognizedRole, entry, (message) => {
			const role = isRecord(message) ? get(message, 'role') : undefined;
			if (typeof role === 'string' && COOKBOOK_ROLES.has(role)) return null;
			return role === undefined ? 'no role.' : `role ${safeJson(role)} is not system, user, assistant or function.`;
		});
	}
};

export const missingContent: EntryRule = {
	scope: 'entry',
	id: 'missing_content',
	title: 'missing_content',
	description:
		'OpenAI notebook: content is empty and there is no function_call, or content is not a string (counted per message; as written, null content with a function_call still counts).',
	defaultSeverity: 'error',
	repairKind: 'manual',
	check(entry) {
		const converted = convertedAtImport(entry);
		let index = -1;
		return perMessage(missingContent, entry, (message) => {
			index++;
			const record = isRecord(message) ? message : {};
			const was = converted?.get(index);
			// The file had a number or a boolean here (imported as text): the notebook counts it.
			if (was !== undefined && was.was !== 'missing' && get(record, 'content') === was.text) return `content is not a string (it was ${was.was} in the file).`;
			const content = get(record, 'content');
			const functionCall = get(record, 'function_call');
			if (typeof content !== 'string') return content === undefined || content === null ? 'no content.' : 'content is not a string.';
			if (!pythonTruthy(content) && !pythonTruthy(functionCall)) return 'empty content.';
			return null;
		});
	}
};

export const exampleMissingAssistantMessage: EntryRule = {
	scope: 'entry',
	id: 'example_missing_assistant_message',
	title: 'example_missing_assistant_message',
	description: 'OpenAI notebook: no message in the example has role "assistant" (counted per example).',
	defaultSeverity: 'error',
	repairKind: 'manual',
	check(entry) {
		const messages = cookbookMessages(entry);
		if (messages === null) return [];
		for (const message of messages) if (isRecord(message) && get(message, 'role') === 'assistant') return [];
		return [makeFinding(exampleMissingAssistantMessage, entry, 'The example has no assistant message.')];
	}
};

export const COOKBOOK_RULES: readonly EntryRule[] = [
	dataType,
	missingMessagesList,
	messageMissingKey,
	messageUnrecognizedKey,
	unrecognizedRole,
	missingContent,
	exampleMissingAssistantMessage
];

/**
 * The notebook's `format_errors` for one raw record (any JSON value), as it would add them up:
 * category → count. Used on records that never became entries (the importer refused them), which
 * the notebook still counts.
 */
export function cookbookCounts(record: unknown, into: Record<string, number> = {}): Record<string, number> {
	for (const rule of COOKBOOK_RULES) {
		// The cookbook rules read the record defensively and never use the context.
		const found = rule.check(record as Entry, {} as ValidationContext);
		if (found.length > 0) into[rule.id] = (into[rule.id] ?? 0) + found.length;
		if (found.length > 0 && rule.halts) break;
	}
	return into;
}
