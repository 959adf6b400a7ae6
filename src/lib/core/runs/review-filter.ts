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

/**
 * The review queue's narrowing on top of the state filter: by grounding, judge score, duplicate
 * mark, record (chunk) and reply length, then an order. Empty fields match everything.
 */
export interface ReviewQuery {
	grounding?: 'ungrounded' | 'nothing' | 'grounded';
	/** Judge scores from `judgeMin` to `judgeMax` (samples without a score do not match either bound). */
	judgeMin?: number;
	judgeMax?: number;
	duplicate?: 'any' | 'exact' | 'near' | 'unique';
	recordIndex?: number;
	minLength?: number;
	maxLength?: number;
	sort?: ReviewSort;
}

export type ReviewSort = 'order' | 'grounding-asc' | 'grounding-desc' | 'judge-asc' | 'judge-desc' | 'length-asc' | 'length-desc';

export const REVIEW_SORTS: readonly { value: ReviewSort; label: string }[] = [
	{ value: 'order', label: 'Record order' },
	{ value: 'grounding-asc', label: 'Grounding, lowest first' },
	{ value: 'grounding-desc', label: 'Grounding, highest first' },
	{ value: 'judge-asc', label: 'Judge score, lowest first' },
	{ value: 'judge-desc', label: 'Judge score, highest first' },
	{ value: 'length-asc', label: 'Reply length, shortest first' },
	{ value: 'length-desc', label: 'Reply length, longest first' }
];

/** A sample's judge score, when the judge gave one. */
export function judgeScoreOf(item: Pick<ReviewItem, 'sample'>): number | null {
	const judge = item.sample.judge;
	return judge && judge.error === undefined ? judge.score : null;
}

export function matchesReviewQuery(item: Pick<ReviewItem, 'sample' | 'marks' | 'recordIndex'>, query: ReviewQuery): boolean {
	const marks = item.marks;
	if (query.grounding) {
		if (!marks || marks.grounded === null) return false;
		if (query.grounding === 'grounded' && !marks.grounded) return false;
		if (query.grounding === 'ungrounded' && marks.grounded) return false;
		if (query.grounding === 'nothing' && !marks.nothingFromSource) return false;
	}
	if (query.judgeMin !== undefined || query.judgeMax !== undefined) {
		const score = judgeScoreOf(item);
		if (score === null) return false;
		if (query.judgeMin !== undefined && score < query.judgeMin) return false;
		if (query.judgeMax !== undefined && score > query.judgeMax) return false;
	}
	if (query.duplicate) {
		const mark = marks?.duplicate ?? null;
		if (query.duplicate === 'unique' ? mark !== null : query.duplicate === 'any' ? mark === null : mark !== query.duplicate) return false;
	}
	if (query.recordIndex !== undefined && item.recordIndex !== query.recordIndex) return false;
	const length = marks?.length ?? 0;
	if (query.minLength !== undefined && length < query.minLength) return false;
	if (query.maxLength !== undefined && length > query.maxLength) return false;
	return true;
}

/** Missing values (no score, no source) sort last whichever the direction. */
function compareNullable(a: number | null, b: number | null, direction: 1 | -1): number {
	if (a === null || b === null) return a === null ? (b === null ? 0 : 1) : -1;
	return (a - b) * direction;
}

/** The items in the query's order (a stable sort: ties keep record order). */
export function sortReviewItems<T extends Pick<ReviewItem, 'sample' | 'marks'>>(items: readonly T[], sort: ReviewSort = 'order'): T[] {
	if (sort === 'order') return [...items];
	const [key, way] = sort.split('-') as ['grounding' | 'judge' | 'length', 'asc' | 'desc'];
	const direction = way === 'asc' ? 1 : -1;
	const value = (item: T): number | null => (key === 'judge' ? judgeScoreOf(item) : key === 'grounding' ? (item.marks?.grounding ?? null) : (item.marks?.length ?? null));
	return items
		.map((item, index) => ({ item, index, value: value(item) }))
		.sort((a, b) => compareNullable(a.value, b.value, direction) || a.index - b.index)
		.map((entry) => entry.item);
}

/** The items the queue shows: state filter, then the query, in the query's order. */
export function reviewQueueItems<T extends Pick<ReviewItem, 'sample' | 'marks' | 'recordIndex' | 'review'>>(all: readonly T[], filter: ReviewFilter, query: ReviewQuery): T[] {
	return sortReviewItems(
		all.filter((item) => matchesReviewFilter(item, filter) && matchesReviewQuery(item, query)),
		query.sort
	);
}

/** A bulk decision's undo: the review each changed sample had before it. */
export interface ReviewUndo {
	label: string;
	previous: { id: string; review: SampleReview }[];
}

/**
 * The changes "accept / reject everything matching" makes: the matching samples whose review
 * differs, and the undo that restores exactly the decisions they had.
 */
export function bulkDecision(matching: readonly Pick<ReviewItem, 'id' | 'review'>[], review: SampleReview, label: string): { ids: string[]; undo: ReviewUndo } {
	const changed = matching.filter((item) => item.review !== review);
	return { ids: changed.map((item) => item.id), undo: { label, previous: changed.map((item) => ({ id: item.id, review: item.review })) } };
}

/** The items with these reviews set (one pass over thousands); unchanged items stay the same objects. */
export function withReviews<T extends Pick<ReviewItem, 'id' | 'review'>>(items: readonly T[], changes: readonly { id: string; review: SampleReview }[]): T[] {
	const wanted = new Map(changes.map((change) => [change.id, change.review]));
	return items.map((item) => {
		const review = wanted.get(item.id);
		return review && review !== item.review ? { ...item, review } : item;
	});
}

/** The records the samples come from, in order, with their labels (the queue's record choice). */
export function reviewRecords(items: readonly Pick<ReviewItem, 'recordIndex' | 'recordLabel'>[]): [number, string][] {
	const labels = new Map<number, string>();
	for (const item of items) if (!labels.has(item.recordIndex)) labels.set(item.recordIndex, item.recordLabel);
	return [...labels].sort((a, b) => a[0] - b[0]);
}
