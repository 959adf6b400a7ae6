import { describe, expect, it } from 'vitest';
import { fixtureText } from '$lib/core/test-utils';
import { countChunkTokens, rechunkText } from './sheet-tokens';

describe('sheet token counts (worker side)', () => {
	it('counts with the Qwen tokenizer and says so', async () => {
		const result = await countChunkTokens(['Brannoc rows the ferry across the Osk.', '']);
		expect(result.counter).toBe('qwen3');
		expect(result.label).toBe('Qwen2.5/Qwen3 tokens');
		expect(result.counts[0]).toBeGreaterThan(5);
		expect(result.counts[0]).toBeLessThan(20);
		expect(result.counts[1]).toBe(0);
	});

	it('re-chunks a sheet to another range, and refuses a bad range', async () => {
		const text = fixtureText('sheets/brannoc-vell.md');
		const wide = await rechunkText(text, { min: 500, max: 1500 });
		const narrow = await rechunkText(text, { min: 200, max: 400 });
		if (!wide.ok || !narrow.ok) throw new Error('re-chunk failed');
		expect(wide.chunks).toHaveLength(5);
		expect(narrow.chunks.length).toBeGreaterThan(wide.chunks.length);
		for (const chunk of narrow.chunks) expect(chunk.tokens).toBeLessThanOrEqual(400);
		expect(await rechunkText(text, { min: 900, max: 400 })).toEqual({ ok: false, error: 'token range: the minimum is above the maximum' });
		expect(await rechunkText('   ', { min: 500, max: 1500 })).toMatchObject({ ok: false });
	});
});
