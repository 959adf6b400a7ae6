/**
 * The run form's pure parts: reading the sampling fields and the engine choice into the run
 * service's StartRunRequest, with an error per field. No Svelte, no DOM: tested in Node.
 */
import { rateLimitsFromFields, type RateLimitFields, type RunRateLimits } from '$lib/core/runtime/rate-limits';
import type { RunSettings } from '$lib/core/recipes/recipe';
import type { EngineChoice } from '$lib/core/contracts/rows';
import type { EndpointProtocol, EndpointSettings } from '$lib/state/endpoint-settings.svelte';

export type EngineKind = EngineChoice['kind'];

/** The sampling fields as typed (strings from inputs). */
export interface SamplingFields {
	temperature: NumberText;
	topP: NumberText;
	maxTokens: NumberText;
	seed: NumberText;
	/** Empty = every record. */
	limit: NumberText;
}

export const DEFAULT_SAMPLING: SamplingFields = { temperature: '0.8', topP: '0.95', maxTokens: '1024', seed: '42', limit: '' };

export type FieldErrors = Record<string, string>;

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

/** A number input bound with bind:value gives a number (or null when empty); a text input a string. */
export type NumberText = string | number | null | undefined;

function numberField(text: NumberText): number | null {
	const trimmed = String(text ?? '').trim();
	if (trimmed === '') return null;
	const value = Number(trimmed);
	return Number.isFinite(value) ? value : Number.NaN;
}

/** Sampling and limit → RunSettings; max_tokens is required so a runaway model cannot burn the budget. */
export function parseSettings(fields: SamplingFields): Parsed<RunSettings> {
	const errors: FieldErrors = {};
	const temperature = numberField(fields.temperature);
	const topP = numberField(fields.topP);
	const maxTokens = numberField(fields.maxTokens);
	const seed = numberField(fields.seed);
	const limit = numberField(fields.limit);
	if (temperature !== null && (Number.isNaN(temperature) || temperature < 0 || temperature > 2)) errors.temperature = 'Temperature is a number from 0 to 2.';
	if (topP !== null && (Number.isNaN(topP) || topP <= 0 || topP > 1)) errors.topP = 'top_p is a number above 0 and at most 1.';
	if (maxTokens === null) errors.maxTokens = 'max_tokens is required.';
	else if (Number.isNaN(maxTokens) || !Number.isInteger(maxTokens) || maxTokens < 1) errors.maxTokens = 'max_tokens is a whole number of at least 1.';
	if (seed === null) errors.seed = 'A seed is required (it makes the run repeatable).';
	else if (Number.isNaN(seed) || !Number.isInteger(seed)) errors.seed = 'The seed is a whole number.';
	if (limit !== null && (Number.isNaN(limit) || !Number.isInteger(limit) || limit < 1)) errors.limit = 'The limit is a whole number of at least 1, or empty for every record.';
	if (Object.keys(errors).length) return { ok: false, errors };
	return {
		ok: true,
		value: {
			sampling: {
				max_tokens: maxTokens as number,
				...(temperature !== null ? { temperature } : {}),
				...(topP !== null ? { top_p: topP } : {}),
				seed: seed as number
			},
			seed: seed as number,
			...(limit !== null ? { limit } : {})
		}
	};
}

/** The rehearsal engine's knobs: a pace to watch (and pause) a run, and failures to see retries and error records. */
export interface RehearsalFields {
	delayMs: NumberText;
	failEvery: NumberText;
	badJsonEvery: NumberText;
}

export const DEFAULT_REHEARSAL: RehearsalFields = { delayMs: '', failEvery: '', badJsonEvery: '' };

export interface EngineFields {
	kind: EngineKind;
	/** Requests in flight for a model server. */
	concurrency: NumberText;
	rehearsal?: RehearsalFields;
	/** A model server's rate limits, per minute (empty: none). */
	rateLimits?: RateLimitFields;
}

export type { RateLimitFields };

export const NO_RATE_LIMITS: RateLimitFields = { requestsPerMinute: '', tokensPerMinute: '' };

