/**
 * Checking what a run request asks of a recipe, before anything is stored: the recipe's params
 * (its zod schema), the run settings, the page's run id, and the recipe's prepared input records
 * (the run applies the limit, not the recipe; record ids must be unique). Pure: the run service
 * (workers/) loads the sources and stores the run. Engine choices are checked in
 * core/runtime/engine-choice.ts.
 */
import type { RequestProblem } from '../runtime/engine-choice';
import type { AnyRecipe, PreparedRun, ResolvedSources, RunSettings } from './recipe';

/** A recipe as the run form lists it. */
export function recipeInfo(recipe: AnyRecipe): { id: string; label: string; description: string; output: 'entries' | 'facts'; version: number } {
	return { id: recipe.id, label: recipe.label, description: recipe.description, output: recipe.output ?? 'entries', version: recipe.version };
}

/** The recipe's params, parsed by its schema; the first issue otherwise, with its form field. */
export function parseParams(recipe: AnyRecipe, params: unknown): { ok: true; params: unknown } | ({ ok: false } & RequestProblem) {
	const parsed = recipe.params.safeParse(params);
	if (parsed.success) return { ok: true, params: parsed.data };
	const issue = parsed.error.issues[0];
	const path = issue.path.map(String).join('.');
	return { ok: false, error: path ? `${path}: ${issue.message}` : issue.message, field: path ? `params.${path}` : 'params' };
}

export function validateSettings(settings: RunSettings): RequestProblem | null {
	if (!settings || typeof settings !== 'object') return { error: 'Run settings are missing.', field: 'settings' };
	const sampling = settings.sampling;
	if (!sampling || !Number.isInteger(sampling.max_tokens) || sampling.max_tokens < 1) return { error: 'Max tokens must be a whole number of at least 1.', field: 'settings.sampling.max_tokens' };
	if (sampling.temperature !== undefined && !(sampling.temperature >= 0 && sampling.temperature <= 2)) return { error: 'Temperature must be between 0 and 2.', field: 'settings.sampling.temperature' };
	if (sampling.top_p !== undefined && !(sampling.top_p > 0 && sampling.top_p <= 1)) return { error: 'Top-p must be above 0 and at most 1.', field: 'settings.sampling.top_p' };
	if (!Number.isFinite(settings.seed)) return { error: 'The seed must be a number.', field: 'settings.seed' };
	if (settings.limit !== undefined && !(Number.isInteger(settings.limit) && settings.limit >= 1)) return { error: 'The limit must be a whole number of at least 1.', field: 'settings.limit' };
	return null;
}

/** Only the fields RunSettings has (a copy: the stored run shares nothing with the request). */
export function cleanSettings(settings: RunSettings): RunSettings {
	return { sampling: { ...settings.sampling }, seed: settings.seed, ...(settings.limit !== undefined ? { limit: settings.limit } : {}) };
}

/** A run id the page may choose: letters, digits, `_` and `-`, at most 80. */
export function isRunIdShape(id: string): boolean {
	return /^[\w-]{1,80}$/.test(id);
}

/**
 * The recipe's input records and manifest parts for these params, sources and settings. The
 * service applies the limit (after preparing): a recipe that applied it too would give a manifest
 * of the limited set, and the run would never be called partial.
 */
export function prepareRun(recipe: AnyRecipe, params: unknown, sources: ResolvedSources, settings: RunSettings): { ok: true; prepared: PreparedRun<unknown> } | { ok: false; error: string } {
	try {
		// eslint-disable-next-line @typescript-eslint/no-unused-vars
		const { limit, ...unlimited } = settings;
		const prepared = recipe.prepare(params, sources, unlimited);
		const ids = new Set<string>();
		for (const input of prepared.inputs) {
			if (ids.has(input.id)) return { ok: false, error: `The recipe produced two input records with the id "${input.id}".` };
			ids.add(input.id);
		}
		return { ok: true, prepared };
	} catch (error) {
		return { ok: false, error: error instanceof Error ? error.message : String(error) };
	}
}

/** The records a run covers: the prepared inputs up to the run's limit. */
export function limitedInputs<T>(inputs: readonly T[], settings: RunSettings): T[] {
	return inputs.slice(0, settings.limit ?? Infinity);
}

/** What the recipe expects a record to take, or nothing when it does not say (or cannot read the input). */
export function expectedStepsOf(recipe: AnyRecipe | undefined, input: unknown): number | undefined {
	try {
		const steps = recipe?.expectedSteps?.(input);
		return typeof steps === 'number' && Number.isFinite(steps) && steps > 0 ? steps : undefined;
	} catch {
		return undefined;
	}
}

/** The label a run gets when the form gives none: the recipe and the sources it reads. */
export function defaultRunLabel(recipe: AnyRecipe, label: string | undefined, sourceNames: string[]): string {
	return label?.trim() || `${recipe.label}${sourceNames.length ? ` — ${sourceNames.join(', ')}` : ''}`;
}
