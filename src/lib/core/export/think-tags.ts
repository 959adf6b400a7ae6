/**
 * `<think>…</think>` handling for one assistant message's text (reference/isf.md §7.7):
 *
 * - `checkRequiredThinking`: ISF's strict prep rules. Once trimmed, the text starts with `<think>`,
 *   has exactly one `<think>` and exactly one `</think>`, non-empty thinking and a non-empty answer.
 * - `stripThinking`: removes every well-formed block and the whitespace it leaves. Anything not
 *   well-formed (an unclosed `<think>`, a `</think>` with no opening tag, nested blocks) is
 *   reported instead: half-stripping would leave reasoning in the answer or cut the answer off.
 *   (ISF's own strip drops everything before an orphaned `</think>`, guessing a prefilled
 *   `<think>`; we do not guess at export.)
 *
 * Tags are matched exactly (lowercase, no attributes), as ISF does.
 */
import type { SkipCode } from './skip-reason';

const OPEN = '<think>';
const CLOSE = '</think>';

export interface ThinkProblem {
	code: SkipCode;
	detail: string;
}

function countOf(text: string, tag: string): number {
	let count = 0;
	for (let at = text.indexOf(tag); at !== -1; at = text.indexOf(tag, at + tag.length)) count++;
	return count;
}

/** Whether the text contains either tag at all. */
export function hasThinkTag(text: string): boolean {
	return text.includes(OPEN) || text.includes(CLOSE);
}

/** ISF's strict rules; null when the text passes. */
export function checkRequiredThinking(text: string): ThinkProblem | null {
	const trimmed = text.trim();
	if (!trimmed.startsWith(OPEN)) return { code: 'think-missing', detail: 'does not start with <think>' };
	const opens = countOf(trimmed, OPEN);
	if (opens !== 1) return { code: 'think-multiple-open', detail: `${opens} <think> tags` };
	const closes = countOf(trimmed, CLOSE);
	if (closes === 0) return { code: 'think-unclosed', detail: '<think> is never closed' };
	if (closes !== 1) return { code: 'think-multiple-close', detail: `${closes} </think> tags` };
	const close = trimmed.indexOf(CLOSE);
	if (trimmed.slice(OPEN.length, close).trim() === '') return { code: 'think-empty-thinking', detail: 'the thinking is empty' };
	if (trimmed.slice(close + CLOSE.length).trim() === '') return { code: 'think-empty-response', detail: 'nothing after </think>' };
	return null;
}

interface Block {
	/** Index of `<think>`. */
	start: number;
	/** Index just past `</think>`. */
	end: number;
}

/** The well-formed blocks in order, or the first problem. */
function findBlocks(text: string): Block[] | ThinkProblem {
	const blocks: Block[] = [];
	let at = 0;
	for (;;) {
		const open = text.indexOf(OPEN, at);
		const close = text.indexOf(CLOSE, at);
		if (open === -1 && close === -1) return blocks;
		if (open === -1 || (close !== -1 && close < open)) return { code: 'think-orphan-close', detail: '</think> without an opening <think>' };
		if (close === -1) return { code: 'think-unclosed', detail: '<think> is never closed' };
		const nested = text.indexOf(OPEN, open + OPEN.length);
		if (nested !== -1 && nested < close) return { code: 'think-nested', detail: '<think> inside another <think> block' };
		blocks.push({ start: open, end: close + CLOSE.length });
		at = close + CLOSE.length;
	}
}

function isSpaceCode(code: number): boolean {
	return code === 32 || code === 9 || code === 10 || code === 13 || code === 0x0c || code === 0xa0 || code === 0x2028 || code === 0x2029 || code === 0xfeff;
}

/**
 * The text without its think blocks. Around each removed block the whitespace on both sides
 * collapses to the whitespace that came before it (so "a <think>x</think> b" → "a b" and
 * "a\n\n<think>x</think>\n\nb" → "a\n\nb"), and at the start or end of the text it goes entirely.
 */
export function stripThinking(text: string): { text: string } | ThinkProblem {
	const blocks = findBlocks(text);
	if (!Array.isArray(blocks)) return blocks;
	if (blocks.length === 0) return { text };
	let out = '';
	let from = 0;
	for (const block of blocks) {
		let before = block.start;
		while (before > from && isSpaceCode(text.charCodeAt(before - 1))) before--;
		let after = block.end;
		while (after < text.length && isSpaceCode(text.charCodeAt(after))) after++;
		out += text.slice(from, before);
		const atEdge = out.length === 0 || after === text.length;
		// Keep one separator; after an earlier removed block `out` may already end with it.
		if (!atEdge && !isSpaceCode(out.charCodeAt(out.length - 1))) {
			const leading = text.slice(before, block.start);
			out += leading.length > 0 ? leading : text.slice(block.end, after);
		}
		from = after;
	}
	out += text.slice(from);
	return { text: out };
}
