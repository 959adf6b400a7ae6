/**
 * The review queue's filters: which of a run's samples it shows. Pure: the review state filters
 * with it and the review page lists the choices; tested in Node.
 */
import type { SampleReview } from '../contracts/rows';
import type { ReviewItem } from '../contracts/run-api';

/** Which samples the review queue shows: by review state, all, or those the judge scored below its threshold. */
export type ReviewFilter = SampleReview | 'all' | 'below-threshold';

export const REVIEW_FILTERS: readonly ReviewFilter[] = ['pending', 'accepted', 'rejected', 'all', 'below-threshold'];

/** A judged sample under the threshold (a judge that could not score is not "below"). */
export function isBelowThreshold(item: Pick<ReviewItem, 'sample'>): boolean {
	const judge = item.sample.judge;
	return judge !== undefined && judge.error === undefined && !judge.passed;
}

export function matchesReviewFilter(item: Pick<ReviewItem, 'sample' | 'review'>, filter: ReviewFilter): boolean {
	if (filter === 'all') return true;
	if (filter === 'below-threshold') return isBelowThreshold(item);
	return item.review === filter;
}
