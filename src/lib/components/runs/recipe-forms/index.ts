/**
 * The run form's recipe registry: one UI module per recipe (its fields, query-string pre-fill,
 * params and Params component), listed here once. Adding a recipe = the core recipe, its module
 * in this folder and one line below.
 */
import type { FieldErrors, Parsed } from '../run-form';
import type { RecipeFormEntry } from './form';
import { chunkedForm } from './chunked';
import { identityFactsForm } from './identity-facts';
import { identityQaForm } from './identity-qa';
import { identityAssertionsForm } from './identity-assertions';
import { poolAnswersForm } from './pool-answers';
import { continuationForm } from './continuation';
import { defaultJudgeFields, parseJudge, type JudgeFields } from './judge';
import { BEST_OF_NEEDS_JUDGE } from '$lib/core/recipes/best-of';

export const RECIPE_FORMS: readonly RecipeFormEntry[] = [chunkedForm, identityFactsForm, identityQaForm, identityAssertionsForm, poolAnswersForm, continuationForm];

export type { RecipeFormContext, RecipeFormEntry } from './form';

export function recipeForm(recipeId: string): RecipeFormEntry | undefined {
	return RECIPE_FORMS.find((form) => form.recipeId === recipeId);
}

/** Every recipe's fields (by recipe id, so switching recipes keeps what was typed) and the judge's. */
export interface RecipeFields {
	byRecipe: Record<string, object>;
	judge: JudgeFields;
}

export function defaultRecipeFields(): RecipeFields {
	return { byRecipe: Object.fromEntries(RECIPE_FORMS.map((form) => [form.recipeId, form.defaults()])), judge: defaultJudgeFields() };
}

/**
 * The form as the query string asks for it: the recipe named by ?recipe= (or the one a source
 * parameter implies, such as ?sheet= for chunked generation) and every recipe's fields pre-filled
 * (?identity=…&facts=<runId>, ?sheet=…, ?pool=…, ?dataset=…).
 */
export function fromQuery(query: URLSearchParams): { recipeId: string; fields: RecipeFields } {
	const fields = defaultRecipeFields();
	for (const form of RECIPE_FORMS) form.prefill(fields.byRecipe[form.recipeId], query);
	const recipeId = query.get('recipe') ?? RECIPE_FORMS.find((form) => form.chosenBy && query.get(form.chosenBy))?.recipeId ?? '';
	return { recipeId, fields };
}

/** The params object for a recipe, from the form's fields (with the judge when it is enabled). */
export function buildParams(recipeId: string, fields: RecipeFields): Parsed<Record<string, unknown>> {
	const form = recipeForm(recipeId);
	if (!form) return { ok: false, errors: { recipe: `Unknown recipe "${recipeId}".` } };
	const errors: FieldErrors = {};
	const judge = parseJudge(fields.judge);
	if (!judge.ok) Object.assign(errors, judge.errors);
	const build = form.params(fields.byRecipe[recipeId], errors);
	if (Object.keys(errors).length) return { ok: false, errors };
	const params = build();
	// Best-of-N is for the judge to pick from: without it the N answers would have no scores.
	if (typeof params.bestOf === 'number' && params.bestOf > 1 && !(judge.ok && judge.value)) return { ok: false, errors: { bestOf: BEST_OF_NEEDS_JUDGE } };
	return { ok: true, value: judge.ok && judge.value ? { ...params, judge: judge.value } : params };
}
