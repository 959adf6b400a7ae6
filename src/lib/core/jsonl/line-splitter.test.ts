import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LineSplitter } from './line-splitter';

interface Collected {
	lines: [number, string][];
	overlong: [number, number, string][];
	count: number;
}

function split(chunks: string[], maxLineLength?: number): Collected {
	const lines: [number, string][] = [];
	const overlong: [number, number, string][] = [];
	const splitter = new LineSplitter(
		{ line: (text, n) => lines.push([n, text]), overlong: (n, length, head) => overlong.push([n, length, head]) },
		{ maxLineLength }
	);
	for (const chunk of chunks) splitter.push(chunk);
	splitter.finish();
	return { lines, overlong, count: splitter.lineCount };
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

describe('LineSplitter', () => {
	it('numbers lines from 1 and skips blank ones while counting them', () => {
		const result = split(['a\n\nb\n   \nc\n']);
		expect(result.lines).toEqual([
			[1, 'a'],
			[3, 'b'],
			[5, 'c']
		]);
		expect(result.count).toBe(5);
	});

	it('strips a BOM at the start only', () => {
		expect(split(['\uFEFFa\n\uFEFFb']).lines).toEqual([
			[1, 'a'],
			[2, '\uFEFFb']
		]);
		expect(split(['', '\uFEFF', 'a']).lines).toEqual([[1, 'a']]);
	});

	it('handles CRLF, including a CR at the end of one chunk and the LF at the start of the next', () => {
		expect(split(['a\r', '\nb\r\nc']).lines).toEqual([
			[1, 'a'],
			[2, 'b'],
			[3, 'c']
		]);
		expect(split(['a\r', '', '\n', 'b']).lines).toEqual([
			[1, 'a'],
			[2, 'b']
		]);
	});

	it('treats a lone CR as a line end', () => {
		expect(split(['a\rb\r\rc']).lines).toEqual([
			[1, 'a'],
			[2, 'b'],
			[4, 'c']
		]);
	});

	it('flushes a truncated last line at finish and counts it', () => {
		const result = split(['{"a":1}\n{"b"', ':2']);
		expect(result.lines).toEqual([
			[1, '{"a":1}'],
			[2, '{"b":2']
		]);
		expect(result.count).toBe(2);
	});

	it('counts an empty input as zero lines and a final newline as no extra line', () => {
		expect(split([]).count).toBe(0);
		expect(split(['x\n']).count).toBe(1);
		expect(split(['x\r\n']).count).toBe(1);
	});

	it('reports an over-long line once, without keeping it, and goes on', () => {
		const long = 'x'.repeat(50);
		const result = split(['ok\n' + long.slice(0, 20), long.slice(20), '\nafter\n'], 30);
		expect(result.lines).toEqual([
			[1, 'ok'],
			[3, 'after']
		]);
		expect(result.overlong).toEqual([[2, 50, long.slice(0, 50)]]);
	});

	it('gives the same lines for every way of cutting the text', () => {
		const alphabet = fc.constantFrom('a', 'b', '{', '}', '\n', '\r', '\r\n', ' ', '\uFEFF', 'é', '😀');
		fc.assert(
			fc.property(fc.array(alphabet, { maxLength: 60 }), fc.array(fc.nat(80), { maxLength: 10 }), (parts, cuts) => {
				const text = parts.join('');
				expect(split(cutAt(text, cuts))).toEqual(split([text]));
			})
		);
	});

	it('splits a multi-megabyte line that arrives in many chunks', () => {
		const big = '{"content":"' + 'y'.repeat(5 * 1024 * 1024) + '"}';
		const chunks = cutAt(big + '\n{}\n', Array.from({ length: 90 }, (_, i) => i * 65536));
		const result = split(chunks);
		expect(result.lines.length).toBe(2);
		expect(result.lines[0][1].length).toBe(big.length);
	});
});
