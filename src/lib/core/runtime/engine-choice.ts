/**
 * A run's engine choice (core/contracts/rows `EngineChoice`), checked and read: what the run form
 * may send, the model a choice names (manifest and provenance), the identity the response cache
 * keys answers by, how many requests it may have in flight, and what to tell the user when an
 * endpoint fails a record. Pure: the run service (workers/) builds the engines themselves.
 */
import type { EngineChoice } from '../contracts/rows';
import { STRUCTURED_OUTPUT_MODES, type StructuredOutputMode } from '../contracts/engine';

/** Requests in flight when the run form does not say. */
export const DEFAULT_CONCURRENCY = 4;
/** The most requests in flight a run may ask for. */
export const MAX_CONCURRENCY = 64;

/** A problem with what a run request asked, and the form field it belongs to. */
export interface RequestProblem {
	error: string;
	field: string;
}

/** The model a choice names (manifest and provenance). */
export function modelOf(choice: EngineChoice): string {
	switch (choice.kind) {
		case 'test':
			return 'rehearsal';
		case 'endpoint':
			return choice.model;
		case 'webllm':
			return choice.modelId;
		case 'manual':
			return 'manual';
	}
}

/** Only the fields an EngineChoice has: whatever else the page sent (a key by mistake) is dropped. */
export function cleanChoice(choice: EngineChoice): EngineChoice {
	const label = String(choice.label ?? '');
	switch (choice.kind) {
		case 'test': {
			const options: { delayMs?: number; failEvery?: number; badJsonEvery?: number } = {};
			for (const key of ['delayMs', 'failEvery', 'badJsonEvery'] as const) {
				const value = choice.options?.[key];
				if (typeof value === 'number' && Number.isFinite(value) && value > 0) options[key] = Math.floor(value);
			}
			return { kind: 'test', label: label || 'Rehearsal', ...(Object.keys(options).length ? { options } : {}) };
		}
		case 'endpoint':
			return {
				kind: 'endpoint',
				label: label || choice.model,
				baseUrl: String(choice.baseUrl).trim(),
				model: String(choice.model).trim(),
				...(STRUCTURED_OUTPUT_MODES.includes(choice.structuredOutput as StructuredOutputMode) ? { structuredOutput: choice.structuredOutput } : {}),
				...(typeof choice.stream === 'boolean' ? { stream: choice.stream } : {})
			};
		case 'webllm':
			return { kind: 'webllm', label: label || choice.modelId, modelId: String(choice.modelId) };
		case 'manual':
			return { kind: 'manual', label: label || 'Manual' };
	}
}

export function validateChoice(choice: EngineChoice): RequestProblem | null {
	if (!choice || typeof choice !== 'object') return { error: 'Choose an engine.', field: 'engine' };
	if (choice.kind === 'endpoint') {
		if (!/^https?:\/\/\S+$/i.test(choice.baseUrl)) return { error: 'The endpoint needs a base URL starting with http:// or https://.', field: 'engine.baseUrl' };
		if (!choice.model) return { error: 'The endpoint needs a model name.', field: 'engine.model' };
	}
	if (choice.kind === 'webllm' && !choice.modelId) return { error: 'Choose an in-browser model.', field: 'engine.modelId' };
	if (!['test', 'endpoint', 'webllm', 'manual'].includes(choice.kind)) return { error: 'Unknown engine.', field: 'engine.kind' };
	return null;
}

/** A page engine (in-browser model, manual replies): one request at a time, whatever is asked. */
export function isPageEngine(choice: EngineChoice): boolean {
	return choice.kind === 'webllm' || choice.kind === 'manual';
}

/** The requests in flight a run on this engine gets when `asked` are asked for. */
export function concurrencyFor(choice: EngineChoice, asked: number): number {
	if (isPageEngine(choice)) return 1;
	const whole = Math.floor(asked);
	return Math.max(1, Math.min(MAX_CONCURRENCY, Number.isFinite(whole) ? whole : DEFAULT_CONCURRENCY));
}

/** The cache identity of the model: which backend answers, never who pays. */
export function modelKeyOf(choice: EngineChoice, recipe: { id: string; version: number }): string {
	switch (choice.kind) {
		case 'test':
			return `test:rehearsal:${recipe.id}@${recipe.version}`;
		case 'endpoint':
			// The structured-output mode changes what the server is sent (not visible in the recipe's
			// request), so answers cached under one mode are not replayed under another.
			return `endpoint:${choice.baseUrl}:${choice.model}${choice.structuredOutput ? `:${choice.structuredOutput}` : ''}`;
		case 'webllm':
			return `webllm:${choice.modelId}`;
		case 'manual':
			return 'manual';
	}
}

/**
 * What to do about a record an endpoint failed, added to its error: the engine's message says what
 * happened, not where to fix it.
 */
export function failureHint(type: string, engineKind: EngineChoice['kind']): string | null {
	if (engineKind !== 'endpoint') return null;
	if (type === 'http-401' || type === 'http-403') return 'Check the API key on the Engines page, then retry the failed records.';
	if (type === 'http-404') return 'Check the base URL (it usually ends in /v1) and the model name, then retry the failed records.';
	if (type === 'network' || type === 'timeout') return 'When the endpoint answers again, retry the failed records.';
	return null;
}

/** A failed record's error with the hint of `failureHint` appended (unchanged when there is none). */
export function withFailureHint<E extends { type: string; message: string }>(error: E, engineKind: EngineChoice['kind']): E {
	const hint = failureHint(error.type, engineKind);
	if (!hint) return error;
	const message = error.message.trim();
	return { ...error, message: `${message}${/[.!?]$/.test(message) ? '' : '.'} ${hint}` };
}

/** An endpoint run's structured-output mode (json_object for runs started before it was negotiated). */
export function structuredOutputOf(choice: EngineChoice): StructuredOutputMode | null {
	return choice.kind === 'endpoint' ? (choice.structuredOutput ?? 'json_object') : null;
}

/** How an endpoint run talks to its server, in words for the run log and view ('' for other engines). */
export function endpointProtocolText(choice: EngineChoice): string {
	if (choice.kind !== 'endpoint') return '';
	const mode = choice.structuredOutput ?? 'json_object';
	const format = mode === 'prompt' ? 'structured output by prompt only (no response_format)' : `structured output as response_format ${mode}`;
	return `${format}; answers ${choice.stream ? 'streamed' : 'not streamed'}`;
}
