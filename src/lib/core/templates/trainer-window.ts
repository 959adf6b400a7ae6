/**
 * What the trainer view draws, a page at a time: a long entry has hundreds of thousands of tokens
 * and one element per token for all of them would stall the page, so the view shows a window of
 * TOKEN_PAGE tokens (or, without a tokenizer, TEXT_PAGE characters in pieces of at most
 * TEXT_PIECE), and each element holds one token's few characters, never the whole text.
 */

export type LossView = 'assistant-only' | 'everything';

/** The token data the worker sends (trainer-view-service.ts TrainerTokens). */
export interface WindowTokens {
	ids: ArrayLike<number>;
	starts: ArrayLike<number>;
	ends: ArrayLike<number>;
	special: ArrayLike<number>;
	assistant: ArrayLike<number>;
	total: number;
}

export const TOKEN_PAGE = 1000;
export const TEXT_PAGE = 20_000;
export const TEXT_PIECE = 2_000;

export interface TokenPiece {
	/** The first token's index. */
	index: number;
	/** Tokens in the piece: more than one when a character is split across tokens (emoji, CJK in byte-level BPE). */
	count: number;
	text: string;
	special: boolean;
	trained: boolean;
	/** At or past max_seq_len: the trainer cuts it off. */
	cut: boolean;
	/** The cut falls just before this piece. */
	cutBefore: boolean;
	/** Alternates piece by piece, so that boundaries show. */
	odd: boolean;
	title: string;
}

const SHOWN_TEXT = 40;

function quoted(text: string): string {
	const shown = JSON.stringify(text.length > SHOWN_TEXT ? `${text.slice(0, SHOWN_TEXT)}…` : text);
	return shown;
}

/** The page (0-based) holding token `index`. */
export function pageOf(index: number, pageSize = TOKEN_PAGE): number {
	return Math.max(0, Math.floor(index / pageSize));
}

export function pageCount(total: number, pageSize = TOKEN_PAGE): number {
	return Math.max(1, Math.ceil(total / pageSize));
}

/** The pieces of tokens [page·size, (page+1)·size), a split character kept whole on the page where it starts. */
export function tokenPieces(text: string, tokens: WindowTokens, page: number, mode: LossView, maxSeqLen: number, pageSize = TOKEN_PAGE): TokenPiece[] {
	let i = page * pageSize;
	// Tokens that share the previous page's last character were drawn there.
	while (i > 0 && i < tokens.total && tokens.starts[i] === tokens.starts[i - 1] && tokens.ends[i] === tokens.ends[i - 1]) i++;
	const stop = Math.min(tokens.total, (page + 1) * pageSize);
	const pieces: TokenPiece[] = [];
	while (i < stop) {
		let count = 1;
		while (i + count < tokens.total && tokens.starts[i + count] === tokens.starts[i] && tokens.ends[i + count] === tokens.ends[i]) count++;
		const pieceText = text.slice(tokens.starts[i], tokens.ends[i]);
		const special = tokens.special[i] === 1;
		let trained = false;
		for (let k = i; k < i + count; k++) if (mode === 'everything' || tokens.assistant[k] === 1) trained = true;
		const cut = i + count > maxSeqLen;
		const ids = Array.from({ length: count }, (_, k) => tokens.ids[i + k]);
		const title =
			(count === 1 ? `Token ${(i + 1).toLocaleString('en-US')} · id ${ids[0]}` : `Tokens ${(i + 1).toLocaleString('en-US')}–${(i + count).toLocaleString('en-US')} · ids ${ids.join(', ')}`) +
			` · ${quoted(pieceText)}` +
			(special ? ' · special token' : '') +
			(trained ? ' · trained' : ' · not trained') +
			(cut ? ' · past max_seq_len, cut' : '');
		pieces.push({ index: i, count, text: pieceText, special, trained, cut, cutBefore: i === maxSeqLen || (i < maxSeqLen && i + count > maxSeqLen), odd: pieces.length % 2 === 1, title });
		i += count;
	}
	return pieces;
}

export interface TextPiece {
	start: number;
	text: string;
	trained: boolean;
}

/** Without tokens: the text of characters [page·TEXT_PAGE, …) in pieces, split where training starts or stops. */
export function textPieces(text: string, spans: ReadonlyArray<{ start: number; end: number }>, page: number, mode: LossView, pageSize = TEXT_PAGE): TextPiece[] {
	const from = page * pageSize;
	const to = Math.min(text.length, from + pageSize);
	const cuts = new Set<number>([from, to]);
	if (mode === 'assistant-only') for (const span of spans) for (const at of [span.start, span.end]) if (at > from && at < to) cuts.add(at);
	const bounds = [...cuts].sort((a, b) => a - b);
	const pieces: TextPiece[] = [];
	for (let b = 0; b + 1 < bounds.length; b++) {
		const trained = mode === 'everything' || spans.some((span) => span.start <= bounds[b] && bounds[b] < span.end);
		for (let at = bounds[b]; at < bounds[b + 1]; at += TEXT_PIECE) pieces.push({ start: at, text: text.slice(at, Math.min(bounds[b + 1], at + TEXT_PIECE)), trained });
	}
	return pieces;
}

export interface TrainerCounts {
	total: number;
	trained: number;
	/** Over max_seq_len: the tokens the trainer keeps, and how many of them it trains on. */
	over: number;
	keptTrained: number;
}

export function trainerCounts(tokens: WindowTokens, mode: LossView, maxSeqLen: number): TrainerCounts {
	let trained = 0;
	let keptTrained = 0;
	for (let i = 0; i < tokens.total; i++) {
		if (mode === 'everything' || tokens.assistant[i] === 1) {
			trained++;
			if (i < maxSeqLen) keptTrained++;
		}
	}
	return { total: tokens.total, trained, over: Math.max(0, tokens.total - maxSeqLen), keptTrained };
}
