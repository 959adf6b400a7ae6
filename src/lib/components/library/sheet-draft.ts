/**
 * The sheet editor's pure steps: chunk order, new chunks, and the live template check and
 * iteration-1 preview (core/sheets/prompt.ts) in the shape the page shows them.
 */
import { checkPromptTemplate, DEFAULT_PROMPT_TEMPLATE, PROMPT_TEMPLATES, PROMPT_VARIABLES, type AnswerVoice, type SystemMessageChoice } from '$lib/core/sheets/prompt';
import { chunkMessages } from '$lib/core/recipes/chunked';
import { DEFAULT_CHUNK_SETTINGS, MAX_ENTRIES_PER_ITERATION, MAX_ITERATIONS, type SheetChunk } from '$lib/core/sheets/sheet';

export { PROMPT_TEMPLATES, PROMPT_VARIABLES, MAX_ENTRIES_PER_ITERATION, MAX_ITERATIONS };

/** The chunks with the one at `from` moved to `to` (clamped); the same array contents otherwise. */
export function moveChunk<T>(chunks: readonly T[], from: number, to: number): T[] {
	const out = [...chunks];
	if (from < 0 || from >= out.length) return out;
	const target = Math.min(out.length - 1, Math.max(0, to));
	const [moved] = out.splice(from, 1);
	out.splice(target, 0, moved);
	return out;
}

/** A new chunk after the others: same context, settings and template as the last one, so it fits the sheet. */
export function newChunk(chunks: readonly SheetChunk[], id: string): SheetChunk {
	const last = chunks[chunks.length - 1];
	return {
		id,
		title: `Chunk ${chunks.length + 1}`,
		context: last?.context ?? '',
		document: '',
		settings: { ...(last?.settings ?? DEFAULT_CHUNK_SETTINGS) },
		promptTemplate: last?.promptTemplate ?? DEFAULT_PROMPT_TEMPLATE
	};
}

export interface TemplateCheck {
	variables: string[];
	error: string | null;
}

export function templateCheck(template: string): TemplateCheck {
	const checked = checkPromptTemplate(template);
	return checked.ok ? { variables: checked.variables, error: null } : { variables: [], error: checked.error };
}

/** A whole number in range, or the reason it is not (null when the field is empty). */
export function settingProblem(value: unknown, max: number): string | null {
	if (typeof value !== 'number' || !Number.isFinite(value)) return 'enter a number';
	if (!Number.isInteger(value)) return 'a whole number';
	if (value < 1 || value > max) return `from 1 to ${max}`;
	return null;
}

export interface PreviewOptions {
	characterName: string;
	introduction?: string;
	userName?: string;
	systemMessage?: SystemMessageChoice;
	answerVoice?: AnswerVoice;
}

/**
 * Iteration 1's messages exactly as a run sends them (the recipe's own `chunkMessages`, so the
 * preview cannot drift from the request), or why they cannot be rendered.
 */
export function previewText(chunk: SheetChunk, options: PreviewOptions): { ok: true; system: string; prompt: string } | { ok: false; error: string } {
	if (settingProblem(chunk.settings.iterations, MAX_ITERATIONS) !== null) return { ok: false, error: `iterations: ${settingProblem(chunk.settings.iterations, MAX_ITERATIONS)}` };
	if (settingProblem(chunk.settings.entriesPerIteration, MAX_ENTRIES_PER_ITERATION) !== null) return { ok: false, error: `entries per iteration: ${settingProblem(chunk.settings.entriesPerIteration, MAX_ENTRIES_PER_ITERATION)}` };
	const built = chunkMessages(chunk, { ...options, iteration: 1, previousPrompts: [], answerVoice: options.answerVoice ?? 'first-person' });
	if (!built.ok) return built;
	const system = built.messages.find((message) => message.role === 'system')?.content ?? '';
	const prompt = built.messages.find((message) => message.role === 'user')?.content ?? '';
	return { ok: true, system, prompt };
}
