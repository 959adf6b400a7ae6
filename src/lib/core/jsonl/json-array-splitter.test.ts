import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { JsonRecordSplitter } from './json-array-splitter';

interface Collected {
	records: [number, string, boolean][];
	problems: [number, string][];
	overlong: [number, number][];
	lines: number;
}

function split(chunks: string[], maxRecordLength?: number): Collected {
	const out: Collected = { records: [], problems: [], overlong: [], lines: 0 };
	const splitter = new JsonRecordSplitter(
		{
			record: (text, line, truncated) => out.records.push([line, text, truncated]),
			problem: (line, _excerpt, reason) => out.problems.push([line, reason]),
			overlong: (line, length) => out.overlong.push([line, length])
		},
		{ maxRecordLength }
	);
	for (const chunk of chunks) splitter.push(chunk);
	splitter.finish();
	out.lines = splitter.lineCount;
	return out;
}

function cutAt(text: string, cuts: number[]): string[] {
	const points = [...new Set(cuts)].filter((c) => c > 0 && c < text.length).sort((a, b) => a - b);
	const chunks: string[] = [];
	let from = 0;
	for (const p of [...points, text.length]) {
		chunks.push(text.slice(from, p));
		from = p;
	}
	return chunks;
}

const PRETTY = `\uFEFF[
  {
    "a": "x, ] } \\" [ {",
    "b": [1, 2, {"c": null}]
  },
  {"d": "\\\\"},
  "str",
  42
]
`;

describe('JsonRecordSplitter', () => {
	it('cuts a pretty-printed array into elements with their start lines', () => {
		const result = split([PRETTY]);
		expect(result.records.map(([line, text]) => [line, JSON.parse(text)])).toEqual([
			[2, { a: 'x, ] } " [ {', b: [1, 2, { c: null }] }],
			[6, { d: '\\' }],
			[7, 'str'],
			[8, 42]
		]);
		expect(result.problems).toEqual([]);
		expect(result.lines).toBe(9);
	});

	it('gives the same records for every chunking (escapes and quotes split anywhere)', () => {
		const expected = split([PRETTY]);
		for (let i = 1; i < PRETTY.length; i++) {
			expect(split([PRETTY.slice(0, i), PRETTY.slice(i)])).toEqual(expected);
		}
		expect(split([...PRETTY])).toEqual(expected);
	});

	it('splits concatenated top-level values', () => {
		const result = split(['{"a": 1}\n{\n  "b": 2\n}  {"c": "}"}']);
		expect(result.records.map(([line, text]) => [line, text])).toEqual([
			[1, '{"a": 1}'],
			[2, '{\n  "b": 2\n}'],
			[4, '{"c": "}"}']
		]);
	});

	it('reports a truncated array and hands over the unfinished element', () => {
		const result = split(['[\n {"a": 1},\n {"b": [2, 3']);
		expect(result.records).toEqual([
			[2, '{"a": 1}', false],
			[3, '{"b": [2, 3', true]
		]);
		expect(result.problems).toEqual([[1, 'truncated JSON array: the closing ] is missing']]);
	});

	it('reports stray and trailing commas and garbage between records', () => {
		const result = split(['[{"a":1},,{"b":2},]\n} :']);
		expect(result.records.map(([, text]) => text)).toEqual(['{"a":1}', '{"b":2}']);
		expect(result.problems.map(([, reason]) => reason)).toEqual([
			'empty element (a stray comma)',
			'trailing comma before the closing ]',
			'unexpected "}" outside any record',
			'unexpected ":" outside any record'
		]);
	});

	it('turns garbage into scalar records that JSON.parse will reject', () => {
		expect(split(['hello world\n']).records.map(([, text]) => text)).toEqual(['hello', 'world']);
	});

	it('resynchronises after a raw line break inside a string', () => {
		const result = split(['[\n{"a": "broken\n},\n{"b": 1}\n]']);
		expect(result.records.map(([line]) => line)).toContain(4);
		expect(result.records.some(([, text]) => text === '{"b": 1}')).toBe(true);
	});

	it('skips an over-long element without keeping it', () => {
		const result = split(['[{"a": "' + 'x'.repeat(100) + '"}, {"b": 1}]'], 50);
		expect(result.overlong).toEqual([[1, 109]]);
		expect(result.records.map(([, text]) => text)).toEqual(['{"b": 1}']);
	});

	it('does not hang or crash on 100,000 nested brackets', () => {
		const deep = '['.repeat(100_000) + ']'.repeat(100_000);
		const result = split(['[' + deep + ']']);
		expect(result.records.length).toBe(1);
		expect(split(['['.repeat(100_000)]).problems.length).toBe(1);
	});

	it('is chunk-invariant on arbitrary JSON-ish text', () => {
		const token = fc.constantFrom('{', '}', '[', ']', '"', '\\', '\\"', ',', ':', '\n', ' ', 'a', '1', '"x"', '\uFEFF');
		fc.assert(
			fc.property(fc.array(token, { maxLength: 80 }), fc.array(fc.nat(120), { maxLength: 12 }), (tokens, cuts) => {
				const text = tokens.join('');
				expect(split(cutAt(text, cuts))).toEqual(split([text]));
			}),
			{ numRuns: 500 }
		);
	});

	it('agrees with JSON.parse on arbitrary arrays of JSON values', () => {
		fc.assert(
			fc.property(fc.array(fc.jsonValue()), fc.boolean(), fc.array(fc.nat(500), { maxLength: 6 }), (values, pretty, cuts) => {
				const text = JSON.stringify(values, null, pretty ? 2 : undefined);
				const result = split(cutAt(text, cuts));
				expect(result.records.map(([, t]) => JSON.parse(t))).toEqual(JSON.parse(text));
				expect(result.problems).toEqual([]);
			})
		);
	});
});
