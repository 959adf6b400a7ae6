import { describe, expect, it } from 'vitest';
import { pageCount, pageOf, textPieces, tokenPieces, trainerCounts, type WindowTokens } from './trainer-window';

// "<s>Hi 🍵!" as five tokens: the special <s>, "Hi", " ", the emoji split into two byte tokens, "!".
const text = '<s>Hi 🍵!';
const tokens: WindowTokens = {
	ids: [1, 20, 30, 41, 42, 50],
	starts: [0, 3, 5, 6, 6, 8],
	ends: [3, 5, 6, 8, 8, 9],
	special: [1, 0, 0, 0, 0, 0],
	assistant: [0, 0, 1, 1, 1, 1],
	total: 6
};

describe('the trainer view window', () => {
	it('draws one piece per token, a split character once, with what hovering shows', () => {
		const pieces = tokenPieces(text, tokens, 0, 'assistant-only', 100);
		expect(pieces.map((p) => p.text)).toEqual(['<s>', 'Hi', ' ', '🍵', '!']);
		expect(pieces.map((p) => p.special)).toEqual([true, false, false, false, false]);
		expect(pieces.map((p) => p.trained)).toEqual([false, false, true, true, true]);
		expect(pieces.map((p) => p.odd)).toEqual([false, true, false, true, false]);
		expect(pieces[0].title).toBe('Token 1 · id 1 · "<s>" · special token · not trained');
		expect(pieces[3]).toMatchObject({ index: 3, count: 2, title: 'Tokens 4–5 · ids 41, 42 · "🍵" · trained' });
		expect(pieces.every((p) => !p.cut && !p.cutBefore)).toBe(true);
	});

	it('trains every token under "train on everything"', () => {
		expect(tokenPieces(text, tokens, 0, 'everything', 100).every((p) => p.trained)).toBe(true);
	});

	it('marks where max_seq_len cuts, and what is past it', () => {
		const pieces = tokenPieces(text, tokens, 0, 'assistant-only', 2);
		expect(pieces.map((p) => p.cut)).toEqual([false, false, true, true, true]);
		expect(pieces.map((p) => p.cutBefore)).toEqual([false, false, true, false, false]);
		// A cut through a split character falls before the character.
		expect(tokenPieces(text, tokens, 0, 'assistant-only', 4).map((p) => p.cutBefore)).toEqual([false, false, false, true, false]);
	});

	it('pages tokens, keeping a split character on the page where it starts', () => {
		expect(tokenPieces(text, tokens, 0, 'assistant-only', 100, 4).map((p) => p.text)).toEqual(['<s>', 'Hi', ' ', '🍵']);
		expect(tokenPieces(text, tokens, 1, 'assistant-only', 100, 4).map((p) => p.text)).toEqual(['!']);
		expect(pageCount(0)).toBe(1);
		expect(pageCount(2001)).toBe(3);
		expect(pageOf(1000)).toBe(1);
	});

	it('cuts text without tokens into bounded pieces split where training starts and stops', () => {
		const long = 'a'.repeat(4500) + 'b'.repeat(100);
		const pieces = textPieces(long, [{ start: 4500, end: 4600 }], 0, 'assistant-only');
		expect(pieces.map((p) => [p.start, p.text.length, p.trained])).toEqual([
			[0, 2000, false],
			[2000, 2000, false],
			[4000, 500, false],
			[4500, 100, true]
		]);
		expect(textPieces(long, [], 0, 'everything').every((p) => p.trained)).toBe(true);
		expect(textPieces(long, [], 0, 'everything', 1000)).toHaveLength(1);
		expect(textPieces(long, [], 4, 'everything', 1000).map((p) => p.text)).toEqual(['a'.repeat(500) + 'b'.repeat(100)]);
	});

	it('counts total and trained tokens, and those kept under max_seq_len', () => {
		expect(trainerCounts(tokens, 'assistant-only', 100)).toEqual({ total: 6, trained: 4, over: 0, keptTrained: 4 });
		expect(trainerCounts(tokens, 'assistant-only', 4)).toEqual({ total: 6, trained: 4, over: 2, keptTrained: 2 });
		expect(trainerCounts(tokens, 'everything', 4)).toEqual({ total: 6, trained: 6, over: 2, keptTrained: 4 });
	});
});
