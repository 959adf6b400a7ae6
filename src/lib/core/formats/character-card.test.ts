import { describe, expect, it } from 'vitest';
import { fixtureBytes, importFixture, importInChunks, testOptions } from '../test-utils';
import { importPng, NO_CARD_IN_PNG_MESSAGE, sniffBytes } from '../import/file-importer';
import { readPngTextChunks } from '../import/png-card';

describe('character cards in JSON', () => {
	it('recognises a V2 card and does not import it as an entry', () => {
		const { entries, report } = importFixture('card-v2.json');
		expect(report.container).toBe('json');
		expect(entries).toEqual([]);
		expect(report.cards).toEqual([{ line: 1, name: 'Seraphina', spec: 'chara_card_v2', container: 'json' }]);
		expect(report.notes[0].text).toMatch(/character card/);
		expect(report.errors).toEqual([]);
	});

	it('recognises V1 and V3 cards', () => {
		const v1 = { name: 'Bob', description: '', personality: '', scenario: '', first_mes: 'Hi', mes_example: '' };
		const v3 = { spec: 'chara_card_v3', spec_version: '3.0', data: { name: 'Cleo' } };
		const { report } = importInChunks(JSON.stringify(v1) + '\n' + JSON.stringify(v3));
		expect(report.cards.map((c) => [c.spec, c.name])).toEqual([
			['chara_card_v1', 'Bob'],
			['chara_card_v3', 'Cleo']
		]);
	});
});

describe('character cards in PNG', () => {
	it('sniffs the PNG signature', () => {
		expect(sniffBytes(fixtureBytes('card-v3.png'))).toEqual({ kind: 'png' });
	});

	it('reads the text chunks', () => {
		expect(readPngTextChunks(fixtureBytes('card-v3.png'))?.map((c) => c.keyword)).toEqual(['chara', 'ccv3']);
	});

	it('prefers the ccv3 chunk over chara and decodes UTF-8', () => {
		const { entries, report } = importPng(fixtureBytes('card-v3.png'), testOptions({ fileName: 'card-v3.png' }));
		expect(entries).toEqual([]);
		expect(report.container).toBe('png');
		expect(report.fatal).toBeUndefined();
		expect(report.cards).toEqual([{ line: 0, name: 'Aurélie', spec: 'chara_card_v3', container: 'png' }]);
	});

	it('says so when a PNG has no card', () => {
		const bytes = fixtureBytes('card-v3.png');
		// Keep the signature and IHDR, then jump to IEND: a plain image.
		const ihdrEnd = 8 + 8 + 13 + 4;
		const iend = bytes.slice(bytes.length - 12);
		const plain = new Uint8Array([...bytes.slice(0, ihdrEnd), ...iend]);
		expect(importPng(plain, testOptions()).report.fatal).toBe(NO_CARD_IN_PNG_MESSAGE);
	});

	it('survives truncated and garbage PNGs', () => {
		const bytes = fixtureBytes('card-v3.png');
		for (let cut = 0; cut < bytes.length; cut += 7) {
			expect(() => importPng(bytes.slice(0, cut), testOptions())).not.toThrow();
		}
		expect(importPng(new Uint8Array([1, 2, 3]), testOptions()).report.fatal).toMatch(/not a PNG/);
	});
});

describe('sniffBytes', () => {
	const enc = new TextEncoder();
	it('calls text text', () => {
		expect(sniffBytes(enc.encode('{"messages": []}\n'))).toEqual({ kind: 'text' });
		expect(sniffBytes(new Uint8Array())).toEqual({ kind: 'text' });
	});
	it('calls NUL bytes and control-byte soup binary', () => {
		expect(sniffBytes(new Uint8Array([0x7b, 0x00, 0x7d]))).toEqual({ kind: 'binary', reason: 'this is not a dataset: it looks like a binary file' });
		expect(sniffBytes(new Uint8Array(100).fill(3)).kind).toBe('binary');
	});
	it('names gzip, zip and UTF-16', () => {
		expect(sniffBytes(new Uint8Array([0x1f, 0x8b, 8]))).toMatchObject({ kind: 'binary', reason: expect.stringContaining('gzip') });
		expect(sniffBytes(new Uint8Array([0x50, 0x4b, 3, 4]))).toMatchObject({ reason: expect.stringContaining('zip') });
		expect(sniffBytes(new Uint8Array([0xff, 0xfe, 0x7b, 0]))).toMatchObject({ reason: expect.stringContaining('UTF-16') });
	});
});

describe('sniffBytes on text with a stray NUL', () => {
	it('one NUL byte in the first 8 KiB of a JSON Lines file does not make it binary', () => {
		const line = '{"messages": [{"role": "user", "content": "Hello there"}, {"role": "assistant", "content": "Hi."}]}\n';
		const bytes = new TextEncoder().encode(line.repeat(100));
		bytes[line.length * 3 + 45] = 0;
		expect(sniffBytes(bytes)).toEqual({ kind: 'text' });
	});
});
