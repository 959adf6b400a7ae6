/**
 * Writing a character card into a PNG, as SillyTavern does: two `tEXt` chunks before `IEND`,
 * `chara` holding the V2 card and `ccv3` the V3 card, each base64 of the card's UTF-8 JSON
 * (reference/formats.md §3.4; the reader is import/png-card.ts). Card chunks already in the image
 * are replaced; every other chunk (the picture itself, its colour profile…) is copied as it is.
 *
 * A card that did not come with a picture gets a plain one (PLACEHOLDER_SIZE, one colour): the
 * image data is a zlib stream of stored (uncompressed) deflate blocks, so no compressor is needed.
 */
import { PNG_SIGNATURE } from '../import/sniff';

const CRC_TABLE = (() => {
	const table = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		table[n] = c >>> 0;
	}
	return table;
})();

/** CRC-32 as PNG computes it (over the chunk type and data). */
export function crc32(bytes: Uint8Array): number {
	let c = 0xffffffff;
	for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}

function latin1Bytes(text: string): Uint8Array {
	const bytes = new Uint8Array(text.length);
	for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
	return bytes;
}

/** One PNG chunk: length, type, data, CRC of type + data. */
export function pngChunk(type: string, data: Uint8Array): Uint8Array {
	const chunk = new Uint8Array(12 + data.length);
	const view = new DataView(chunk.buffer);
	view.setUint32(0, data.length);
	chunk.set(latin1Bytes(type), 4);
	chunk.set(data, 8);
	view.setUint32(8 + data.length, crc32(chunk.subarray(4, 8 + data.length)));
	return chunk;
}

/** UTF-8 text as base64 (what card chunks hold). */
export function encodeBase64Utf8(text: string): string {
	const bytes = new TextEncoder().encode(text);
	let binary = '';
	for (let i = 0; i < bytes.length; i += 8192) binary += String.fromCharCode(...bytes.subarray(i, i + 8192));
	return btoa(binary);
}

const CARD_KEYWORDS = new Set(['chara', 'ccv3']);
const TEXT_CHUNKS = new Set(['tEXt', 'iTXt', 'zTXt']);

/** The chunks of a PNG as [type, whole chunk bytes], or null when it is not a whole PNG. */
function chunksOf(png: Uint8Array): { type: string; bytes: Uint8Array; keyword: string | null }[] | null {
	if (png.length < 8 || PNG_SIGNATURE.some((byte, i) => png[i] !== byte)) return null;
	const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
	const chunks: { type: string; bytes: Uint8Array; keyword: string | null }[] = [];
	let offset = 8;
	while (offset + 12 <= png.length) {
		const length = view.getUint32(offset);
		const end = offset + 12 + length;
		if (end > png.length) return null;
		const type = String.fromCharCode(...png.subarray(offset + 4, offset + 8));
		let keyword: string | null = null;
		if (TEXT_CHUNKS.has(type)) {
			const nul = png.indexOf(0, offset + 8);
			if (nul !== -1 && nul < end - 4) keyword = String.fromCharCode(...png.subarray(offset + 8, nul));
		}
		chunks.push({ type, bytes: png.subarray(offset, end), keyword });
		if (type === 'IEND') return chunks;
		offset = end;
	}
	return null;
}

/** The plain picture of a card that came without one. */
export const PLACEHOLDER_SIZE = { width: 256, height: 384 };
const PLACEHOLDER_RGB = [0x3b, 0x4a, 0x5c];

function adler32(bytes: Uint8Array): number {
	let a = 1;
	let b = 0;
	for (let i = 0; i < bytes.length; i++) {
		a = (a + bytes[i]) % 65521;
		b = (b + a) % 65521;
	}
	return ((b << 16) | a) >>> 0;
}

/** A zlib stream of stored deflate blocks (no compression: at most 65,535 bytes a block). */
function storedZlib(raw: Uint8Array): Uint8Array {
	const blocks = Math.max(1, Math.ceil(raw.length / 65535));
	const out = new Uint8Array(2 + raw.length + 5 * blocks + 4);
	out[0] = 0x78;
	out[1] = 0x01;
	let at = 2;
	for (let block = 0; block < blocks; block++) {
		const part = raw.subarray(block * 65535, Math.min(raw.length, (block + 1) * 65535));
		out[at++] = block === blocks - 1 ? 1 : 0;
		out[at++] = part.length & 0xff;
		out[at++] = part.length >>> 8;
		out[at++] = ~part.length & 0xff;
		out[at++] = (~part.length >>> 8) & 0xff;
		out.set(part, at);
		at += part.length;
	}
	new DataView(out.buffer).setUint32(at, adler32(raw));
	return out;
}

/** A one-colour RGB PNG (8 bits a channel, no filter). */
export function placeholderPng(): Uint8Array {
	const { width, height } = PLACEHOLDER_SIZE;
	const header = new Uint8Array(13);
	const view = new DataView(header.buffer);
	view.setUint32(0, width);
	view.setUint32(4, height);
	header.set([8, 2, 0, 0, 0], 8);
	const row = 1 + width * 3;
	const raw = new Uint8Array(row * height);
	for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) raw.set(PLACEHOLDER_RGB, y * row + 1 + x * 3);
	return concat([PNG_SIGNATURE, pngChunk('IHDR', header), pngChunk('IDAT', storedZlib(raw)), pngChunk('IEND', new Uint8Array(0))]);
}

function concat(parts: readonly (Uint8Array | readonly number[])[]): Uint8Array<ArrayBuffer> {
	const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
	let at = 0;
	for (const part of parts) {
		out.set(part, at);
		at += part.length;
	}
	return out;
}

/**
 * The picture (the card's own, or the placeholder when there is none or it is not a whole PNG)
 * with `chara` = the V2 card and `ccv3` = the V3 card.
 */
export function writeCardPng(image: Uint8Array | null, cards: { v2: object; v3: object }): Uint8Array<ArrayBuffer> {
	const chunks = (image && chunksOf(image)) ?? chunksOf(placeholderPng());
	if (!chunks) throw new Error('The placeholder picture is not a PNG.');
	const kept = chunks.filter((chunk) => !(chunk.keyword !== null && CARD_KEYWORDS.has(chunk.keyword)));
	const cardChunks = [
		pngChunk('tEXt', latin1Bytes(`chara\u0000${encodeBase64Utf8(JSON.stringify(cards.v2))}`)),
		pngChunk('tEXt', latin1Bytes(`ccv3\u0000${encodeBase64Utf8(JSON.stringify(cards.v3))}`))
	];
	const end = kept.findIndex((chunk) => chunk.type === 'IEND');
	return concat([PNG_SIGNATURE, ...kept.slice(0, end).map((chunk) => chunk.bytes), ...cardChunks, ...kept.slice(end).map((chunk) => chunk.bytes)]);
}
