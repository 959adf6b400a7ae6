import { readFileSync } from 'node:fs';
import { crc32 as nodeCrc32, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cardToSheet } from '../sheets/card-to-sheet';
import { decodeBase64Utf8, readPngTextChunks } from '../import/png-card';
import { exportCard } from './card-export';
import { crc32, PLACEHOLDER_SIZE, placeholderPng, writeCardPng } from './card-png';

const cardPng = new Uint8Array(readFileSync('tests/fixtures/card-v3.png'));
const v2Card = JSON.parse(readFileSync('tests/fixtures/sheets/card-v2-with-book.json', 'utf8'));

/** Every chunk of a PNG with its CRC checked by Node's own zlib. */
function chunks(png: Uint8Array): { type: string; data: Uint8Array }[] {
	const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
	const out: { type: string; data: Uint8Array }[] = [];
	for (let at = 8; at < png.length; ) {
		const length = view.getUint32(at);
		const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
		const data = png.subarray(at + 8, at + 8 + length);
		expect(view.getUint32(at + 8 + length), `CRC of ${type}`).toBe(nodeCrc32(png.subarray(at + 4, at + 8 + length)));
		out.push({ type, data });
		at += 12 + length;
	}
	return out;
}

function cardsOf(png: Uint8Array): Record<string, unknown> {
	return Object.fromEntries((readPngTextChunks(png) ?? []).map((chunk) => [chunk.keyword, JSON.parse(decodeBase64Utf8(chunk.text) ?? 'null')]));
}

describe('card PNG', () => {
	it('computes PNG’s CRC-32 as zlib does', () => {
		const bytes = new TextEncoder().encode('IEND');
		expect(crc32(bytes)).toBe(0xae426082);
		expect(crc32(new TextEncoder().encode('tEXtchara'))).toBe(nodeCrc32(Buffer.from('tEXtchara')));
	});

	it('puts the V2 card in `chara` and the V3 card in `ccv3` of the card’s own picture, replacing the old card chunks and copying the rest', () => {
		const v2 = exportCard(v2Card, 'v2');
		const v3 = exportCard(v2Card, 'v3');
		if (!v2.ok || !v3.ok) throw new Error('not a card');
		const png = writeCardPng(cardPng, { v2: v2.card, v3: v3.card });
		const before = chunks(cardPng);
		const after = chunks(png);
		// One chunk per keyword, decoding to exactly the cards given.
		expect((readPngTextChunks(png) ?? []).map((chunk) => chunk.keyword).sort()).toEqual(['ccv3', 'chara']);
		expect(cardsOf(png)).toStrictEqual({ chara: v2.card, ccv3: v3.card });
		// The picture's own chunks are there, byte for byte and in order, IEND last.
		const picture = (list: { type: string; data: Uint8Array }[]) => list.filter((chunk) => chunk.type !== 'tEXt' && chunk.type !== 'iTXt').map((chunk) => [chunk.type, Buffer.from(chunk.data).toString('hex')]);
		expect(picture(after)).toEqual(picture(before));
		expect(after.at(-1)?.type).toBe('IEND');
		// It reads back as a sheet, its lorebook and extensions intact.
		const sheet = cardToSheet(png);
		if (!sheet.ok) throw new Error(sheet.error);
		expect((sheet.sheet.card as { data: unknown }).data).toStrictEqual(v3.card.data);
	});

	it('gives a card without a picture a plain one that decodes to its size', () => {
		const png = writeCardPng(null, { v2: v2Card, v3: v2Card });
		const list = chunks(png);
		expect(list.map((chunk) => chunk.type)).toEqual(['IHDR', 'IDAT', 'tEXt', 'tEXt', 'IEND']);
		const header = new DataView(list[0].data.buffer, list[0].data.byteOffset);
		expect([header.getUint32(0), header.getUint32(4)]).toEqual([PLACEHOLDER_SIZE.width, PLACEHOLDER_SIZE.height]);
		const pixels = inflateSync(list[1].data);
		expect(pixels.length).toBe((1 + PLACEHOLDER_SIZE.width * 3) * PLACEHOLDER_SIZE.height);
		expect(chunks(placeholderPng()).map((chunk) => chunk.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
		// A broken picture is replaced by the plain one rather than written half.
		expect(chunks(writeCardPng(cardPng.subarray(0, 60), { v2: v2Card, v3: v2Card })).map((chunk) => chunk.type)).toEqual(['IHDR', 'IDAT', 'tEXt', 'tEXt', 'IEND']);
	});
});
