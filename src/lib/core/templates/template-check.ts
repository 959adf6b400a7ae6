/**
 * A dataset's training target as validation and the repairs use it: per entry, the template's
 * findings (one render, compared with the messages) and, given the target's tokenizer, the
 * max_seq_len check; and the token count of a conversation under the template, the budget the
 * split and truncate repairs cut to.
 *
 * Kept fast for whole-dataset validation: one render and one encode per entry. The trained spans
 * (a render per assistant turn) are only worked out for an entry over max_seq_len, to say what
 * happens to its last assistant turn.
 */
import { ContentHasher } from '../hash';
import type { Entry } from '../model';
import type { TemplateBudget } from '../repairs/types';
import type { TemplateCheck } from '../validation/types';
import { toTemplateConversation } from './conversation';
import { TEMPLATE_FAMILIES, type ChatTemplateSpec } from './families';
import { contentFindings, lengthFinding, renderErrorFinding, type TemplateFinding } from './findings';
import { renderChat, type RenderOptions } from './render';
import { resolveTarget, type TemplateTarget } from './target';
import type { TemplateTokenizer } from './template-tokenizers';
import { tokenizeWithOffsets, tokensInSpans } from './token-offsets';
import { assistantSpans } from './trained-spans';

export interface TargetCheck extends TemplateCheck, TemplateBudget {
	readonly spec: ChatTemplateSpec;
}

export interface TargetCheckOptions {
	/** The date gpt-oss writes into its system header (default: now). */
	now?: Date;
}

/** The target in words: "Gemma 3, max_seq_len 1,024". */
export function targetLabel(target: TemplateTarget): string {
	const template = target.template;
	const name = template.kind === 'family' ? (TEMPLATE_FAMILIES.find((f) => f.id === template.family)?.label ?? template.family) : `custom template (${template.origin})`;
	return `${name}, max_seq_len ${target.maxSeqLen.toLocaleString('en-US')}`;
}

function sameStart(prefix: readonly number[], ids: readonly number[]): boolean {
	if (prefix.length > ids.length) return false;
	for (let i = 0; i < prefix.length; i++) if (prefix[i] !== ids[i]) return false;
	return true;
}

/**
 * The token range of a character span of `text` whose tokens are `ids`. The text before the span
 * is encoded on its own; when its tokens are the start of `ids` (a span starts after a turn
 * header, so they nearly always are) that count is exact. Otherwise every token is decoded.
 */
function tokenRange(tokenizer: TemplateTokenizer, text: string, ids: readonly number[], span: { start: number; end: number }): { start: number; end: number } {
	const before = tokenizer.encode(text.slice(0, span.start));
	const through = tokenizer.encode(text.slice(0, span.end));
	if (sameStart(before, ids) && sameStart(through, ids)) return { start: before.length, end: through.length };
	const { offsets } = tokenizeWithOffsets(tokenizer, text);
	const mask = tokensInSpans(offsets, [span]);
	const start = mask.indexOf(true);
	return start === -1 ? { start: ids.length, end: ids.length } : { start, end: mask.lastIndexOf(true) + 1 };
}

/**
 * Whether a text is within `maxSeqLen` tokens without tokenizing it: every token of these
 * tokenizers covers at least one byte of the text (byte-level BPE, and Gemma's pieces with byte
 * fallback, which may add one leading "▁"), so a text of at most maxSeqLen - 1 UTF-8 bytes has at
 * most maxSeqLen tokens. Most chat entries are shorter than a typical max_seq_len in bytes:
 * they skip the tokenizer, which is most of the cost.
 */
export function surelyWithin(text: string, maxSeqLen: number): boolean {
	// UTF-16 units ≤ UTF-8 bytes ≤ 3 × units: the exact byte count is needed only in between.
	if (text.length * 3 + 1 <= maxSeqLen) return true;
	if (text.length + 1 > maxSeqLen) return false;
	return utf8Length(text) + 1 <= maxSeqLen;
}

