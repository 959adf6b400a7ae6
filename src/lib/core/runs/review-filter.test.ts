import { describe, expect, it } from 'vitest';
import type { DraftSample } from '../recipes/recipe';
import { isBelowThreshold, matchesReviewFilter } from './review-filter';

describe('review filters', () => {
	const sample = (judge?: DraftSample['judge']): DraftSample => ({ messages: [{ role: 'user', content: 'Are you Tidewatch?' }], tags: [], meta: {}, ...(judge ? { judge } : {}) });
	const low = { score: 3, rationale: 'Breaks voice.', threshold: 7, passed: false };
	const high = { score: 8, rationale: 'In voice.', threshold: 7, passed: true };
	const unscored = { score: 0, rationale: '', threshold: 7, passed: false, error: 'The judge answer had no <score>.' };

	it('"below judge threshold" keeps judged samples under the threshold, whatever their review state', () => {
		expect(isBelowThreshold({ sample: sample(low) })).toBe(true);
		expect(isBelowThreshold({ sample: sample(high) })).toBe(false);
		// A judge that could not score did not mark the sample.
		expect(isBelowThreshold({ sample: sample(unscored) })).toBe(false);
		expect(isBelowThreshold({ sample: sample() })).toBe(false);
		expect(matchesReviewFilter({ sample: sample(low), review: 'accepted' }, 'below-threshold')).toBe(true);
	});

	it('review-state filters match the state; "all" matches everything', () => {
		expect(matchesReviewFilter({ sample: sample(), review: 'pending' }, 'pending')).toBe(true);
		expect(matchesReviewFilter({ sample: sample(), review: 'pending' }, 'accepted')).toBe(false);
		expect(matchesReviewFilter({ sample: sample(low), review: 'rejected' }, 'all')).toBe(true);
	});
});
