/**
 * OpenAI-compatible endpoint engine (Ollama, llama.cpp server, LM Studio, vLLM, Docker Model
 * Runner, hosted APIs): `POST {baseUrl}/chat/completions` with `fetch`.
 *
 * Every sampling parameter of the request goes into the body (ISF recorded parameters it never
 * sent; here what is sent is what is recorded). Structured answers are asked for the way the
 * server was found to support (`structuredOutput`: json_schema, json_object or prompt only).
 * Answers stream (server-sent events) when `stream` is set, reported chunk by chunk to
 * `onStream`; a stream cut short is a retryable `timeout` error carrying the text received so far
 * (`partial`). Failures become typed `EngineError`s so the dispatcher can decide what to retry.
 * The API key only ever goes into the Authorization header: it never appears in an error message.
 */
import {
	abortedError,
	EngineError,
	sentResponseFormat,
	type ChatRequest,
	type ChatResponse,
	type Engine,
	type StreamUpdate,
	type StructuredOutputMode,
	type TokenUsage
} from '$lib/core/contracts/engine';
import { corsFix, isMixedContent, withV1 } from './endpoint-diagnosis';

export interface EndpointEngineOptions {
	id?: string;
	label?: string;
	baseUrl: string;
	apiKey?: string;
	model: string;
	maxConcurrency?: number;
	/** Shorthand for structuredOutput 'json_schema' (true) or 'json_object' (false). */
	supportsJsonSchema?: boolean;
	/** How structured answers are asked for; json_object when neither this nor supportsJsonSchema is given. */
	structuredOutput?: StructuredOutputMode;
	/** Stream answers (SSE); a server that answers plain JSON anyway is read as such. */
	stream?: boolean;
	/** Per-request timeout (ms); for a streamed answer, the longest wait for its next chunk. */
	timeoutMs?: number;
	/** The page's address, for the mixed-content check of testConnection (location.href in a page). */
	pageUrl?: string;
	/** Injectable for tests and workers; defaults to the global fetch. */
	fetch?: typeof fetch;
	/** Clock for Retry-After HTTP dates. */
	now?: () => number;
}

export type ConnectionFailure = 'mixed-content' | 'unreachable' | 'cors' | 'timeout' | 'unauthorized' | 'not-found' | 'http' | 'bad-response';

export type ConnectionResult = { ok: true; models: string[] } | { ok: false; reason: ConnectionFailure; message: string };

/** What a structured-output probe found: the best mode the server handled, and why. */
export interface StructuredOutputProbe {
	mode: StructuredOutputMode;
	/** One line per mode tried, in order: what the server did. */
	tried: string[];
}

/** A short title per connection failure, shown before its explanation. */
export const CONNECTION_FAILURE_TITLE: Record<ConnectionFailure, string> = {
	'mixed-content': 'Blocked by the browser (mixed content)',
	unreachable: 'Not reachable',
	cors: 'CORS not allowed',
	timeout: 'No answer',
	unauthorized: 'Unauthorised',
	'not-found': 'Wrong path',
	http: 'Server error',
	'bad-response': 'Not an OpenAI-compatible answer'
};

/** The probe's schema: tiny, with an enum, so conformance can be checked exactly. */
const PROBE_SCHEMA = {
	type: 'object',
	properties: { color: { type: 'string', enum: ['blue', 'green'] } },
	required: ['color'],
	additionalProperties: false
} as const;
const PROBE_PROMPT = 'Reply with a JSON object with one field "color" whose value is "blue". Reply with the JSON only.';

const DEFAULT_TIMEOUT_MS = 120_000;

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
	if (value === null) return undefined;
	const trimmed = value.trim();
	if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
	const date = Date.parse(trimmed);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, date - now);
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function trimSlash(url: string): string {
	return url.replace(/\/+$/, '');
}

/** Removes the key from any text that could echo it (a server that reflects headers, say). */
function redact(text: string, apiKey: string | undefined): string {
	return apiKey ? text.split(apiKey).join('[redacted]') : text;
}

export class EndpointEngine implements Engine {
	readonly id: string;
	readonly label: string;
	readonly kind = 'endpoint' as const;
	readonly maxConcurrency: number;
	readonly supportsJsonSchema: boolean;
	readonly structuredOutput: StructuredOutputMode;
	readonly stream: boolean;
	onStream?: (update: StreamUpdate) => void;
	private readonly pageUrl: string | undefined;
	private readonly baseUrl: string;
	private readonly apiKey: string | undefined;
	private readonly model: string;
	private readonly timeoutMs: number;
	private readonly fetchImpl: typeof fetch;
	private readonly now: () => number;

