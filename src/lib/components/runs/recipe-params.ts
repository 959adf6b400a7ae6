/**
 * The per-recipe parameter fields of the run form and the params object each recipe's zod schema
 * reads. The run service validates params again (and answers with the field at fault); checking
 * here lets the form show the error beside the field before anything is sent.
 */
import { DEFAULT_JUDGE_CRITERIA } from '$lib/core/recipes/judge';
import { DEFAULT_MIX, isUnratedStratum, unratedStratum } from '$lib/core/recipes/prompt-pool';
import type { Stratum } from '$lib/core/recipes/sources';
import type { FieldErrors, NumberText, Parsed } from './run-form';

export const RECIPE_IDS = {
	chunked: 'chunked',
	identityFacts: 'identity-facts',
	identityQa: 'identity-qa',
	identityAssertions: 'identity-assertions',
	poolAnswers: 'pool-answers',
	continuation: 'continuation'
} as const;

export interface ChunkedFields {
	sheetId: string;
	/** Ticked chunk ids; empty = every chunk. */
	chunkIds: string[];
	voice: 'first' | 'third';
	retries: NumberText;
}

export interface IdentityFactsFields {
	identityId: string;
	factsPerPassage: NumberText;
}

export interface IdentityQaFields {
	identityId: string;
	factsRunId: string;
	questionsPerFact: NumberText;
}

export interface IdentityAssertionsFields {
	identityId: string;
	positive: boolean;
	negative: boolean;
}

/** One stratum as typed: a rating range, or the unrated prompts. */
export interface MixRow {
	unrated: boolean;
	min: NumberText;
	max: NumberText;
	share: NumberText;
}

export function mixRows(mix: readonly Stratum[]): MixRow[] {
	return mix.map((s) => (isUnratedStratum(s) ? { unrated: true, min: '', max: '', share: String(s.share) } : { unrated: false, min: String(s.min), max: String(s.max), share: String(s.share) }));
}

export interface PoolAnswersFields {
	poolId: string;
	n: NumberText;
	/** Rating strata; empty = sample the whole pool uniformly (unrated prompts included). */
	mix: MixRow[];
	/** Answer in an identity's voice, or with a system prompt typed here. */
	voice: 'identity' | 'system';
	identityId: string;
	systemPrompt: string;
}

export interface ContinuationFields {
	datasetId: string;
	/** Empty = every entry. */
	tag: string;
	mode: 'extend' | 'regenerate';
	turns: NumberText;
}

export interface JudgeFields {
	enabled: boolean;
	criteria: string;
	threshold: NumberText;
}

export interface RecipeFields {
	chunked: ChunkedFields;
	identityFacts: IdentityFactsFields;
	identityQa: IdentityQaFields;
	identityAssertions: IdentityAssertionsFields;
	poolAnswers: PoolAnswersFields;
	continuation: ContinuationFields;
	judge: JudgeFields;
}

/** The judge's scale as the form shows it (the run service reads a form threshold on 1–10). */
export const JUDGE_SCALE_MAX = 10;

export function defaultRecipeFields(): RecipeFields {
	return {
		chunked: { sheetId: '', chunkIds: [], voice: 'first', retries: '2' },
		identityFacts: { identityId: '', factsPerPassage: '8' },
		identityQa: { identityId: '', factsRunId: '', questionsPerFact: '3' },
		identityAssertions: { identityId: '', positive: true, negative: true },
		poolAnswers: {
			poolId: '',
			n: '100',
			mix: mixRows(DEFAULT_MIX),
			voice: 'identity',
			identityId: '',
			systemPrompt: ''
		},
		continuation: { datasetId: '', tag: '', mode: 'extend', turns: '1' },
		judge: { enabled: false, criteria: DEFAULT_JUDGE_CRITERIA, threshold: '7' }
	};
}

function wholeNumber(input: NumberText, min: number, max: number): number | null {
	const text = String(input ?? '').trim();
	const value = Number(text);
	return text !== '' && Number.isInteger(value) && value >= min && value <= max ? value : null;
}

function finite(input: NumberText): number | null {
	const text = String(input ?? '').trim();
	const value = Number(text);
	return text !== '' && Number.isFinite(value) ? value : null;
}

function done(errors: FieldErrors, value: () => Record<string, unknown>): Parsed<Record<string, unknown>> {
	return Object.keys(errors).length ? { ok: false, errors } : { ok: true, value: value() };
}

/**
 * The rating mix: each stratum a valid range (or the unrated prompts) with shares summing to 1
 * (within rounding). No strata = the whole pool sampled uniformly.
 */
export function parseMix(rows: readonly MixRow[]): Parsed<Stratum[]> {
	const strata: Stratum[] = [];
	for (const [i, row] of rows.entries()) {
		const share = finite(row.share);
		if (share === null || share < 0 || share > 1) return { ok: false, errors: { mix: `Stratum ${i + 1}: the share is a number from 0 to 1.` } };
		if (row.unrated) {
			strata.push(unratedStratum(share));
			continue;
		}
		const min = finite(row.min);
		const max = finite(row.max);
		if (min === null || max === null || min > max) return { ok: false, errors: { mix: `Stratum ${i + 1}: the rating range needs a minimum no larger than its maximum.` } };
		strata.push({ min, max, share });
	}
	if (!strata.length) return { ok: true, value: [] };
	const total = strata.reduce((sum, s) => sum + s.share, 0);
	if (Math.abs(total - 1) > 0.001) return { ok: false, errors: { mix: `The shares add up to ${Number(total.toFixed(3))}; they must add up to 1.` } };
	return { ok: true, value: strata };
}

