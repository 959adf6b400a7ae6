/**
 * The one engine interface every generation backend implements (in-browser WebLLM, an
 * OpenAI-compatible endpoint, the manual copy/paste engine, the test engine). The runtime only
 * ever talks to this shape, so recipes run unchanged on any of them.
 *
 * Pure types plus the typed error: usable in a Web Worker and in Node.
 */

export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';

export interface ChatMessage {
	role: ChatRole;
	content: string;
}

/** Sampling parameters. `max_tokens` is always set so a runaway model cannot burn the budget. */
export interface Sampling {
	temperature?: number;
	top_p?: number;
	max_tokens: number;
	seed?: number;
	stop?: string[];
}

export interface ResponseFormat {
	type: 'json_object';
	/** A JSON schema; only sent to engines with `supportsJsonSchema`. */
	schema?: unknown;
}

/**
 * How an endpoint asks for structured answers, negotiated per server on the Engines page:
 * `json_schema` sends the recipe's schema (the strictest), `json_object` asks for any JSON object,
 * `prompt` sends no response_format and relies on the prompt's own instructions (for servers
 * that reject both).
 */
export type StructuredOutputMode = 'json_schema' | 'json_object' | 'prompt';

export const STRUCTURED_OUTPUT_MODES: readonly StructuredOutputMode[] = ['json_schema', 'json_object', 'prompt'];

/**
 * The response_format type a request is sent with under `mode`: null when the request asks for
 * no structure or the mode is prompt-only; json_object for a json_schema mode request without a
 * schema. The endpoint engine builds its bodies with this, and the run view shows it per step.
 */
export function sentResponseFormat(mode: StructuredOutputMode, format: ResponseFormat | undefined): 'json_schema' | 'json_object' | null {
	if (!format || mode === 'prompt') return null;
	return mode === 'json_schema' && format.schema !== undefined ? 'json_schema' : 'json_object';
}

/** A streamed answer as it arrives (endpoints that stream): what the run view's live figures show. */
export interface StreamUpdate {
	/** The request's messages array, as given to `chat` (identifies the request). */
	messages: ChatMessage[];
	/** Characters of answer (thinking included) received so far. */
	chars: number;
	/** Content chunks received so far (servers send about one token per chunk). */
	chunks: number;
	startedAt: number;
	/** Milliseconds since the request was sent. */
	ms: number;
	/** Milliseconds from the request to the first content, once there is some. */
	firstTokenMs?: number;
	/** True on the last update of the request (finished, failed or cut off). */
	done: boolean;
}

export interface ChatRequest {
	messages: ChatMessage[];
	sampling: Sampling;
	responseFormat?: ResponseFormat;
	signal?: AbortSignal;
}

export interface TokenUsage {
	promptTokens: number;
	completionTokens: number;
	totalTokens: number;
}

export type FinishReason = 'stop' | 'length' | 'error' | (string & {});

export interface ChatResponse {
	content: string;
	finishReason: FinishReason;
	usage?: TokenUsage;
	/** The model that actually answered (as reported by the backend when it says). */
	model: string;
	timing: { startedAt: number; ms: number };
	/** What the engine changed about the request and the user should know (max_tokens lowered to fit the context window). */
	notice?: string;
}

export type EngineKind = 'webllm' | 'endpoint' | 'manual' | 'test';

export interface Engine {
	id: string;
	label: string;
	kind: EngineKind;
	/** How many requests the backend can usefully serve at once (1 for an in-browser model). */
	maxConcurrency: number;
	supportsJsonSchema: boolean;
	chat(request: ChatRequest): Promise<ChatResponse>;
	/** Set by the run to follow streamed answers (engines that stream call it per chunk). */
	onStream?: (update: StreamUpdate) => void;
}

export type EngineErrorKind = 'network' | 'timeout' | 'http' | 'aborted' | 'unavailable' | 'bad-response';

export interface EngineErrorDetails {
	status?: number;
	retryAfterMs?: number;
	/** The text received before a streamed answer was cut short (kept in the step's error). */
	partial?: string;
}

/** A failed engine call, classified so the dispatcher can decide whether to retry. */
export class EngineError extends Error {
	readonly kind: EngineErrorKind;
	readonly status?: number;
	readonly retryAfterMs?: number;
	/** A stream cut short: the answer's text up to the cut (a `timeout` error, retried like one). */
	readonly partial?: string;

	constructor(kind: EngineErrorKind, message: string, details: EngineErrorDetails = {}) {
		super(message);
		this.name = 'EngineError';
		this.kind = kind;
		if (details.status !== undefined) this.status = details.status;
		if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
		if (details.partial !== undefined) this.partial = details.partial;
	}
}

export function isEngineError(error: unknown): error is EngineError {
	return error instanceof EngineError;
}

/** The abort error engines throw when the caller's signal fires. */
export function abortedError(): EngineError {
	return new EngineError('aborted', 'The request was cancelled.');
}

/**
 * Waits `ms`, rejecting with an `aborted` EngineError when the signal
 * fires first. Shared by the engines that simulate or wait for slow answers.
 */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal?.aborted) return reject(abortedError());
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		const onAbort = () => {
			clearTimeout(timer);
			reject(abortedError());
		};
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}
