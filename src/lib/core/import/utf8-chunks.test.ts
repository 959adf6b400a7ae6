/**
 * A valid UTF-8 file that contains U+FFFD itself is not "invalid UTF-8"; real decoding errors
 * still are, whatever the chunking.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FileImporter } from './file-importer';
import { Utf8ChunkDecoder } from './utf8-chunks';
import { testOptions } from '../test-utils';

const encode = (text: string) => new TextEncoder().encode(text);
const join = (...parts: Uint8Array[]) => {
	const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
	let at = 0;
	for (const part of parts) {
		out.set(part, at);
		at += part.length;
	}
	return out;
};

/** Imports `bytes` cut at `cuts` the way the worker does: decoder chunk by chunk into the importer. */
function importBytes(bytes: Uint8Array, cuts: number[] = []) {
	const importer = new FileImporter(testOptions({ sizeBytes: bytes.length }));
	const decoder = new Utf8ChunkDecoder();
	const points = [...new Set([0, ...cuts.filter((c) => c > 0 && c < bytes.length), bytes.length])].sort((a, b) => a - b);
	const entries = [];
	let text = '';
	for (let i = 0; i + 1 < points.length; i++) {
		const chunk = decoder.decode(bytes.subarray(points[i], points[i + 1]));
		text += chunk.text;
		entries.push(...importer.push(chunk.text, chunk.replacements));
	}
	const last = decoder.end();
	text += last.text;
	entries.push(...importer.push(last.text, last.replacements));
	entries.push(...importer.finish());
	return { report: importer.report, entries, text };
}

const line = (content: string) => JSON.stringify({ messages: [{ role: 'user', content }, { role: 'assistant', content: 'ok' }] }) + '\n';

describe('U+FFFD in a valid file and invalid bytes', () => {
	it('a valid file with literal U+FFFD characters has no invalid UTF-8 lines, and keeps them', () => {
		const bytes = encode(line('caf\uFFFD menu') + line('plain') + line('two \uFFFD\uFFFD here'));
		const { report, entries } = importBytes(bytes);
		expect(report.invalidUtf8Lines).toBe(0);
		expect(entries.map((e) => e.messages[0].content)).toEqual(['caf\uFFFD menu', 'plain', 'two \uFFFD\uFFFD here']);
	});

	it('real invalid bytes still count, one per line, next to literal U+FFFD', () => {
		const bad = join(encode('{"messages": [{"role": "user", "content": "bad '), new Uint8Array([0xff, 0xc3, 0x28]), encode('"}, {"role": "assistant", "content": "ok"}]}\n'));
		const mixed = join(encode('{"messages": [{"role": "user", "content": "\uFFFD and '), new Uint8Array([0xe2, 0x82]), encode('"}, {"role": "assistant", "content": "ok"}]}\n'));
		const bytes = join(encode(line('literal \uFFFD')), bad, encode(line('fine')), mixed, encode(line('literal again \uFFFD')));
		const { report, entries } = importBytes(bytes);
		expect(entries.length).toBe(5);
		expect(report.invalidUtf8Lines).toBe(2);
	});

	it('gives the same count and text however the bytes are cut into chunks', () => {
		const bad = join(encode('{"messages": [{"role": "user", "content": "x'), new Uint8Array([0xf0, 0x9f, 0x98]), encode('"}, {"role": "assistant", "content": "ok"}]}\n'));
		const bytes = join(encode(line('a \uFFFD b')), bad, encode(line('\uFFFD\uFFFD\uFFFD')), encode(line('é 😀 \uFFFD')));
		const whole = importBytes(bytes);
		expect(whole.report.invalidUtf8Lines).toBe(1);
		expect(whole.text).toBe(new TextDecoder().decode(bytes));
		fc.assert(
			fc.property(fc.array(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }), (cuts) => {
				const cut = importBytes(bytes, cuts);
				expect(cut.report.invalidUtf8Lines).toBe(1);
				expect(cut.text).toBe(whole.text);
			}),
			{ numRuns: 300 }
		);
	});

	it('a sequence cut off at the end of the file is an error', () => {
		const bytes = join(encode(line('ok \uFFFD').trimEnd().slice(0, -3)), new Uint8Array([0xe2, 0x82]));
		const { report } = importBytes(bytes);
		expect(report.invalidUtf8Lines).toBe(1);
	});

	it('says which U+FFFD were errors, in order', () => {
		const decoder = new Utf8ChunkDecoder();
		const chunk = decoder.decode(join(encode('\uFFFD'), new Uint8Array([0xff]), encode('a\uFFFD'), new Uint8Array([0xed, 0xa0, 0x80])));
		expect(chunk.replacements).toEqual([false, true, false, true, true, true]);
		expect(new Utf8ChunkDecoder().decode(new Uint8Array([0x61, 0xff])).replacements).toBeNull();
		expect(new Utf8ChunkDecoder().decode(encode('plain')).replacements).toBeNull();
	});
});