export function parseJudge(fields: JudgeFields): Parsed<{ criteria: string; threshold: number } | null> {
	if (!fields.enabled) return { ok: true, value: null };
	const errors: FieldErrors = {};
	if (!fields.criteria.trim()) errors.judgeCriteria = 'Write what the judge should score.';
	const threshold = finite(fields.threshold);
	if (threshold === null || threshold < 1 || threshold > JUDGE_SCALE_MAX) errors.judgeThreshold = `The threshold is a score from 1 to ${JUDGE_SCALE_MAX}.`;
	if (Object.keys(errors).length) return { ok: false, errors };
	return { ok: true, value: { criteria: fields.criteria.trim(), threshold: threshold as number } };
}

/** The params object for a recipe, from the form's fields. */
export function buildParams(recipeId: string, fields: RecipeFields): Parsed<Record<string, unknown>> {
	const errors: FieldErrors = {};
	const judge = parseJudge(fields.judge);
	if (!judge.ok) Object.assign(errors, judge.errors);
	const withJudge = (params: Record<string, unknown>) => (judge.ok && judge.value ? { ...params, judge: judge.value } : params);

	switch (recipeId) {
		case RECIPE_IDS.chunked: {
			const f = fields.chunked;
			if (!f.sheetId) errors.sheetId = 'Choose a character sheet.';
			const retries = wholeNumber(f.retries, 0, 10);
			if (retries === null) errors.retries = 'Retries per iteration is a whole number from 0 to 10.';
			return done(errors, () =>
				withJudge({
					sheetId: f.sheetId,
					...(f.chunkIds.length ? { chunkIds: f.chunkIds } : {}),
					answerVoice: f.voice === 'first' ? 'first-person' : 'third-person',
					retriesPerIteration: retries
				})
			);
		}
		case RECIPE_IDS.identityFacts: {
			const f = fields.identityFacts;
			if (!f.identityId) errors.identityId = 'Choose an identity document.';
			const perPassage = wholeNumber(f.factsPerPassage, 1, 50);
			if (perPassage === null) errors.factsPerPassage = 'Facts per passage is a whole number from 1 to 50.';
			return done(errors, () => withJudge({ identityId: f.identityId, factsPerPassage: perPassage }));
		}
		case RECIPE_IDS.identityQa: {
			const f = fields.identityQa;
			if (!f.identityId) errors.identityId = 'Choose an identity document.';
			if (!f.factsRunId) errors.factsRunId = 'Choose a finished fact-extraction run with accepted facts.';
			const perFact = wholeNumber(f.questionsPerFact, 1, 10);
			if (perFact === null) errors.questionsPerFact = 'Questions per fact is a whole number from 1 to 10.';
			return done(errors, () => withJudge({ identityId: f.identityId, factsRunId: { kind: 'facts', id: f.factsRunId }, questionsPerFact: perFact }));
		}
		case RECIPE_IDS.identityAssertions: {
			const f = fields.identityAssertions;
			if (!f.identityId) errors.identityId = 'Choose an identity document.';
			if (!f.positive && !f.negative) errors.assertions = 'Include positive assertions, negative ones, or both.';
			return done(errors, () => withJudge({ identityId: f.identityId, positive: f.positive, negative: f.negative }));
		}
		case RECIPE_IDS.poolAnswers: {
			const f = fields.poolAnswers;
			if (!f.poolId) errors.poolId = 'Choose a prompt pool.';
			const n = wholeNumber(f.n, 1, 1_000_000);
			if (n === null) errors.n = 'The number of prompts is a whole number of at least 1.';
			const mix = parseMix(f.mix);
			if (!mix.ok) Object.assign(errors, mix.errors);
			if (f.voice === 'identity' && !f.identityId) errors.identityId = 'Choose an identity document, or answer with a system prompt.';
			if (f.voice === 'system' && !f.systemPrompt.trim()) errors.systemPrompt = 'Write the system prompt the answers are written with.';
			return done(errors, () =>
				withJudge({
					poolId: f.poolId,
					n,
					mix: mix.ok ? mix.value : [],
					...(f.voice === 'identity' ? { identityId: f.identityId } : { systemPrompt: f.systemPrompt.trim() })
				})
			);
		}
		case RECIPE_IDS.continuation: {
			const f = fields.continuation;
			if (!f.datasetId) errors.datasetId = 'Choose a dataset.';
			const turns = f.mode === 'extend' ? wholeNumber(f.turns, 1, 20) : 1;
			if (turns === null) errors.turns = 'Turns to add is a whole number from 1 to 20.';
			return done(errors, () =>
				withJudge({ datasetId: f.datasetId, ...(f.tag.trim() ? { tag: f.tag.trim() } : {}), mode: f.mode, ...(f.mode === 'extend' ? { turns } : {}) })
			);
		}
		default:
			return { ok: false, errors: { recipe: `Unknown recipe "${recipeId}".` } };
	}
}
