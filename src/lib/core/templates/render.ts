/**
 * Renders a chat template the way transformers' `apply_chat_template` does (its
 * `_compile_jinja_template`): `messages`, `tools`, `bos_token`, `eos_token` and
 * `add_generation_prompt` (false unless asked) as variables, `raise_exception(message)` stopping
 * the render with the template's own message, `strftime_now(format)` for the current date, and
 * blocks trimmed (trim_blocks, lstrip_blocks: @huggingface/jinja always does both).
 *
 * The engine is @huggingface/jinja; tests/fixtures/templates/ holds Python jinja2's output for the
 * built-in templates, and render.golden.test.ts checks this renders the same text.
 */
import { Environment, Interpreter, Template } from '@huggingface/jinja';

/** A message as chat templates read it: `role`, `content` and whatever else the template looks at. */
export interface TemplateMessage {
	role: string;
	content: unknown;
	[key: string]: unknown;
}

export interface TemplateConversation {
	messages: TemplateMessage[];
	/** Function schemas (`{"type": "function", "function": {...}}`), when the conversation offers tools. */
	tools?: unknown[];
}

export interface RenderOptions {
	bosToken?: string | null;
	eosToken?: string | null;
	/** transformers' default is false: the text ends where the data ends, as a trainer renders it. */
	addGenerationPrompt?: boolean;
	/** The date `strftime_now` reads (gpt-oss writes it into its system header). */
	now?: Date;
	/** Further template variables (`reasoning_effort`, `enable_thinking`, `date_string` …). */
	variables?: Record<string, unknown>;
}

/** The template called `raise_exception(message)`: the conversation is one it refuses. */
export class TemplateRaisedError extends Error {
	readonly templateMessage: string;
	constructor(message: string) {
		super(message);
		this.name = 'TemplateRaisedError';
		this.templateMessage = message;
	}
}

/** The template could not be parsed, or failed while rendering (an unknown filter, a bad value…). */
export class TemplateRenderError extends Error {
	readonly phase: 'parse' | 'render';
	constructor(phase: 'parse' | 'render', detail: string) {
		super(phase === 'parse' ? `The chat template could not be read: ${detail}` : `The chat template failed while rendering: ${detail}`);
		this.name = 'TemplateRenderError';
		this.phase = phase;
	}
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/**
 * Python's `datetime.strftime` for the directives chat templates use, in the C locale (English
 * month names whatever the browser's language: a trainer runs Python, not the page's locale).
 */
export function strftime(date: Date, format: string): string {
	return format.replace(/%[YmdbBHMSjy%]/g, (directive) => {
		switch (directive) {
			case '%Y':
				return String(date.getFullYear());
			case '%y':
				return pad2(date.getFullYear() % 100);
			case '%m':
				return pad2(date.getMonth() + 1);
			case '%d':
				return pad2(date.getDate());
			case '%b':
				return MONTHS[date.getMonth()].slice(0, 3);
			case '%B':
				return MONTHS[date.getMonth()];
			case '%H':
				return pad2(date.getHours());
			case '%M':
				return pad2(date.getMinutes());
			case '%S':
				return pad2(date.getSeconds());
			case '%j': {
				const start = new Date(date.getFullYear(), 0, 1);
				const day = Math.floor((date.getTime() - start.getTime()) / 86_400_000) + 1;
				return String(day).padStart(3, '0');
			}
			default:
				return '%';
		}
	});
}

/** Python's range(start, stop, step). */
function range(start: number, stop?: number, step = 1): number[] {
	if (stop === undefined) [start, stop] = [0, start];
	if (step === 0) throw new Error('range() step must not be zero');
	const result: number[] = [];
	for (let i = start; step > 0 ? i < stop : i > stop; i += step) result.push(i);
	return result;
}

/** The globals @huggingface/jinja's Template.render declares, besides raise_exception and strftime_now. */
const JINJA_GLOBALS: Record<string, unknown> = { false: false, true: true, none: null, False: false, True: true, None: null, range };

// Parsing is most of the cost of a small render; a dataset renders thousands of entries with one template.
const compiled = new Map<string, Template>();
const MAX_COMPILED = 16;

/** The parsed template, cached by its text. Throws TemplateRenderError('parse') when it is not valid Jinja. */
export function compileTemplate(source: string): Template {
	let template = compiled.get(source);
	if (!template) {
		try {
			template = new Template(source);
		} catch (error) {
			throw new TemplateRenderError('parse', error instanceof Error ? error.message : String(error));
		}
		if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value as string);
		compiled.set(source, template);
	}
	return template;
}

/** The rendered text of a conversation under a chat template. */
export function renderChat(template: string, conversation: TemplateConversation, options: RenderOptions = {}): string {
	const parsed = compileTemplate(template);
	const now = options.now ?? new Date();
	const variables: Record<string, unknown> = {
		...options.variables,
		messages: conversation.messages,
		add_generation_prompt: options.addGenerationPrompt ?? false,
		raise_exception: (message: unknown) => {
			throw new TemplateRaisedError(String(message));
		},
		strftime_now: (format: unknown) => strftime(now, String(format))
	};
	// transformers passes the tokenizer's special tokens that are set; an unset one stays undefined.
	if (options.bosToken != null) variables.bos_token = options.bosToken;
	if (options.eosToken != null) variables.eos_token = options.eosToken;
	// transformers passes tools=None when there are none; templates test `if tools` / `tools is not none`.
	variables.tools = conversation.tools && conversation.tools.length > 0 ? conversation.tools : null;
	try {
		const env = new Environment();
		// Template.render declares its own raise_exception and strftime_now and refuses a second
		// declaration, so the globals are declared here, once each, as it would.
		for (const [name, value] of Object.entries({ ...JINJA_GLOBALS, ...variables })) env.set(name, value);
		return new Interpreter(env).run(parsed.parsed).value as string;
	} catch (error) {
		if (error instanceof TemplateRaisedError) throw error;
		throw new TemplateRenderError('render', error instanceof Error ? error.message : String(error));
	}
}
