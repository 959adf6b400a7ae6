/** Chunked iterative generation's form: a character sheet, which chunks, the answer voice, retries. */
import type { NumberText } from '../run-form';
import ChunkedParams from '../ChunkedParams.svelte';
import { defineRecipeForm, wholeNumber } from './form';

export interface ChunkedFields {
	sheetId: string;
	/** Ticked chunk ids; empty = every chunk. */
	chunkIds: string[];
	voice: 'first' | 'third';
	retries: NumberText;
}

export const chunkedForm = defineRecipeForm({
	recipeId: 'chunked',
	chosenBy: 'sheet',
	defaults: (): ChunkedFields => ({ sheetId: '', chunkIds: [], voice: 'first', retries: '2' }),
	prefill(fields: ChunkedFields, query) {
		const sheet = query.get('sheet');
		if (sheet) fields.sheetId = sheet;
	},
	params(f: ChunkedFields, errors) {
		if (!f.sheetId) errors.sheetId = 'Choose a character sheet.';
		const retries = wholeNumber(f.retries, 0, 10);
		if (retries === null) errors.retries = 'Retries per iteration is a whole number from 0 to 10.';
		return () => ({
			sheetId: f.sheetId,
			...(f.chunkIds.length ? { chunkIds: f.chunkIds } : {}),
			answerVoice: f.voice === 'first' ? 'first-person' : 'third-person',
			retriesPerIteration: retries
		});
	},
	component: ChunkedParams,
	props: ({ sources }) => ({ sheets: sources.sheets.rows, loadSheet: (id: string) => sources.sheet(id) })
});
