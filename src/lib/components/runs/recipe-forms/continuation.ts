/** Continuation / regeneration's form: a dataset, an optional tag filter, extend by k turns or regenerate the last. */
import type { NumberText } from '../run-form';
import ContinuationParams from '../ContinuationParams.svelte';
import { defineRecipeForm, parseBestOf, wholeNumber } from './form';

export interface ContinuationFields {
	datasetId: string;
	/** Empty = every entry. */
	tag: string;
	mode: 'extend' | 'regenerate';
	turns: NumberText;
	/** Best-of-N: continuations per entry (1 = one). */
	bestOf: NumberText;
}

export const continuationForm = defineRecipeForm({
	recipeId: 'continuation',
	defaults: (): ContinuationFields => ({ datasetId: '', tag: '', mode: 'extend', turns: '1', bestOf: '1' }),
	prefill(fields: ContinuationFields, query) {
		const dataset = query.get('dataset');
		if (dataset) fields.datasetId = dataset;
	},
	params(f: ContinuationFields, errors) {
		if (!f.datasetId) errors.datasetId = 'Choose a dataset.';
		const turns = f.mode === 'extend' ? wholeNumber(f.turns, 1, 20) : 1;
		if (turns === null) errors.turns = 'Turns to add is a whole number from 1 to 20.';
		const bestOf = parseBestOf(f.bestOf, errors);
		return () => ({ datasetId: f.datasetId, ...(f.tag.trim() ? { tag: f.tag.trim() } : {}), mode: f.mode, ...(f.mode === 'extend' ? { turns } : {}), ...(bestOf && bestOf > 1 ? { bestOf } : {}) });
	},
	component: ContinuationParams,
	props: ({ datasets }) => ({ datasets })
});
