import { describe, expect, it } from 'vitest';
import { DEFAULT_MIX, isUnratedStratum } from '$lib/core/recipes/prompt-pool';
import { buildParams, defaultRecipeFields } from './index';
import { mixRows, parseMix } from './mix';
import type { ChunkedFields } from './chunked';
import type { IdentityFactsFields } from './identity-facts';

describe('buildParams', () => {
	it('chunked: the sheet, ticked chunks, voice and retries', () => {
		const fields = defaultRecipeFields();
		fields.byRecipe.chunked = { sheetId: 'sheet-mara', chunkIds: ['c2', 'c3'], voice: 'third', retries: '3' };
		expect(buildParams('chunked', fields)).toEqual({ ok: true, value: { sheetId: 'sheet-mara', chunkIds: ['c2', 'c3'], answerVoice: 'third-person', retriesPerIteration: 3 } });
	});

	it('chunked with no chunk ticked means every chunk; no sheet is an error on its field', () => {
		const fields = defaultRecipeFields();
		expect(buildParams('chunked', fields)).toEqual({ ok: false, errors: { sheetId: 'Choose a character sheet.' } });
		(fields.byRecipe.chunked as ChunkedFields).sheetId = 's1';
		const parsed = buildParams('chunked', fields);
		expect(parsed.ok && 'chunkIds' in parsed.value).toBe(false);
	});

	it('identity-qa needs the identity, a facts run and questions per fact', () => {
		const fields = defaultRecipeFields();
		fields.byRecipe['identity-qa'] = { identityId: 'id-1', factsRunId: '', questionsPerFact: '0' };
		const parsed = buildParams('identity-qa', fields);
		expect(parsed.ok).toBe(false);
		if (!parsed.ok) expect(Object.keys(parsed.errors).sort()).toEqual(['factsRunId', 'questionsPerFact']);
		fields.byRecipe['identity-qa'] = { identityId: 'id-1', factsRunId: 'run-9', questionsPerFact: '2' };
		expect(buildParams('identity-qa', fields)).toEqual({ ok: true, value: { identityId: 'id-1', factsRunId: { kind: 'facts', id: 'run-9' }, questionsPerFact: 2 } });
	});

	it('identity-assertions needs at least one kind', () => {
		const fields = defaultRecipeFields();
		fields.byRecipe['identity-assertions'] = { identityId: 'id-1', positive: false, negative: false };
		const parsed = buildParams('identity-assertions', fields);
		expect(!parsed.ok && parsed.errors.assertions).toBeTruthy();
	});

	it('identity-assertions sends the lists to deny once they are filled in from the chosen document, without blanks', () => {
		const fields = defaultRecipeFields();
		fields.byRecipe['identity-assertions'] = { identityId: 'id-1', positive: true, negative: true, otherIdentities: ['Gemini', '  ', 'ChatGPT '], otherMakers: ['OpenAI'], listsFor: 'id-1' };
		expect(buildParams('identity-assertions', fields)).toEqual({ ok: true, value: { identityId: 'id-1', positive: true, negative: true, otherIdentities: ['Gemini', 'ChatGPT'], otherMakers: ['OpenAI'] } });
		// Lists filled in for another identity are not sent: the run reads the document's own.
		fields.byRecipe['identity-assertions'] = { identityId: 'id-2', positive: true, negative: true, otherIdentities: ['Gemini'], otherMakers: [], listsFor: 'id-1' };
		expect(buildParams('identity-assertions', fields)).toEqual({ ok: true, value: { identityId: 'id-2', positive: true, negative: true } });
		// Negative questions with nothing to deny: said beside the lists.
		fields.byRecipe['identity-assertions'] = { identityId: 'id-1', positive: true, negative: true, otherIdentities: [' '], otherMakers: [], listsFor: 'id-1' };
		const parsed = buildParams('identity-assertions', fields);
		expect(!parsed.ok && parsed.errors.denyLists).toBe('Negative questions need at least one identity or maker to deny.');
	});

	it('pool-answers: identity voice or a system prompt, and the mix', () => {
		const fields = defaultRecipeFields();
		fields.byRecipe['pool-answers'] = {
			poolId: 'pool-1',
			n: '200',
			mix: [
				{ unrated: false, min: '0', max: '3', share: '0.25' },
				{ unrated: false, min: '4', max: '10', share: '0.75' }
			],
			voice: 'system',
			identityId: '',
			systemPrompt: ' You are Mara. '
		};
		expect(buildParams('pool-answers', fields)).toEqual({
			ok: true,
			value: { poolId: 'pool-1', n: 200, mix: [{ min: 0, max: 3, share: 0.25 }, { min: 4, max: 10, share: 0.75 }], systemPrompt: 'You are Mara.' }
		});
	});

	it('continuation: extend k turns with a tag filter, or regenerate the last turn', () => {
		const fields = defaultRecipeFields();
		fields.byRecipe.continuation = { datasetId: 'ds-1', tag: 'keeper', mode: 'extend', turns: '2' };
		expect(buildParams('continuation', fields)).toEqual({ ok: true, value: { datasetId: 'ds-1', tag: 'keeper', mode: 'extend', turns: 2 } });
		fields.byRecipe.continuation = { datasetId: 'ds-1', tag: '', mode: 'regenerate', turns: 'x' };
		expect(buildParams('continuation', fields)).toEqual({ ok: true, value: { datasetId: 'ds-1', mode: 'regenerate' } });
	});

	it('adds the judge when enabled and checks its threshold', () => {
		const fields = defaultRecipeFields();
		(fields.byRecipe['identity-facts'] as IdentityFactsFields).identityId = 'id-1';
		fields.judge = { enabled: true, criteria: 'In voice.', threshold: '6.5' };
		expect(buildParams('identity-facts', fields)).toEqual({ ok: true, value: { identityId: 'id-1', factsPerPassage: 8, judge: { criteria: 'In voice.', threshold: 6.5 } } });
		fields.judge.threshold = '11';
		const parsed = buildParams('identity-facts', fields);
		expect(!parsed.ok && parsed.errors.judgeThreshold).toBeTruthy();
	});

	it('best-of-N: N answers per prompt only with the judge on; 1 sends nothing', () => {
		const fields = defaultRecipeFields();
		fields.byRecipe['pool-answers'] = { poolId: 'pool-1', n: '10', mix: [], voice: 'system', identityId: '', systemPrompt: 'Be Wren.', bestOf: '4' };
		expect(buildParams('pool-answers', fields)).toEqual({ ok: false, errors: { bestOf: 'Best-of-N needs the judge to score the answers: switch the judge on, or write one answer per prompt.' } });
		fields.judge = { enabled: true, criteria: 'Useful.', threshold: '6' };
		expect(buildParams('pool-answers', fields)).toEqual({ ok: true, value: { poolId: 'pool-1', n: 10, mix: [], systemPrompt: 'Be Wren.', bestOf: 4, judge: { criteria: 'Useful.', threshold: 6 } } });
		fields.byRecipe.continuation = { datasetId: 'ds-1', tag: '', mode: 'regenerate', turns: '1', bestOf: '17' };
		expect(buildParams('continuation', fields)).toEqual({ ok: false, errors: { bestOf: 'Answers per prompt is a whole number from 1 to 16.' } });
		fields.byRecipe.continuation = { datasetId: 'ds-1', tag: '', mode: 'regenerate', turns: '1', bestOf: '1' };
		expect(buildParams('continuation', fields)).toEqual({ ok: true, value: { datasetId: 'ds-1', mode: 'regenerate', judge: { criteria: 'Useful.', threshold: 6 } } });
	});

	it('an unknown recipe is an error', () => {
		expect(buildParams('nope', defaultRecipeFields()).ok).toBe(false);
	});
});

