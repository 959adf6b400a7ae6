/**
 * Test-only helpers (Node) for the export tests: the roleplay fixture as entries, and a builder
 * for small entries. Nothing in the app imports this file.
 */
import type { Entry, Message } from '../model';
import { hashMessages } from '../hash';
import { fixtureText, testOptions } from '../test-utils';
import { importText } from '../import/file-importer';

type FixtureEntry = Omit<Entry, 'hash'>;

/** `tests/fixtures/export/roleplay-entries.json`, keyed by id, with content hashes filled in. */
export function roleplayEntries(): Map<string, Entry> {
	const parsed = JSON.parse(fixtureText('export/roleplay-entries.json')) as FixtureEntry[];
	return new Map(parsed.map((entry) => [entry.id, { ...entry, hash: hashMessages(entry.messages) }]));
}

export function fixtureEntry(id: string): Entry {
	const entry = roleplayEntries().get(id);
	if (entry === undefined) throw new Error(`no fixture entry ${id}`);
	return entry;
}

export function entryOf(messages: Message[], overrides: Partial<Entry> = {}): Entry {
	return { id: 'e', messages, tags: [], meta: { review: 'draft' }, extra: {}, hash: hashMessages(messages), ...overrides };
}

/** Imports exported lines the way a user would re-import the file. */
export function reimport(lines: readonly string[]): ReturnType<typeof importText> {
	const text = lines.join('\n') + '\n';
	return importText(text, testOptions({ sizeBytes: text.length }));
}
