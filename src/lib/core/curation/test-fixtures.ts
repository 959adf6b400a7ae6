/**
 * Test-only helpers for the curation tests (Node): the roleplay fixture as entries, and a small
 * entry builder. Nothing in the app imports this file.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hashMessages } from '../hash';
import type { Entry, EntryMeta, Message } from '../model';

const FIXTURE = fileURLToPath(new URL('../../../../tests/fixtures/curation/roleplay.json', import.meta.url));

interface RawEntry {
	id: string;
	messages: Message[];
	tags: string[];
	meta: EntryMeta;
}

/** Six real-looking entries: ChatML with a system prompt, SillyTavern speakers, names, weights, tools. */
export function roleplayEntries(): Entry[] {
	const raw = JSON.parse(readFileSync(FIXTURE, 'utf8')) as RawEntry[];
	return raw.map((record) => ({ ...record, extra: {}, hash: hashMessages(record.messages) }));
}

export function makeEntry(id: string, messages: Message[], overrides: Partial<Omit<Entry, 'id' | 'messages' | 'hash'>> = {}): Entry {
	return { id, messages, tags: [], meta: { review: 'draft' }, extra: {}, ...overrides, hash: hashMessages(messages) };
}

export const msg = (role: string, content: Message['content'], extra: Record<string, unknown> = {}): Message => ({ role, content, ...extra });
