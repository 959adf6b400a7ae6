/**
 * What the run pages show, computed: the CURRENT / PARTIAL / STALE badge with its reasons, progress
 * and speed figures, and the review queue's keys. Pure: tested in Node. (The live-event reducer and
 * the review filters, which the state classes use too, are in core/runs.)
 */
import type { RunStatus } from '$lib/core/runtime/manifest';
import type { RunCounts, RunRecordState, SampleReview, RunState } from '$lib/core/contracts/rows';
import type { LiveRequest } from '$lib/core/contracts/run-api';

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
			if (status.reading) return { label: 'PARTIAL', tone: 'warn', reasons: ['Its inputs are still being read: it covers those read so far (resume a stopped run to read on).'] };
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

/** `reading`: the run's inputs are still being read while it runs (its total grows). */
export function progressText(counts: RunCounts, reading = false): string {
	const parts = [reading ? `${counts.done + counts.failed} of ${counts.total}+ records (the rest are being read)` : `${counts.done + counts.failed} of ${counts.total} records`];
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
const RECORD_STATES: readonly RunRecordState[] = ['pending', 'done', 'failed'];

/** The records filter's value as a record state ("all" and anything else: none). */
export function recordStateOf(value: string): RunRecordState | undefined {
	return RECORD_STATES.find((state) => state === value);
}

export function runActions(state: RunState, live: boolean): { pause: boolean; resume: boolean; cancel: boolean } {
	return {
		pause: live && (state === 'running' || state === 'queued'),
		resume: state === 'paused' || state === 'interrupted' || ((state === 'running' || state === 'queued') && !live),
		cancel: state === 'running' || state === 'queued' || state === 'paused' || state === 'interrupted'
	};
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

export function reviewTotal(review: Record<SampleReview, number>): number {
	return review.pending + review.accepted + review.rejected;
}

/** A streamed request in flight, as the run view's progress line: record, step, tokens so far, speed, time. */
export function liveRequestText(request: LiveRequest): string {
	const parts = [request.label, `step ${request.stepIndex + 1}${request.attempt > 1 ? ` (attempt ${request.attempt})` : ''}`, `${request.tokens.toLocaleString('en-US')} token${request.tokens === 1 ? '' : 's'}`];
	if (request.tokensPerSecond !== null) parts.push(formatRate(request.tokensPerSecond));
	parts.push(`${(request.ms / 1000).toFixed(1)} s`);
	return parts.join(' · ');
}
