/**
 * Rendering one iteration's prompt for a sheet chunk (SPEC §8.3, chunked iterative generation):
 * the exact system and user messages a run sends, which every preview shows as they are.
 *
 * Differences from the seed program, on purpose (reference/chunked-generation.md A.5, A.10):
 * - the system message says the model *writes dataset entries* and names the character only as
 *   the subject: "You are <character>" as the system message makes a 0.5B–3B model answer in
 *   character instead of writing JSON. The seed's way (the chunk's context as the system message)
 *   stays available as `systemMessage: 'context'`;
 * - one output instruction, matching the schema that is sent (`{{output_format}}`); a template
 *   without it gets it appended, once;
 * - a short character introduction and one worked example in the target voice, with guidance on
 *   the kinds of question to vary;
 * - iterations 2..k list only the prompts already generated (compact, de-duplicated, bounded),
 *   never the accumulated answers, so the prompt does not grow quadratically;
 * - card macros (`{{char}}`, `{{user}}`, `<BOT>`, `<USER>`) in the text are filled with the names
 *   chosen for the run.
 *
 * Values are substituted once by mustache with HTML escaping off; mustache never renders a value
 * as a template, so a `{{.Chunk}}` inside the chunk's text reaches the model as written.
 */
import Mustache from 'mustache';
import { chunkVariables } from '../compiler/compile';
import { DEFAULT_USER_NAME, introductionFromContext, substituteNames } from './character-name';
import type { SheetChunk } from './sheet';

export const PROMPT_VARIABLES = [
	'character_name',
	'user_name',
	'introduction',
	'chunk',
	'context',
	'entries_per_iteration',
	'iteration',
	'previous_prompts',
	'answer_voice',
	'example',
	'output_format'
] as const;
export type PromptVariable = (typeof PROMPT_VARIABLES)[number];

export type AnswerVoice = 'first-person' | 'third-person';
/** 'generator': a fixed "you write dataset entries" system message; 'context': the chunk's context (seed 003). */
export type SystemMessageChoice = 'generator' | 'context';

/**
 * Skein's default per-chunk template, written for 0.5B–3B models: what to write first, who the
 * character is, the chunk fenced off, the rules as short bullets, one example, one output
 * instruction at the end (where a small model looks last).
 */
export const DEFAULT_PROMPT_TEMPLATE = `Write {{entries_per_iteration}} dataset entries for training a chat model to play {{character_name}}.
{{#introduction}}

Who {{character_name}} is:
{{introduction}}
{{/introduction}}

The part of {{character_name}}'s character sheet these entries are about:
"""
{{chunk}}
"""

Each entry has a "prompt" (what someone in {{character_name}}'s world says or asks) and a "response" ({{character_name}}'s reply).
- {{answer_voice}}
- Use only facts from the text above; never make up names, places, dates or events.
- Mix the kinds of prompts: what a traveller or player would ask here, questions about {{character_name}}'s past, asking for {{character_name}}'s opinion, and a follow-up to something said before.
- Together, the entries should cover every fact in the part above.
- Keep each response short: one to three sentences.

One example entry, for the style only (do not reuse it):
{{example}}
{{#previous_prompts.length}}

These prompts were already written in earlier iterations. Write {{entries_per_iteration}} NEW entries whose prompts are DIFFERENT from all of them:
{{#previous_prompts}}
- {{.}}
{{/previous_prompts}}
{{/previous_prompts.length}}

{{output_format}}
`;

/**
 * Skein's first default: the seed 003 skeleton with the voice and the previous-prompt list. Kept
 * selectable (the sheet editor's "Seed 003 skeleton") so runs made with it stay reproducible; its
 * own "format as a JSON array" line is followed by the appended output instruction.
 */
