import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractRecords, recordsToJsonl } from './extract';
import { importText } from '../import/file-importer';

const reply = (name: string) => readFileSync(join(process.cwd(), 'tests/fixtures/compiler/replies', name), 'utf8');

function imported(text: string) {
	const extracted = extractRecords(text);
	let n = 0;
	const jsonl = recordsToJsonl(extracted.records);
	const { entries, report } = importText(jsonl, { fileName: 'reply', sizeBytes: jsonl.length, newId: () => `e${++n}` });
	return { extracted, entries, report };
}

describe('extractRecords on replies models really write', () => {
	it('a large model: clean JSONL in one fence', () => {
		const { extracted, entries } = imported(reply('large-fenced-jsonl.txt'));
		expect(extracted.records.map((r) => r.line)).toEqual([2, 3, 4]);
		expect(extracted.problems).toEqual([]);
		expect(extracted.ignored).toEqual([]);
		expect(entries).toHaveLength(3);
		expect(entries[2].messages[2].content).toBe('Mend nets. Read. Watch the sea.\nMostly watch the sea.');
	});

	it('a small model: prose around a fenced JSON array with trailing commas', () => {
		const { extracted, entries, report } = imported(reply('small-prose-trailing-commas.txt'));
		expect(extracted.records).toHaveLength(2);
		expect(extracted.records.every((r) => r.repaired)).toBe(true);
		expect(extracted.notes.join(' ')).toContain('Repaired 1 JSON value');
		expect(extracted.ignored.map((p) => p.line)).toEqual([1, 10]);
		expect(extracted.ignored[0].excerpt).toBe('Sure! Here are the dataset entries you asked for:');
		expect(report.formats).toEqual({ 'prompt-response': 2 });
		expect(entries[0].messages).toEqual([
			{ role: 'user', content: 'What do you look like?' },
			{ role: 'assistant', content: "Tall, they say. Silver hair, and robes long enough to hide what I'd rather not show." }
		]);
	});

	it('a small model cut off mid-object: the complete objects are kept, the last is reported', () => {
		const { extracted, entries } = imported(reply('small-truncated.txt'));
		expect(entries).toHaveLength(2);
		expect(extracted.problems).toEqual([
			{ line: 5, excerpt: expect.stringContaining('"What is your greatest invention?"'), reason: 'cut off: the reply ends inside this object' }
		]);
		expect(extracted.notes.join(' ')).toContain('not closed');
		expect(extracted.ignored[0]).toMatchObject({ line: 1, excerpt: 'Here is the JSON array:' });
	});

	it('numbered lines with one broken line', () => {
		const { extracted, entries } = imported(reply('medium-numbered-lines.txt'));
		expect(entries).toHaveLength(2);
		expect(extracted.problems).toHaveLength(1);
		expect(extracted.problems[0].line).toBe(5);
		expect(extracted.problems[0].reason).toBe('mismatched brackets');
	});

	it('ShareGPT conversations nested under "entries"', () => {
		const { extracted, entries, report } = imported(reply('sharegpt-wrapped.txt'));
		expect(extracted.notes).toContain('Unwrapped a list of entries nested under a key.');
		expect(report.formats).toEqual({ sharegpt: 2 });
		expect(entries[0].messages[1]).toEqual({ role: 'assistant', content: 'No — I\'m Aria, made by the Lumen Lab.' });
	});

	it('a raw line break inside a string is repaired', () => {
		const { entries } = imported(reply('raw-newline.txt'));
		expect(entries[0].messages[1].content).toBe('A raw\nline break inside a string');
	});

	it('several fenced blocks, with prose between them', () => {
		const { extracted } = imported(reply('two-blocks.txt'));
		expect(extracted.records.map((r) => r.record.prompt)).toEqual(['A', 'B']);
		expect(extracted.notes).toContain('Read 2 fenced code blocks.');
		expect(extracted.ignored.map((p) => p.excerpt)).toEqual(['First block:', 'Second block:']);
	});

	it('a reply with no data at all', () => {
		const result = extractRecords('I am sorry, I cannot help with that [policy].');
		expect(result.records).toEqual([]);
		expect(result.problems).toEqual([]);
		expect(result.ignored).toHaveLength(1);
	});

	it('CRLF line endings and a BOM', () => {
		const result = extractRecords('\uFEFFintro\r\n{"prompt":"a","response":"b"}\r\n');
		expect(result.records).toEqual([{ record: { prompt: 'a', response: 'b' }, line: 2, repaired: false }]);
	});

	it('an unclosed fence at the end (cut off inside the code block)', () => {
		const result = extractRecords('```jsonl\n{"prompt":"a","response":"b"}\n{"prompt":"c","resp');
		expect(result.records).toHaveLength(1);
		expect(result.problems[0]).toMatchObject({ line: 3, reason: 'cut off: the reply ends inside this object' });
	});
});
