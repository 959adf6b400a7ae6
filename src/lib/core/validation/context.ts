/**
 * Default settings and the construction of a `ValidationContext` from a profile's settings.
 */
import type { ValidationContext, ValidationSettings } from './types';

/** Models, assistants and their makers that a trained identity must not claim to be. */
export const DEFAULT_FOREIGN_IDENTITIES: readonly string[] = [
	'ChatGPT',
	'GPT-4',
	'GPT-3.5',
	'GPT-4o',
	'OpenAI',
	'Claude',
	'Anthropic',
	'Qwen',
	'Alibaba',
	'Tongyi',
	'Llama',
	'Meta AI',
	'Gemini',
	'Bard',
	'Google DeepMind',
	'Mistral',
	'DeepSeek',
	'Phi',
	'Microsoft',
	'Copilot',
	'Grok',
	'xAI'
];

/** OpenAI's chat fine-tuning message keys (the current API, tools included). */
export const OPENAI_MESSAGE_KEYS: readonly string[] = ['role', 'content', 'name', 'weight', 'tool_calls', 'tool_call_id', 'function_call', 'refusal'];

export const DEFAULT_SETTINGS: Readonly<ValidationSettings> = Object.freeze({
	identityName: '',
	userName: 'User',
	foreignIdentities: [...DEFAULT_FOREIGN_IDENTITIES],
	thinkTagPolicy: 'allow',
	maxTokens: 16_385,
	splitMaxTurns: 8,
	splitMaxWords: 2_000,
	placeholderPatterns: [],
	allowedRoles: ['system', 'user', 'assistant', 'tool'],
	allowedMessageKeys: [...OPENAI_MESSAGE_KEYS],
	allowNullContentWithToolCalls: true,
	nearDuplicateThreshold: 0.8,
	nearDuplicateIncludeSystem: false
});

/**
 * About one token per four characters of English, the usual rule of thumb; good enough to flag
 * entries that are clearly too long until a real tokenizer is injected.
 */
export function approximateTokenCount(text: string): number {
	return Math.ceil(text.length / 4);
}

export interface ContextOptions {
	countTokens?: (text: string) => number;
}

export function createValidationContext(settings: Partial<ValidationSettings> = {}, options: ContextOptions = {}): ValidationContext {
	return { ...DEFAULT_SETTINGS, ...settings, countTokens: options.countTokens ?? approximateTokenCount };
}