function utf8Length(text: string): number {
	let bytes = 0;
	for (let i = 0; i < text.length; i++) {
		const code = text.charCodeAt(i);
		if (code < 0x80) bytes += 1;
		else if (code < 0x800) bytes += 2;
		else if (code >= 0xd800 && code <= 0xdbff) {
			bytes += 4;
			i++;
		} else bytes += 3;
	}
	return bytes;
}

const MAX_REMEMBERED = 250_000;
const NO_FINDINGS: readonly TemplateFinding[] = Object.freeze([]);

/** What a render depends on: the messages (every key) and the tools, as one 64-bit hash; null when not JSON. */
function contentKey(entry: Pick<Entry, 'messages' | 'extra'>): string | null {
	try {
		return new ContentHasher().update(JSON.stringify([entry.messages, entry.extra?.tools ?? null])).digest();
	} catch {
		return null;
	}
}

/**
 * The check for a dataset's target. `tokenizer` null: no token counts (the max_seq_len check and
 * the budget are then unavailable; the worker always passes the target's tokenizer).
 */
export function createTargetCheck(target: TemplateTarget, tokenizer: TemplateTokenizer | null, options: TargetCheckOptions = {}): TargetCheck {
	const spec = resolveTarget(target);
	const renderOptions = (): RenderOptions => ({ bosToken: spec.bosToken, eosToken: spec.eosToken, now: options.now ?? new Date() });
	let lastEntry: Entry | null = null;
	let lastFindings: readonly TemplateFinding[] = [];
	// Findings by conversation content, kept for the next validation (after a repair the panel
	// validates again: only the changed entries are rendered and tokenized anew).
	const remembered = new Map<string, readonly TemplateFinding[]>();

	function inspect(entry: Pick<Entry, 'messages' | 'extra'>): TemplateFinding[] {
		const conversation = toTemplateConversation(entry, { thinkField: spec.thinkField });
		const optionsNow = renderOptions();
		let text: string;
		try {
			text = renderChat(spec.chatTemplate, conversation, optionsNow);
		} catch (error) {
			return [renderErrorFinding(error)];
		}
		const findings = contentFindings(conversation, text);
		if (tokenizer === null || surelyWithin(text, target.maxSeqLen)) return findings;
		const ids = tokenizer.encode(text);
		if (ids.length <= target.maxSeqLen) return findings;
		let spans: ReturnType<typeof assistantSpans> = [];
		try {
			spans = assistantSpans(spec, conversation, text, optionsNow);
		} catch {
			// A prefix the template refuses: the length is still true, the last turn's fate unknown.
		}
		const last = spans[spans.length - 1];
		const over = lengthFinding({ totalTokens: ids.length, maxSeqLen: target.maxSeqLen, assistantTokenSpans: last ? [tokenRange(tokenizer, text, ids, last)] : [] });
		if (over) findings.push(last ? { ...over, message: last.message } : over);
		return findings;
	}

	return {
		spec,
		label: targetLabel(target),
		maxSeqLen: target.maxSeqLen,
		findings(entry) {
			if (entry !== lastEntry) {
				const key = contentKey(entry);
				let found = key === null ? undefined : remembered.get(key);
				if (found === undefined) {
					found = inspect(entry);
					if (key !== null) {
						if (remembered.size >= MAX_REMEMBERED) remembered.clear();
						remembered.set(key, found.length === 0 ? NO_FINDINGS : found);
					}
				}
				lastFindings = found;
				lastEntry = entry;
			}
			return lastFindings;
		},
		reset() {
			lastEntry = null;
			lastFindings = [];
		},
		countTokens(entry) {
			if (tokenizer === null) return null;
			try {
				return tokenizer.encode(renderChat(spec.chatTemplate, toTemplateConversation(entry, { thinkField: spec.thinkField }), renderOptions())).length;
			} catch {
				return null;
			}
		}
	};
}
