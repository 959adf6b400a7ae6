/**
 * `<think>…</think>` structure in assistant text (reasoning traces kept inline, as ISF and most
 * reasoning SFT data do). One pass over the tag positions, no regular expressions.
 */

export const THINK_OPEN = '<think>';
export const THINK_CLOSE = '</think>';

export type ThinkTagProblem = 'unclosed' | 'nested' | 'stray-close' | 'several-blocks' | 'empty-thinking';

export interface ThinkTagAnalysis {
	opens: number;
	closes: number;
	/** Complete outermost `<think>…</think>` blocks. */
	blocks: number;
	problems: ThinkTagProblem[];
	/** Whether the trimmed text starts with `<think>`. */
	startsWithThink: boolean;
	/** Text after the last `</think>`, trimmed ('' when there is no closing tag). */
	answer: string;
}

const NO_TAGS: ThinkTagAnalysis = Object.freeze({ opens: 0, closes: 0, blocks: 0, problems: [], startsWithThink: false, answer: '' }) as ThinkTagAnalysis;

export function analyseThinkTags(text: string): ThinkTagAnalysis {
	// Cheap exit for the common case: both tags end in "think>".
	if (text.indexOf('think>') === -1) return NO_TAGS;
	const problems = new Set<ThinkTagProblem>();
	let opens = 0;
	let closes = 0;
	let blocks = 0;
	let depth = 0;
	let blockStart = -1;
	let lastCloseEnd = -1;
	let nextOpen = text.indexOf(THINK_OPEN);
	let nextClose = text.indexOf(THINK_CLOSE);
	while (nextOpen !== -1 || nextClose !== -1) {
		if (nextOpen !== -1 && (nextClose === -1 || nextOpen < nextClose)) {
			opens++;
			if (depth > 0) problems.add('nested');
			else blockStart = nextOpen + THINK_OPEN.length;
			depth++;
			nextOpen = text.indexOf(THINK_OPEN, nextOpen + THINK_OPEN.length);
		} else {
			closes++;
			lastCloseEnd = nextClose + THINK_CLOSE.length;
			if (depth === 0) problems.add('stray-close');
			else if (--depth === 0) {
				blocks++;
				if (text.slice(blockStart, nextClose).trim() === '') problems.add('empty-thinking');
			}
			nextClose = text.indexOf(THINK_CLOSE, nextClose + THINK_CLOSE.length);
		}
	}
	if (depth > 0) problems.add('unclosed');
	if (blocks > 1) problems.add('several-blocks');
	if (opens === 0 && closes === 0) return NO_TAGS;
	return {
		opens,
		closes,
		blocks,
		problems: [...problems],
		startsWithThink: text.trimStart().startsWith(THINK_OPEN),
		answer: lastCloseEnd === -1 ? '' : text.slice(lastCloseEnd).trim()
	};
}

export const THINK_PROBLEM_TEXT: Record<ThinkTagProblem, string> = {
	unclosed: 'a <think> block is never closed',
	nested: '<think> blocks are nested',
	'stray-close': 'a </think> has no opening <think>',
	'several-blocks': 'there are several <think> blocks',
	'empty-thinking': 'a <think> block is empty'
};