export const SEED_SKELETON_PROMPT_TEMPLATE = `From this document about the personality and background of {{character_name}}:

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

/** The templates the sheet editor offers by name. */
export const PROMPT_TEMPLATES = [
	{ id: 'small-model', label: 'Small-model prompt (default)', template: DEFAULT_PROMPT_TEMPLATE },
	{ id: 'seed-skeleton', label: 'Seed 003 skeleton (Skein’s first default)', template: SEED_SKELETON_PROMPT_TEMPLATE }
] as const;

/** The one output instruction: the shape of the json_object schema the recipe sends, and the count. */
export function formatInstruction(entries: number): string {
	return `Reply with one JSON object and nothing else, with exactly ${entries} entries in its "entries" array: {"entries": [{"prompt": "...", "response": "..."}]}`;
}

/** The system message of 'generator': the model writes entries; the character is only the subject. */
export function generatorSystemPrompt(characterName: string): string {
	const name = characterName.trim() || 'the character';
	return `You write training data for a chat model that will play ${name}. You are not ${name}: do not answer as ${name} and do not talk to the user. You write dataset entries, each a prompt someone says to ${name} and the response, and you reply with one JSON object only.`;
}

/** One entry in the target voice that states no fact a chunk could contradict. */
export function exampleEntry(voice: AnswerVoice, characterName: string): string {
	const name = characterName.trim() || 'the character';
	const entry =
		voice === 'third-person'
			? { prompt: `Is it true what they say about ${name}?`, response: `${name} says it depends on who is saying it, and answers a plain question plainly.` }
			: { prompt: 'Is it true what they say about you?', response: 'Depends on who is saying it. Ask me plainly and I will answer you plainly.' };
	return JSON.stringify(entry);
}

/** Enough to steer away from repeats without letting the list crowd a small model's context. */
export const DEFAULT_MAX_PREVIOUS_PROMPTS = 100;

export interface RenderChunkPromptInput {
	chunk: SheetChunk;
	characterName: string;
	/** Fills `{{user}}` / `<USER>` in the text; "User" when absent or blank. */
	userName?: string;
	/** Who the character is (the sheet's introduction); the chunk's context rewritten about them when absent. */
	introduction?: string;
	/** Default 'generator'. */
	systemMessage?: SystemMessageChoice;
	/** 1-based. */
	iteration: number;
	/** Prompts (questions) produced by earlier iterations of this chunk; answers are never passed. */
	previousPrompts?: readonly string[];
	answerVoice?: AnswerVoice;
	maxPreviousPrompts?: number;
}

export interface RenderedChunkPrompt {
	ok: true;
	/** The system message ('' when there is none: a 'context' run of a chunk without context). */
	system: string;
	/** The user message, exactly as sent. */
	prompt: string;
	/** Blocks added because the template does not mention them (e.g. an imported seed template). */
	appended: ('introduction' | 'answer_voice' | 'previous_prompts' | 'output_format')[];
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

	const voiceChoice = input.answerVoice ?? 'first-person';
	const voice = answerVoiceInstruction(voiceChoice, characterName);
	const names = { char: characterName, user: input.userName ?? DEFAULT_USER_NAME };
	const context = substituteNames(chunk.context, names);
	const introduction = substituteNames(input.introduction?.trim() || introductionFromContext(chunk.context, characterName), names).trim();
	const systemChoice = input.systemMessage ?? 'generator';
	const previous = iteration === 1 ? [] : compactPreviousPrompts(input.previousPrompts ?? [], input.maxPreviousPrompts ?? DEFAULT_MAX_PREVIOUS_PROMPTS);
	const outputFormat = formatInstruction(chunk.settings.entriesPerIteration);
	const view: Record<PromptVariable, string | number | string[]> = {
		character_name: characterName,
		user_name: names.user.trim() || DEFAULT_USER_NAME,
		introduction,
		chunk: substituteNames(chunk.document, names),
		context,
		entries_per_iteration: chunk.settings.entriesPerIteration,
		iteration,
		previous_prompts: previous,
		answer_voice: voice,
		example: exampleEntry(voiceChoice, characterName),
		output_format: outputFormat
	};
	let prompt: string;
	try {
		prompt = Mustache.render(chunk.promptTemplate, view, undefined, { escape: (value: unknown) => String(value) });
	} catch (error) {
		return { ok: false, error: `prompt template: ${error instanceof Error ? error.message : String(error)}` };
	}

	const appended: RenderedChunkPrompt['appended'] = [];
	prompt = prompt.trim();
	// With the generator system message, the character is introduced nowhere else.
	if (systemChoice === 'generator' && introduction !== '' && !checked.variables.includes('introduction') && !checked.variables.includes('context')) {
		prompt = `About ${characterName.trim() || 'the character'}: ${introduction}\n\n${prompt}`;
		appended.push('introduction');
	}
	if (!checked.variables.includes('answer_voice')) {
		prompt += `\n\n${voice}`;
		appended.push('answer_voice');
	}
	if (previous.length > 0 && !checked.variables.includes('previous_prompts')) {
		prompt += `\n\nThese prompts were already written in earlier iterations. Write ${chunk.settings.entriesPerIteration} NEW entries whose prompts are DIFFERENT from all of them:\n${previous.map((p) => `- ${p}`).join('\n')}`;
		appended.push('previous_prompts');
	}
	if (!checked.variables.includes('output_format')) {
		prompt += `\n\n${outputFormat}`;
		appended.push('output_format');
	}
	const system = systemChoice === 'generator' ? generatorSystemPrompt(characterName) : context.trim();
	return { ok: true, system, prompt, appended, previousPromptsShown: previous };
}
