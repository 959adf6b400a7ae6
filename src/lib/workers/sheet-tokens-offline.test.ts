import { afterEach, describe, expect, it, vi } from 'vitest';

// The Qwen vocabulary as the worker sees it offline: its chunk cannot be fetched until it is cached.
const vocabulary = vi.hoisted(() => ({ reachable: false }));
vi.mock('$lib/core/analysis/tokenizer-loader', async (importOriginal) => {
	const original = await importOriginal<typeof import('$lib/core/analysis/tokenizer-loader')>();
	return {
		...original,
		loadTokenizer: (id: 'qwen3') =>
			vocabulary.reachable
				? original.loadTokenizer(id)
				: Promise.reject(original.tokenizerUnavailable(id, new TypeError('Failed to fetch dynamically imported module: http://localhost/_app/immutable/workers/chunks/Bs-udyWU.js')))
	};
});

const { countChunkTokens } = await import('./sheet-tokens');

afterEach(() => {
	vocabulary.reachable = false;
});

describe('sheet token counts without the Qwen vocabulary', () => {
	it('are estimated and say so, then counted for real once the vocabulary can be loaded', async () => {
		const text = 'Brannoc rows the ferry across the Osk at dawn.';
		const offline = await countChunkTokens([text]);
		expect(offline).toEqual({ counts: [Math.ceil(text.length / 4)], counter: 'estimate', label: 'tokens (estimated at 4 characters a token)' });

		// Made available offline (or back online): the same worker now counts with the tokenizer.
		vocabulary.reachable = true;
		const online = await countChunkTokens([text]);
		expect(online.counter).toBe('qwen3');
		expect(online.label).toBe('Qwen2.5/Qwen3 tokens');
		expect(online.counts[0]).not.toBe(offline.counts[0]);
	});
});
