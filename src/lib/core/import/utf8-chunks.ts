/**
 * Decoding a file's bytes chunk by chunk, telling real decoding errors from U+FFFD characters
 * the file really contains.
 *
 * A UTF-8 decoder writes U+FFFD for every invalid byte sequence, and a valid file may contain
 * U+FFFD itself (bytes EF BF BD, often left by an earlier lossy conversion). Counting every U+FFFD
 * as "invalid UTF-8" blames valid files. The fast path is unchanged: chunks decode with the
 * platform's TextDecoder, and only a chunk whose text contains U+FFFD (rare) is read again here,
 * byte by byte, with the WHATWG Encoding Standard's UTF-8 decoder, which says for each U+FFFD it
 * emits whether it was an error or a character of the file.
 */

export interface DecodedChunk {
	text: string;
	/**
	 * For each U+FFFD in `text`, in order: true for a decoding error, false for a U+FFFD the file
	 * contains. Null when the text has none, or when every one is an error.
	 */
	replacements: boolean[] | null;
}

/**
 * The WHATWG UTF-8 decoder over `bytes` from a state holding `pending` (bytes of an incomplete
 * sequence carried over), noting only what becomes U+FFFD. Stops at the end of `bytes` without
 * flushing: an incomplete sequence there belongs to the next chunk.
 */
function replacementKinds(pending: Uint8Array, bytes: Uint8Array): { kinds: boolean[]; pendingAtEnd: number } {
	const kinds: boolean[] = [];
	let codePoint = 0;
	let needed = 0;
	let seen = 0;
	let lower = 0x80;
	let upper = 0xbf;
	const total = pending.length + bytes.length;
	for (let i = 0; i < total; i++) {
		const byte = i < pending.length ? pending[i] : bytes[i - pending.length];
		if (needed === 0) {
			if (byte <= 0x7f) continue;
			if (byte >= 0xc2 && byte <= 0xdf) {
				needed = 1;
				codePoint = byte & 0x1f;
			} else if (byte >= 0xe0 && byte <= 0xef) {
				if (byte === 0xe0) lower = 0xa0;
				if (byte === 0xed) upper = 0x9f;
				needed = 2;
				codePoint = byte & 0xf;
			} else if (byte >= 0xf0 && byte <= 0xf4) {
				if (byte === 0xf0) lower = 0x90;
				if (byte === 0xf4) upper = 0x8f;
				needed = 3;
				codePoint = byte & 0x7;
			} else kinds.push(true);
			continue;
		}
		if (byte < lower || byte > upper) {
			codePoint = needed = seen = 0;
			lower = 0x80;
			upper = 0xbf;
			kinds.push(true);
			i--; // the byte starts again as the first of a sequence
			continue;
		}
		lower = 0x80;
		upper = 0xbf;
		codePoint = (codePoint << 6) | (byte & 0x3f);
		seen++;
		if (seen === needed) {
			if (codePoint === 0xfffd) kinds.push(false);
			codePoint = needed = seen = 0;
		}
	}
	return { kinds, pendingAtEnd: needed === 0 ? 0 : seen + 1 };
}

function countReplacements(text: string): number {
	let count = 0;
	for (let at = text.indexOf('\uFFFD'); at !== -1; at = text.indexOf('\uFFFD', at + 1)) count++;
	return count;
}

export class Utf8ChunkDecoder {
	private readonly decoder = new TextDecoder('utf-8');
	/** Bytes of an incomplete sequence at the end of the last chunk (what the decoder holds). */
	private pending: Uint8Array = new Uint8Array(0);

	decode(bytes: Uint8Array): DecodedChunk {
		const text = this.decoder.decode(bytes, { stream: true });
		const pending = this.pending;
		this.pending = trailingIncomplete(pending, bytes);
		if (text.indexOf('\uFFFD') === -1) return { text, replacements: null };
		const { kinds } = replacementKinds(pending, bytes);
		// The two decoders follow one standard; should they ever disagree, every U+FFFD counts as an error, as before.
		if (kinds.length !== countReplacements(text) || kinds.every(Boolean)) return { text, replacements: null };
		return { text, replacements: kinds };
	}

	/** The end of the input: an incomplete sequence left over is an error. */
	end(): DecodedChunk {
		this.pending = new Uint8Array(0);
		return { text: this.decoder.decode(), replacements: null };
	}
}

/** The incomplete sequence the decoder holds after `bytes` (read from the last few bytes only). */
function trailingIncomplete(before: Uint8Array, bytes: Uint8Array): Uint8Array {
	let tail: Uint8Array;
	if (bytes.length >= 3) tail = bytes.subarray(bytes.length - 3);
	else {
		tail = new Uint8Array(before.length + bytes.length);
		tail.set(before);
		tail.set(bytes, before.length);
		if (tail.length > 3) tail = tail.subarray(tail.length - 3);
	}
	// The last byte that can start a sequence; what follows it must be a valid incomplete rest.
	for (let k = tail.length - 1; k >= 0; k--) {
		const byte = tail[k];
		if (byte >= 0x80 && byte <= 0xbf) continue;
		if (byte < 0xc2 || byte > 0xf4) return new Uint8Array(0);
		const candidate = tail.slice(k);
		const { kinds, pendingAtEnd } = replacementKinds(new Uint8Array(0), candidate);
		return kinds.length === 0 && pendingAtEnd === candidate.length ? candidate : new Uint8Array(0);
	}
	return new Uint8Array(0);
}
