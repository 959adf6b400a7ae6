/** The optional judge step's fields, offered with every recipe that makes entries. */
import { DEFAULT_JUDGE_CRITERIA } from '$lib/core/recipes/judge';
import type { FieldErrors, NumberText, Parsed } from '../run-form';
import { finite } from './form';

export interface JudgeFields {
	enabled: boolean;
	criteria: string;
	threshold: NumberText;
}

/** The judge's scale as the form shows it (the run service reads a form threshold on 1–10). */
export const JUDGE_SCALE_MAX = 10;

export function defaultJudgeFields(): JudgeFields {
	return { enabled: false, criteria: DEFAULT_JUDGE_CRITERIA, threshold: '7' };
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
