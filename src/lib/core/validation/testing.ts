/**
 * Test-only builders for entries (nothing in the app imports this file).
 */
import { hashMessages } from '../hash';
import type { Entry, Message } from '../model';

let nextId = 0;

/** Malformed test messages (no role) cannot be hashed; they get a unique stand-in. */
function safeHash(messages: Message[]): string {
	try {
		return hashMessages(messages);
	} catch {
		return `unhashable-${nextId}`;
	}
}

/** An entry with the given messages (role/content pairs or full messages). */
export function entryOf(messages: (Message | [string, Message['content']])[], overrides: Partial<Entry> = {}): Entry {
	const list: Message[] = messages.map((m) => (Array.isArray(m) ? { role: m[0], content: m[1] } : m));
	return { id: `t${++nextId}`, messages: list, tags: [], meta: { review: 'draft' }, extra: {}, hash: safeHash(list), ...overrides };
}

/** A plain, valid chat: system, then user/assistant pairs. */
export function chat(...turns: string[]): Entry {
	const messages: [string, string][] = [['system', 'You are Mara, the keeper of the North Point lighthouse.']];
	turns.forEach((text, i) => messages.push([i % 2 === 0 ? 'user' : 'assistant', text]));
	return entryOf(messages);
}
