import { describe, expect, it } from 'vitest';
import { entryToLine } from '../export/serialize';
import { hashMessages } from '../hash';
import type { Entry } from '../model';
import { importInChunks, noteTexts } from '../test-utils';

function entry(overrides: Partial<Entry> = {}): Entry {
	const messages = overrides.messages ?? [
		{ role: 'system', content: 'Be brief.' },
		{ role: 'user', content: 'Hi', name: 'alice' },
		{ role: 'assistant', content: 'Hello.', weight: 1 }
	];
	return {
		id: 'ent-1',
		messages,
		tags: ['greeting', 'short'],
		characters: { assistant: 'Seraphina' },
		meta: { review: 'accepted', source: { format: 'sharegpt', file: 'a.jsonl', line: 3 }, notes: 'good', provenance: { kind: 'isf', steps: [] } },
		extra: { id: 'orig-7', tools: [{ type: 'function' }] },
		hash: hashMessages(messages),
		...overrides
	};
}

describe('Skein full-fidelity JSONL', () => {
	it('restores every field exactly', () => {
		const original = entry();
		const { entries, report } = importInChunks(entryToLine(original, 'skein'));
		expect(entries).toEqual([original]);
		expect(report.formats).toEqual({ skein: 1 });
		expect(report.notes).toEqual([]);
	});

	it('issues a new id when the id is taken in the dataset or earlier in the file', () => {
		const line = entryToLine(entry(), 'skein');
		const { entries, report } = importInChunks(`${line}\n${line}`, [], { isIdTaken: (id) => id === 'nope' });
		expect(entries.map((e) => e.id)).toEqual(['ent-1', 'e1']);
		const taken = importInChunks(line, [], { isIdTaken: (id) => id === 'ent-1' });
		expect(taken.entries[0].id).toBe('e1');
		expect(noteTexts(report)).toEqual(['Skein id already taken in this dataset or file: a new id was issued']);
	});

	it('does not hand out a newId that a Skein record in the same file already uses', () => {
		const { entries } = importInChunks(entryToLine(entry({ id: 'e1' }), 'skein') + '\n{"prompt": "a", "response": "b"}');
		expect(entries.map((e) => e.id)).toEqual(['e1', 'e2']);
	});

	it('recomputes a stale hash, with a note', () => {
		const { entries, report } = importInChunks(entryToLine(entry({ hash: 'stale' }), 'skein'));
		expect(entries[0].hash).toBe(hashMessages(entries[0].messages));
		expect(noteTexts(report)).toEqual(['content hash recomputed (the messages were changed outside Skein)']);
	});

	it('rejects invalid Skein records with the zod reason', () => {
		const { report } = importInChunks(
			[
				'{"messages": [], "skein": {"v": 2}}',
				'{"messages": [], "skein": {"v": 1, "id": "", "tags": [], "meta": {"review": "draft"}, "hash": "x"}}',
				'{"messages": [], "skein": {"v": 1, "id": "a", "tags": [], "meta": {"review": "maybe"}, "hash": "x"}}'
			].join('\n')
		);
		expect(report.errors.map((e) => e.reason)).toEqual([
			'unsupported Skein record version: 2',
			expect.stringMatching(/^invalid Skein record: id: /),
			expect.stringMatching(/^invalid Skein record: meta\.review: /)
		]);
	});
});
