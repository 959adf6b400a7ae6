/**
 * The dispatcher: runs a task over input records against one engine.
 *
 * - At most `concurrency` requests in flight; a bounded window of active records, and free
 *   request slots go to the oldest record first (in-flight records finish before new ones start).
 * - Optional rate limits: a token bucket on requests, a tokens-per-minute budget charged with each
 *   request's worst case (prompt + max_tokens, the unused part given back), and a Retry-After
 *   from the server (429/503) that holds back every request, not only the one that got it.
 * - One retry policy (retry.ts) per request; empty answers retried a bounded number of times;
 *   `RetryableAnswerError` from the task re-runs the task, replaying earlier answers.
 * - Every step is reported through `onEvent` as soon as it completes (so a caller persists it), and
 *   looked up in the response cache first (so a resumed run pays nothing twice).
 * - Cancellation (AbortSignal or `cancel()`) and pause/resume (no new request starts while paused).
 *
 * Pure: no DOM, no storage; time comes from an injectable clock.
 */
import { EngineError, type ChatRequest, type ChatResponse, type Engine, type ResponseFormat, type Sampling, type ChatMessage, type TokenUsage } from '../contracts/engine';
import { roundKey, seedShift, stepKey, type CachedAnswer, type ResponseCache } from './cache-key';
import { realClock, type Clock } from './clock';
import { TokenBucket, TokenBudget, type RateLimit } from './rate-limiter';
import { worstCaseTokens } from './rate-limits';
import { DEFAULT_RETRY_POLICY, isRetryable, retryDelayMs, type RetryPolicy } from './retry';
import { recordRandom, RetryableAnswerError, samplesOf, TaskError, type Task, type TaskContext, type TaskNote, type TaskReply } from './task';
import { splitThink } from './think';

export interface InputRecord<Input> {
	id: string;
	input: Input;
}

/**
 * Records handed over one at a time as they become known (Dispatcher.runFeed): `next` gives the
 * next record with its position in the run (its seeded random follows the position), or null when
 * there are no more; `known` is how many records are known so far (the progress total).
 */
export interface RecordFeed<Input> {
	next(): Promise<{ index: number; record: InputRecord<Input> } | null>;
	known(): number;
}

/** The request exactly as handed to the engine (what provenance must show, see ISF §1.7). */
export interface SentRequest {
	messages: ChatMessage[];
	sampling: Sampling;
	responseFormat?: ResponseFormat;
}

export interface StepError {
	kind: string;
	message: string;
	status?: number;
	/** A streamed answer cut short: the text received before the cut (EngineError.partial). */
	partial?: string;
}

/** An attempt of a step that failed and was tried again, and why. */
export interface StepRetry {
	attempt: number;
	error: StepError;
}

/** Which retry round a record is in (0: its first run and resumes) and whether to ignore the cache. */
export interface RecordRound {
	round: number;
	/** "Ask again, ignore the cache": only this round's own answers (a resume) are replayed. */
	fresh?: boolean;
}

export interface StepRecord {
	/** Position of the request in the record's sequence of requests (stable across replays). */
	stepIndex: number;
	engineId: string;
	request: SentRequest;
	response?: { content: string; finishReason: string; usage?: TokenUsage };
	/** The model that answered. */
	model?: string;
	error?: StepError;
	/** Set when the task rejected this answer with RetryableAnswerError. */
	rejected?: string;
	/** Engine calls made for this step (0 when served from the cache). */
	attempts: number;
	/** The attempts before the last that failed and were retried, with why. */
	retries?: StepRetry[];
	/** The retry round the step was asked in (absent: 0, the first run). */
	round?: number;
	cached: boolean;
	cacheKey: string;
	startedAt: number;
	endedAt: number;
	/** Time the engine reported for the successful call. */
	engineMs?: number;
}

export interface SampleProvenance<Input> {
	recipeId: string;
	recordId: string;
	input: Input;
	steps: StepRecord[];
	/** The task's notes from the attempt that produced these samples. */
	notes: TaskNote[];
	startedAt: number;
	completedAt: number;
}

export interface GeneratedSample<Input, Sample> {
	sample: Sample;
	/** Index of the sample among those its record returned. */
	sampleIndex: number;
	provenance: SampleProvenance<Input>;
}

