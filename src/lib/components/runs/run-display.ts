/**
 * What the run pages show, computed: the CURRENT / PARTIAL / STALE badge with its reasons, progress
 * and speed figures, the live-event reducer for the run view, and the review queue's keys. Pure:
 * tested in Node.
 */
import type { RunStatus } from '$lib/core/runtime/manifest';
import type { RunCounts, RunState, SampleReview } from '$lib/core/contracts/rows';
import type { ReviewItem, RunDetail, RunEvent, RunLogLine, RunRecordSummary } from '$lib/core/contracts/run-api';

export interface StatusBadge {
	label: 'CURRENT' | 'PARTIAL' | 'STALE';
	tone: 'ok' | 'warn' | 'error';
	reasons: string[];
}

export function statusBadge(status: RunStatus): StatusBadge {
	switch (status.state) {
		case 'current':
			return { label: 'CURRENT', tone: 'ok', reasons: [] };
		case 'partial':
			return { label: 'PARTIAL', tone: 'warn', reasons: [status.limit !== undefined ? `Limited to the first ${status.limit} records.` : 'Limited to some of the records.'] };
		case 'stale':
			return {
				label: 'STALE',
				tone: 'error',
				reasons: [...status.changes.map((change) => change.reason), ...(status.partial ? ['The run was also limited to some of the records.'] : [])]
			};
	}
}

export const RUN_STATE_LABEL: Record<RunState, string> = {
	queued: 'Queued',
	running: 'Running',
	paused: 'Paused',
	interrupted: 'Interrupted',
	cancelled: 'Cancelled',
	done: 'Done'
};

/** Records finished (done or failed) as a share of all, 0..1. */
export function progressShare(counts: RunCounts): number {
	if (counts.total <= 0) return 0;
	return Math.min(1, (counts.done + counts.failed) / counts.total);
}

export function progressText(counts: RunCounts): string {
	const parts = [`${counts.done + counts.failed} of ${counts.total} records`];
	if (counts.failed) parts.push(`${counts.failed} failed`);
	parts.push(`${counts.samples} sample${counts.samples === 1 ? '' : 's'}`);
	return parts.join(' · ');
}

/** Completion tokens per engine-second over the whole run; null before anything was answered. */
export function averageTokensPerSecond(counts: RunCounts): number | null {
	if (counts.engineMs <= 0 || counts.completionTokens <= 0) return null;
	return counts.completionTokens / (counts.engineMs / 1000);
}

export function formatRate(tokensPerSecond: number | null): string {
	if (tokensPerSecond === null || !Number.isFinite(tokensPerSecond)) return '—';
	return `${tokensPerSecond >= 100 ? Math.round(tokensPerSecond) : tokensPerSecond.toFixed(1)} tok/s`;
}

/** Can the user pause / resume / cancel a run in this state? */
export function runActions(state: RunState, live: boolean): { pause: boolean; resume: boolean; cancel: boolean } {
	return {
		pause: live && (state === 'running' || state === 'queued'),
		resume: state === 'paused' || state === 'interrupted' || ((state === 'running' || state === 'queued') && !live),
		cancel: state === 'running' || state === 'queued' || state === 'paused' || state === 'interrupted'
	};
}

/** The run view's live figures beside the stored detail. */
export interface LiveFigures {
	requestsInFlight: number;
	tokensPerSecond: number | null;
}

/** Log lines kept on the page; the service keeps its own tail across reloads. */
export const LOG_LIMIT = 500;

/**
 * Applies one pushed event to the run view's detail (returns a new object when it changed, the
 * same one when the event is about another run).
 */
export function applyRunEvent(detail: RunDetail, figures: LiveFigures, event: RunEvent): { detail: RunDetail; figures: LiveFigures } {
	if (event.runId !== detail.run.id) return { detail, figures };
	switch (event.type) {
		case 'state':
			return {
				detail: { ...detail, run: { ...detail.run, state: event.state }, live: event.state === 'running' || event.state === 'queued' ? detail.live : false },
				figures: event.state === 'running' ? figures : { ...figures, requestsInFlight: 0 }
			};
		case 'progress':
			return {
				detail: { ...detail, run: { ...detail.run, counts: event.counts } },
				figures: { requestsInFlight: event.requestsInFlight, tokensPerSecond: event.tokensPerSecond }
			};
		case 'record':
			return { detail: { ...detail, records: replaceRecord(detail.records, event.record) }, figures };
		case 'log':
			return { detail: { ...detail, log: appendLog(detail.log, [event.line]) }, figures };
	}
}

export function replaceRecord(records: RunRecordSummary[], record: RunRecordSummary): RunRecordSummary[] {
	const next = records.slice();
	// Records are listed by index, so the usual case is a direct hit.
	const at = next[record.recordIndex]?.recordIndex === record.recordIndex ? record.recordIndex : next.findIndex((r) => r.recordIndex === record.recordIndex);
	if (at >= 0) next[at] = record;
	else {
		next.push(record);
		next.sort((a, b) => a.recordIndex - b.recordIndex);
	}
	return next;
}

export function appendLog(log: RunLogLine[], lines: RunLogLine[]): RunLogLine[] {
	const next = log.concat(lines);
	return next.length > LOG_LIMIT ? next.slice(next.length - LOG_LIMIT) : next;
}

export type ReviewAction = 'accept' | 'reject' | 'edit' | 'next' | 'previous';

/**
 * The review queue's keys: A accept, R reject, E edit, N or → next, P or ← previous. Keys typed
 * into a field or with a modifier are the field's own.
 */
export function reviewKeyAction(event: { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean; inField: boolean }): ReviewAction | null {
	if (event.inField || event.ctrlKey || event.metaKey || event.altKey) return null;
	switch (event.key) {
		case 'a':
		case 'A':
			return 'accept';
		case 'r':
		case 'R':
			return 'reject';
		case 'e':
		case 'E':
			return 'edit';
		case 'n':
		case 'N':
		case 'ArrowRight':
			return 'next';
		case 'p':
		case 'P':
		case 'ArrowLeft':
			return 'previous';
		default:
			return null;
	}
}

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

export function reviewTotal(review: Record<SampleReview, number>): number {
	return review.pending + review.accepted + review.rejected;
}