	constructor(options: EndpointEngineOptions) {
		this.baseUrl = trimSlash(options.baseUrl);
		this.apiKey = options.apiKey || undefined;
		this.model = options.model;
		this.id = options.id ?? `endpoint:${this.baseUrl}:${this.model}`;
		this.label = options.label ?? `${this.model} @ ${this.baseUrl}`;
		this.maxConcurrency = options.maxConcurrency ?? 4;
		this.structuredOutput = options.structuredOutput ?? (options.supportsJsonSchema ? 'json_schema' : 'json_object');
		this.supportsJsonSchema = this.structuredOutput === 'json_schema';
		this.stream = options.stream ?? false;
		this.pageUrl = options.pageUrl;
		this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
		this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
		this.now = options.now ?? Date.now;
	}

	private headers(json: boolean): Record<string, string> {
		const headers: Record<string, string> = {};
		if (json) headers['Content-Type'] = 'application/json';
		if (this.apiKey) headers.Authorization = `Bearer ${this.apiKey}`;
		return headers;
	}

	/** The request body exactly as sent (exported for provenance and tests). */
	buildBody(request: ChatRequest): Record<string, unknown> {
		const { sampling } = request;
		const body: Record<string, unknown> = {
			model: this.model,
			messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
			max_tokens: sampling.max_tokens
		};
		if (sampling.temperature !== undefined) body.temperature = sampling.temperature;
		if (sampling.top_p !== undefined) body.top_p = sampling.top_p;
		if (sampling.seed !== undefined) body.seed = sampling.seed;
		if (sampling.stop !== undefined && sampling.stop.length) body.stop = sampling.stop;
		const format = sentResponseFormat(this.structuredOutput, request.responseFormat);
		if (format === 'json_schema') body.response_format = { type: 'json_schema', json_schema: { name: 'response', schema: request.responseFormat?.schema } };
		else if (format === 'json_object') body.response_format = { type: 'json_object' };
		if (this.stream) {
			body.stream = true;
			body.stream_options = { include_usage: true };
		}
		return body;
	}

	/**
	 * One HTTP exchange: fetch plus reading the body, both under the timeout and the caller's
	 * signal (a server that sends headers and then stalls must time out too). `read` may call
	 * `alive` to restart the timeout (a stream that keeps sending is not stalled). Maps transport
	 * failures to EngineErrors; `read` may throw its own.
	 */
	private async exchange<T>(url: string, init: RequestInit, signal: AbortSignal | undefined, read: (response: Response, alive: () => void) => Promise<T>, timeoutMs: number = this.timeoutMs): Promise<T> {
		if (signal?.aborted) throw abortedError();
		const controller = new AbortController();
		let timedOut = false;
		let timer: ReturnType<typeof setTimeout> | undefined;
		const alive = () => {
			clearTimeout(timer);
			timer = setTimeout(() => {
				timedOut = true;
				controller.abort();
			}, timeoutMs);
		};
		alive();
		const onAbort = () => controller.abort();
		signal?.addEventListener('abort', onAbort, { once: true });
		const interrupted = (partial?: string): EngineError | undefined => {
			if (timedOut) return new EngineError('timeout', `The endpoint did not answer within ${Math.round(timeoutMs / 1000)} s.`, partial !== undefined ? { partial } : {});
			if (signal?.aborted) return abortedError();
			return undefined;
		};
		try {
			let response: Response;
			try {
				response = await this.fetchImpl(url, { ...init, signal: controller.signal });
			} catch (error) {
				const detail = error instanceof Error ? error.message : String(error);
				throw interrupted() ?? new EngineError('network', redact(`Could not reach ${this.baseUrl} (network error, CORS or the server is down): ${detail}`, this.apiKey));
			}
			try {
				return await read(response, alive);
			} catch (error) {
				throw interrupted(error instanceof EngineError ? error.partial : undefined) ?? error;
			}
		} finally {
			clearTimeout(timer);
			signal?.removeEventListener('abort', onAbort);
		}
	}