export interface FailedRecord<Input> {
	recipeId: string;
	recordId: string;
	input: Input;
	error: { type: string; message: string };
	steps: StepRecord[];
	notes: TaskNote[];
	startedAt: number;
	failedAt: number;
}

export interface RunProgress {
	total: number;
	done: number;
	failed: number;
	/** Records started and not yet ended. */
	active: number;
	requestsInFlight: number;
}

export type DispatchEvent<Input, Sample> =
	| { type: 'step-started'; recordId: string; stepIndex: number; attempt: number; request: SentRequest }
	| { type: 'step-retry'; recordId: string; stepIndex: number; attempt: number; delayMs: number; error: StepError }
	| { type: 'step-completed'; recordId: string; step: StepRecord }
	| { type: 'task-note'; recordId: string; note: TaskNote }
	| { type: 'record-done'; recordId: string; samples: GeneratedSample<Input, Sample>[]; steps: StepRecord[]; notes: TaskNote[] }
	| { type: 'record-failed'; record: FailedRecord<Input> }
	| { type: 'progress'; progress: RunProgress };

export interface DispatchOptions<Input, Sample> {
	recipeId: string;
	engine: Engine;
	task: Task<Input, Sample>;
	/** Requests in flight at once; defaults to the engine's maxConcurrency. */
	concurrency?: number;
	/** Records active at once (waiting on answers); defaults to 2 × concurrency. */
	maxActiveRecords?: number;
	rateLimit?: RateLimit;
	/** Tokens per minute (prompt + completion), as a server's rate limit counts them. */
	tokensPerMinute?: number;
	retry?: Partial<RetryPolicy>;
	cache?: ResponseCache;
	/** Identifies the model in cache keys; defaults to the engine id. */
	modelKey?: string;
	signal?: AbortSignal;
	onEvent?: (event: DispatchEvent<Input, Sample>) => void;
	clock?: Clock;
	/** Random for backoff jitter. */
	random?: () => number;
	/** Seed of each record's context.random (mixed with the record index). */
	seed?: number;
	/** The retry round of a record (absent: round 0, the cache replays whatever it has). */
	rounds?: (recordId: string) => RecordRound | undefined;
}

export interface RunResult<Input, Sample> {
	/** In input order. */
	samples: GeneratedSample<Input, Sample>[];
	/** In input order. */
	failures: FailedRecord<Input>[];
	/** Ids of records that did not end because the run was cancelled. */
	unfinished: string[];
	cancelled: boolean;
	counts: { total: number; done: number; failed: number; unfinished: number; samples: number; engineCalls: number; cacheHits: number };
}

class Cancelled extends Error {}

/** A request slot queue that serves the oldest record first. */
class Slots {
	private free: number;
	private readonly waiting: { priority: number; grant: () => void }[] = [];
	inUse = 0;

	constructor(limit: number) {
		this.free = limit;
	}

	acquire(priority: number): Promise<void> {
		if (this.free > 0 && !this.waiting.length) {
			this.free--;
			this.inUse++;
			return Promise.resolve();
		}
		return new Promise((grant) => {
			let at = this.waiting.length;
			while (at > 0 && this.waiting[at - 1].priority > priority) at--;
			this.waiting.splice(at, 0, {
				priority,
				grant: () => {
					this.inUse++;
					grant();
				}
			});
		});
	}

	release(): void {
		this.inUse--;
		const next = this.waiting.shift();
		if (next) next.grant();
		else this.free++;
	}
}

