import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AnyRecipe, ResolvedSources, RunSettings } from './recipe';
import { cleanSettings, defaultRunLabel, expectedStepsOf, isRunIdShape, limitedInputs, parseParams, prepareRun, recipeInfo, validateSettings } from './run-request';

const SETTINGS: RunSettings = { sampling: { temperature: 0.7, max_tokens: 256 }, seed: 7 };
const NO_SOURCES: ResolvedSources = { sheets: {}, identities: {}, pools: {}, entries: {}, facts: {} };

function recipe(overrides: Partial<AnyRecipe> = {}): AnyRecipe {
	return {
		id: 'count',
		label: 'Count',
		description: 'Counts to n.',
		version: 2,
		params: z.object({ n: z.number().int().min(1), judge: z.object({ threshold: z.number().min(1) }).optional() }),
		sources: () => [],
		prepare: (params: { n: number }, _sources: ResolvedSources, settings: RunSettings) => ({
			inputs: Array.from({ length: params.n }, (_, i) => ({ id: `n-${i}`, input: i, limit: settings.limit })),
			documents: {},
			definition: { version: 2 }
		}),
		task: () => async function* () {},
		recordLabel: (input: number) => `Number ${input}`,
		rehearse: () => 'ok',
		...overrides
	} as AnyRecipe;
}

describe('run requests', () => {
	it('lists a recipe for the run form, entries by default', () => {
		expect(recipeInfo(recipe())).toEqual({ id: 'count', label: 'Count', description: 'Counts to n.', output: 'entries', version: 2 });
		expect(recipeInfo(recipe({ output: 'facts' })).output).toBe('facts');
	});

	it('parses params by the recipe schema, or names the first issue with its form field', () => {
		expect(parseParams(recipe(), { n: 3, extra: true })).toEqual({ ok: true, params: { n: 3 } });
		expect(parseParams(recipe(), { n: 0 })).toMatchObject({ ok: false, field: 'params.n', error: expect.stringMatching(/^n: /) });
		expect(parseParams(recipe(), { n: 1, judge: { threshold: 0 } })).toMatchObject({ ok: false, field: 'params.judge.threshold' });
		expect(parseParams(recipe(), 'nothing')).toMatchObject({ ok: false, field: 'params' });
	});

	it('checks the run settings, by form field', () => {
		expect(validateSettings(SETTINGS)).toBeNull();
		expect(validateSettings({ ...SETTINGS, limit: 2 })).toBeNull();
		expect(validateSettings(undefined as unknown as RunSettings)).toEqual({ error: 'Run settings are missing.', field: 'settings' });
		expect(validateSettings({ ...SETTINGS, sampling: { max_tokens: 0 } })).toMatchObject({ field: 'settings.sampling.max_tokens' });
		expect(validateSettings({ ...SETTINGS, sampling: { max_tokens: 1.5 } })).toMatchObject({ field: 'settings.sampling.max_tokens' });
		expect(validateSettings({ ...SETTINGS, sampling: { max_tokens: 9, temperature: 2.1 } })).toEqual({ error: 'Temperature must be between 0 and 2.', field: 'settings.sampling.temperature' });
		expect(validateSettings({ ...SETTINGS, sampling: { max_tokens: 9, top_p: 0 } })).toMatchObject({ field: 'settings.sampling.top_p' });
		expect(validateSettings({ ...SETTINGS, seed: Number.NaN })).toEqual({ error: 'The seed must be a number.', field: 'settings.seed' });
		expect(validateSettings({ ...SETTINGS, limit: 0 })).toMatchObject({ field: 'settings.limit' });
	});

	it('copies only the fields of the settings', () => {
		const asked = { ...SETTINGS, limit: 3, apiKey: 'sk-x' } as RunSettings;
		const clean = cleanSettings(asked);
		expect(clean).toEqual({ sampling: SETTINGS.sampling, seed: 7, limit: 3 });
		expect(clean.sampling).not.toBe(asked.sampling);
		expect(cleanSettings(SETTINGS)).not.toHaveProperty('limit');
	});

	it('takes page-chosen run ids of word characters and dashes only', () => {
		expect(isRunIdShape('run-page-chosen-1')).toBe(true);
		expect(isRunIdShape('no spaces/or slashes')).toBe(false);
		expect(isRunIdShape('')).toBe(false);
		expect(isRunIdShape('x'.repeat(81))).toBe(false);
	});

	it('prepares without the limit (the run applies it), and refuses duplicate record ids', () => {
		const prepared = prepareRun(recipe(), { n: 4 }, NO_SOURCES, { ...SETTINGS, limit: 2 });
		if (!prepared.ok) throw new Error(prepared.error);
		expect(prepared.prepared.inputs).toHaveLength(4);
		expect(prepared.prepared.inputs.every((input) => (input as { limit?: number }).limit === undefined)).toBe(true);
		expect(limitedInputs(prepared.prepared.inputs, { ...SETTINGS, limit: 2 }).map((input) => input.id)).toEqual(['n-0', 'n-1']);
		expect(limitedInputs(prepared.prepared.inputs, SETTINGS)).toHaveLength(4);

		const twice = recipe({ prepare: () => ({ inputs: [{ id: 'same', input: 1 }, { id: 'same', input: 2 }], documents: {}, definition: {} }) });
		expect(prepareRun(twice, {}, NO_SOURCES, SETTINGS)).toEqual({ ok: false, error: 'The recipe produced two input records with the id "same".' });
		const throwing = recipe({
			prepare: () => {
				throw new Error('The sheet has no chunks.');
			}
		});
		expect(prepareRun(throwing, {}, NO_SOURCES, SETTINGS)).toEqual({ ok: false, error: 'The sheet has no chunks.' });
	});

	it('reads the steps a record expects, when the recipe says and can', () => {
		expect(expectedStepsOf(recipe(), 1)).toBeUndefined();
		expect(expectedStepsOf(undefined, 1)).toBeUndefined();
		expect(expectedStepsOf(recipe({ expectedSteps: () => 2 }), 1)).toBe(2);
		expect(expectedStepsOf(recipe({ expectedSteps: () => 0 }), 1)).toBeUndefined();
		expect(
			expectedStepsOf(
				recipe({
					expectedSteps: () => {
						throw new Error('no');
					}
				}),
				1
			)
		).toBeUndefined();
	});

	it('labels a run by its recipe and sources when the form gives no label', () => {
		expect(defaultRunLabel(recipe(), '  Mara, first pass ', ['Mara'])).toBe('Mara, first pass');
		expect(defaultRunLabel(recipe(), '  ', ['Mara', 'Keeper prompts'])).toBe('Count — Mara, Keeper prompts');
		expect(defaultRunLabel(recipe(), undefined, [])).toBe('Count');
	});
});
