/**
 * Where each token of a rendered text sits, in characters of that text: the token boundaries the
 * trainer view shows, and what maps trained character spans to trained tokens. Tokens are decoded
 * one by one; a token that holds part of a character (byte-level BPE splits emoji and CJK across
 * tokens) is decoded together with the next ones until the group matches the text.
 */
import type { TemplateTokenizer } from './template-tokenizers';

export interface TokenizedText {
	ids: number[];
	/** [start, end) in characters of the text, one per token. Tokens of one split character share a range. */
	offsets: Array<[number, number]>;
}

const MAX_GROUP = 8;

/** Token ids and their character offsets; throws when the decoded tokens do not spell the text. */
export function tokenizeWithOffsets(tokenizer: TemplateTokenizer, text: string): TokenizedText {
	const ids = tokenizer.encode(text);
	const offsets: Array<[number, number]> = [];
	// A token decodes alone to the same text wherever it is: a long render repeats few distinct
	// tokens, and decoding each once keeps offsets a fraction of the tokenizing time.
	const single = new Map<number, string>();
	const decodeOne = (id: number) => {
		let piece = single.get(id);
		if (piece === undefined) {
			piece = tokenizer.decode([id]);
			single.set(id, piece);
		}
		return piece;
	};
	let at = 0;
	let i = 0;
	while (i < ids.length) {
		let matched = false;
		for (let size = 1; size <= MAX_GROUP && i + size <= ids.length; size++) {
			const piece = size === 1 ? decodeOne(ids[i]) : tokenizer.decode(ids.slice(i, i + size));
			if (piece.includes('\uFFFD') && !text.startsWith(piece, at)) continue;
			if (!text.startsWith(piece, at)) break;
			for (let k = 0; k < size; k++) offsets.push([at, at + piece.length]);
			at += piece.length;
			i += size;
			matched = true;
			break;
		}
		if (!matched) throw new Error(`Token ${i} (id ${ids[i]}) does not decode to the text at character ${at}: offsets are unavailable for this tokenizer.`);
	}
	if (at !== text.length) throw new Error(`The tokens spell ${at} of ${text.length} characters: offsets are unavailable for this tokenizer.`);
	return { ids, offsets };
}

export interface CharSpan {
	start: number;
	end: number;
}

/** Tokens that overlap any span: those a trainer's assistant mask marks (TRL maps span ends with char_to_token). */
export function tokensInSpans(offsets: ReadonlyArray<readonly [number, number]>, spans: readonly CharSpan[]): boolean[] {
	return offsets.map(([start, end]) => spans.some((span) => start < span.end && (end > span.start || (start === end && start >= span.start))));
}