function errorOf(error: unknown): StepError {
	if (error instanceof EngineError)
		return { kind: error.kind, message: error.message, ...(error.status !== undefined ? { status: error.status } : {}), ...(error.partial !== undefined ? { partial: error.partial } : {}) };
	if (error instanceof TaskError) return { kind: error.type, message: error.message };
	return { kind: 'unexpected-error', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
}

/** The error type a failed record gets for an error that escaped its task. */
function failureType(error: unknown): string {
	if (error instanceof TaskError) return error.type;
	if (error instanceof EngineError) return error.kind === 'http' && error.status !== undefined ? `http-${error.status}` : error.kind;
	return 'unexpected-error';
}

/** An answer with nothing in it once the thinking is set aside. */
function isEmptyAnswer(response: ChatResponse): boolean {
	return splitThink(response.content).answer.trim() === '';
}

type YieldOutcome = { ok: true; reply: TaskReply } | { ok: false; error: unknown };

function sentOf(request: ChatRequest): SentRequest {
	return { messages: request.messages, sampling: request.sampling, ...(request.responseFormat ? { responseFormat: request.responseFormat } : {}) };
}

/** The request with its sampling seed moved on by `by` (unchanged when it has no seed). */
function reseeded(request: ChatRequest, by: number): ChatRequest {
	if (request.sampling.seed === undefined || by === 0) return request;
	return { ...request, sampling: { ...request.sampling, seed: request.sampling.seed + by } };
}

export class Dispatcher<Input, Sample> {
	private readonly options: DispatchOptions<Input, Sample>;
	private readonly policy: RetryPolicy;
	private readonly clock: Clock;
	private readonly random: () => number;
	private readonly slots: Slots;
	private readonly bucket?: TokenBucket;
	private readonly budget?: TokenBudget;
	/** No request starts before this time: a server said Retry-After. */
	private holdUntil = 0;
	private readonly controller = new AbortController();
	private readonly concurrency: number;
	private paused = false;
	private resumeWaiters: (() => void)[] = [];
	private engineCalls = 0;
	private cacheHits = 0;
	private progress: RunProgress = { total: 0, done: 0, failed: 0, active: 0, requestsInFlight: 0 };

	constructor(options: DispatchOptions<Input, Sample>) {
		this.options = options;
		this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
		this.clock = options.clock ?? realClock;
		this.random = options.random ?? Math.random;
		this.concurrency = Math.max(1, Math.floor(options.concurrency ?? options.engine.maxConcurrency));
		this.slots = new Slots(this.concurrency);
		if (options.rateLimit) this.bucket = new TokenBucket(options.rateLimit, this.clock);
		if (options.tokensPerMinute) this.budget = new TokenBudget(options.tokensPerMinute, this.clock);
		if (options.signal) {
			if (options.signal.aborted) this.controller.abort();
			else options.signal.addEventListener('abort', () => this.controller.abort(), { once: true });
		}
	}

	get isPaused(): boolean {
		return this.paused;
	}

	/** No new request starts until `resume()`; requests in flight finish. */
	pause(): void {
		this.paused = true;
	}

	resume(): void {
		this.paused = false;
		const waiters = this.resumeWaiters;
		this.resumeWaiters = [];
		for (const wake of waiters) wake();
	}

	/** Aborts requests in flight; records not yet ended are reported as unfinished. */
	cancel(): void {
		this.controller.abort();
		this.resume();
	}

	private emit(event: DispatchEvent<Input, Sample>): void {
		this.options.onEvent?.(event);
	}

	private emitProgress(): void {
		this.progress.requestsInFlight = this.slots.inUse;
		this.emit({ type: 'progress', progress: { ...this.progress } });
	}

	private checkCancelled(): void {
		if (this.controller.signal.aborted) throw new Cancelled();
	}

	private async waitWhilePaused(): Promise<void> {
		while (this.paused && !this.controller.signal.aborted) await new Promise<void>((wake) => this.resumeWaiters.push(wake));
		this.checkCancelled();
	}

	/**
	 * The cached answer a step replays, and the key it is under: this round's answer first (a
	 * resume replays it even when the recipe rejected it, so the record goes on exactly as before),
	 * then — unless the record is asked afresh — the nearest earlier round's answer, unless that
	 * one was unusable (a retry asks again for it).
	 */
	private async cachedAnswer(baseKey: string, round: RecordRound, bump: number): Promise<{ key: string; answer: CachedAnswer } | undefined> {
		const cache = this.options.cache;
		if (!cache) return undefined;
		const key = roundKey(baseKey, round.round, bump);
		const answer = await cache.get(key);
		if (answer) return { key, answer };
		if (round.fresh) return undefined;
		for (let earlier = round.round - 1; earlier >= 0; earlier--) {
			const earlierKey = roundKey(baseKey, earlier, bump);
			const found = await cache.get(earlierKey);
			if (found) return found.unusable === undefined ? { key: earlierKey, answer: found } : undefined;
		}
		return undefined;
	}

	/**
	 * One step: cache, then engine calls with retries. Pushes its StepRecord to `steps`. `bump`
	 * counts the times this yield's answer was rejected in this round: each re-ask moves the
	 * sampling seed on (a seeded model would otherwise repeat the unusable answer word for word),
	 * and so does each retry round.
	 */
	private async runStep(recordId: string, priority: number, request: ChatRequest, stepIndex: number, steps: StepRecord[], round: RecordRound, bump: number): Promise<ChatResponse> {
		const { engine } = this.options;
		const baseKey = stepKey({ model: this.options.modelKey ?? engine.id, ...sentOf(request), stepIndex });
		const sent = sentOf(reseeded(request, seedShift(round.round, bump)));
		const startedAt = this.clock.now();
		const roundFields = round.round ? { round: round.round } : {};
		const hit = await this.cachedAnswer(baseKey, round, bump);
		if (hit) {
			this.cacheHits++;
			const cached = hit.answer.response;
			const step: StepRecord = {
				stepIndex,
				engineId: engine.id,
				request: sent,
				cacheKey: hit.key,
				startedAt,
				...roundFields,
				response: { content: cached.content, finishReason: cached.finishReason, usage: cached.usage },
				model: cached.model,
				attempts: 0,
				cached: true,
				endedAt: this.clock.now(),
				engineMs: cached.timing.ms
			};
			steps.push(step);
			this.emit({ type: 'step-completed', recordId, step });
			return cached;
		}
		const cacheKey = roundKey(baseKey, round.round, bump);
		const base = { stepIndex, engineId: engine.id, request: sent, cacheKey, startedAt, ...roundFields };
		// Why earlier attempts of this step were retried (429, 5xx, timeouts, empty answers).
		const retries: StepRetry[] = [];
		const withRetries = () => (retries.length ? { retries: [...retries] } : {});
		let emptyAnswers = 0;
		for (let attempt = 1; ; attempt++) {
			await this.waitWhilePaused();
			await this.slots.acquire(priority);
			// A pause that came while this request waited for a slot holds it back too.
			while (this.paused && !this.controller.signal.aborted) {
				this.slots.release();
				await this.waitWhilePaused();
				await this.slots.acquire(priority);
			}
			let response: ChatResponse;
			let charged = 0;
			try {
				this.checkCancelled();
				await this.waitForHold();
				if (this.bucket) await this.bucket.acquire(this.controller.signal);
				if (this.budget) charged = await this.budget.acquire(worstCaseTokens(sent), this.controller.signal);
				this.checkCancelled();
				this.emit({ type: 'step-started', recordId, stepIndex, attempt, request: sent });
				this.engineCalls++;
				response = await engine.chat({ ...sent, signal: this.controller.signal });
			} catch (error) {
				this.slots.release();
				if (this.controller.signal.aborted) throw new Cancelled();
				const stepError = errorOf(error);
				// A server that says when to come back is asked nothing else until then.
				if (error instanceof EngineError && error.retryAfterMs !== undefined && (error.status === 429 || error.status === 503)) {
					this.holdUntil = Math.max(this.holdUntil, this.clock.now() + Math.min(error.retryAfterMs, this.policy.maxRetryAfterMs));
					// A request the server refused did not use its tokens.
					if (charged) this.budget?.refund(charged);
				}
				if (isRetryable(error) && attempt < this.policy.maxAttempts) {
					const delayMs = retryDelayMs(this.policy, attempt, error, this.random);
					retries.push({ attempt, error: stepError });
					this.emit({ type: 'step-retry', recordId, stepIndex, attempt, delayMs, error: stepError });
					await this.sleep(delayMs);
					continue;
				}
				const step: StepRecord = { ...base, error: stepError, attempts: attempt, ...withRetries(), cached: false, endedAt: this.clock.now() };
				steps.push(step);
				this.emit({ type: 'step-completed', recordId, step });
				throw error;
			}
			this.slots.release();
			if (charged && response.usage) this.budget?.refund(charged - response.usage.totalTokens);
			const answered = { content: response.content, finishReason: response.finishReason, usage: response.usage };
			if (isEmptyAnswer(response)) {
				const stepError: StepError = { kind: 'empty-answer', message: response.finishReason === 'length' ? 'The answer was cut off before any content (max_tokens too small?).' : 'The model returned an empty answer.' };
				if (emptyAnswers < this.policy.maxEmptyAnswerRetries) {
					emptyAnswers++;
					retries.push({ attempt, error: stepError });
					this.emit({ type: 'step-retry', recordId, stepIndex, attempt, delayMs: 0, error: stepError });
					continue;
				}
				const step: StepRecord = { ...base, response: answered, model: response.model, error: stepError, attempts: attempt, ...withRetries(), cached: false, endedAt: this.clock.now(), engineMs: response.timing.ms };
				steps.push(step);
				this.emit({ type: 'step-completed', recordId, step });
				throw new TaskError('empty-answer', stepError.message);
			}
			const step: StepRecord = { ...base, response: answered, model: response.model, attempts: attempt, ...withRetries(), cached: false, endedAt: this.clock.now(), engineMs: response.timing.ms };
			await this.options.cache?.set(cacheKey, response);
			steps.push(step);
			this.emit({ type: 'step-completed', recordId, step });
			// The engine changed the request (max_tokens lowered to fit the window): the run log says so.
			if (response.notice) this.emit({ type: 'task-note', recordId, note: { level: 'warn', kind: 'engine-notice', message: `step ${stepIndex + 1}: ${response.notice}` } });
			return response;
		}
	}

	private async waitForHold(): Promise<void> {
		while (this.clock.now() < this.holdUntil) await this.sleep(this.holdUntil - this.clock.now());
	}

	private async sleep(ms: number): Promise<void> {
		try {
			await this.clock.sleep(ms, this.controller.signal);
		} catch {
			throw new Cancelled();
		}
	}

	/** Runs one record to its end. Returns false when the run was cancelled first. */
	private async runRecord(record: InputRecord<Input>, index: number, samples?: GeneratedSample<Input, Sample>[][], failures?: (FailedRecord<Input> | undefined)[]): Promise<boolean> {
		const { recipeId, task } = this.options;
		const startedAt = this.clock.now();
		const steps: StepRecord[] = [];
		// Outcomes of the yields answered so far, replayed when the task is re-run.
		const answered: YieldOutcome[] = [];
		let unusableRetries = 0;
		// Times each yield's answer was rejected in this round (runStep moves its seed on by as many).
		const rejections = new Map<number, number>();
		const round: RecordRound = this.options.rounds?.(record.id) ?? { round: 0 };
		// Flags the answers of the last yield as unusable: kept for a resume, never replayed by a retry.
		const markUnusable = async (keys: readonly string[], reason: string) => {
			for (const step of steps) if (keys.includes(step.cacheKey) && !step.rejected && !step.error) step.rejected = reason;
			for (const key of keys) await this.options.cache?.markUnusable(key, reason);
		};
		// What the task said was unusable (context.unusable) since its last yield, flagged after it.
		let pendingUnusable: { reason: string; indexes?: readonly number[] }[] = [];
		let notes: TaskNote[] = [];
		const fail = (error: unknown) => {
			const failed: FailedRecord<Input> = {
				recipeId,
				recordId: record.id,
				input: record.input,
				error: { type: failureType(error), message: errorOf(error).message },
				steps: [...steps],
				notes: [...notes],
				startedAt,
				failedAt: this.clock.now()
			};
			if (failures) failures[index] = failed;
			this.progress.failed++;
			this.emit({ type: 'record-failed', record: failed });
			return true;
		};
		for (;;) {
			const attemptNotes: TaskNote[] = [];
			notes = attemptNotes;
			const context: TaskContext = {
				recordId: record.id,
				recordIndex: index,
				signal: this.controller.signal,
				random: recordRandom(this.options.seed, index),
				note: (note) => {
					attemptNotes.push(note);
					this.emit({ type: 'task-note', recordId: record.id, note });
				},
				unusable: (reason, indexes) => {
					pendingUnusable.push({ reason, ...(indexes ? { indexes } : {}) });
				}
			};
			let lastYield = -1;
			let lastStepKeys: string[] = [];
			let lastFirstStep = 0;
			const flushUnusable = async () => {
				const marks = pendingUnusable;
				pendingUnusable = [];
				for (const { reason, indexes } of marks) {
					const keys = indexes ? steps.filter((step) => indexes.includes(step.stepIndex - lastFirstStep)).map((step) => step.cacheKey) : lastStepKeys;
					await markUnusable(keys.filter((key) => lastStepKeys.includes(key)), reason);
				}
			};
			try {
				this.checkCancelled();
				const generator = task(record.input, context);
				let yieldIndex = 0;
				let stepCounter = 0;
				let next = await generator.next();
				while (!next.done) {
					const yielded = next.value;
					const requests = Array.isArray(yielded) ? yielded : [yielded];
					if (!requests.length) throw new TaskError('empty-yield', 'The task yielded an empty list of requests.');
					const firstStep = stepCounter;
					stepCounter += requests.length;
					let outcome: YieldOutcome;
					if (yieldIndex < answered.length) outcome = answered[yieldIndex];
					else {
						const bump = rejections.get(yieldIndex) ?? 0;
						const settled = await Promise.allSettled(requests.map((request, j) => this.runStep(record.id, index, request, firstStep + j, steps, round, bump)));
						this.checkCancelled();
						const rejected = settled.find((result) => result.status === 'rejected');
						const responses = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
						outcome = rejected ? { ok: false, error: rejected.reason } : { ok: true, reply: Array.isArray(yielded) ? responses : responses[0] };
						answered.push(outcome);
					}
					lastYield = yieldIndex;
					lastFirstStep = firstStep;
					lastStepKeys = steps.filter((step) => step.stepIndex >= firstStep && step.stepIndex < stepCounter).map((step) => step.cacheKey);
					yieldIndex++;
					next = outcome.ok ? await generator.next(outcome.reply) : await generator.throw(outcome.error);
					await flushUnusable();
				}
				const returned = samplesOf<Sample>(next.value);
				const completedAt = this.clock.now();
				const provenance: SampleProvenance<Input> = { recipeId, recordId: record.id, input: record.input, steps: [...steps], notes: [...attemptNotes], startedAt, completedAt };
				const generated = returned.map((sample, sampleIndex) => ({ sample, sampleIndex, provenance }));
				if (samples) samples[index] = generated;
				this.progress.done++;
				this.emit({ type: 'record-done', recordId: record.id, samples: generated, steps: provenance.steps, notes: provenance.notes });
				return true;
			} catch (error) {
				if (error instanceof Cancelled || this.controller.signal.aborted) return false;
				await flushUnusable();
				if (error instanceof RetryableAnswerError && lastYield >= 0 && unusableRetries < this.policy.maxUnusableAnswerRetries) {
					unusableRetries++;
					rejections.set(lastYield, (rejections.get(lastYield) ?? 0) + 1);
					answered.length = lastYield;
					await markUnusable(lastStepKeys, error.message);
					continue;
				}
				// The task gave up on the answers of its last yield: "Retry failed only" must ask again.
				if (error instanceof TaskError && lastYield >= 0 && answered[lastYield]?.ok) await markUnusable(lastStepKeys, error.message);
				return fail(error);
			}
		}
	}

	/** Runs the task over the records; resolves when all ended or the run was cancelled. */
	async run(records: readonly InputRecord<Input>[]): Promise<RunResult<Input, Sample>> {
		const samples: GeneratedSample<Input, Sample>[][] = new Array(records.length);
		const failures: (FailedRecord<Input> | undefined)[] = new Array(records.length);
		const ended: boolean[] = new Array(records.length).fill(false);
		this.progress = { total: records.length, done: 0, failed: 0, active: 0, requestsInFlight: 0 };
		this.emitProgress();
		const window = Math.max(1, Math.floor(this.options.maxActiveRecords ?? this.concurrency * 2));
		let nextIndex = 0;
		const lane = async () => {
			while (nextIndex < records.length && !this.controller.signal.aborted) {
				const index = nextIndex++;
				this.progress.active++;
				ended[index] = await this.runRecord(records[index], index, samples, failures);
				this.progress.active--;
				this.emitProgress();
			}
		};
		await Promise.all(Array.from({ length: Math.min(window, records.length) }, lane));
		const flatSamples = samples.flatMap((group) => group ?? []);
		const flatFailures = failures.filter((failure): failure is FailedRecord<Input> => failure !== undefined);
		const unfinished = records.filter((_, index) => !ended[index]).map((record) => record.id);
		return {
			samples: flatSamples,
			failures: flatFailures,
			unfinished,
			cancelled: this.controller.signal.aborted,
			counts: {
				total: records.length,
				done: this.progress.done,
				failed: this.progress.failed,
				unfinished: unfinished.length,
				samples: flatSamples.length,
				engineCalls: this.engineCalls,
				cacheHits: this.cacheHits
			}
		};
	}

	/**
	 * Runs the task over records as a feed hands them over (a run whose inputs are read block by
	 * block while it runs): nothing of an ended record is kept here, so the memory a run takes does
	 * not grow with its length. The result lists no samples or failures (they went out as events)
	 * and, as unfinished, the records that were started and not ended.
	 */
	async runFeed(feed: RecordFeed<Input>): Promise<RunResult<Input, Sample>> {
		this.progress = { total: feed.known(), done: 0, failed: 0, active: 0, requestsInFlight: 0 };
		this.emitProgress();
		const window = Math.max(1, Math.floor(this.options.maxActiveRecords ?? this.concurrency * 2));
		const unfinished: string[] = [];
		let samples = 0;
		const lane = async () => {
			while (!this.controller.signal.aborted) {
				const next = await feed.next();
				if (!next || this.controller.signal.aborted) return;
				this.progress.total = Math.max(this.progress.total, feed.known());
				this.progress.active++;
				const kept: GeneratedSample<Input, Sample>[][] = [];
				const ended = await this.runRecord(next.record, next.index, kept);
				samples += kept[next.index]?.length ?? 0;
				if (!ended) unfinished.push(next.record.id);
				this.progress.active--;
				this.emitProgress();
			}
		};
		await Promise.all(Array.from({ length: window }, lane));
		return {
			samples: [],
			failures: [],
			unfinished,
			cancelled: this.controller.signal.aborted,
			counts: {
				total: Math.max(this.progress.total, feed.known()),
				done: this.progress.done,
				failed: this.progress.failed,
				unfinished: unfinished.length,
				samples,
				engineCalls: this.engineCalls,
				cacheHits: this.cacheHits
			}
		};
	}
}

/** Runs a task over records (a Dispatcher for one run). */
export function dispatch<Input, Sample>(records: readonly InputRecord<Input>[], options: DispatchOptions<Input, Sample>): Promise<RunResult<Input, Sample>> {
	return new Dispatcher(options).run(records);
}

/**
 * "Retry failed only": re-runs the failed (and unfinished) records of an earlier run and merges
 * the outcome into it. With a response cache, steps that had succeeded are not paid for again.
 */
export async function retryFailedOnly<Input, Sample>(
	previous: RunResult<Input, Sample>,
	records: readonly InputRecord<Input>[],
	options: DispatchOptions<Input, Sample>
): Promise<RunResult<Input, Sample>> {
	const again = new Set([...previous.failures.map((failure) => failure.recordId), ...previous.unfinished]);
	const subset = records.filter((record) => again.has(record.id));
	const rerun = await dispatch(subset, options);
	const order = new Map(records.map((record, index) => [record.id, index]));
	const byOrder = (a: { recordId: string }, b: { recordId: string }) => (order.get(a.recordId) ?? 0) - (order.get(b.recordId) ?? 0);
	const samples = [...previous.samples, ...rerun.samples].sort((a, b) => byOrder(a.provenance, b.provenance));
	const failures = rerun.failures.sort(byOrder);
	return {
		samples,
		failures,
		unfinished: rerun.unfinished,
		cancelled: rerun.cancelled,
		counts: {
			total: previous.counts.total,
			done: previous.counts.done + rerun.counts.done,
			failed: rerun.counts.failed,
			unfinished: rerun.counts.unfinished,
			samples: samples.length,
			engineCalls: rerun.counts.engineCalls,
			cacheHits: rerun.counts.cacheHits
		}
	};
}
