import { describe, expect, it } from 'vitest';
import { fixtureText, importFixture, importInChunks, noteTexts } from '../test-utils';
import { FileImporter } from '../import/file-importer';
import { testOptions } from '../test-utils';

describe('SillyTavern chat logs', () => {
	it('turns the whole log into one entry, emitted at finish', () => {
		const importer = new FileImporter(testOptions());
		expect(importer.push(fixtureText('sillytavern-chat.jsonl'))).toEqual([]);
		const entries = importer.finish();
		expect(entries.length).toBe(1);
		const [entry] = entries;
		expect(entry.messages.map((m) => [m.role, m.name])).toEqual([
			['assistant', 'Seraphina'],
			['user', 'You'],
			['assistant', 'Seraphina'],
			['system', 'SillyTavern System']
		]);
		expect(entry.messages[1]).toEqual({
			role: 'user',
			content: 'Where am I?',
			name: 'You',
			send_date: 'March 14, 2025 9:04pm',
			extra: {}
		});
		expect(entry.messages[2]).toMatchObject({
			swipe_id: 1,
			swipes: ["You're in the forest.", "You're safe, in my glade."],
			extra: { api: 'openai', model: 'gpt-4o' }
		});
		expect(entry.extra).toMatchObject({ user_name: 'You', character_name: 'Seraphina', chat_metadata: { note_depth: 4 } });
		expect(entry.meta.source).toEqual({ format: 'sillytavern-chat', file: 'test.jsonl', line: 1 });
		expect(importer.report.formats).toEqual({ 'sillytavern-chat': 1 });
		expect(importer.report.records).toBe(5);
		expect(noteTexts(importer.report)).toEqual(
			expect.arrayContaining(['SillyTavern swipes kept on their messages', 'SillyTavern speaker names kept as message names'])
		);
	});

	it('starts a new entry at each header', () => {
		const log = fixtureText('sillytavern-chat.jsonl');
		const { entries } = importInChunks(log + log.replace('"Seraphina"', '"Lilith"'));
		expect(entries.length).toBe(2);
		expect(entries.map((e) => e.extra.character_name)).toEqual(['Seraphina', 'Lilith']);
		expect(entries[1].meta.source?.line).toBe(6);
	});

	it('imports messages without a header, and closes the log at another kind of record', () => {
		const { entries, report } = importInChunks('{"name": "A", "is_user": true, "mes": "hi"}\n{"prompt": "p", "response": "r"}');
		expect(entries.map((e) => e.meta.source?.format)).toEqual(['sillytavern-chat', 'prompt-response']);
		expect(entries[0].extra).toEqual({});
		expect(noteTexts(report)).toContain('SillyTavern chat log without a header line');
	});

	it('is the same whichever way the file is chunked', () => {
		const text = fixtureText('sillytavern-chat.jsonl');
		expect(importInChunks(text, [10, 200, 201, 700])).toEqual(importFixture('sillytavern-chat.jsonl', { fileName: 'test.jsonl' }));
	});
});
