/**
 * Checks what a user gives as a custom target (a pasted Jinja template, or a tokenizer_config.json
 * file's text) and turns it into the stored custom template, or says what is wrong and where:
 * the JSON parser's position for a bad file, the line and column of the template tag that does not
 * parse (template-location.ts), or the error a plain two-turn chat meets when rendered. Nothing is
 * stored until this says ok. Runs in the data worker: the page never loads the Jinja engine.
 */
import { customTemplate, CustomTemplateError, templateFromTokenizerConfig } from './custom-template';
import type { ChatTemplateSpec } from './families';
import { renderChat, TemplateRaisedError, TemplateRenderError } from './render';
import type { TemplateTarget, TemplateTokenizerId } from './target-schema';
import { locateTemplateProblem } from './template-location';

export type CustomTarget = Extract<TemplateTarget['template'], { kind: 'custom' }>;

export interface CustomTargetInput {
	source: 'paste' | 'file';
	/** The pasted template, or the file's text. */
	text: string;
	/** The dropped file's name. */
	fileName?: string;
	/** For a file whose chat_template is a list of named templates ("default" unless chosen). */
	templateName?: string;
	tokenizer: TemplateTokenizerId;
	/** For a pasted template (a file carries its own). */
	bosToken?: string | null;
	eosToken?: string | null;
	/** Tokens besides eos that end an assistant turn. */
	turnEnds?: string[];
}

export type CustomTargetCheck =
	| { ok: true; template: CustomTarget; templateNames: string[] }
	| { ok: false; error: string; line?: number; column?: number; templateNames: string[] };

/** A plain chat every usable template renders. */
const PROBE = {
	messages: [
		{ role: 'user', content: 'Hello' },
		{ role: 'assistant', content: 'Hi there.' }
	]
};

/** The names of a tokenizer_config.json's templates when it holds a list of them. */
function templateNames(text: string): string[] {
	try {
		const config = JSON.parse(text) as { chat_template?: unknown };
		if (!Array.isArray(config?.chat_template)) return [];
		return config.chat_template.filter((t): t is { name: string } => typeof t?.name === 'string').map((t) => t.name);
	} catch {
		return [];
	}
}

function parseProblem(error: TemplateRenderError, source: string, input: CustomTargetInput): Extract<CustomTargetCheck, { ok: false }> {
	const names = input.source === 'file' ? templateNames(input.text) : [];
	const where = locateTemplateProblem(source);
	const of = input.source === 'file' ? ' of its chat_template' : '';
	if (!where) return { ok: false, error: error.message, templateNames: names };
	return {
		ok: false,
		error: `The chat template could not be read: at line ${where.line}, column ${where.column}${of} (${where.tag}), ${where.problem}.`,
		line: where.line,
		column: where.column,
		templateNames: names
	};
}

export function checkCustomTarget(input: CustomTargetInput): CustomTargetCheck {
	const names = input.source === 'file' ? templateNames(input.text) : [];
	let spec: ChatTemplateSpec;
	let source = input.text;
	try {
		if (input.source === 'file') {
			spec = templateFromTokenizerConfig(input.text, input.tokenizer, input.templateName);
			source = spec.chatTemplate;
		} else {
			spec = customTemplate({ chatTemplate: input.text, bosToken: input.bosToken ?? null, eosToken: input.eosToken ?? null, turnEnds: input.turnEnds, tokenizer: input.tokenizer });
		}
	} catch (error) {
		if (error instanceof TemplateRenderError) {
			// templateFromTokenizerConfig read the file; the problem is in its template.
			if (input.source === 'file') source = extractTemplate(input.text, input.templateName) ?? source;
			return parseProblem(error, source, input);
		}
		if (error instanceof CustomTemplateError) return { ok: false, error: error.message, templateNames: names };
		throw error;
	}
	if (input.source === 'paste' && input.turnEnds) spec = { ...spec, turnEnds: [...new Set([...input.turnEnds.filter(Boolean), ...spec.turnEnds])] };
	try {
		renderChat(spec.chatTemplate, PROBE, { bosToken: spec.bosToken, eosToken: spec.eosToken });
	} catch (error) {
		// A template may refuse a chat on purpose (raise_exception); one that breaks cannot be used.
		if (!(error instanceof TemplateRaisedError)) {
			return { ok: false, error: `${error instanceof Error ? error.message : String(error)} (rendering a two-turn user/assistant chat).`, templateNames: names };
		}
	}
	const origin = input.source === 'file' ? (input.fileName ?? 'tokenizer_config.json') + (input.templateName && input.templateName !== 'default' ? ` · ${input.templateName}` : '') : 'pasted';
	return {
		ok: true,
		template: { kind: 'custom', origin, chatTemplate: spec.chatTemplate, bosToken: spec.bosToken, eosToken: spec.eosToken, turnEnds: spec.turnEnds, tokenizer: spec.tokenizer },
		templateNames: names
	};
}

function extractTemplate(text: string, name: string | undefined): string | null {
	try {
		const value = (JSON.parse(text) as { chat_template?: unknown }).chat_template;
		if (typeof value === 'string') return value;
		if (Array.isArray(value)) {
			const found = value.find((t: { name?: unknown }) => t?.name === (name ?? 'default')) as { template?: unknown } | undefined;
			return typeof found?.template === 'string' ? found.template : null;
		}
	} catch {
		// The file was read once already; it parses.
	}
	return null;
}
