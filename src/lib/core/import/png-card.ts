/**
 * A minimal PNG chunk reader for SillyTavern character cards: after the 8-byte signature a PNG is
 * a list of chunks (4-byte big-endian length, 4-byte type, data, 4-byte CRC). Cards live in a
 * `tEXt` chunk (keyword, NUL, Latin-1 text) named `ccv3` (V3, preferred) or `chara` (V1/V2), whose
 * text is base64 of UTF-8 JSON. Uncompressed `iTXt` chunks are read too. CRCs are not checked: a
 * corrupt card shows up as invalid base64 or JSON, with a clear message.
 */
import { PNG_SIGNATURE } from './sniff';

export interface PngTextChunk {
	keyword: string;
	text: string;
}

function latin1(bytes: Uint8Array, from: number, to: number): string {
	let out = '';
	for (let i = from; i < to; i += 8192) {
		out += String.fromCharCode(...bytes.subarray(i, Math.min(to, i + 8192)));
	}
	return out;
}

/** The text chunks of a PNG, in file order. Stops quietly at a truncated chunk or at IEND. */
export function readPngTextChunks(bytes: Uint8Array): PngTextChunk[] | null {
	if (bytes.length < 8) return null;
	for (let i = 0; i < 8; i++) if (bytes[i] !== PNG_SIGNATURE[i]) return null;
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const chunks: PngTextChunk[] = [];
	let offset = 8;
	while (offset + 8 <= bytes.length) {
		const length = view.getUint32(offset);
		const type = latin1(bytes, offset + 4, offset + 8);
		const dataStart = offset + 8;
		const dataEnd = dataStart + length;
		if (dataEnd > bytes.length) break;
		if (type === 'tEXt') {
			const nul = bytes.indexOf(0, dataStart);
			if (nul !== -1 && nul < dataEnd) {
				chunks.push({ keyword: latin1(bytes, dataStart, nul), text: latin1(bytes, nul + 1, dataEnd) });
			}
		} else if (type === 'iTXt') {
			const chunk = readITxt(bytes, dataStart, dataEnd);
			if (chunk !== null) chunks.push(chunk);
		} else if (type === 'IEND') {
			break;
		}
		offset = dataEnd + 4;
	}
	return chunks;
}

/** iTXt: keyword NUL, compression flag, method, language NUL, translated keyword NUL, UTF-8 text. */
function readITxt(bytes: Uint8Array, start: number, end: number): PngTextChunk | null {
	const keywordEnd = bytes.indexOf(0, start);
	if (keywordEnd === -1 || keywordEnd + 3 > end) return null;
	if (bytes[keywordEnd + 1] !== 0) return null; // compressed: not supported
	const languageEnd = bytes.indexOf(0, keywordEnd + 3);
	if (languageEnd === -1 || languageEnd >= end) return null;
	const translatedEnd = bytes.indexOf(0, languageEnd + 1);
	if (translatedEnd === -1 || translatedEnd >= end) return null;
	return {
		keyword: latin1(bytes, start, keywordEnd),
		text: new TextDecoder('utf-8').decode(bytes.subarray(translatedEnd + 1, end))
	};
}

/** Base64 (as in card chunks) → UTF-8 text; null when it is not base64. */
export function decodeBase64Utf8(base64: string): string | null {
	let binary: string;
	try {
		binary = atob(base64.trim());
	} catch {
		return null;
	}
	const bytes = new Uint8Array(binary.length);
	for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
	return new TextDecoder('utf-8').decode(bytes);
}

/** The card chunk of a PNG: `ccv3` if present, else `chara`. */
export function findCardChunk(chunks: readonly PngTextChunk[]): PngTextChunk | null {
	return chunks.find((c) => c.keyword === 'ccv3') ?? chunks.find((c) => c.keyword === 'chara') ?? null;
}
