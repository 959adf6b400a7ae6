/**
 * The TEST ENGINE: a deterministic, scripted stand-in for a model, for unit tests and
 * benchmarks. It never contacts anything. Each request is answered by the first matching script
 * rule (consumed in order), else by the global queue, else by a default reply derived from the
 * seed and the request's messages (so the same request always gets the same answer, whatever the
 * order of calls). Every request received is recorded so tests can assert what was really sent.
 */
import { ContentHasher } from '../core/hash';
import { abortedError, delay, EngineError, type ChatRequest, type ChatResponse, type Engine, type TokenUsage } from '$lib/core/contracts/engine';

/** One scripted outcome. */
export type TestStep =
	| { type: 'reply'; content: string; finishReason?: string; delayMs?: number; usage?: TokenUsage; model?: string }
	| { type: 'fail'; error: EngineError; delayMs?: number };

export const testReply = (content: string, delayMs?: number): TestStep => ({ type: 'reply', content, delayMs });
export const testBadJson = (): TestStep => ({ type: 'reply', content: '{"answer": "unterminated' });
export const testEmpty = (): TestStep => ({ type: 'reply', content: '' });
export const testTruncated = (content: string): TestStep => ({ type: 'reply', content, finishReason: 'length' });
export const testRateLimited = (retryAfterMs?: number): TestStep => ({
	type: 'fail',
	error: new EngineError('http', 'HTTP 429 Too Many Requests', { status: 429, retryAfterMs })
});
export const testServerError = (status = 500): TestStep => ({ type: 'fail', error: new EngineError('http', `HTTP ${status}`, { status }) });
export const testHttpError = (status: number): TestStep => testServerError(status);
export const testTimeout = (): TestStep => ({ type: 'fail', error: new EngineError('timeout', 'The model did not answer in time.') });
export const testNetworkError = (): TestStep => ({ type: 'fail', error: new EngineError('network', 'Could not reach the model.') });

export type RequestMatcher = string | ((request: ChatRequest) => boolean);

export interface TestEngineOptions {
	id?: string;
	label?: string;
	model?: string;
	maxConcurrency?: number;
	supportsJsonSchema?: boolean;
	/** Seed of the default replies. */
	seed?: number;
	/** Builds the default reply; receives a seeded number in [0, 1). */
	defaultReply?: (request: ChatRequest, random: number) => string;
	/** Default delay of every answer (ms); 0 answers on the next microtask. */
	delayMs?: number;
}

interface Rule {
	matches: (request: ChatRequest) => boolean;
	steps: TestStep[];
}

/** The last user message: what a string matcher is compared with (substring). */
function lastUserText(request: ChatRequest): string {
	for (let i = request.messages.length - 1; i >= 0; i--) if (request.messages[i].role === 'user') return request.messages[i].content;
	return '';
}

function requestDigest(request: ChatRequest, seed: number): ContentHasher {
	const hasher = new ContentHasher(seed);
	for (const message of request.messages) hasher.update(message.role).update(message.content);
	return hasher;
}

export class TestEngine implements Engine {
	readonly id: string;
	readonly label: string;
	readonly kind = 'test' as const;
	readonly maxConcurrency: number;
	readonly supportsJsonSchema: boolean;
	/** Every request received, in arrival order (signal omitted). */
	readonly requests: Omit<ChatRequest, 'signal'>[] = [];
	/** Requests currently being answered, and the most seen at once. */
	inFlight = 0;
	maxInFlight = 0;

	private readonly model: string;
	private readonly seed: number;
	private readonly delayMs: number;
	private readonly defaultReply: (request: ChatRequest, random: number) => string;
	private readonly rules: Rule[] = [];
	private readonly queue: TestStep[] = [];

	constructor(options: TestEngineOptions = {}) {
		this.id = options.id ?? 'test';
		this.label = options.label ?? 'Test engine';
		this.model = options.model ?? 'test-model';
		this.maxConcurrency = options.maxConcurrency ?? 64;
		this.supportsJsonSchema = options.supportsJsonSchema ?? true;
		this.seed = options.seed ?? 0;
		this.delayMs = options.delayMs ?? 0;
		this.defaultReply = options.defaultReply ?? ((request, random) => `reply to "${lastUserText(request)}" #${Math.floor(random * 1e6)}`);
	}

	/** Answers the next requests (any request) with these steps, in order. */
	enqueue(...steps: TestStep[]): this {
		this.queue.push(...steps);
		return this;
	}

	/** Answers requests matching `matcher` (substring of the last user message, or a predicate) with these steps, in order. */
	on(matcher: RequestMatcher, ...steps: TestStep[]): this {
		const matches = typeof matcher === 'string' ? (request: ChatRequest) => lastUserText(request).includes(matcher) : matcher;
		this.rules.push({ matches, steps: [...steps] });
		return this;
	}

	/** Number of requests whose last user message contains `text`. */
	callsMatching(text: string): number {
		return this.requests.filter((request) => lastUserText(request as ChatRequest).includes(text)).length;
	}

	private nextStep(request: ChatRequest): TestStep {
		for (const rule of this.rules) if (rule.steps.length && rule.matches(request)) return rule.steps.shift() as TestStep;
		const queued = this.queue.shift();
		if (queued) return queued;
		const random = parseInt(requestDigest(request, this.seed).digest().slice(0, 8), 16) / 2 ** 32;
		return { type: 'reply', content: this.defaultReply(request, random) };
	}

	async chat(request: ChatRequest): Promise<ChatResponse> {
		const { signal, ...recorded } = request;
		this.requests.push(structuredClone(recorded));
		if (signal?.aborted) throw abortedError();
		const startedAt = Date.now();
		const step = this.nextStep(request);
		this.inFlight++;
		this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
		try {
			const wait = step.delayMs ?? this.delayMs;
			if (wait > 0) await delay(wait, signal);
			else await Promise.resolve();
			if (signal?.aborted) throw abortedError();
			if (step.type === 'fail') throw step.error;
			const promptTokens = request.messages.reduce((sum, message) => sum + Math.ceil(message.content.length / 4), 0);
			const completionTokens = Math.ceil(step.content.length / 4);
			return {
				content: step.content,
				finishReason: step.finishReason ?? 'stop',
				usage: step.usage ?? { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens },
				model: step.model ?? this.model,
				timing: { startedAt, ms: Date.now() - startedAt }
			};
		} finally {
			this.inFlight--;
		}
	}
}