	private async httpError(response: Response): Promise<EngineError> {
		let detail = '';
		try {
			const text = await response.text();
			const parsed: unknown = JSON.parse(text);
			if (isRecord(parsed) && isRecord(parsed.error) && typeof parsed.error.message === 'string') detail = parsed.error.message;
			else detail = text.slice(0, 200);
		} catch {
			// A body that is not JSON (or not readable) adds nothing the status does not say.
		}
		const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.now());
		const message = redact(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${detail ? `: ${detail}` : ''}`, this.apiKey);
		return new EngineError('http', message, { status: response.status, retryAfterMs });
	}

	async chat(request: ChatRequest): Promise<ChatResponse> {
		const startedAt = this.now();
		const answer = await this.exchange(
			`${this.baseUrl}/chat/completions`,
			{ method: 'POST', headers: this.headers(true), body: JSON.stringify(this.buildBody(request)) },
			request.signal,
			async (response, alive): Promise<Answer> => {
				if (!response.ok) throw await this.httpError(response);
				// A server that does not stream answers plain JSON even when asked to: read it as such.
				if (this.stream && (response.headers.get('content-type') ?? '').includes('text/event-stream')) return this.readStream(response, request, startedAt, alive);
				let text: string;
				try {
					text = await response.text();
				} catch (error) {
					throw new EngineError('network', `The connection closed before the answer was complete (${error instanceof Error ? error.message : String(error)}).`);
				}
				let parsed: unknown;
				try {
					parsed = JSON.parse(text);
				} catch {
					throw new EngineError('bad-response', 'The endpoint answered with something that is not JSON.');
				}
				return answerOf(parsed);
			}
		);
		const content = answer.reasoning && !answer.content.includes('<think>') ? `<think>${answer.reasoning}</think>${answer.content}` : answer.content;
		return {
			content,
			finishReason: answer.finishReason ?? 'stop',
			usage: answer.usage,
			model: answer.model ?? this.model,
			timing: { startedAt, ms: this.now() - startedAt }
		};
	}

	/**
	 * A streamed answer: `data:` events of chat.completion.chunk objects until `[DONE]`. Content
	 * and reasoning deltas are joined; usage comes from the chunk that carries it. An answer that
	 * stops before its finish (socket closed, server crashed) is a retryable timeout with the
	 * text so far as `partial`.
	 */
	private async readStream(response: Response, request: ChatRequest, startedAt: number, alive: () => void): Promise<Answer> {
		const answer: Answer = { content: '', reasoning: '' };
		let chunks = 0;
		let firstTokenMs: number | undefined;
		let done = false;
		const update = (last: boolean) => {
			const chars = answer.content.length + answer.reasoning.length;
			this.onStream?.({ messages: request.messages, chars, chunks, startedAt, ms: this.now() - startedAt, ...(firstTokenMs !== undefined ? { firstTokenMs } : {}), done: last });
		};
		const take = (data: string) => {
			if (data === '[DONE]') {
				done = true;
				return;
			}
			let parsed: unknown;
			try {
				parsed = JSON.parse(data);
			} catch {
				throw new EngineError('bad-response', 'The endpoint streamed an event that is not JSON.');
			}
			if (!isRecord(parsed)) return;
			if (isRecord(parsed.error)) throw new EngineError('http', redact(`The endpoint failed mid-answer: ${typeof parsed.error.message === 'string' ? parsed.error.message : 'error'}`, this.apiKey), { status: 500, partial: answer.content });
			if (typeof parsed.model === 'string') answer.model = parsed.model;
			const usage = usageOf(parsed.usage);
			if (usage) answer.usage = usage;
			const choice = Array.isArray(parsed.choices) && isRecord(parsed.choices[0]) ? parsed.choices[0] : undefined;
			if (!choice) return;
			const delta = isRecord(choice.delta) ? choice.delta : {};
			const content = typeof delta.content === 'string' ? delta.content : '';
			const reasoning = typeof delta.reasoning_content === 'string' ? delta.reasoning_content : typeof delta.reasoning === 'string' ? delta.reasoning : '';
			if (content || reasoning) {
				answer.content += content;
				answer.reasoning += reasoning;
				chunks++;
				firstTokenMs ??= this.now() - startedAt;
				update(false);
			}
			if (typeof choice.finish_reason === 'string') answer.finishReason = choice.finish_reason;
		};
		const cut = (why: string) =>
			new EngineError('timeout', `The answer stream was cut off after ${answer.content.length} characters (${why}), which counts as a timeout`, { partial: answer.reasoning ? `<think>${answer.reasoning}</think>${answer.content}` : answer.content });
		try {
			if (!response.body) throw new EngineError('bad-response', 'The endpoint sent a stream without a body.');
			const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
			let buffer = '';
			while (!done) {
				let next: ReadableStreamReadResult<string>;
				try {
					next = await reader.read();
				} catch (error) {
					throw cut(error instanceof Error ? error.message || 'connection lost' : 'connection lost');
				}
				if (next.done) break;
				alive();
				buffer += next.value;
				let end: number;
				while (!done && (end = buffer.search(/\r?\n\r?\n/)) >= 0) {
					const event = buffer.slice(0, end);
					buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
					const data = event
						.split(/\r?\n/)
						.filter((line) => line.startsWith('data:'))
						.map((line) => line.slice(5).trimStart())
						.join('\n');
					if (data) take(data);
				}
			}
			if (!done && buffer.trim().startsWith('data:')) take(buffer.trim().slice(5).trimStart());
			if (!done) reader.cancel().catch(() => undefined);
			// Some servers close after the finish chunk without [DONE]: that answer is whole.
			if (!done && answer.finishReason === undefined) throw cut('the connection closed before the answer finished');
			return answer;
		} finally {
			update(true);
		}
	}

	/**
	 * Finds the best structured-output mode the server handles: a tiny json_schema request whose
	 * answer must conform, else json_object whose answer must be a JSON object, else prompt only.
	 */
	async probeStructuredOutput(signal?: AbortSignal): Promise<StructuredOutputProbe> {
		const tried: string[] = [];
		const ask = async (responseFormat: Record<string, unknown>): Promise<{ ok: true; content: string } | { ok: false; why: string }> => {
			const body = { model: this.model, messages: [{ role: 'user', content: PROBE_PROMPT }], max_tokens: 60, temperature: 0, response_format: responseFormat };
			try {
				return await this.exchange(`${this.baseUrl}/chat/completions`, { method: 'POST', headers: this.headers(true), body: JSON.stringify(body) }, signal, async (response) => {
					if (!response.ok) return { ok: false as const, why: (await this.httpError(response)).message };
					try {
						return { ok: true as const, content: answerOf(JSON.parse(await response.text())).content };
					} catch {
						return { ok: false as const, why: 'the answer was not an OpenAI-compatible JSON body' };
					}
				});
			} catch (error) {
				return { ok: false, why: error instanceof Error ? error.message : String(error) };
			}
		};
		const parse = (content: string): unknown => {
			try {
				return JSON.parse(content.trim());
			} catch {
				return undefined;
			}
		};
		const schema = await ask({ type: 'json_schema', json_schema: { name: 'probe', strict: true, schema: PROBE_SCHEMA } });
		if (schema.ok) {
			const value = parse(schema.content);
			const keys = isRecord(value) ? Object.keys(value) : [];
			if (isRecord(value) && (value.color === 'blue' || value.color === 'green') && keys.length === 1) {
				tried.push('json_schema: accepted, and the answer matched the schema.');
				return { mode: 'json_schema', tried };
			}
			tried.push(`json_schema: accepted, but the answer did not match the schema (${JSON.stringify(schema.content.slice(0, 60))}).`);
		} else tried.push(`json_schema: refused (${schema.why}).`);
		if (signal?.aborted) throw abortedError();
		const object = await ask({ type: 'json_object' });
		if (object.ok) {
			if (isRecord(parse(object.content))) {
				tried.push('json_object: accepted, and the answer was a JSON object.');
				return { mode: 'json_object', tried };
			}
			tried.push(`json_object: accepted, but the answer was not a JSON object (${JSON.stringify(object.content.slice(0, 60))}).`);
		} else tried.push(`json_object: refused (${object.why}).`);
		tried.push('prompt only: JSON is asked for in the prompt and read tolerantly.');
		return { mode: 'prompt', tried };
	}

	/**
	 * Checks the endpoint with GET /models and names the real cause of a failure: mixed content
	 * (an https page calling a plain-http server elsewhere), not reachable or CORS not allowed
	 * (told apart by a no-cors request, which a reachable server answers whatever its CORS),
	 * unauthorised (401/403), wrong path (404; /v1 added is tried).
	 */
	async testConnection(signal?: AbortSignal): Promise<ConnectionResult> {
		if (isMixedContent(this.pageUrl, this.baseUrl)) {
			return {
				ok: false,
				reason: 'mixed-content',
				message: `This page is served over https, and browsers block its calls to plain http:// servers on other machines (${this.baseUrl}). Give the server https (a reverse proxy with a certificate), or open Skein over http:// or from this machine.`
			};
		}
		const models = (baseUrl: string) =>
			this.exchange(`${baseUrl}/models`, { method: 'GET', headers: this.headers(false) }, signal, async (response): Promise<ConnectionResult> => {
				if (response.status === 401 || response.status === 403) {
					return {
						ok: false,
						reason: 'unauthorized',
						message: this.apiKey
							? `The endpoint refused the API key (HTTP ${response.status}). Check the key.`
							: `The endpoint wants an API key (HTTP ${response.status}) and none is set. Enter the server's key.`
					};
				}
				if (response.status === 404) return { ok: false, reason: 'not-found', message: `Nothing at ${baseUrl}/models (HTTP 404). The base URL usually ends in /v1.` };
				if (!response.ok) return { ok: false, reason: 'http', message: (await this.httpError(response)).message };
				let parsed: unknown;
				try {
					parsed = JSON.parse(await response.text());
				} catch {
					return { ok: false, reason: 'bad-response', message: 'The endpoint answered /models with something that is not JSON: is this the API\'s base URL?' };
				}
				const data = isRecord(parsed) && Array.isArray(parsed.data) ? parsed.data : [];
				return { ok: true, models: data.flatMap((item) => (isRecord(item) && typeof item.id === 'string' ? [item.id] : [])) };
			});
		try {
			const result = await models(this.baseUrl);
			if (!result.ok && result.reason === 'not-found') {
				const fixed = withV1(this.baseUrl);
				const there = fixed ? await models(fixed).catch(() => null) : null;
				if (fixed && there && (there.ok || there.reason === 'unauthorized')) {
					return { ok: false, reason: 'not-found', message: `Nothing at ${this.baseUrl}/models (HTTP 404), but the API answers at ${fixed}. Use ${fixed} as the base URL.` };
				}
			}
			return result;
		} catch (error) {
			if (error instanceof EngineError && error.kind === 'timeout') return { ok: false, reason: 'timeout', message: error.message };
			if (error instanceof EngineError && error.kind === 'aborted') throw error;
			return this.unreachableOrCors(signal);
		}
	}

	/** After a failed fetch: a no-cors request reaches a running server whatever its CORS. */
	private async unreachableOrCors(signal?: AbortSignal): Promise<ConnectionResult> {
		let reachable = false;
		try {
			await this.exchange(`${this.baseUrl}/models`, { method: 'GET', mode: 'no-cors' }, signal, async () => undefined, Math.min(this.timeoutMs, 10_000));
			reachable = true;
		} catch {
			reachable = false;
		}
		let origin = 'this page\'s origin';
		try {
			if (this.pageUrl) origin = new URL(this.pageUrl).origin;
		} catch {
			// Keep the words.
		}
		if (reachable) {
			return {
				ok: false,
				reason: 'cors',
				message: `The server at ${this.baseUrl} answers, but does not allow this page (${origin}) to read its answers (CORS). ${corsFix(this.baseUrl, origin)}`
			};
		}
		return { ok: false, reason: 'unreachable', message: `Cannot reach ${this.baseUrl}: nothing answers there. Is the server running, and are the host and port right?` };
	}
}

