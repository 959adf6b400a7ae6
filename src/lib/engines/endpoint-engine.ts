/**
 * OpenAI-compatible endpoint engine (Ollama, llama.cpp server, LM Studio, vLLM, Docker Model
 * Runner, hosted APIs): `POST {baseUrl}/chat/completions` with `fetch`.
 *
 * Every sampling parameter of the request goes into the body (ISF recorded parameters it never
 * sent; here what is sent is what is recorded). Failures become typed `EngineError`s so the
 * dispatcher can decide what to retry. The API key only ever goes into the Authorization header:
 * it never appears in an error message.
 */
import { abortedError, EngineError, type ChatRequest, type ChatResponse, type Engine } from '$lib/core/contracts/engine';

export interface EndpointEngineOptions {
	id?: string;
	label?: string;
	baseUrl: string;
	apiKey?: string;
	model: string;
	maxConcurrency?: number;
	supportsJsonSchema?: boolean;
	/** Per-request timeout (ms). */
	timeoutMs?: number;
	/** Injectable for tests and workers; defaults to the global fetch. */
	fetch?: typeof fetch;
	/** Clock for Retry-After HTTP dates. */
	now?: () => number;
}

export type ConnectionResult = { ok: true; models: string[] } | { ok: false; reason: 'network' | 'unauthorized' | 'not-found' | 'http' | 'bad-response'; message: string };

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
		this.supportsJsonSchema = options.supportsJsonSchema ?? false;
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
		if (request.responseFormat) {
			body.response_format =
				this.supportsJsonSchema && request.responseFormat.schema !== undefined
					? { type: 'json_schema', json_schema: { name: 'response', schema: request.responseFormat.schema } }
					: { type: 'json_object' };
		}
		return body;
	}

	/**
	 * One HTTP exchange: fetch plus reading the body, both under the timeout and the caller's
	 * signal (a server that sends headers and then stalls must time out too). Maps transport
	 * failures to EngineErrors; `read` may throw its own.
	 */
	private async exchange<T>(url: string, init: RequestInit, signal: AbortSignal | undefined, read: (response: Response) => Promise<T>): Promise<T> {
		if (signal?.aborted) throw abortedError();
		const controller = new AbortController();
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			controller.abort();
		}, this.timeoutMs);
		const onAbort = () => controller.abort();
		signal?.addEventListener('abort', onAbort, { once: true });
		const interrupted = (): EngineError | undefined => {
			if (timedOut) return new EngineError('timeout', `The endpoint did not answer within ${Math.round(this.timeoutMs / 1000)} s.`);
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
				return await read(response);
			} catch (error) {
				throw interrupted() ?? error;
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
		const parsed = await this.exchange(
			`${this.baseUrl}/chat/completions`,
			{ method: 'POST', headers: this.headers(true), body: JSON.stringify(this.buildBody(request)) },
			request.signal,
			async (response): Promise<unknown> => {
				if (!response.ok) throw await this.httpError(response);
				const text = await response.text();
				try {
					return JSON.parse(text);
				} catch {
					throw new EngineError('bad-response', 'The endpoint answered with something that is not JSON.');
				}
			}
		);
		if (!isRecord(parsed) || !Array.isArray(parsed.choices) || !isRecord(parsed.choices[0])) {
			throw new EngineError('bad-response', 'The endpoint answer has no choices[0].');
		}
		const choice = parsed.choices[0];
		const message = isRecord(choice.message) ? choice.message : {};
		const content = typeof message.content === 'string' ? message.content : '';
		// Reasoning models on vLLM/Ollama send their thinking separately; keep it as <think> so provenance has it.
		const reasoning = typeof message.reasoning_content === 'string' ? message.reasoning_content : typeof message.reasoning === 'string' ? message.reasoning : '';
		const fullContent = reasoning && !content.includes('<think>') ? `<think>${reasoning}</think>${content}` : content;
		const usage = isRecord(parsed.usage) ? parsed.usage : undefined;
		const num = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
		return {
			content: fullContent,
			finishReason: typeof choice.finish_reason === 'string' ? choice.finish_reason : 'stop',
			usage: usage
				? {
						promptTokens: num(usage.prompt_tokens),
						completionTokens: num(usage.completion_tokens),
						totalTokens: num(usage.total_tokens) || num(usage.prompt_tokens) + num(usage.completion_tokens)
					}
				: undefined,
			model: typeof parsed.model === 'string' ? parsed.model : this.model,
			timing: { startedAt, ms: this.now() - startedAt }
		};
	}

	/** Checks the endpoint with GET /models; explains failures in plain words. */
	async testConnection(signal?: AbortSignal): Promise<ConnectionResult> {
		try {
			return await this.exchange(`${this.baseUrl}/models`, { method: 'GET', headers: this.headers(false) }, signal, async (response): Promise<ConnectionResult> => {
				if (response.status === 401 || response.status === 403) {
					return { ok: false, reason: 'unauthorized', message: `The endpoint refused the API key (HTTP ${response.status}). Check the key.` };
				}
				if (response.status === 404) {
					return { ok: false, reason: 'not-found', message: `Nothing at ${this.baseUrl}/models (HTTP 404). The base URL usually ends in /v1.` };
				}
				if (!response.ok) return { ok: false, reason: 'http', message: (await this.httpError(response)).message };
				let parsed: unknown;
				try {
					parsed = JSON.parse(await response.text());
				} catch {
					return { ok: false, reason: 'bad-response', message: 'The endpoint answered /models with something that is not JSON.' };
				}
				const data = isRecord(parsed) && Array.isArray(parsed.data) ? parsed.data : [];
				const models = data.flatMap((item) => (isRecord(item) && typeof item.id === 'string' ? [item.id] : []));
				return { ok: true, models };
			});
		} catch (error) {
			const message =
				error instanceof EngineError && error.kind === 'timeout'
					? error.message
					: `Cannot reach ${this.baseUrl}. The server may be down, the URL wrong, or it does not allow requests from this page (CORS).`;
			return { ok: false, reason: 'network', message };
		}
	}
}
