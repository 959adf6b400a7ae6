import { describe, expect, it } from 'vitest';
import type { TemplateTokenizer } from './template-tokenizers';
import { tokenizeWithOffsets } from './token-offsets';

/** One token per character (its code point), counting how often each token is decoded alone. */
function charTokenizer(): TemplateTokenizer & { singleDecodes: number } {
	const tokenizer = {
		id: 'qwen3' as const,
		singleDecodes: 0,
		encode: (text: string) => [...text].map((c) => c.codePointAt(0)!),
		decode: (ids: number[]) => {
			if (ids.length === 1) tokenizer.singleDecodes++;
			return String.fromCodePoint(...ids);
		}
	};
	return tokenizer;
}

describe('token offsets of a long text', () => {
	it('decode each distinct token once', () => {
		const tokenizer = charTokenizer();
		const text = 'abcab'.repeat(2000);
		const { offsets } = tokenizeWithOffsets(tokenizer, text);
		expect(offsets).toHaveLength(10_000);
		expect(offsets[9_999]).toEqual([9_999, 10_000]);
		expect(tokenizer.singleDecodes).toBe(3);
	});
});
