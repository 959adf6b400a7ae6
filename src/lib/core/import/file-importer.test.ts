import { afterEach, describe, expect, it } from 'vitest';
import { FileImporter, importText, EMPTY_FILE_MESSAGE, NOT_A_DATASET_MESSAGE } from './file-importer';
import { fixtureText, importFixture, importInChunks, noteTexts, testOptions } from '../test-utils';
import { MAX_REPORTED_ERRORS } from '../model';

afterEach(() => {
	// No test may leave Object.prototype polluted.
	expect(Object.keys(Object.prototype)).toEqual([]);
	expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

const line = (value: unknown) => JSON.stringify(value);
const chat = { messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }] };

describe('container detection', () => {
	it('reads JSON Lines', () => {
		const { entries, report } = importInChunks(line(chat) + '\n' + line(chat) + '\n');
		expect(report.container).toBe('jsonl');
		expect(entries.length).toBe(2);
		expect(report.lines).toBe(2);
	});

	it('reads a JSON array, pretty-printed', () => {
		const { entries, report } = importInChunks(JSON.stringify([chat, chat], null, 2));
		expect(report.container).toBe('json-array');
		expect(entries.map((e) => e.meta.source?.line)).toEqual([2, 14]);
	});

	it('reads a single pretty-printed JSON object as a document', () => {
		const { entries, report } = importInChunks(JSON.stringify(chat, null, 2));
		expect(report.container).toBe('json');
		expect(entries.length).toBe(1);
		expect(entries[0].meta.source?.line).toBe(1);
	});

	it('treats a broken first line that does not open a document as JSON Lines', () => {
		const { entries, report } = importInChunks('{"messages": [oops\n' + line(chat));
		expect(report.container).toBe('jsonl');
		expect(entries.length).toBe(1);
		expect(report.errors[0].line).toBe(1);
	});

	it('waits for the whole first line even when it arrives one character at a time', () => {
		const text = line(chat) + '\n' + line(chat);
		const { entries, report } = importInChunks(text, Array.from({ length: text.length }, (_, i) => i));
		expect(report.container).toBe('jsonl');
		expect(entries.length).toBe(2);
	});

	it('reads a minified one-line array as a JSON array, and lines of lists as JSON Lines', () => {
		expect(importInChunks(JSON.stringify([chat, chat])).report.container).toBe('json-array');
		expect(importInChunks(JSON.stringify([chat, chat]) + '\n').entries.length).toBe(2);
		const turns = [{ from: 'human', value: 'a' }];
		const { report, entries } = importInChunks(JSON.stringify(turns) + '\n' + JSON.stringify(turns), [3, 40]);
		expect(report.container).toBe('jsonl');
		expect(entries.length).toBe(2);
	});

	it('rejects plain text with a clear message', () => {
		const { entries, report } = importInChunks('name,age\nalice,3\n');
		expect(report.container).toBe('text');
		expect(report.fatal).toContain(NOT_A_DATASET_MESSAGE);
		expect(report.fatal).toContain('name,age');
		expect(entries).toEqual([]);
	});

	it('calls an empty or whitespace-only file empty', () => {
		for (const text of ['', '\uFEFF', ' \r\n\n\t']) {
			const { report } = importInChunks(text);
			expect(report.container).toBe('empty');
			expect(report.fatal).toBe(EMPTY_FILE_MESSAGE);
		}
	});

	it('can be marked binary by the caller', () => {
		const importer = new FileImporter(testOptions());
		importer.reject('binary', 'this is not a dataset: it looks like a binary file');
		expect(importer.push('{"a":1}')).toEqual([]);
		expect(importer.finish()).toEqual([]);
		expect(importer.report.container).toBe('binary');
	});
});

