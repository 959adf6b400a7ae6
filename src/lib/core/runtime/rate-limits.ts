/**
 * A run's rate limits as the user sets them (per minute, as servers publish them) and what the
 * dispatcher makes of them: a request token bucket that paces evenly (no minute's worth of requests
 * at once) and a tokens-per-minute budget charged with each request's worst case.
 */
import type { ChatRequest } from '../contracts/engine';
import type { RateLimit } from './rate-limiter';

export interface RunRateLimits {
	requestsPerMinute?: number;
	tokensPerMinute?: number;
}

const MAX_RPM = 100_000;
const MAX_TPM = 100_000_000;

/** A problem with the limits, naming the field; null when they are fine. */
export function validateRateLimits(limits: RunRateLimits | undefined): { error: string; field: string } | null {
	if (!limits) return null;
	const { requestsPerMinute: rpm, tokensPerMinute: tpm } = limits;
	if (rpm !== undefined && !(Number.isInteger(rpm) && rpm >= 1 && rpm <= MAX_RPM)) return { error: `Requests per minute is a whole number from 1 to ${MAX_RPM.toLocaleString('en-US')} (or empty for no limit).`, field: 'requestsPerMinute' };
	if (tpm !== undefined && !(Number.isInteger(tpm) && tpm >= 100 && tpm <= MAX_TPM)) return { error: `Tokens per minute is a whole number from 100 to ${MAX_TPM.toLocaleString('en-US')} (or empty for no limit).`, field: 'tokensPerMinute' };
	return null;
}

/** The limits as typed in a form (numbers or text; empty: no limit). */
export interface RateLimitFields {
	requestsPerMinute: string | number | null | undefined;
	tokensPerMinute: string | number | null | undefined;
}

/** Typed limits → the limits set (undefined: none), or the problem naming its field. */
export function rateLimitsFromFields(fields: RateLimitFields | undefined): { ok: true; value: RunRateLimits | undefined } | { ok: false; error: string; field: string } {
	const limits: RunRateLimits = {};
	for (const key of ['requestsPerMinute', 'tokensPerMinute'] as const) {
		const text = String(fields?.[key] ?? '').trim();
		// Not a number at all reads as NaN, which the check refuses with the field's message.
		if (text !== '') limits[key] = Number(text);
	}
	const problem = validateRateLimits(limits);
	return problem ? { ok: false, ...problem } : { ok: true, value: cleanRateLimits(limits) };
}

/** The limits with only the fields set; undefined when none is. */
export function cleanRateLimits(limits: RunRateLimits | undefined): RunRateLimits | undefined {
	if (!limits) return undefined;
	const clean: RunRateLimits = {};
	if (limits.requestsPerMinute !== undefined) clean.requestsPerMinute = limits.requestsPerMinute;
	if (limits.tokensPerMinute !== undefined) clean.tokensPerMinute = limits.tokensPerMinute;
	return Object.keys(clean).length ? clean : undefined;
}

/** Requests per minute as an evenly paced token bucket (a burst of one second's worth at most). */
export function requestBucketOf(requestsPerMinute: number): RateLimit {
	return { requestsPerSecond: requestsPerMinute / 60, burst: Math.max(1, Math.floor(requestsPerMinute / 60)) };
}

/** What a request can cost at most: its prompt (~4 characters a token) plus its max_tokens. */
export function worstCaseTokens(request: Pick<ChatRequest, 'messages' | 'sampling'>): number {
	const characters = request.messages.reduce((sum, message) => sum + message.content.length, 0);
	return Math.ceil(characters / 4) + (request.sampling.max_tokens ?? 0);
}

/** "≤ 60 requests/min · ≤ 20,000 tokens/min", or '' without limits. */
export function rateLimitsText(limits: RunRateLimits | undefined): string {
	const parts: string[] = [];
	if (limits?.requestsPerMinute) parts.push(`≤ ${limits.requestsPerMinute.toLocaleString('en-US')} requests/min`);
	if (limits?.tokensPerMinute) parts.push(`≤ ${limits.tokensPerMinute.toLocaleString('en-US')} tokens/min`);
	return parts.join(' · ');
}
