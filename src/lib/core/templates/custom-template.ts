/**
 * The "custom" target: a pasted Jinja chat template, or a dropped tokenizer_config.json whose
 * `chat_template` (a string, or transformers' list of named templates) and special tokens
 * (strings, or AddedToken objects with `content`) are read from the file.
 */
import type { ChatTemplateSpec, TemplateTokenizerId } from './families';
import { compileTemplate } from './render';

export interface CustomTemplateInput {
	chatTemplate: string;
	bosToken?: string | null;
	eosToken?: string | null;
	/** Extra turn-end tokens; the eos token always counts as one. */
	turnEnds?: string[];
	tokenizer: TemplateTokenizerId;
	thinkField?: ChatTemplateSpec['thinkField'];
}

/** Bad custom input, with where the problem is. */
export class CustomTemplateError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'CustomTemplateError';
	}
}

/** A custom template, checked to parse (TemplateRenderError with the parser's message if not). */
export function customTemplate(input: CustomTemplateInput): ChatTemplateSpec {
	if (input.chatTemplate.trim() === '') throw new CustomTemplateError('The chat template is empty.');
	compileTemplate(input.chatTemplate);
	const eos = input.eosToken ?? null;
	const turnEnds = [...new Set([...(input.turnEnds ?? []), ...(eos ? [eos] : [])])];
	return {
		chatTemplate: input.chatTemplate,
		bosToken: input.bosToken ?? null,
		eosToken: eos,
		turnEnds,
		thinkField: input.thinkField ?? null,
		tokenizer: input.tokenizer
	};
}

function tokenText(value: unknown, key: string): string | null {
	if (value === undefined || value === null) return null;
	if (typeof value === 'string') return value;
	if (typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') return (value as { content: string }).content;
	throw new CustomTemplateError(`tokenizer_config.json: "${key}" is neither a string nor a token object with "content".`);
}

function pickTemplate(value: unknown, name: string | undefined): string {
	if (typeof value === 'string') return value;
	if (Array.isArray(value)) {
		const named = value.filter((t): t is { name: string; template: string } => typeof t?.name === 'string' && typeof t?.template === 'string');
		const wanted = name ?? 'default';
		const found = named.find((t) => t.name === wanted);
		if (found) return found.template;
		throw new CustomTemplateError(`tokenizer_config.json has no chat template named "${wanted}" (it has: ${named.map((t) => t.name).join(', ') || 'none'}).`);
	}
	throw new CustomTemplateError('tokenizer_config.json has no "chat_template": this tokenizer does not define how chats are rendered.');
}

/** Reads a tokenizer_config.json's text into a custom template. */
export function templateFromTokenizerConfig(text: string, tokenizer: TemplateTokenizerId, templateName?: string): ChatTemplateSpec {
	let config: unknown;
	try {
		config = JSON.parse(text);
	} catch (error) {
		throw new CustomTemplateError(`tokenizer_config.json is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
	}
	if (config === null || typeof config !== 'object' || Array.isArray(config)) throw new CustomTemplateError('tokenizer_config.json must hold one JSON object.');
	const record = config as Record<string, unknown>;
	return customTemplate({
		chatTemplate: pickTemplate(record.chat_template, templateName),
		bosToken: tokenText(record.bos_token, 'bos_token'),
		eosToken: tokenText(record.eos_token, 'eos_token'),
		tokenizer
	});
}
