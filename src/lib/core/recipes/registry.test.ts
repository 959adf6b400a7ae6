import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random';
import { JUDGE_SYSTEM_PROMPT } from './judge';
import { chunkedRecipe } from './chunked';
import { identityFactsRecipe } from './identity-facts';
import { findRecipe, RECIPES, withJudgeOption } from './registry';
import type { ResolvedSources, RunSettings } from './recipe';
import type { CharacterSheet } from '../sheets/sheet';

const settings: RunSettings = { sampling: { temperature: 0.7, max_tokens: 800 }, seed: 3 };

const sheet: CharacterSheet = {
	id: 'mara',
	name: 'Mara',
	sourceKind: 'document',
	createdAt: '2026-11-01T10:00:00.000Z',
	chunks: [
		{
			id: 'light',
			title: 'The light',
			context: 'You are Mara.',
			document: 'Every night Mara climbs the 112 steps to trim the wick; she has not missed a night in nine years.',
			settings: { entriesPerIteration: 2, iterations: 1 },
			promptTemplate: ''
		}
	]
};
const sources: ResolvedSources = { sheets: { mara: sheet }, identities: {}, pools: {}, entries: {}, facts: {} };

describe('recipe registry', () => {
	it('lists each built-in recipe once, findable by id', () => {
		const ids = RECIPES.map((recipe) => recipe.id);
		expect(new Set(ids).size).toBe(ids.length);
		expect(ids).toEqual(['chunked', 'identity-facts', 'identity-qa', 'identity-assertions', 'pool-answers', 'continuation']);
		expect(findRecipe('chunked')?.label).toBe(chunkedRecipe.label);
		expect(findRecipe('nope')).toBeUndefined();
		// Fact extraction is reviewed, not judged: it is registered as is.
		expect(findRecipe('identity-facts')).toBe(identityFactsRecipe);
	});

	it('accepts the run form’s judge (present = on, 0–10 threshold) and keeps the recipe’s own params', () => {
		const judged = withJudgeOption(chunkedRecipe);
		const parsed = judged.params.parse({ sheetId: 'mara', judge: { criteria: 'Stays in voice.', threshold: 7 } });
		expect(parsed).toMatchObject({ sheetId: 'mara', answerVoice: 'first-person', judge: { enabled: true, criteria: 'Stays in voice.', threshold: 7, scaleMax: 10 } });
		expect(judged.params.parse({ sheetId: 'mara' })).toEqual(chunkedRecipe.params.parse({ sheetId: 'mara' }));
		// Off in so many words: no judge at all.
		expect(judged.params.parse({ sheetId: 'mara', judge: { enabled: false } })).not.toHaveProperty('judge');
	});

	it('reports problems at the recipe’s path and under judge.*', () => {
		const judged = withJudgeOption(chunkedRecipe);
		const inner = judged.params.safeParse({ sheetId: '' });
		expect(inner.success).toBe(false);
		expect(inner.error?.issues[0].path).toEqual(['sheetId']);
		const judge = judged.params.safeParse({ sheetId: 'mara', judge: { threshold: 12 } });
		expect(judge.success).toBe(false);
		expect(judge.error?.issues[0].path).toEqual(['judge', 'threshold']);
	});

	it('puts the judge settings in the definition (a new rubric makes the run stale) and only then', () => {
		const judged = withJudgeOption(chunkedRecipe);
		const plain = judged.prepare(judged.params.parse({ sheetId: 'mara' }), sources, settings);
		expect(plain.definition).toEqual(chunkedRecipe.prepare(chunkedRecipe.params.parse({ sheetId: 'mara' }), sources, settings).definition);
		const withOne = judged.prepare(judged.params.parse({ sheetId: 'mara', judge: { criteria: 'A', threshold: 5 } }), sources, settings);
		const withOther = judged.prepare(judged.params.parse({ sheetId: 'mara', judge: { criteria: 'B', threshold: 5 } }), sources, settings);
		expect(withOne.definition).not.toEqual(withOther.definition);
		expect(withOne.inputs).toEqual(plain.inputs);
	});

	it('rehearses judge requests as verdicts and everything else as the recipe does', () => {
		const judged = withJudgeOption(chunkedRecipe);
		const verdict = judged.rehearse(
			{
				messages: [
					{ role: 'system', content: JUDGE_SYSTEM_PROMPT },
					{ role: 'user', content: 'Rate it on a scale from 1 (fails them) to 10 (meets them fully).\nAssistant: Nine years, not one night missed.' }
				],
				sampling: settings.sampling
			},
			mulberry32(1)
		);
		expect(verdict).toMatch(/<rationale>[\s\S]+<\/rationale>\s*<score>\d+<\/score>/);
		const other = { messages: [{ role: 'user' as const, content: 'Write 2 entries about the light.' }], sampling: settings.sampling };
		expect(judged.rehearse(other, mulberry32(2))).toBe(chunkedRecipe.rehearse(other, mulberry32(2)));
	});
});
