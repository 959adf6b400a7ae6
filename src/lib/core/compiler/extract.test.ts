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

	describe('a record cut off in the middle of the reply costs only its own line', () => {
		const good = (n: number) => JSON.stringify({ messages: [{ role: 'user', content: `Question ${n}?` }, { role: 'assistant', content: `Answer ${n}.` }] });

		it('JSON Lines: 4 good lines and 1 cut inside a string give 4 entries and 1 problem on its line', () => {
			const text = [good(1), good(2), '{"messages": [{"role": "user", "content": "Question 3?"}, {"role": "assistant", "content": "Ans', good(4), good(5)].join('\n');
			const { extracted, entries } = imported(text);
			expect(entries.map((e) => e.messages[0].content)).toEqual(['Question 1?', 'Question 2?', 'Question 4?', 'Question 5?']);
			expect(extracted.problems).toHaveLength(1);
			expect(extracted.problems[0]).toMatchObject({ line: 3, reason: expect.stringContaining('cut off') });
			expect(extracted.problems[0].excerpt).toContain('"Ans');
			expect(extracted.problems[0].excerpt).not.toContain('Question 4');
		});

		it('JSON Lines cut between values (outside a string), inside a fence', () => {
			const text = ['```jsonl', good(1), '{"messages": [{"role": "user", "content": "Question 2?"},', good(3), good(4), good(5), '```'].join('\n');
			const { extracted, entries } = imported(text);
			expect(entries).toHaveLength(4);
			expect(extracted.problems.map((p) => p.line)).toEqual([3]);
		});

		it('numbered lines with a cut-off line in the middle', () => {
			const text = ['1. ' + good(1), '2. {"messages": [{"role": "user", "content": "cut', '3. ' + good(3)].join('\n');
			const { extracted, entries } = imported(text);
			expect(entries.map((e) => e.messages[0].content)).toEqual(['Question 1?', 'Question 3?']);
			expect(extracted.problems.map((p) => p.line)).toEqual([2]);
		});

		it('a JSON array whose middle item is cut keeps the items after it', () => {
			const text = ['[', '  ' + good(1) + ',', '  {"messages": [{"role": "user", "content": "cut', '  ' + good(3) + ',', '  ' + good(4), ']'].join('\n');
			const { extracted, entries } = imported(text);
			expect(entries.map((e) => e.messages[0].content)).toEqual(['Question 1?', 'Question 3?', 'Question 4?']);
			expect(extracted.problems.map((p) => p.line)).toEqual([3]);
		});

		it('a pretty-printed record cut off at the end is one problem (its nested objects are not records)', () => {
			const text = '{\n  "messages": [\n    {"role": "user", "content": "Hi"},\n    {"role": "assistant", "content": "Hel';
			const extracted = extractRecords(text);
			expect(extracted.records).toEqual([]);
			expect(extracted.problems).toHaveLength(1);
			expect(extracted.problems[0]).toMatchObject({ line: 1, reason: 'cut off: the reply ends inside this object' });
		});

		it('a raw line break inside a string is still repaired, not split', () => {
			const text = [good(1), '{"prompt": "a", "response": "two', 'lines"}', good(3)].join('\n');
			const extracted = extractRecords(text);
			expect(extracted.records.map((r) => r.record.response ?? 'm')).toEqual(['m', 'two\nlines', 'm']);
			expect(extracted.problems).toEqual([]);
		});
	});
});
