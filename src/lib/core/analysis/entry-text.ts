/**
 * What the analysis reads from an entry: role names as trainers see them, message text, and the
 * "prompt" (the user's side of the conversation) used for prompt diversity.
 */
import type { Entry, Message } from '../model';
import { canonicalRole, textOf } from '../validation/inspect';

/** The standard role a speaker maps to, or the speaker's own name when it maps to none. */
export function roleName(role: string): string {
	return canonicalRole(role) ?? role;
}

export function messageText(message: Message): string {
	return textOf(message);
}

/** All user messages of an entry, joined by newlines ('' when it has none). */
export function userPromptText(entry: Entry): string {
	let prompt = '';
	for (const message of entry.messages) {
		if (roleName(message.role) !== 'user') continue;
		const text = textOf(message);
		prompt = prompt === '' ? text : prompt + '\n' + text;
	}
	return prompt;
}

/** The texts that make a conversation what it is, for near-duplicate search: every non-system message. */
export function conversationTexts(entry: Entry): string[] {
	const texts: string[] = [];
	for (const message of entry.messages) if (roleName(message.role) !== 'system') texts.push(textOf(message));
	return texts;
}

/** Lower-cased with runs of whitespace collapsed: two prompts equal after this are exact duplicates. */
export function normalizeForExactMatch(text: string): string {
	return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

/** First `max` characters on one line, for lists. */
export function excerpt(text: string, max = 160): string {
	const line = text.replace(/\s+/g, ' ').trim();
	return line.length > max ? line.slice(0, max - 1) + '…' : line;
}

/** The line that identifies an entry in a list: its first user message, or its first message. */
export function entryExcerpt(entry: Entry, max = 160): string {
	const first = entry.messages.find((m) => roleName(m.role) === 'user') ?? entry.messages[0];
	return first ? excerpt(textOf(first), max) : '';
}
