/**
 * What a recipe's UI registers once: its fields' defaults, how the page's query string pre-fills
 * them, how they become the params object the recipe's zod schema reads, and the Params component
 * that edits them (with the extra props it needs from the form's sources). The run service
 * validates params again (and answers with the field at fault); checking here lets the form show
 * the error beside the field before anything is sent.
 */
import type { Component } from 'svelte';
import type { DatasetRow } from '$lib/core/contracts/rows';
import type { RunSourcesState } from '$lib/state/runs.svelte';
import type { FieldErrors, NumberText, SamplingFields } from '../run-form';
import { MAX_BEST_OF } from '$lib/core/recipes/best-of';

/** What the run form offers every recipe's Params component: the live sources and the ready datasets. */
export interface RecipeFormContext {
	sources: Pick<RunSourcesState, 'sheets' | 'identities' | 'pools' | 'sheet' | 'factRuns' | 'identity' | 'acceptedFacts'>;
	datasets: DatasetRow[];
}

/** Every Params component edits its fields (bound) and shows the errors by field. */
export type RecipeParamsProps<F> = { fields: F; errors: FieldErrors };

export interface RecipeForm<F extends object, P extends object> {
	/** The core recipe's id. */
	readonly recipeId: string;
	/** A query parameter that chooses this recipe when the query names none (?sheet=… → chunked). */
	readonly chosenBy?: string;
	defaults(): F;
	/** Pre-fills the fields from the query string (?identity=…, ?pool=…). */
	prefill(fields: F, query: URLSearchParams): void;
	/** The sampling this recipe starts from (applied when chosen, and as its fields change, unless edited). */
	sampling?(fields: F): Partial<SamplingFields>;
	/** Adds an error per field at fault to `errors`; returns how to build the params when there are none. */
	params(fields: F, errors: FieldErrors): () => Record<string, unknown>;
	readonly component: Component<RecipeParamsProps<F> & P, object, 'fields'>;
	/** The component's other props, from the form's sources. */
	props(context: RecipeFormContext, fields: F): P;
}

/** A registered recipe form, its field type erased so the registry can list them together. */
export interface RecipeFormEntry {
	readonly recipeId: string;
	readonly chosenBy?: string;
	defaults(): object;
	prefill(fields: object, query: URLSearchParams): void;
	sampling?(fields: object): Partial<SamplingFields>;
	params(fields: object, errors: FieldErrors): () => Record<string, unknown>;
	readonly component: Component<RecipeParamsProps<object> & Record<string, unknown>, object, 'fields'>;
	props(context: RecipeFormContext, fields: object): Record<string, unknown>;
}

/**
 * Checks a recipe form against its own field type, then erases that type for the registry: the
 * registry only ever hands a form the fields its own `defaults()` made.
 */
export function defineRecipeForm<F extends object, P extends object>(form: RecipeForm<F, P>): RecipeFormEntry {
	return form as unknown as RecipeFormEntry;
}

export function wholeNumber(input: NumberText, min: number, max: number): number | null {
	const text = String(input ?? '').trim();
	const value = Number(text);
	return text !== '' && Number.isInteger(value) && value >= min && value <= max ? value : null;
}

export function finite(input: NumberText): number | null {
	const text = String(input ?? '').trim();
	const value = Number(text);
	return text !== '' && Number.isFinite(value) ? value : null;
}

/** Best-of-N's field (answers per prompt, 1 to MAX_BEST_OF); null with an error when it is not one. */
export function parseBestOf(input: NumberText | undefined, errors: FieldErrors): number | null {
	const value = wholeNumber(input ?? '1', 1, MAX_BEST_OF);
	if (value === null) errors.bestOf = `Answers per prompt is a whole number from 1 to ${MAX_BEST_OF}.`;
	return value;
}
