/**
 * The one retry policy (ISF stacked two loops, up to 20 calls per request, and retried 400s).
 * Retryable: timeouts, network errors, HTTP 408/425/429/5xx (honouring Retry-After); never other
 * 4xx, aborts or bad responses.
 */
import { EngineError } from '../contracts/engine';

export interface RetryPolicy {
	/** Total attempts per request, the first included. */
	maxAttempts: number;
	baseDelayMs: number;
	maxDelayMs: number;
	/** ± fraction of the delay (0.2 = ±20%). */
	jitter: number;
	/** A Retry-After longer than this is capped (a server asking for an hour is not waited on). */
	maxRetryAfterMs: number;
	/** Extra attempts when the answer is empty (or cut off with no content). */
	maxEmptyAnswerRetries: number;
	/** Re-runs of a task after it threw RetryableAnswerError. */
	maxUnusableAnswerRetries: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
	maxAttempts: 5,
	baseDelayMs: 1000,
	maxDelayMs: 60_000,
	jitter: 0.2,
	maxRetryAfterMs: 300_000,
	maxEmptyAnswerRetries: 2,
	maxUnusableAnswerRetries: 2
};

const RETRYABLE_STATUS = new Set([408, 425, 429]);

export function isRetryable(error: unknown): boolean {
	if (!(error instanceof EngineError)) return false;
	if (error.kind === 'timeout' || error.kind === 'network') return true;
	if (error.kind === 'http' && error.status !== undefined) return RETRYABLE_STATUS.has(error.status) || error.status >= 500;
	return false;
}

/**
 * Delay before attempt `attempt + 1` (attempt counts from 1): Retry-After when the server gave
 * one, else exponential backoff with jitter.
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, error: unknown, random: () => number): number {
	if (error instanceof EngineError && error.retryAfterMs !== undefined) return Math.min(error.retryAfterMs, policy.maxRetryAfterMs);
	const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
	const factor = 1 + policy.jitter * (2 * random() - 1);
	return Math.max(0, Math.round(exponential * factor));
}
