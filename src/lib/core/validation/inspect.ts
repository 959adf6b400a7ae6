/**
 * Defensive accessors for entry-like values. Rules read entries only through these, so a record
 * with `messages: 5`, a message that is a string, or `content: {…}` yields "nothing there"
 * instead of an exception (RoleThread's loader crashed on null and list contents).
 */
import { hasKey, isRecord, type JsonRecord } from '../json-safety';
import type { Finding, RepairKind, Severity } from './types';

export { hasKey, isRecord, type JsonRecord };

/** The entry's id, or a stand-in for values that have none. */
export function entryIdOf(entry: unknown): string {
	if (isRecord(entry) && typeof entry.id === 'string' && entry.id !== '') return entry.id;
	return '(no id)';
}

/** The messages list, or null when the entry has none (or it is not a list). */
export function messagesOf(entry: unknown): readonly unknown[] | null {
	if (!isRecord(entry)) return null;
	const messages = entry.messages;
	return Array.isArray(messages) ? messages : null;
}

/** The role when it is a string; undefined otherwise. */
export function roleOf(message: unknown): string | undefined {
	if (!isRecord(message)) return undefined;
	const role = message.role;
	return typeof role === 'string' ? role : undefined;
}

/**
 * The text of a message: string content as is, the `text` (or LLaMA-Factory `value`) of each text part of a parts list
 * (joined by newlines), and '' for anything else. Text checks read this.
 */
export function textOf(message: unknown): string {
	if (!isRecord(message)) return '';
	const content = message.content;
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) {
		let text = '';
		for (const part of content) {
			if (!isRecord(part)) continue;
			// OpenAI's {type: 'text', text}, or LLaMA-Factory's {type: 'text', value} (entries stored before issue 17).
			const piece = typeof part.text === 'string' ? part.text : part.type === 'text' && typeof part.value === 'string' ? part.value : null;
			if (piece !== null) text = text === '' ? piece : text + '\n' + piece;
		}
		return text;
	}
	return '';
}

/** Standard roles and the spellings people use for them (case-insensitive, trimmed). */
const ROLE_ALIASES = new Map<string, 'system' | 'user' | 'assistant' | 'tool'>([
	...(['user', 'usr', 'uesr', 'useer', 'human', 'humans', 'person', 'player', 'input', 'prompt', 'prompter', 'instruction', 'question'] as const).map(
		(alias) => [alias, 'user'] as const
	),
	...(
		[
			'assistant',
			'assistnt',
			'assitant',
			'assitstant',
			'asistant',
			'asst',
			'bot',
			'chatbot',
			'gpt',
			'chatgpt',
			'model',
			'ai',
			'completion',
			'response',
			'output',
			'answer'
		] as const
	).map((alias) => [alias, 'assistant'] as const),
	...(['system', 'sys', 'sytem', 'systm', 'system_prompt', 'context'] as const).map((alias) => [alias, 'system'] as const),
	...(['tool', 'observation', 'function_response', 'ipython'] as const).map((alias) => [alias, 'tool'] as const)
]);

export type StandardRoleName = 'system' | 'user' | 'assistant' | 'tool';

/** The standard role a spelling stands for, or null for a custom speaker name. */
export function canonicalRole(role: string): StandardRoleName | null {
	const direct = ROLE_ALIASES.get(role);
	if (direct !== undefined) return direct;
	return ROLE_ALIASES.get(role.trim().toLowerCase()) ?? null;
}

export const STANDARD_ROLE_SET: ReadonlySet<string> = new Set(['system', 'user', 'assistant', 'tool']);

/** Roles that name a speaker position but are not the four standard ones (legacy OpenAI `function`). */
export const LEGACY_ROLE_SET: ReadonlySet<string> = new Set(['function']);

/** Builds a finding with the rule's defaults; `validate.ts` applies the profile's severity. */
export function makeFinding(
	rule: { id: string; defaultSeverity: Severity; repairKind: RepairKind; repair?: string },
	entry: unknown,
	message: string,
	messageIndex?: number,
	repair: string | null | undefined = rule.repair
): Finding {
	const finding: Finding = { rule: rule.id, severity: rule.defaultSeverity, entryId: entryIdOf(entry), message, repairKind: rule.repairKind };
	if (messageIndex !== undefined) finding.messageIndex = messageIndex;
	if (repair !== null && repair !== undefined) finding.repair = repair;
	else if (repair === null) finding.repairKind = 'manual';
	return finding;
}

/** A short quotation of user text for explanations. */
export function quote(text: string, max = 40): string {
	const flat = text.replace(/\s+/g, ' ').trim();
	return JSON.stringify(flat.length > max ? flat.slice(0, max) + '…' : flat);
}

/** Lower-cased text, memoised for the few messages several rules scan in a row. */
const lowerCache = new Map<string, string>();
export function lowerCased(text: string): string {
	let lower = lowerCache.get(text);
	if (lower === undefined) {
		lower = text.toLowerCase();
		if (lower.indexOf('\u2019') !== -1) lower = lower.replace(/\u2019/g, "'");
		if (lowerCache.size >= 64) lowerCache.clear();
		lowerCache.set(text, lower);
	}
	return lower;
}

/** Number of whitespace-separated words, without allocating. */
export function countWords(text: string): number {
	let words = 0;
	let inWord = false;
	for (let i = 0; i < text.length; i++) {
		const code = text.charCodeAt(i);
		const space = code === 32 || (code >= 9 && code <= 13) || code === 160;
		if (space) inWord = false;
		else if (!inWord) {
			inWord = true;
			words++;
		}
	}
	return words;
}

/** Whether `String.prototype.trim` removes this UTF-16 code unit (so checks and the trim repair agree). */
export function isTrimmedSpace(code: number): boolean {
	if (code <= 32) return code === 32 || (code >= 9 && code <= 13);
	if (code < 160) return false;
	return (
		code === 160 ||
		code === 0x1680 ||
		(code >= 0x2000 && code <= 0x200a) ||
		code === 0x2028 ||
		code === 0x2029 ||
		code === 0x202f ||
		code === 0x205f ||
		code === 0x3000 ||
		code === 0xfeff
	);
}

/** `JSON.stringify` that never throws (BigInt, cycles) and never returns undefined. */
export function safeJson(value: unknown): string {
	try {
		return JSON.stringify(value) ?? String(value);
	} catch {
		return String(typeof value);
	}
}

/**
 * The messages whose content the importer had to change (`meta.contentConverted`), by index: a
 * number, boolean or object imported as text, or a missing content set to null (`was: "missing"`).
 */
export function convertedAtImport(entry: unknown): Map<number, { was: string; text: string | null }> | null {
	if (!isRecord(entry) || !isRecord(entry.meta)) return null;
	const list = entry.meta.contentConverted;
	if (!Array.isArray(list) || list.length === 0) return null;
	const map = new Map<number, { was: string; text: string | null }>();
	for (const item of list) {
		if (isRecord(item) && typeof item.message === 'number' && (typeof item.text === 'string' || item.text === null))
			map.set(item.message, { was: typeof item.was === 'string' ? item.was : 'not text', text: item.text });
	}
	return map;
}