/** The rate-limit fields → limits (only those filled in), with the same checks the worker makes. */
export function parseRateLimits(fields: RateLimitFields | undefined): Parsed<RunRateLimits | undefined> {
	const parsed = rateLimitsFromFields(fields);
	return parsed.ok ? parsed : { ok: false, errors: { [parsed.field]: parsed.error } };
}

function parseRehearsal(fields: RehearsalFields | undefined): Parsed<{ delayMs?: number; failEvery?: number; badJsonEvery?: number }> {
	const options: { delayMs?: number; failEvery?: number; badJsonEvery?: number } = {};
	const errors: FieldErrors = {};
	const limits = { delayMs: [0, 60_000], failEvery: [1, 1000], badJsonEvery: [1, 1000] } as const;
	const messages = {
		delayMs: 'The answer delay is a whole number of milliseconds from 0 to 60,000.',
		failEvery: '“Fail every” is a whole number from 1 to 1,000, or empty.',
		badJsonEvery: '“Unreadable answer every” is a whole number from 1 to 1,000, or empty.'
	};
	for (const key of ['delayMs', 'failEvery', 'badJsonEvery'] as const) {
		const value = numberField(fields?.[key]);
		if (value === null) continue;
		const [min, max] = limits[key];
		if (Number.isNaN(value) || !Number.isInteger(value) || value < min || value > max) errors[key] = messages[key];
		else if (value > 0) options[key] = value;
	}
	return Object.keys(errors).length ? { ok: false, errors } : { ok: true, value: options };
}

export interface EngineContext {
	/** The saved model server, with how it is talked to when the Engines page remembered it. */
	endpoint: (EndpointSettings & Partial<EndpointProtocol>) | null;
	webllm: { modelId: string; label: string } | null;
}

export const DEFAULT_CONCURRENCY = 4;

/** The engine fields → the run's stored EngineChoice and its concurrency. */
export function parseEngine(fields: EngineFields, context: EngineContext): Parsed<{ engine: EngineChoice; concurrency: number; rateLimits?: RunRateLimits }> {
	switch (fields.kind) {
		case 'test': {
			const options = parseRehearsal(fields.rehearsal);
			if (!options.ok) return options;
			return {
				ok: true,
				value: {
					engine: { kind: 'test', label: 'Rehearsal (test engine)', ...(Object.keys(options.value).length ? { options: options.value } : {}) },
					concurrency: DEFAULT_CONCURRENCY
				}
			};
		}
		case 'endpoint': {
			const errors: FieldErrors = {};
			const endpoint = context.endpoint;
			if (!endpoint) errors.engine = 'No model server is set up. Set one up on the Engines page.';
			else if (!endpoint.model) errors.engine = 'The model server has no model name. Add one on the Engines page.';
			const concurrency = numberField(fields.concurrency);
			if (concurrency === null || Number.isNaN(concurrency) || !Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
				errors.concurrency = 'Concurrency is a whole number from 1 to 64.';
			const rateLimits = parseRateLimits(fields.rateLimits);
			if (!rateLimits.ok) Object.assign(errors, rateLimits.errors);
			if (Object.keys(errors).length || !endpoint || !rateLimits.ok) return { ok: false, errors };
			return {
				ok: true,
				value: {
					engine: {
						kind: 'endpoint',
						label: `${endpoint.model} at ${endpoint.baseUrl}`,
						baseUrl: endpoint.baseUrl,
						model: endpoint.model,
						// How the Engines page found this server is talked to (structured output, streaming).
						...(endpoint.structuredOutput ? { structuredOutput: endpoint.structuredOutput } : {}),
						...(endpoint.stream !== undefined ? { stream: endpoint.stream } : {})
					},
					concurrency: concurrency as number,
					...(rateLimits.value ? { rateLimits: rateLimits.value } : {})
				}
			};
		}
		case 'webllm': {
			const model = context.webllm;
			if (!model) return { ok: false, errors: { engine: 'No model is loaded in this browser. Load a model on the Engines page.' } };
			return { ok: true, value: { engine: { kind: 'webllm', label: `${model.label} (in this browser)`, modelId: model.modelId }, concurrency: 1 } };
		}
		case 'manual':
			return { ok: true, value: { engine: { kind: 'manual', label: 'Manual (copy and paste)' }, concurrency: 1 } };
	}
}
