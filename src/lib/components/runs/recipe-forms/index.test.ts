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
