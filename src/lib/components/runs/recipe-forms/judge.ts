/** The optional judge step's fields, offered with every recipe that makes entries. */
import { DEFAULT_JUDGE_CRITERIA, DEFAULT_JUDGE_SAMPLING, type JudgeSampling } from '$lib/core/recipes/judge';
import type { FieldErrors, NumberText, Parsed } from '../run-form';
import { finite } from './form';

export interface JudgeFields {
	enabled: boolean;
	criteria: string;
	threshold: NumberText;
	/** The judge's own sampling (blank: the judge's defaults, temperature 0 and a short max_tokens). */
	temperature?: NumberText;
	maxTokens?: NumberText;
}

/** The judge's scale as the form shows it (the run service reads a form threshold on 1–10). */
export const JUDGE_SCALE_MAX = 10;

export function defaultJudgeFields(): JudgeFields {
	return { enabled: false, criteria: DEFAULT_JUDGE_CRITERIA, threshold: '7', temperature: String(DEFAULT_JUDGE_SAMPLING.temperature), maxTokens: String(DEFAULT_JUDGE_SAMPLING.max_tokens) };
}

export function parseJudge(fields: JudgeFields): Parsed<{ criteria: string; threshold: number; sampling?: JudgeSampling } | null> {
	if (!fields.enabled) return { ok: true, value: null };
	const errors: FieldErrors = {};
	if (!fields.criteria.trim()) errors.judgeCriteria = 'Write what the judge should score.';
	const threshold = finite(fields.threshold);
	if (threshold === null || threshold < 1 || threshold > JUDGE_SCALE_MAX) errors.judgeThreshold = `The threshold is a score from 1 to ${JUDGE_SCALE_MAX}.`;
	const sampling: JudgeSampling = {};
	if (String(fields.temperature ?? '').trim() !== '') {
		const temperature = finite(fields.temperature);
		if (temperature === null || temperature < 0 || temperature > 2) errors.judgeTemperature = 'The judge temperature is a number from 0 to 2.';
		else sampling.temperature = temperature;
	}
	if (String(fields.maxTokens ?? '').trim() !== '') {
		const maxTokens = finite(fields.maxTokens);
		if (maxTokens === null || !Number.isInteger(maxTokens) || maxTokens < 1) errors.judgeMaxTokens = 'The judge max_tokens is a whole number of 1 or more.';
		else sampling.max_tokens = maxTokens;
	}
	if (Object.keys(errors).length) return { ok: false, errors };
	return { ok: true, value: { criteria: fields.criteria.trim(), threshold: threshold as number, ...(Object.keys(sampling).length ? { sampling } : {}) } };
}
