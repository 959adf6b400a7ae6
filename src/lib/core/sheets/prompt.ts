/**
 * Rendering one iteration's prompt for a sheet chunk (SPEC §8.3, chunked iterative generation).
 *
 * Differences from the seed program, on purpose (reference/chunked-generation.md A.5, A.10):
 * - the chunk's context is returned as the system message instead of being printed and dropped;
 * - iterations 2..k list only the prompts already generated (compact, de-duplicated, bounded),
 *   never the accumulated answers, so the prompt does not grow quadratically;
 * - the answer voice is stated (first person in character by default), which the seed relied on
 *   the model guessing.
 *
 * Values are substituted once by mustache with HTML escaping off; mustache never renders a value
 * as a template, so `{{user}}` inside a card's text reaches the model as written.
 */
import Mustache from 'mustache';
import { chunkVariables } from '../compiler/compile';
import type { SheetChunk } from './sheet';

export const PROMPT_VARIABLES = [
	'character_name',
	'chunk',
	'context',
	'entries_per_iteration',
	'iteration',
	'previous_prompts',
	'answer_voice'
] as const;
export type PromptVariable = (typeof PROMPT_VARIABLES)[number];

export type AnswerVoice = 'first-person' | 'third-person';

/** Skein's default per-chunk template: the seed's skeleton, with the voice and the previous-prompt list. */
export const DEFAULT_PROMPT_TEMPLATE = `From this document about the personality and background of {{character_name}}:

{{chunk}}

Imagine {{entries_per_iteration}} questions someone could ask {{character_name}} about what this document covers. From these questions create {{entries_per_iteration}} dataset entries with a prompt and a response.
- The responses must be based only on the document; do not make up information.
- {{answer_voice}}
- Keep the responses concise and relevant.
{{#previous_prompts.length}}

These prompts were already written in earlier iterations. Write {{entries_per_iteration}} NEW entries whose prompts are DIFFERENT from all of them:
{{#previous_prompts}}
- {{.}}
{{/previous_prompts}}
{{/previous_prompts.length}}

IMPORTANT: Format the dataset entries as a JSON array of objects with "prompt" and "response" fields.
`;

/** Enough to steer away from repeats without letting the list crowd a small model's context. */
export const DEFAULT_MAX_PREVIOUS_PROMPTS = 100;

export interface RenderChunkPromptInput {
	chunk: SheetChunk;
	characterName: string;
	/** 1-based. */
	iteration: number;
	/** Prompts (questions) produced by earlier iterations of this chunk; answers are never passed. */
	previousPrompts?: readonly string[];
	answerVoice?: AnswerVoice;
	maxPreviousPrompts?: number;
}

export interface RenderedChunkPrompt {
	ok: true;
	/** The chunk's context, to send as the system message ('' when the chunk has none). */
	system: string;
	prompt: string;
	/** Blocks added because the template does not mention them (e.g. an imported seed template). */
	appended: ('answer_voice' | 'previous_prompts')[];
	/** The previous prompts actually shown, after de-duplication and the bound. */
	previousPromptsShown: string[];
}

export interface PromptRenderError {
	ok: false;
	error: string;
}

export function answerVoiceInstruction(voice: AnswerVoice, characterName: string): string {
	const name = characterName.trim() === '' ? 'the character' : characterName.trim();
	return voice === 'third-person'
		? `Write every response in the third person, describing ${name} (for example "${name} ..." rather than "I ...").`
		: `Write every response in the first person, as ${name} speaking in character (for example "I ..." rather than "${name} ...").`;
}

/** Trimmed, non-empty, first occurrence kept (case-insensitive), the most recent `max` kept. */
function compactPreviousPrompts(prompts: readonly string[], max: number): string[] {
	const seen = new Set<string>();
	const unique: string[] = [];
	for (const raw of prompts) {
		if (typeof raw !== 'string') continue;
		const prompt = raw.replace(/\s+/g, ' ').trim();
		const key = prompt.toLowerCase();
		if (prompt === '' || seen.has(key)) continue;
		seen.add(key);
		unique.push(prompt);
	}
	return max <= 0 ? [] : unique.slice(-max);
}

/** The template's variables, or why it cannot be used. */
export function checkPromptTemplate(template: string): { ok: true; variables: string[] } | PromptRenderError {
	const { names, error } = chunkVariables(template);
	if (error !== undefined) return { ok: false, error: `prompt template: ${error}` };
	const known = new Set<string>(PROMPT_VARIABLES);
	const unknown = names.filter((name) => !known.has(name));
	if (unknown.length > 0) {
		return {
			ok: false,
			error: `prompt template: unknown variable${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `{{${n}}}`).join(', ')} (known: ${PROMPT_VARIABLES.join(', ')})`
		};
	}
	return { ok: true, variables: names };
}

export function renderChunkPrompt(input: RenderChunkPromptInput): RenderedChunkPrompt | PromptRenderError {
	const { chunk, characterName } = input;
	const iteration = input.iteration;
	if (!Number.isInteger(iteration) || iteration < 1 || iteration > chunk.settings.iterations) {
		return { ok: false, error: `iteration must be an integer from 1 to ${chunk.settings.iterations}, got ${String(iteration)}` };
	}
	const checked = checkPromptTemplate(chunk.promptTemplate);
	if (!checked.ok) return checked;

	const voice = answerVoiceInstruction(input.answerVoice ?? 'first-person', characterName);
	const previous = iteration === 1 ? [] : compactPreviousPrompts(input.previousPrompts ?? [], input.maxPreviousPrompts ?? DEFAULT_MAX_PREVIOUS_PROMPTS);
	const view: Record<PromptVariable, string | number | string[]> = {
		character_name: characterName,
		chunk: chunk.document,
		context: chunk.context,
		entries_per_iteration: chunk.settings.entriesPerIteration,
		iteration,
		previous_prompts: previous,
		answer_voice: voice
	};
	let prompt: string;
	try {
		prompt = Mustache.render(chunk.promptTemplate, view, undefined, { escape: (value: unknown) => String(value) });
	} catch (error) {
		return { ok: false, error: `prompt template: ${error instanceof Error ? error.message : String(error)}` };
	}

	const appended: RenderedChunkPrompt['appended'] = [];
	prompt = prompt.trimEnd();
	if (!checked.variables.includes('answer_voice')) {
		prompt += `\n\n${voice}`;
		appended.push('answer_voice');
	}
	if (previous.length > 0 && !checked.variables.includes('previous_prompts')) {
		prompt += `\n\nThese prompts were already written in earlier iterations. Write ${chunk.settings.entriesPerIteration} NEW entries whose prompts are DIFFERENT from all of them:\n${previous.map((p) => `- ${p}`).join('\n')}`;
		appended.push('previous_prompts');
	}
	return { ok: true, system: chunk.context.trim(), prompt, appended, previousPromptsShown: previous };
}
