/**
 * Tasks: the per-record programs the dispatcher runs (ISF's generator tasks, with its sharp edges
 * fixed).
 *
 * A task is an async generator called once per input record. It talks to the model by yielding:
 *
 * - `yield request` (one `ChatRequest`) receives **one `ChatResponse`**.
 * - `yield [a, b, …]` (an array, even of one element) receives **an array of `ChatResponse`s in
 *   request order** (never arrival order, and `yield [a]` gets `[response]`, not a bare response).
 *   The requests of one array run in parallel; the generator resumes when all have answered.
 * - An empty array fails the record (`empty-yield`).
 *
 * Because a generator's `next()` argument has one static type, use `yield* ask(request)` and
 * `yield* askAll(requests)` for typed results; a plain `yield` works the same at run time.
 *
 * When a request fails for good (retries exhausted, a 4xx), the error is thrown *into* the
 * generator at its `yield`, so a task may catch it and carry on; uncaught, it fails the record.
 *
 * A task returns a sample, an array of samples (zero, one or many), or nothing (`null`/`undefined`:
 * the record is done with zero samples). It throws `TaskError(type, message)` to fail the record
 * with that error type, or `RetryableAnswerError` when an answer cannot be used (unparsable,
 * off-format): the dispatcher then re-runs the task, replaying the earlier answers and asking the
 * model again only for the last yield, a bounded number of times. Replays mean a task must be
 * deterministic given its input and the answers it receives (use the seeded random of the context,
 * never `Math.random`).
 */
import { mulberry32 } from '../random';
import type { ChatRequest, ChatResponse } from '../contracts/engine';

export type TaskYield = ChatRequest | ChatRequest[];
export type TaskReply = ChatResponse | ChatResponse[];
export type TaskReturn<Sample> = Sample | Sample[] | null | undefined | void;

export interface TaskContext {
	recordId: string;
	/** Position of the record in the run's input. */
	recordIndex: number;
	/** Aborted when the run is cancelled. */
	signal: AbortSignal;
	/** A seeded random in [0, 1), the same sequence on every replay of this record. */
	random: () => number;
	/**
	 * Records a recipe-level note (a retried or skipped iteration, a fact that produced nothing).
	 * Notes are shown live in the run log and kept with the record; a replay of the task starts
	 * with an empty list, so the kept notes are those of the attempt that ended the record.
	 */
	note: (note: TaskNote) => void;
	/**
	 * Says the answer(s) of the task's last yield cannot be used, when the task carries on by
	 * itself (asks again, skips an iteration) instead of throwing. The dispatcher flags them in the
	 * response cache: a resume still replays them, "Retry failed only" asks the model again.
	 * (Throwing RetryableAnswerError or a TaskError after a yield flags them too.) `indexes` picks
	 * answers of a yielded array (request order); without it, all of the last yield's answers.
	 */
	unusable: (reason: string, indexes?: readonly number[]) => void;
}

/** A recipe-level log line with optional structured data (for per-record statistics). */
export interface TaskNote {
	level: 'info' | 'warn';
	message: string;
	/** Machine-readable kind, e.g. 'iteration-retry', 'iteration-skipped'. */
	kind?: string;
	data?: Record<string, unknown>;
}

export type TaskGenerator<Sample> = AsyncGenerator<TaskYield, TaskReturn<Sample>, TaskReply>;

export type Task<Input, Sample> = (input: Input, context: TaskContext) => TaskGenerator<Sample>;

/** Fails the record with the given error type (kept as an error record, with partial steps). */
export class TaskError extends Error {
	readonly type: string;
	constructor(type: string, message: string) {
		super(message);
		this.name = 'TaskError';
		this.type = type;
	}
}

/** The last answer(s) cannot be used: ask again (bounded), then fail as `type`. */
export class RetryableAnswerError extends TaskError {
	constructor(message: string, type = 'unusable-answer') {
		super(type, message);
		this.name = 'RetryableAnswerError';
	}
}

/** One request, typed: `const response = yield* ask(request)`. */
export async function* ask(request: ChatRequest): AsyncGenerator<TaskYield, ChatResponse, TaskReply> {
	const reply = yield request;
	if (Array.isArray(reply)) throw new TaskError('runtime-error', 'Expected one response for one request.');
	return reply;
}

/** Parallel requests, typed: `const [a, b] = yield* askAll([reqA, reqB])` (request order). */
export async function* askAll(requests: ChatRequest[]): AsyncGenerator<TaskYield, ChatResponse[], TaskReply> {
	const reply = yield requests;
	if (!Array.isArray(reply)) throw new TaskError('runtime-error', 'Expected an array of responses for an array of requests.');
	return reply;
}

/** The samples a task returned, as an array. */
export function samplesOf<Sample>(value: TaskReturn<Sample>): Sample[] {
	if (value === null || value === undefined) return [];
	return Array.isArray(value) ? value : [value];
}

/** A seeded PRNG (mulberry32) for the task context and jitter in tests. */
export const seededRandom = mulberry32;

/**
 * The seeded random of the record at position `index` of a run seeded `seed`: the one formula
 * behind every record's `context.random`. The dispatcher seeds each record by its position; a
 * record that a re-run moved keeps the random of the position it first ran at (so a replay asks
 * what it asked then, and the cache answers).
 */
export function recordRandom(seed: number | undefined, index: number): () => number {
	return seededRandom((seed ?? 0) ^ Math.imul(index + 1, 0x9e3779b1));
}

/** The task of a record a dispatcher only passes over (it asks nothing, returns no sample). */
// eslint-disable-next-line require-yield
async function* passOver(): AsyncGenerator<never, null, unknown> {
	return null;
}

/**
 * A run's task over all of its records when only some run: the dispatcher is handed every record
 * (so each keeps its position, and with it its seeded random), those in `skip` return at once
 * asking nothing, and a record in `seedIndexes` (moved by a re-run of what changed) gets the
 * random of the position it first ran at, by `recordRandom` like every other record.
 */
export function replayTask<Input, Sample>(
	inner: Task<Input, Sample>,
	options: { seed: number | undefined; skip: ReadonlySet<string>; seedIndexes: ReadonlyMap<string, number> }
): Task<Input, Sample> {
	return (input, context) => {
		if (options.skip.has(context.recordId)) return passOver();
		const seedIndex = options.seedIndexes.get(context.recordId);
		return inner(input, seedIndex === undefined ? context : { ...context, random: recordRandom(options.seed, seedIndex) });
	};
}
