/**
 * What a record cost in requests, from its stored steps: how many were sent to the model, how many
 * answered from the response cache, how many were tried again — and why (HTTP 429, a timeout, an
 * answer the recipe could not use), so the run view can say it per record.
 */
import type { StepError, StepRecord } from '../runtime/dispatcher';

/** A reason and how often it happened. */
export interface Reason {
	reason: string;
	count: number;
}

export interface RequestTally {
	/** Engine calls, every attempt counted. */
	sent: number;
	/** Steps answered from the cache (no call). */
	cached: number;
	/** Failed attempts that were tried again (429, 5xx, timeouts, empty answers). */
	retried: number;
	retryReasons: Reason[];
	/** Answers the recipe could not use (re-asked within the run, or left for a retry round). */
	unusable: number;
	unusableReasons: Reason[];
	/** The highest retry round a step was asked in (0: none). */
	round: number;
}

/** A short name for why an attempt failed. */
export function retryReason(error: StepError): string {
	if (error.status === 429) return 'rate limited (HTTP 429)';
	if (error.status !== undefined) return `HTTP ${error.status}`;
	if (error.kind === 'empty-answer') return 'empty answer';
	return error.kind.replace(/-/g, ' ');
}

function ranked(counts: Map<string, number>): Reason[] {
	return [...counts].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

export function tallyRequests(steps: readonly StepRecord[]): RequestTally {
	let sent = 0;
	let cached = 0;
	let round = 0;
	const retries = new Map<string, number>();
	const unusable = new Map<string, number>();
	const count = (into: Map<string, number>, reason: string) => into.set(reason, (into.get(reason) ?? 0) + 1);
	for (const step of steps) {
		sent += step.attempts;
		if (step.cached) cached++;
		round = Math.max(round, step.round ?? 0);
		for (const retry of step.retries ?? []) count(retries, retryReason(retry.error));
		if (step.rejected) count(unusable, step.rejected);
	}
	const total = (counts: Map<string, number>) => [...counts.values()].reduce((sum, n) => sum + n, 0);
	return { sent, cached, round, retried: total(retries), retryReasons: ranked(retries), unusable: total(unusable), unusableReasons: ranked(unusable) };
}

const listed = (reasons: readonly Reason[]) => reasons.map(({ reason, count }) => (count > 1 ? `${reason} ×${count}` : reason)).join('; ');

/** "5 requests sent · 1 from cache · 2 retried (rate limited (HTTP 429) ×2) · 1 unusable (not JSON) · retry round 1" */
export function tallyText(tally: RequestTally): string {
	const parts = [`${tally.sent} request${tally.sent === 1 ? '' : 's'} sent`];
	if (tally.cached) parts.push(`${tally.cached} from cache`);
	if (tally.retried) parts.push(`${tally.retried} retried (${listed(tally.retryReasons)})`);
	if (tally.unusable) parts.push(`${tally.unusable} unusable (${listed(tally.unusableReasons)})`);
	if (tally.round) parts.push(`retry round ${tally.round}`);
	return parts.join(' · ');
}
