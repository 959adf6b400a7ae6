/**
 * One entry's token figures under a template, for the whole-dataset analysis: the render's token
 * count, the tokens trained under assistant-only loss, and those of them a trainer keeps when it
 * cuts the sequence at max_seq_len. The same render, spans and offsets as the trainer view
 * (`renderEntry` + `countRenderedTokens`), without the findings the analysis does not show.
 *
 * Figures travel between workers as four integers per entry (`ENTRY_COUNT_FIELDS`).
 */
import type { Entry } from '../model';
import { toTemplateConversation } from './conversation';
import type { ChatTemplateSpec } from './families';
import { renderChat, type RenderOptions } from './render';
import type { TemplateTokenizer } from './template-tokenizers';
import { tokenizeWithOffsets, tokensInSpans } from './token-offsets';
import { assistantSpans } from './trained-spans';

/** How the entry fared: rendered; refused or failed by the template; rendered, but its trained spans could not be found. */
export const ENTRY_STATUS = { ok: 0, failed: 1, noSpans: 2 } as const;
export type EntryStatus = (typeof ENTRY_STATUS)[keyof typeof ENTRY_STATUS];

/** Integers per entry in a packed result: status, total tokens, assistant-trained tokens, of those within max_seq_len. */
export const ENTRY_COUNT_FIELDS = 4;

export interface EntryTemplateCounts {
	status: EntryStatus;
	/** Tokens of the whole render (0 when it failed). */
	total: number;
	/** Tokens trained under assistant-only loss. */
	assistant: number;
	/** Of those, the ones among the first max_seq_len tokens (what survives truncation). */
	assistantKept: number;
}

export interface EntryCountOptions {
	maxSeqLen: number;
	/** The date `strftime_now` reads (gpt-oss's system header): one date for a whole run. */
	now?: Date;
}

/** The figures of one entry. */
export function countEntryUnderTemplate(spec: ChatTemplateSpec, tokenizer: TemplateTokenizer, entry: Pick<Entry, 'messages' | 'extra'>, options: EntryCountOptions): EntryTemplateCounts {
	const conversation = toTemplateConversation(entry, { thinkField: spec.thinkField });
	const renderOptions: RenderOptions = { bosToken: spec.bosToken, eosToken: spec.eosToken, now: options.now };
	let text: string;
	try {
		text = renderChat(spec.chatTemplate, conversation, renderOptions);
	} catch {
		return { status: ENTRY_STATUS.failed, total: 0, assistant: 0, assistantKept: 0 };
	}
	let spans;
	try {
		spans = assistantSpans(spec, conversation, text, renderOptions);
	} catch {
		return { status: ENTRY_STATUS.noSpans, total: tokenizer.encode(text).length, assistant: 0, assistantKept: 0 };
	}
	if (spans.length === 0) return { status: ENTRY_STATUS.ok, total: tokenizer.encode(text).length, assistant: 0, assistantKept: 0 };
	const { offsets } = tokenizeWithOffsets(tokenizer, text);
	const mask = tokensInSpans(offsets, spans);
	let assistant = 0;
	let assistantKept = 0;
	for (let i = 0; i < mask.length; i++) {
		if (!mask[i]) continue;
		assistant++;
		if (i < options.maxSeqLen) assistantKept++;
	}
	return { status: ENTRY_STATUS.ok, total: offsets.length, assistant, assistantKept };
}

/** Characters a token is estimated at when the tokenizer is not available. */
export const ESTIMATED_CHARACTERS_PER_TOKEN = 4;

const estimate = (characters: number) => Math.ceil(characters / ESTIMATED_CHARACTERS_PER_TOKEN);

/**
 * The figures of one entry estimated without its tokenizer (offline before the vocabulary was
 * kept): the same render and spans, each counted at 4 characters a token.
 */
export function estimateEntryUnderTemplate(spec: ChatTemplateSpec, entry: Pick<Entry, 'messages' | 'extra'>, options: EntryCountOptions): EntryTemplateCounts {
	const conversation = toTemplateConversation(entry, { thinkField: spec.thinkField });
	const renderOptions: RenderOptions = { bosToken: spec.bosToken, eosToken: spec.eosToken, now: options.now };
	let text: string;
	try {
		text = renderChat(spec.chatTemplate, conversation, renderOptions);
	} catch {
		return { status: ENTRY_STATUS.failed, total: 0, assistant: 0, assistantKept: 0 };
	}
	const total = estimate(text.length);
	let spans;
	try {
		spans = assistantSpans(spec, conversation, text, renderOptions);
	} catch {
		return { status: ENTRY_STATUS.noSpans, total, assistant: 0, assistantKept: 0 };
	}
	const keptChars = options.maxSeqLen * ESTIMATED_CHARACTERS_PER_TOKEN;
	let assistant = 0;
	let assistantKept = 0;
	for (const span of spans) {
		assistant += span.end - span.start;
		assistantKept += Math.max(0, Math.min(span.end, keptChars) - span.start);
	}
	return { status: ENTRY_STATUS.ok, total, assistant: estimate(assistant), assistantKept: estimate(assistantKept) };
}

/** Writes an entry's figures at `index` of a packed array. */
export function packCounts(into: Int32Array, index: number, counts: EntryTemplateCounts): void {
	const at = index * ENTRY_COUNT_FIELDS;
	into[at] = counts.status;
	into[at + 1] = counts.total;
	into[at + 2] = counts.assistant;
	into[at + 3] = counts.assistantKept;
}

/** Reads an entry's figures back from a packed array. */
export function unpackCounts(from: ArrayLike<number>, index: number): EntryTemplateCounts {
	const at = index * ENTRY_COUNT_FIELDS;
	return { status: from[at] as EntryStatus, total: from[at + 1], assistant: from[at + 2], assistantKept: from[at + 3] };
}

/**
 * A tokenizer whose single-token decodes are remembered: offsets decode every token of every
 * render one by one, and a dataset repeats the same few thousand tokens. Same answers, less work.
 */
export function withDecodeCache(tokenizer: TemplateTokenizer): TemplateTokenizer {
	const pieces = new Map<number, string>();
	return {
		id: tokenizer.id,
		encode: (text) => tokenizer.encode(text),
		decode: (ids) => {
			if (ids.length !== 1) return tokenizer.decode(ids);
			let piece = pieces.get(ids[0]);
			if (piece === undefined) {
				piece = tokenizer.decode(ids);
				pieces.set(ids[0], piece);
			}
			return piece;
		}
	};
}