describe('bad records', () => {
	it('reports every kind of bad line in mixed-bad-lines.jsonl and imports the good ones', () => {
		const { entries, report } = importFixture('mixed-bad-lines.jsonl');
		expect(report.container).toBe('jsonl');
		expect(entries.map((e) => e.meta.source?.line)).toEqual([1, 7, 10]);
		expect(entries.map((e) => e.meta.source?.format)).toEqual(['openai', 'openai', 'sharegpt']);
		expect(report.errors.map((e) => [e.line, e.reason.replace(/:.*/, '')])).toEqual([
			[3, 'invalid JSON'],
			[5, 'not an object (a number)'],
			[6, 'unknown shape (keys'],
			[8, 'not an object (a string)'],
			[9, 'messages must be a list'],
			[11, 'invalid JSON']
		]);
		expect(report.errors[2].reason).toBe('unknown shape (keys: foo, bar, baz)');
		expect(report.errorCount).toBe(6);
		expect(report.lines).toBe(11);
		expect(report.records).toBe(9);
		expect(report.imported).toBe(3);
		expect(report.invalidUtf8Lines).toBe(1);
		expect(entries[1].messages[0].content).toBe('café \uFFFD bad byte');
		expect(report.errors[0].excerpt).toBe('{"messages": [{"role": "user", "content": "broken"}');
	});

	it('gives excerpts on one line, at most ~120 characters', () => {
		const { report } = importInChunks('{"x": "' + 'a'.repeat(500) + '\tb"\n');
		expect(report.errors[0].excerpt.length).toBeLessThanOrEqual(121);
		expect(report.errors[0].excerpt).not.toMatch(/[\n\r\t]/);
	});

	it('keeps only the first MAX_REPORTED_ERRORS errors but counts all', () => {
		const { report, entries } = importInChunks('{}\n'.repeat(MAX_REPORTED_ERRORS + 20) + line(chat));
		expect(report.errors.length).toBe(MAX_REPORTED_ERRORS);
		expect(report.errorCount).toBe(MAX_REPORTED_ERRORS + 20);
		expect(entries.length).toBe(1);
		expect(report.errors[0].reason).toBe('unknown shape (keys: none)');
	});

	it('rejects a record nested more than 200 levels deep, and survives 100,000 levels', () => {
		const deepMessage = { role: 'user', content: 'x', extra: JSON.parse('['.repeat(250) + ']'.repeat(250)) };
		const text = [
			line({ messages: [deepMessage] }),
			'['.repeat(100_000) + ']'.repeat(100_000),
			'{"a":' + '['.repeat(100_000),
			line(chat)
		].join('\n');
		const { entries, report } = importInChunks(text);
		expect(report.errors.map((e) => e.reason)).toEqual([
			'nested too deeply (more than 200 levels)',
			'nested too deeply (more than 200 levels)',
			expect.stringMatching(/^invalid JSON/)
		]);
		expect(entries.length).toBe(1);
	});

	it('survives 100,000 levels in a JSON array file too', () => {
		const { report } = importInChunks('[' + '['.repeat(100_000) + ']'.repeat(100_000) + ']');
		expect(report.errors.map((e) => e.reason)).toEqual(['nested too deeply (more than 200 levels)']);
	});

	it('reports an over-long line and imports the rest', () => {
		const long = line({ messages: [{ role: 'user', content: 'x'.repeat(3000) }] });
		const { entries, report } = importInChunks(`${line(chat)}\n${long}\n${line(chat)}`, [100, 1000, 2000], { maxRecordLength: 1000 });
		expect(entries.length).toBe(2);
		expect(report.errors).toEqual([{ line: 2, excerpt: expect.stringContaining('{"messages"'), reason: expect.stringMatching(/^line too long \(0\.0 MB/) }]);
	});

	it('imports a 5 MB line', () => {
		const big = { messages: [{ role: 'user', content: 'z'.repeat(5 * 1024 * 1024) }] };
		const text = line(big) + '\n';
		const { entries } = importInChunks(text, Array.from({ length: 100 }, (_, i) => i * 65536));
		expect(entries[0].messages[0].content).toHaveLength(5 * 1024 * 1024);
	});

	it('reports a truncated JSON array', () => {
		const { entries, report } = importInChunks('[\n' + line(chat) + ',\n{"messages": [');
		expect(entries.length).toBe(1);
		expect(report.errors.map((e) => [e.line, e.reason])).toEqual([
			[3, 'truncated record: the file ends inside it'],
			[1, 'truncated JSON array: the closing ] is missing']
		]);
	});
});

describe('prototype safety', () => {
	it('keeps __proto__ and constructor keys as data and leaves Object.prototype clean', () => {
		const text =
			'{"messages": [{"role": "user", "content": "hi", "__proto__": {"polluted": true}}], "__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 2}}}\n' +
			'{"conversations": [{"from": "human", "value": "x", "__proto__": {"polluted": 3}}], "__proto__": {"polluted": 4}}\n' +
			'{"instruction": "i", "output": "o", "__proto__": {"polluted": 5}}\n';
		const { entries } = importInChunks(text);
		expect(entries.length).toBe(3);
		for (const entry of entries) {
			expect(Object.getPrototypeOf(entry.extra)).toBe(Object.prototype);
			expect(Object.keys(entry.extra)).toContain('__proto__');
			expect((entry.extra as { polluted?: unknown }).polluted).toBeUndefined();
		}
		expect(Object.getOwnPropertyDescriptor(entries[0].extra, '__proto__')?.value).toEqual({ polluted: 1 });
		expect(Object.keys(entries[0].messages[0])).toEqual(['role', 'content', '__proto__']);
		expect(Object.keys(entries[1].messages[0])).toEqual(['role', 'content', '__proto__']);
		expect(Object.getPrototypeOf(entries[1].messages[0])).toBe(Object.prototype);
		expect((entries[0].extra.constructor as { prototype: unknown }).prototype).toEqual({ polluted: 2 });
	});
});

describe('entries', () => {
	it('get ids from newId, draft review state, source, empty tags and a hash', () => {
		const { entries } = importInChunks(line({ ...chat, id: 'row-7' }), [], { fileName: 'chats.jsonl' });
		expect(entries[0]).toEqual({
			id: 'e1',
			messages: chat.messages,
			tags: [],
			meta: { review: 'draft', source: { format: 'openai', file: 'chats.jsonl', line: 1 } },
			extra: { id: 'row-7' },
			hash: expect.stringMatching(/^[0-9a-f]{16}$/)
		});
	});

	it('hash only the conversation: the same messages in different formats hash the same', () => {
		const { entries } = importInChunks(
			[line(chat), line({ conversations: [{ from: 'human', value: 'hi' }, { from: 'gpt', value: 'hello' }], id: 9 }), line({ prompt: 'hi', response: 'hello' })].join('\n')
		);
		expect(new Set(entries.map((e) => e.hash)).size).toBe(1);
	});

	it('counts formats per imported entry', () => {
		const { report } = importFixture('mixed-bad-lines.jsonl');
		expect(report.formats).toEqual({ openai: 2, sharegpt: 1 });
	});

	it('importText is the whole-text shortcut', () => {
		const { entries, report } = importText(fixtureText('openai-tools.jsonl'), testOptions());
		expect(entries.length).toBe(3);
		expect(report.imported).toBe(3);
	});

	it('refuses push after finish', () => {
		const importer = new FileImporter(testOptions());
		importer.finish();
		expect(() => importer.push('x')).toThrow();
	});
});

describe('container detection does not depend on how the text arrives (property-test counterexamples)', () => {
	const record = '{"messages": [{"role": "user", "content": "hi"}]}';
	it('a first line within the record limit decides, whether or not more was already held', () => {
		const input = `{\r${record}`;
		const whole = importInChunks(input, [], { maxRecordLength: 40 });
		expect(importInChunks(input, [2], { maxRecordLength: 40 })).toEqual(whole);
		expect(whole.report.container).toBe('json');
	});

	it('a first line longer than the record limit is guessed from the limit, whether or not its end was held', () => {
		const input = `${record}{\r`;
		const whole = importInChunks(input, [], { maxRecordLength: 40 });
		expect(importInChunks(input, [41], { maxRecordLength: 40 })).toEqual(whole);
		expect(whole.report.container).toBe('jsonl');
	});

	it('a rejected text file is quoted the same way however it arrived', () => {
		const input = '\uFEFF\uFEFF\n{';
		expect(importInChunks(input, [3]).report.fatal).toBe(importInChunks(input, []).report.fatal);
	});
});

describe('JSON files that wrap the records in an object', () => {
	const a = { messages: [{ role: 'user', content: 'A?' }, { role: 'assistant', content: 'A.' }] };
	const b = { conversations: [{ from: 'human', value: 'B?' }, { from: 'gpt', value: 'B.' }] };
	const c = { instruction: 'C?', input: '', output: 'C.' };

	it('{"data": [...]} pretty-printed: the records are imported and the key is named', () => {
		const { entries, report } = importInChunks(JSON.stringify({ data: [a, b, c] }, null, 2), [7, 40]);
		expect(report.container).toBe('json');
		expect(report.errorCount).toBe(0);
		expect(entries.map((e) => e.messages[0].content)).toEqual(['A?', 'B?', 'C?']);
		expect(report.records).toBe(3);
		expect(report.imported).toBe(3);
		const note = report.notes.find((n) => n.text.includes('"data"'));
		expect(note).toMatchObject({ count: 3, text: 'records read from the "data" list of a wrapping object (keys: data)' });
		expect(entries.every((e) => e.tags.length === 0)).toBe(true);
	});

	it('{"version": ..., "data": [...]} on one line', () => {
		const { entries, report } = importInChunks(JSON.stringify({ version: '1.0', data: [a, a] }));
		expect(report.container).toBe('jsonl');
		expect(entries).toHaveLength(2);
		expect(noteTexts(report)).toContain('records read from the "data" list of a wrapping object (keys: version, data)');
	});

	it('{"train": [...], "test": [...]}: every split imported, entries tagged with their split', () => {
		const { entries, report } = importInChunks(JSON.stringify({ train: [a, b], test: [c] }, null, 2));
		expect(entries.map((e) => [e.messages[0].content, e.tags])).toEqual([
			['A?', ['train']],
			['B?', ['train']],
			['C?', ['test']]
		]);
		expect(report.formats).toEqual({ openai: 1, sharegpt: 1, alpaca: 1 });
		expect(noteTexts(report)).toEqual(
			expect.arrayContaining([
				'records read from the "train" list of a wrapping object (keys: train, test); entries tagged "train"',
				'records read from the "test" list of a wrapping object (keys: train, test); entries tagged "test"'
			])
		);
	});

	it('the Hugging Face dataset-viewer rows API response', () => {
		const page = {
			features: [{ feature_idx: 0, name: 'messages', type: { feature: { role: { dtype: 'string' } } } }],
			rows: [
				{ row_idx: 0, row: a, truncated_cells: [] },
				{ row_idx: 1, row: { messages: 'broken' }, truncated_cells: [] }
			],
			num_rows_total: 2,
			num_rows_per_page: 100,
			partial: false
		};
		const { entries, report } = importInChunks(JSON.stringify(page));
		expect(entries).toHaveLength(1);
		expect(report.records).toBe(2);
		expect(report.errors).toEqual([{ line: 1, excerpt: expect.stringContaining('rows[1]'), reason: 'messages must be a list' }]);
		expect(noteTexts(report)[0]).toContain('"rows[].row" list of a wrapping object');
		expect(noteTexts(report)[0]).toContain('Hugging Face dataset-viewer');
	});

	it('an object with a list of something else stays an unknown shape', () => {
		const { entries, report } = importInChunks(JSON.stringify({ id: 3, tags: [{ name: 'x' }] }));
		expect(entries).toEqual([]);
		expect(report.errors[0].reason).toBe('unknown shape (keys: id, tags)');
	});
});

describe('files that are mostly fine', () => {
	it('a NUL byte inside a line costs only that line', () => {
		const { entries, report } = importInChunks([line(chat), line(chat).replace('hello', 'hel\u0000lo'), line(chat)].join('\n'));
		expect(entries).toHaveLength(2);
		expect(report.errors.map((e) => e.line)).toEqual([2]);
	});

	it.each([
		['null', 'not an object (null)'],
		['42', 'not an object (a number)'],
		['"a header"', 'not an object (a string)']
	])('a first record that is %s is reported on line 1 and the rest imports', (first, reason) => {
		const { entries, report } = importInChunks([first, line(chat), line(chat)].join('\n'), [1, 3]);
		expect(report.container).toBe('jsonl');
		expect(entries).toHaveLength(2);
		expect(report.errors).toEqual([{ line: 1, excerpt: first, reason }]);
	});

	it('a first line of plain text is still refused as not a dataset', () => {
		const { report } = importInChunks('42 reasons to love JSON\n' + line(chat));
		expect(report.fatal).toContain(NOT_A_DATASET_MESSAGE);
		const prose = importInChunks('2024\nMy notes for the year\n');
		expect(prose.report.fatal).toContain(NOT_A_DATASET_MESSAGE);
	});

	it('a byte-order mark at the start of a later line (two files joined with cat) is ignored', () => {
		const { entries, report } = importInChunks('\uFEFF' + line(chat) + '\n' + line(chat) + '\n\uFEFF' + line(chat) + '\n' + line(chat) + '\n');
		expect(entries).toHaveLength(4);
		expect(report.errorCount).toBe(0);
		expect(noteTexts(report)).toContain('a byte-order mark at the start of a line was ignored (files joined together?)');
	});

	it('a number beyond double range (1e400) is kept as text, not turned into null', () => {
		const text = '{"messages": [{"role": "user", "content": "1e400 is big"}, {"role": "assistant", "content": "Yes.", "weight": 1e400}], "score": -2E+999, "n": 3.5e2}';
		const { entries, report } = importInChunks(text + '\n' + line(chat));
		expect(entries[0].messages[1].weight).toBe('1e400');
		expect(entries[0].messages[0].content).toBe('1e400 is big');
		expect(entries[0].extra).toEqual({ score: '-2E+999', n: 350 });
		expect(JSON.stringify(entries[0])).not.toContain('null');
		expect(noteTexts(report)).toContain('a number beyond the range of a double (such as 1e400) kept as text instead of becoming null');
		const pretty = importInChunks(JSON.stringify([chat], null, 2).replace('"hi"', '"hi", "weight": 1e400'));
		expect(pretty.entries[0].messages[0].weight).toBe('1e400');
	});
});