describe('parseMix', () => {
	const row = (min: string, max: string, share: string) => ({ unrated: false, min, max, share });
	it('shares must add up to 1', () => {
		const parsed = parseMix([row('0', '5', '0.5'), row('6', '10', '0.4')]);
		expect(parsed).toEqual({ ok: false, errors: { mix: 'The shares add up to 0.9; they must add up to 1.' } });
	});
	it('a range upside down is an error', () => {
		expect(parseMix([row('5', '1', '1')]).ok).toBe(false);
	});
	it('an unrated stratum becomes the core unrated stratum (min above max)', () => {
		const parsed = parseMix([row('4', '5', '0.5'), { unrated: true, min: '', max: '', share: '0.5' }]);
		expect(parsed.ok && parsed.value.map(isUnratedStratum)).toEqual([false, true]);
	});
	it('no strata samples the whole pool', () => {
		expect(parseMix([])).toEqual({ ok: true, value: [] });
	});
	it('the default rows are the core default mix', () => {
		expect(parseMix(mixRows(DEFAULT_MIX))).toEqual({ ok: true, value: DEFAULT_MIX });
	});
});

describe('the recipe registry', () => {
	it('every recipe form is listed once, with its Params component', async () => {
		const { RECIPE_FORMS, recipeForm } = await import('./index');
		const ids = RECIPE_FORMS.map((form) => form.recipeId);
		expect(ids).toEqual(['chunked', 'identity-facts', 'identity-qa', 'identity-assertions', 'pool-answers', 'continuation']);
		expect(new Set(ids).size).toBe(ids.length);
		for (const form of RECIPE_FORMS) expect(typeof form.component).toBe('function');
		expect(recipeForm('pool-answers')?.recipeId).toBe('pool-answers');
		expect(recipeForm('nope')).toBeUndefined();
	});

	it('the query string picks the recipe and pre-fills every recipe that reads it', async () => {
		const { fromQuery } = await import('./index');
		const qa = fromQuery(new URLSearchParams('recipe=identity-qa&identity=id-tidewatch&facts=run-facts-1'));
		expect(qa.recipeId).toBe('identity-qa');
		expect(qa.fields.byRecipe['identity-qa']).toMatchObject({ identityId: 'id-tidewatch', factsRunId: 'run-facts-1' });
		for (const id of ['identity-facts', 'identity-assertions', 'pool-answers']) expect(qa.fields.byRecipe[id]).toMatchObject({ identityId: 'id-tidewatch' });
		expect(qa.fields.byRecipe.chunked).toMatchObject({ sheetId: '' });

		// A sheet alone chooses chunked generation; a pool or a dataset pre-fills without choosing.
		const sheet = fromQuery(new URLSearchParams('sheet=sheet-wren'));
		expect(sheet.recipeId).toBe('chunked');
		expect(sheet.fields.byRecipe.chunked).toMatchObject({ sheetId: 'sheet-wren', chunkIds: [] });
		const pool = fromQuery(new URLSearchParams('recipe=pool-answers&pool=pool-openness'));
		expect(pool.fields.byRecipe['pool-answers']).toMatchObject({ poolId: 'pool-openness' });
		const dataset = fromQuery(new URLSearchParams('dataset=ds-mara'));
		expect(dataset.recipeId).toBe('');
		expect(dataset.fields.byRecipe.continuation).toMatchObject({ datasetId: 'ds-mara' });
	});

	it('pre-filled fields build the params the run service reads', async () => {
		const { fromQuery } = await import('./index');
		const { recipeId, fields } = fromQuery(new URLSearchParams('recipe=identity-assertions&identity=id-tidewatch'));
		expect(buildParams(recipeId, fields)).toEqual({ ok: true, value: { identityId: 'id-tidewatch', positive: true, negative: true } });
	});
});
