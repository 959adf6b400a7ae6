/**
 * Chunked iterative generation's form: a character sheet, which chunks, the names the prompts use,
 * the system message, entries × iterations, the answer voice and retries — with seed 003's
 * small-model sampling (temperature 1.0, top_p 0.9, max_tokens sized from the entry count).
 */
import { chunkedMaxTokens, CHUNKED_SAMPLING } from '$lib/core/recipes/chunked';
import { MAX_ENTRIES_PER_ITERATION, MAX_ITERATIONS } from '$lib/core/sheets/sheet';
import type { NumberText } from '../run-form';
import ChunkedParams from '../ChunkedParams.svelte';
import { defineRecipeForm, wholeNumber } from './form';

export interface ChunkedFields {
	sheetId: string;
	/** Ticked chunk ids; empty = every chunk. */
	chunkIds: string[];
	voice: 'first' | 'third';
	retries: NumberText;
	/** The name the prompts use (filled from the sheet); blank = the sheet's name. */
	characterName?: string;
	/** Fills {{user}} / <USER> in the sheet's text. */
	userName?: string;
	/** 'generator' (default): the model is told it writes dataset entries; 'context': the chunk's context, as seed 003. */
	systemMessage?: 'generator' | 'context';
	/** Entries per iteration / iterations for every chunk; blank = each chunk's own. */
	entries?: NumberText;
	iterations?: NumberText;
	/** The most entries any chunk of the sheet asks for (set when the sheet loads; sizes max_tokens). */
	sheetEntries?: number;
}

const blank = (value: NumberText | undefined) => String(value ?? '').trim() === '';

/** Entries per iteration the run will ask for at most (the override, else the sheet's largest). */
export function chunkedEntries(f: ChunkedFields): number {
	const override = wholeNumber(f.entries, 1, MAX_ENTRIES_PER_ITERATION);
	return override ?? f.sheetEntries ?? 5;
}

export const chunkedForm = defineRecipeForm({
	recipeId: 'chunked',
	chosenBy: 'sheet',
	defaults: (): ChunkedFields => ({ sheetId: '', chunkIds: [], voice: 'first', retries: '3', characterName: '', userName: 'User', systemMessage: 'generator', entries: '', iterations: '' }),
	prefill(fields: ChunkedFields, query) {
		const sheet = query.get('sheet');
		if (sheet) fields.sheetId = sheet;
	},
	sampling: (f: ChunkedFields) => ({ temperature: String(CHUNKED_SAMPLING.temperature), topP: String(CHUNKED_SAMPLING.top_p), maxTokens: String(chunkedMaxTokens(chunkedEntries(f))) }),
	params(f: ChunkedFields, errors) {
		if (!f.sheetId) errors.sheetId = 'Choose a character sheet.';
		const retries = wholeNumber(f.retries, 0, 10);
		if (retries === null) errors.retries = 'Retries per iteration is a whole number from 0 to 10.';
		const entries = blank(f.entries) ? undefined : wholeNumber(f.entries, 1, MAX_ENTRIES_PER_ITERATION);
		if (entries === null) errors.entries = `Entries per iteration is a whole number from 1 to ${MAX_ENTRIES_PER_ITERATION}, or empty for each chunk's own.`;
		const iterations = blank(f.iterations) ? undefined : wholeNumber(f.iterations, 1, MAX_ITERATIONS);
		if (iterations === null) errors.iterations = `Iterations is a whole number from 1 to ${MAX_ITERATIONS}, or empty for each chunk's own.`;
		return () => ({
			sheetId: f.sheetId,
			...(f.chunkIds.length ? { chunkIds: f.chunkIds } : {}),
			answerVoice: f.voice === 'first' ? 'first-person' : 'third-person',
			retriesPerIteration: retries,
			...(f.characterName?.trim() ? { characterName: f.characterName.trim() } : {}),
			...(f.userName?.trim() ? { userName: f.userName.trim() } : {}),
			...(f.systemMessage ? { systemMessage: f.systemMessage } : {}),
			...(entries ? { entriesPerIteration: entries } : {}),
			...(iterations ? { iterations } : {})
		});
	},
	component: ChunkedParams,
	props: ({ sources }) => ({ sheets: sources.sheets.rows, loadSheet: (id: string) => sources.sheet(id) })
});
