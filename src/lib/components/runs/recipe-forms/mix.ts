/** The pool-answers form's rating mix: strata as typed, and read into the core's strata. */
import { isUnratedStratum, unratedStratum } from '$lib/core/recipes/prompt-pool';
import type { Stratum } from '$lib/core/recipes/sources';
import type { NumberText, Parsed } from '../run-form';
import { finite } from './form';

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
