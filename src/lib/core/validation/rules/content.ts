/**
 * Message content: present, text, and without stray whitespace at the edges.
 */
import { canonicalRole, convertedAtImport, hasKey, isRecord, isTrimmedSpace, makeFinding, messagesOf, roleOf, textOf } from '../inspect';
import type { EntryRule, Finding } from '../types';

function hasToolCalls(message: Record<string, unknown>): boolean {
	const calls = message.tool_calls;
	return (Array.isArray(calls) && calls.length > 0) || (hasKey(message, 'function_call') && message.function_call !== null);
}

export const emptyContent: EntryRule = {
	scope: 'entry',
	id: 'empty-content',
	title: 'Empty message',
	description: 'A user, assistant or tool message has no text (an assistant turn that only calls tools is fine). System prompts are checked by empty-system.',
	defaultSeverity: 'error',
	repairKind: 'manual',
	check(entry) {
		const messages = messagesOf(entry);
		if (messages === null) return [];
		let findings: Finding[] | null = null;
		for (let i = 0; i < messages.length; i++) {
			const message = messages[i];
			if (!isRecord(message)) continue;
			const content = message.content;
			let empty: boolean;
			if (typeof content === 'string') empty = content.length === 0 || (isTrimmedSpace(content.charCodeAt(0)) && content.trim() === '');
			else if (Array.isArray(content)) empty = content.length === 0;
			else continue; // null and other values are non-string-content's
			if (!empty || hasToolCalls(message)) continue;
			const role = roleOf(message);
			if (role !== undefined && canonicalRole(role) === 'system') continue;
			(findings ??= []).push(makeFinding(emptyContent, entry, `Message ${i + 1}${role === undefined ? '' : ` (${role})`} is empty.`, i));
		}
		return findings ?? [];
	}
};

export const nonStringContent: EntryRule = {
	scope: 'entry',
	id: 'non-string-content',
	title: 'Content is not text',
	description:
		'Content is null, a list of structured parts, or another value. Parts are kept and their text is checked, but many trainers need plain text; null is fine only on an assistant turn with tool calls.',
	defaultSeverity: 'warning',
	repairKind: 'manual',
	check(entry, ctx) {
		const messages = messagesOf(entry);
		if (messages === null) return [];
		let findings: Finding[] | null = null;
		const converted = convertedAtImport(entry);
		for (let i = 0; i < messages.length; i++) {
			const message = messages[i];
			if (!isRecord(message)) continue;
			const content = message.content;
			if (typeof content === 'string') {
				const was = converted?.get(i);
				if (was !== undefined && was.was !== 'missing' && was.text === content)
					(findings ??= []).push(makeFinding(nonStringContent, entry, `Message ${i + 1} had content that was ${was.was} in the file; it was imported as the text ${excerpt(content)}.`, i));
				continue;
			}
			let reason: string;
			if (content === null || content === undefined) {
				if (hasToolCalls(message) && ctx.allowNullContentWithToolCalls) continue;
				reason = content === null ? 'null content' : 'no content';
			} else if (Array.isArray(content)) {
				const texts = textOf(message);
				reason = `a list of ${content.length} structured part${content.length === 1 ? '' : 's'}${texts === '' ? ' without text' : ''}`;
			} else reason = `content of type ${typeof content}`;
			(findings ??= []).push(makeFinding(nonStringContent, entry, `Message ${i + 1} has ${reason}.`, i));
		}
		return findings ?? [];
	}
};

function excerpt(text: string): string {
	return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

export const surroundingWhitespace: EntryRule = {
	scope: 'entry',
	id: 'surrounding-whitespace',
	title: 'Leading or trailing whitespace',
	description: 'Text starts or ends with spaces or blank lines, which the model learns to produce. Trimming is safe.',
	defaultSeverity: 'info',
	repair: 'trim-whitespace',
	repairKind: 'automatic-safe',
	check(entry) {
		const messages = messagesOf(entry);
		if (messages === null) return [];
		let findings: Finding[] | null = null;
		for (let i = 0; i < messages.length; i++) {
			const message = messages[i];
			if (!isRecord(message)) continue;
			const content = message.content;
			if (typeof content !== 'string' || content.length === 0) continue;
			const leading = isTrimmedSpace(content.charCodeAt(0));
			const trailing = isTrimmedSpace(content.charCodeAt(content.length - 1));
			if (!leading && !trailing) continue;
			if (content.trim() === '') continue; // blank content is empty-content's
			const where = leading && trailing ? 'starts and ends' : leading ? 'starts' : 'ends';
			(findings ??= []).push(makeFinding(surroundingWhitespace, entry, `Message ${i + 1} ${where} with whitespace.`, i));
		}
		return findings ?? [];
	}
};

export const CONTENT_RULES: readonly EntryRule[] = [emptyContent, nonStringContent, surroundingWhitespace];