/** What an answer (streamed or not) carried. */
interface Answer {
	content: string;
	reasoning: string;
	finishReason?: string;
	usage?: TokenUsage;
	model?: string;
}

function usageOf(value: unknown): TokenUsage | undefined {
	if (!isRecord(value)) return undefined;
	const num = (field: unknown) => (typeof field === 'number' && Number.isFinite(field) ? field : 0);
	return {
		promptTokens: num(value.prompt_tokens),
		completionTokens: num(value.completion_tokens),
		totalTokens: num(value.total_tokens) || num(value.prompt_tokens) + num(value.completion_tokens)
	};
}

/** A non-streamed chat.completion body. Reasoning models on vLLM/Ollama send their thinking separately. */
function answerOf(parsed: unknown): Answer {
	if (!isRecord(parsed) || !Array.isArray(parsed.choices) || !isRecord(parsed.choices[0])) {
		throw new EngineError('bad-response', 'The endpoint answer has no choices[0].');
	}
	const choice = parsed.choices[0];
	const message = isRecord(choice.message) ? choice.message : {};
	return {
		content: typeof message.content === 'string' ? message.content : '',
		reasoning: typeof message.reasoning_content === 'string' ? message.reasoning_content : typeof message.reasoning === 'string' ? message.reasoning : '',
		...(typeof choice.finish_reason === 'string' ? { finishReason: choice.finish_reason } : {}),
		...(usageOf(parsed.usage) ? { usage: usageOf(parsed.usage) } : {}),
		...(typeof parsed.model === 'string' ? { model: parsed.model } : {})
	};
}
