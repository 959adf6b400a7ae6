/**
 * Runs live in this worker: a dispatcher per run, wired to persistence and to the watchers.
 * What the dispatcher reports (completed steps, ended records with their samples, answers for the
 * response cache) is stored in batches, by group commit: when nothing is being stored, what came
 * in is stored at once (a fast run's batches are at least RUN_BATCH_MIN_MS apart); while a batch is being
 * stored, what comes in waits and goes, all of it, in the next one (db/run-batch-repo.ts: one
 * transaction, with the run's counts, usage figures, log and heartbeat). A slow run stores each
 * step as it completes, as before; a fast one stores hundreds per transaction instead of paying
 * one transaction per step. Progress events are throttled, a heartbeat says the run is alive and a
 * Web Lock (run-locks.ts) tells other tabs it is driven here. A run left running by a worker that
 * is gone (a reload, a closed tab) is swept to 'interrupted'.
 *
 * Never paying twice: an answer is acknowledged (in the record's row and the response cache) only
 * when its batch commits, and both are in the same batch. Until then the dispatcher reads queued
 * answers from the batch (a replayed step finds them). A reload loses at most what was not yet
 * committed — the batch being stored and what arrived while it was or since (at most about
 * RUN_BATCH_MIN_MS plus one transaction's time of answers) — and a resume asks those again; everything committed is replayed from the cache.
 * Pause and the run's end store what waits first, so a paused or finished run has nothing waiting.
 */
import type { Engine } from '$lib/core/contracts/engine';
import type { RunCounts, RunRecordRow, RunSampleRow, RunState } from '$lib/core/contracts/rows';
import type { RunLogLine, RunRecordSummary } from '$lib/core/contracts/run-api';
import type { AnyRecipe, DraftSample, RecordStat, ResolvedSources } from '$lib/core/recipes/recipe';
import { Dispatcher, type DispatchEvent, type InputRecord, type RecordFeed, type RunResult, type StepRecord } from '$lib/core/runtime/dispatcher';
import { endpointProtocolText, modelKeyOf, withFailureHint } from '$lib/core/runtime/engine-choice';
import { requestBucketOf } from '$lib/core/runtime/rate-limits';
import { replayTask, type Task, type TaskNote } from '$lib/core/runtime/task';
import type { CachedAnswer, ResponseCache } from '$lib/core/runtime/cache-key';
import { IndexedDbResponseCache } from '$lib/db/response-cache-repo';
import { batchSize, emptyBatch, storeRunBatch, type RunBatch } from '$lib/db/run-batch-repo';
import { getRun, recordsInState, runsInStates, sampleId, trimLog, updateRun, type RunUsage, type StoredRecordRow, type StoredRunRow } from '$lib/db/runs-repo';
import { REHEARSAL_TAG } from '$lib/engines/rehearsal-engine';
import type { RunContext } from './run-context';
import { dispatcherFeed, type RunFeed } from './run-feed';
import { HeldSummaries } from './held-summaries';
import { heldLocks, holdRunLock, runLockName } from './run-locks';
import { recordFallbackLabel, summaryOf, usageOf } from './run-views';
import { StreamWatch } from './stream-watch';

/** Least time between two batch stores of a live run (ms): what a reload can lose is about this plus one store. */
const RUN_BATCH_MIN_MS = 100;
/** A batch of this many items or more means a fast run: the next one waits for RUN_BATCH_MIN_MS. */
const FAST_BATCH_ITEMS = 24;
/** How long a live run may keep the worker busy without a break (ms). */
const YIELD_EVERY_MS = 8;

/** A task queued behind what waits (a message to itself: not clamped as nested timers are). */
function macrotask(): Promise<void> {
	if (typeof MessageChannel !== 'function') return new Promise((resolve) => setTimeout(resolve, 0));
	return new Promise((resolve) => {
		const channel = new MessageChannel();
		channel.port1.onmessage = () => {
			channel.port1.close();
			resolve();
		};
		channel.port2.postMessage(null);
	});
}

/** States of a run some worker drives (or drove, until it went away). */
const DRIVEN: RunState[] = ['running', 'paused', 'queued'];

export interface LiveRun {
	run: StoredRunRow;
	recipe: AnyRecipe;
	sources: ResolvedSources;
	dispatcher: Dispatcher<unknown, DraftSample>;
	indexById: Map<string, number>;
	labels: Map<number, string>;
	inputs: Map<number, unknown>;
	/** Records not run by this dispatcher (their events are ignored). */
	skipped: Set<string>;
	/** Records that stored a step in this dispatcher (their earlier steps were replaced). */
	restarted: Set<string>;
	usage: RunUsage;
	counts: RunCounts;
	/** The run's state before this dispatcher (what it goes back to when records it did not run are left). */
	before: RunState;
	log: RunLogLine[];
	requestsInFlight: number;
	state: RunState;
	writes: Promise<void>;
	finished: Promise<void>;
	disposed: boolean;
	progressTimer: ReturnType<typeof setTimeout> | null;
	lastProgressAt: number;
	/** What waits to be stored (steps, ended records, answers): the next batch. */
	batch: RunBatch;
	/** Batches taken from `batch` and not yet committed (their answers are still served). */
	storing: RunBatch[];
	/** A store of `batch` is queued (it takes whatever waits when its turn comes). */
	storeQueued: boolean;
	/** When the last batch store began, and its size (a fast run's batches are at least RUN_BATCH_MIN_MS apart). */
	lastStoreAt: number;
	lastBatchItems: number;
	/** Log lines added, and how many of them the stored run row has (the log goes with a batch only when it grew). */
	logLines: number;
	storedLogLines: number;
	/** The inputs still being read while the run goes on (run-feed.ts), and why reading stopped early. */
	feed?: RunFeed;
	feedError?: string;
	/** A run started here: its first records' summaries, for the view opening on it (held-summaries.ts). */
	held?: HeldSummaries;
}

interface RecordEnding {
	state: 'done' | 'failed';
	steps: StepRecord[];
	notes: TaskNote[];
	samples: RunSampleRow[];
	error?: { type: string; message: string };
	stats?: RecordStat[];
}

export class LiveRuns {
	private readonly runs = new Map<string, LiveRun>();
	private readonly cache: IndexedDbResponseCache;
	private heartbeat: ReturnType<typeof setInterval> | null = null;

	constructor(private readonly ctx: RunContext) {
		this.cache = new IndexedDbResponseCache(ctx.db, ctx.now);
	}

	get(runId: string): LiveRun | undefined {
		return this.runs.get(runId);
	}

	has(runId: string): boolean {
		return this.runs.has(runId);
	}

	/** The row with what the live run knows better (its state, counts and usage), when it is live here. */
	current(row: StoredRunRow, live = this.runs.get(row.id)): StoredRunRow {
		return live ? { ...row, state: live.state, counts: { ...row.counts, ...live.counts, ...live.usage } } : row;
	}

	/** A run just started: every record is new (pending, no step, no sample), so its summaries are known. */
	holdNew(runId: string, records: readonly StoredRecordRow[]): void {
		const live = this.runs.get(runId);
		if (!live) return;
		live.held = new HeldSummaries();
		for (const record of records) live.held.hold(summaryOf(record, 0, live.recipe));
	}

	/** Waits until the live run has ended (tests, and deleteRun). */
	async whenSettled(runId: string): Promise<void> {
		const live = this.runs.get(runId);
		if (live) await live.finished;
	}

	/**
	 * Starts a dispatcher over the run's records, running those `which` picks. Every record is
	 * handed to the dispatcher (the others return at once, their events ignored) so that each
	 * record keeps its position, and with it its seeded random: a replayed record asks exactly
	 * what it asked before, and the cache answers.
	 */
	launch(run: StoredRunRow, recipe: AnyRecipe, engine: Engine, sources: ResolvedSources, records: StoredRecordRow[], which: (record: RunRecordRow) => boolean, feed?: RunFeed): void {
		const { db, now } = this.ctx;
		// A fed run is handed only the records it runs, each with its position (Dispatcher.runFeed).
		if (feed) records = records.filter(which);
		const skipped = new Set(records.filter((record) => !which(record)).map((record) => record.recordId));
		// A record a re-run of what changed moved keeps the random of the position it first ran at.
		const seedIndexes = new Map(records.flatMap((record) => (record.seedIndex !== undefined && record.seedIndex !== record.recordIndex ? [[record.recordId, record.seedIndex] as const] : [])));
		const task = replayTask(recipe.task(run.params, sources, run.settings) as Task<unknown, DraftSample>, { seed: run.settings.seed, skip: skipped, seedIndexes });
		// Records in a retry round (Retry failed only, Ask again) ask again for what was unusable.
		const rounds = new Map(records.flatMap((record) => (record.round ? [[record.recordId, { round: record.round, ...(record.fresh ? { fresh: true } : {}) }] as const] : [])));
		let live: LiveRun | null = null;
		// Streamed answers (endpoint runs): per-request progress and live tokens/s for the run view.
		const streams = new StreamWatch({
			emit: (requests, tokensPerSecond) => this.ctx.emit({ type: 'requests', runId: run.id, requests, tokensPerSecond }),
			label: (recordIndex) => (live ? this.recordName(live, recordIndex) : recordFallbackLabel(recordIndex))
		});
		streams.attach(engine);
		const dispatcher = new Dispatcher<unknown, DraftSample>({
			recipeId: recipe.id,
			engine,
			task,
			concurrency: run.concurrency,
			...(run.rateLimits?.requestsPerMinute ? { rateLimit: requestBucketOf(run.rateLimits.requestsPerMinute) } : {}),
			...(run.rateLimits?.tokensPerMinute ? { tokensPerMinute: run.rateLimits.tokensPerMinute } : {}),
			cache: this.batchedCache(() => live),
			modelKey: modelKeyOf(run.engine, recipe),
			seed: run.settings.seed,
			rounds: (recordId) => rounds.get(recordId),
			...(this.ctx.options.retry ? { retry: this.ctx.options.retry } : {}),
			onEvent: (event) => {
				if (event.type === 'step-started' && live) streams.started(live.indexById.get(event.recordId), event.stepIndex, event.attempt, event.request.messages);
				if (live) this.onDispatchEvent(live, event);
			}
		});
		const state: RunState = 'running';
		live = {
			run: { ...run, state },
			recipe,
			sources,
			dispatcher,
			indexById: new Map(records.map((record) => [record.recordId, record.recordIndex])),
			labels: new Map(records.map((record) => [record.recordIndex, record.label])),
			inputs: new Map(records.map((record) => [record.recordIndex, record.input])),
			skipped,
			restarted: new Set(),
			usage: usageOf(run.counts),
			counts: { ...run.counts },
			before: run.state,
			log: [...(run.log ?? [])],
			requestsInFlight: 0,
			state,
			writes: Promise.resolve(),
			finished: Promise.resolve(),
			disposed: false,
			progressTimer: null,
			lastProgressAt: 0,
			batch: emptyBatch(run.id, usageOf(run.counts)),
			storing: [],
			storeQueued: false,
			lastStoreAt: 0,
			lastBatchItems: 0,
			logLines: 0,
			storedLogLines: 0,
			...(feed ? { feed } : {})
		};
		const current = live;
		this.runs.set(run.id, current);
		this.startHeartbeat();
		const toRun = records.length - skipped.size;
		const reading = feed && !feed.done ? ' so far (the rest of the inputs are read while it runs)' : '';
		this.log(current, { level: 'info', message: `Started on ${run.engine.label}: ${toRun} record${toRun === 1 ? '' : 's'} to run${reading}, ${run.concurrency} at a time.` });
		if (run.engine.kind === 'endpoint') this.log(current, { level: 'info', message: `Requests to the model server: ${endpointProtocolText(run.engine)}.` });
		this.write(current, () => updateRun(db, run.id, { state, heartbeatAt: now(), updatedAt: now(), log: current.log }));
		this.ctx.emit({ type: 'state', runId: run.id, state });
		const inputs: InputRecord<unknown>[] = records.map((record) => ({ id: record.recordId, input: record.input }));
		current.finished = (feed ? dispatcher.runFeed(this.recordFeed(current, records, feed)) : dispatcher.run(inputs)).then(
			(result) => this.finish(current, result),
			(error: unknown) => this.finish(current, null, error)
		);
		void current.finished.then(
			() => streams.stop(),
			() => streams.stop()
		);
		holdRunLock(run.id, current.finished);
	}

	/** The dispatcher's records of a fed run (run-feed.ts `dispatcherFeed`), followed here as each block comes. */
	private recordFeed(live: LiveRun, first: StoredRecordRow[], feed: RunFeed): RecordFeed<unknown> {
		return dispatcherFeed(first, feed, {
			stopped: () => live.disposed,
			read: (block) => this.track(live, block),
			failed: (message) => {
				live.feedError = message;
				this.log(live, { level: 'error', message: `Could not read more inputs: ${message}` });
			}
		});
	}

	/** Records a fed run just stored: the live run follows them until they end. */
	private track(live: LiveRun, records: StoredRecordRow[]): void {
		for (const record of records) {
			live.indexById.set(record.recordId, record.recordIndex);
			live.labels.set(record.recordIndex, record.label);
			live.inputs.set(record.recordIndex, record.input);
			live.held?.hold(summaryOf(record, 0, live.recipe));
		}
	}

	/** A fed run stored a block: its total grew. */
	feedCounts(runId: string, counts: RunCounts): void {
		const live = this.runs.get(runId);
		if (!live || live.disposed) return;
		live.counts = { ...live.counts, total: counts.total };
		if (live.feed?.done && live.run.feed) {
			// Everything is read: the run's row no longer says it is reading (its stored one neither).
			const run = { ...live.run };
			delete run.feed;
			live.run = run;
		}
		this.scheduleProgress(live);
	}

	/** A record ended: a fed run forgets it (what it ran on is stored). */
	private forget(live: LiveRun, recordId: string, recordIndex: number): void {
		if (!live.feed) return;
		live.indexById.delete(recordId);
		live.labels.delete(recordIndex);
		live.inputs.delete(recordIndex);
	}

	// ---- controlling a live run ---------------------------------------------------------------

	async pause(live: LiveRun): Promise<void> {
		if (live.state === 'paused') return;
		live.dispatcher.pause();
		// What completed so far is stored before the run says it is paused.
		this.storeBatch(live);
		this.setState(live, 'paused', 'Paused: requests in flight finish, no new ones start.');
		await live.writes;
	}

	async resume(live: LiveRun): Promise<void> {
		if (live.state !== 'paused') return;
		live.dispatcher.resume();
		this.setState(live, 'running', 'Resumed.');
		await live.writes;
	}

	async cancel(live: LiveRun): Promise<void> {
		this.setState(live, 'cancelled', 'Cancelling: requests in flight are abandoned; unfinished records stay pending.');
		live.dispatcher.cancel();
		await live.finished;
	}

	/** Stops the dispatcher without a word in the log (the run is being deleted). */
	async stop(live: LiveRun): Promise<void> {
		live.dispatcher.cancel();
		await live.finished;
	}

	private setState(live: LiveRun, state: RunState, message: string): void {
		live.state = state;
		live.run = { ...live.run, state };
		this.log(live, { level: 'info', message });
		this.write(live, () => updateRun(this.ctx.db, live.run.id, { state, log: live.log, heartbeatAt: this.ctx.now(), updatedAt: this.ctx.now() }));
		this.ctx.emit({ type: 'state', runId: live.run.id, state });
	}

	// ---- runs driven elsewhere ----------------------------------------------------------------

	/** Runs left running or paused by a worker that is gone (reload, closed tab) become 'interrupted'. */
	async sweepInterrupted(): Promise<void> {
		const { db, now, options } = this.ctx;
		const rows = await runsInStates(db, DRIVEN);
		const limit = options.abandonedAfterMs ?? 20_000;
		const held = rows.length ? await heldLocks() : null;
		for (const row of rows) {
			if (this.runs.has(row.id)) continue;
			if (held ? held.has(runLockName(row.id)) : now() - (row.heartbeatAt ?? row.updatedAt) < limit) continue;
			await updateRun(db, row.id, { state: 'interrupted' });
			this.ctx.emit({ type: 'state', runId: row.id, state: 'interrupted' });
		}
	}

	/** Why a run that is not live here cannot be driven from here, if it cannot. */
	async elsewhere(run: StoredRunRow): Promise<string | null> {
		await this.sweepInterrupted();
		const fresh = await getRun(this.ctx.db, run.id);
		if (fresh && DRIVEN.includes(fresh.state) && !this.runs.has(run.id)) return 'This run is running in another tab: control it there.';
		return null;
	}

	// ---- persisting what the dispatcher says --------------------------------------------------

	/** Queues a write of a live run (in event order; a failure is logged, not thrown). */
	private write(live: LiveRun, job: () => Promise<unknown>): void {
		live.writes = live.writes.then(async () => {
			if (live.disposed) return;
			try {
				await job();
			} catch (error) {
				this.log(live, { level: 'error', message: `Could not save progress (${error instanceof Error ? error.message : String(error)}). The browser’s storage may be full: free some space, then resume the run.` });
			}
		});
	}

	/**
	 * The response cache as the dispatcher of a live run sees it: answers go into the run's next
	 * batch (stored with the step that got them), and are served from there, and from batches being
	 * stored, until they are committed.
	 */
	private batchedCache(liveOf: () => LiveRun | null): ResponseCache {
		/** The answer under `key` as the batches not yet committed have it (newest first), or not there. */
		const queued = (key: string): { found: boolean; answer?: CachedAnswer; unusable?: string } => {
			const live = liveOf();
			if (!live) return { found: false };
			let unusable: string | undefined;
			for (const batch of [live.batch, ...[...live.storing].reverse()]) {
				unusable ??= batch.unusable.get(key);
				if (batch.uncache.has(key)) return { found: true };
				const answer = batch.cache.get(key);
				if (answer) return { found: true, answer: unusable !== undefined ? { ...answer, unusable } : answer };
			}
			return { found: false, ...(unusable !== undefined ? { unusable } : {}) };
		};
		return {
			get: async (key) => {
				const pending = queued(key);
				if (pending.found) return pending.answer;
				const stored = await this.cache.get(key);
				return stored && pending.unusable !== undefined ? { ...stored, unusable: pending.unusable } : stored;
			},
			set: async (key, response) => {
				const live = liveOf();
				if (!live || live.disposed) return;
				live.batch.uncache.delete(key);
				live.batch.unusable.delete(key);
				live.batch.cache.set(key, { response });
				this.batchGrew(live);
				await this.yieldNow();
			},
			markUnusable: async (key, reason) => {
				const live = liveOf();
				if (!live || live.disposed) return;
				const queuedAnswer = live.batch.cache.get(key);
				if (queuedAnswer) live.batch.cache.set(key, { ...queuedAnswer, unusable: reason });
				else live.batch.unusable.set(key, reason);
				this.batchGrew(live);
			},
			delete: async (key) => {
				const live = liveOf();
				if (!live || live.disposed) return;
				live.batch.cache.delete(key);
				live.batch.unusable.delete(key);
				live.batch.uncache.add(key);
				this.batchGrew(live);
			}
		};
	}

	/**
	 * Lets the worker's other work in (the page's calls, the batch stores) at least every
	 * YIELD_EVERY_MS: against an instant engine with every lookup answered from memory, a run would
	 * otherwise go from record to record in microtasks and hold the worker for its whole length.
	 */
	private lastYield = 0;
	private async yieldNow(): Promise<void> {
		const now = performance.now();
		if (now - this.lastYield < YIELD_EVERY_MS) return;
		await macrotask();
		this.lastYield = performance.now();
	}

	/** Something joined the batch: a store is queued unless one already is (group commit). */
	private batchGrew(live: LiveRun): void {
		this.storeBatch(live);
	}

	/**
	 * Queues a store of what waits (one transaction, with the run's usage figures, log and
	 * heartbeat) unless one is queued already. The batch is taken when the store's turn comes in
	 * the write queue, so everything that arrived while earlier writes ran goes together.
	 */
	private storeBatch(live: LiveRun): void {
		if (live.disposed || live.storeQueued) return;
		live.storeQueued = true;
		const runId = live.run.id;
		this.write(live, async () => {
			// A fast run's batches are at least RUN_BATCH_MIN_MS apart: each rewrites the run row (counts,
			// manifest), and batches of two or three items spent more on that row than on the items. A
			// slow run (small batches) stores each step as it comes.
			const wait = live.lastBatchItems >= FAST_BATCH_ITEMS ? live.lastStoreAt + RUN_BATCH_MIN_MS - Date.now() : 0;
			if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
			live.storeQueued = false;
			if (live.disposed || batchSize(live.batch) === 0) return;
			live.lastStoreAt = Date.now();
			live.lastBatchItems = batchSize(live.batch);
			const batch = live.batch;
			live.batch = emptyBatch(runId, batch.usage);
			batch.usage = { ...live.usage };
			const logLines = live.logLines;
			batch.run = { heartbeatAt: this.ctx.now(), ...(logLines !== live.storedLogLines ? { log: live.log } : {}) };
			live.storing.push(batch);
			try {
				const stored = await storeRunBatch(this.ctx.db, batch, this.ctx.now());
				if (!stored) return;
				live.storedLogLines = Math.max(live.storedLogLines, logLines);
				live.counts = { ...stored.counts, ...live.usage };
				for (const { record, samples, progressed } of stored.records) {
					for (const between of progressed ?? []) this.emitRecord(live, summaryOf(between, 0, live.recipe));
					this.emitRecord(live, summaryOf(record, Math.max(0, samples), live.recipe));
				}
				this.scheduleProgress(live);
			} finally {
				live.storing.splice(live.storing.indexOf(batch), 1);
			}
		});
	}

	/** A stored record's summary to the views (and to what the run holds for the view opening next). */
	private emitRecord(live: LiveRun, record: RunRecordSummary): void {
		live.held?.hold(record);
		this.ctx.emit({ type: 'record', runId: live.run.id, record });
	}

	private log(live: LiveRun, line: Omit<RunLogLine, 'at'>): void {
		const full: RunLogLine = { at: this.ctx.now(), ...line };
		live.log.push(full);
		live.log = trimLog(live.log);
		live.logLines++;
		this.ctx.emit({ type: 'log', runId: live.run.id, line: full });
	}

	private recordName(live: LiveRun, recordIndex: number | undefined): string {
		if (recordIndex === undefined) return 'A record';
		return live.labels.get(recordIndex) ?? recordFallbackLabel(recordIndex);
	}

	private onDispatchEvent(live: LiveRun, event: DispatchEvent<unknown, DraftSample>): void {
		if (live.disposed) return;
		const runId = live.run.id;
		switch (event.type) {
			case 'step-completed': {
				if (live.skipped.has(event.recordId)) return;
				const recordIndex = live.indexById.get(event.recordId);
				if (recordIndex === undefined) return;
				const { step } = event;
				if (step.cached) live.usage.cacheHits++;
				else {
					live.usage.engineCalls += step.attempts;
					live.usage.promptTokens += step.response?.usage?.promptTokens ?? 0;
					live.usage.completionTokens += step.response?.usage?.completionTokens ?? 0;
					live.usage.engineMs += step.engineMs ?? 0;
				}
				const restart = !live.restarted.has(event.recordId);
				live.restarted.add(event.recordId);
				// Stored with the next batch (with its answer for the cache); the run view's per-record
				// progress follows when the batch is stored.
				live.batch.steps.push({ recordIndex, step, restart });
				this.batchGrew(live);
				Object.assign(live.counts, live.usage);
				this.scheduleProgress(live);
				return;
			}
			case 'step-retry': {
				if (live.skipped.has(event.recordId)) return;
				const recordIndex = live.indexById.get(event.recordId);
				const wait = event.delayMs > 0 ? `; retrying in ${(event.delayMs / 1000).toFixed(1)} s` : '; asking again';
				this.log(live, { level: 'warn', ...(recordIndex !== undefined ? { recordIndex } : {}), message: `${this.recordName(live, recordIndex)}, step ${event.stepIndex + 1}, attempt ${event.attempt}: ${event.error.message}${wait}.` });
				return;
			}
			case 'task-note': {
				if (live.skipped.has(event.recordId)) return;
				const recordIndex = live.indexById.get(event.recordId);
				this.log(live, { level: event.note.level, ...(recordIndex !== undefined ? { recordIndex } : {}), message: `${this.recordName(live, recordIndex)}: ${event.note.message}` });
				return;
			}
			case 'record-done': {
				if (live.skipped.has(event.recordId)) return;
				const recordIndex = live.indexById.get(event.recordId);
				if (recordIndex === undefined) return;
				const rehearsal = live.run.engine.kind === 'test';
				const now = this.ctx.now();
				const samples: RunSampleRow[] = event.samples.map((generated) => ({
					id: sampleId(runId, recordIndex, generated.sampleIndex),
					runId,
					recordIndex,
					sampleIndex: generated.sampleIndex,
					sample: rehearsal && !generated.sample.tags.includes(REHEARSAL_TAG) ? { ...generated.sample, tags: [...generated.sample.tags, REHEARSAL_TAG] } : generated.sample,
					review: 'pending',
					createdAt: now
				}));
				const input = live.inputs.get(recordIndex);
				const stats = this.summarize(live, input, event.samples.map((generated) => generated.sample), event.notes, event.steps);
				this.endRecord(live, recordIndex, { state: 'done', steps: event.steps, notes: event.notes, samples, ...(stats ? { stats } : {}) });
				this.forget(live, event.recordId, recordIndex);
				return;
			}
			case 'record-failed': {
				const { record } = event;
				if (live.skipped.has(record.recordId)) return;
				const recordIndex = live.indexById.get(record.recordId);
				if (recordIndex === undefined) return;
				const error = withFailureHint(record.error, live.run.engine.kind);
				this.log(live, { level: 'error', recordIndex, message: `${this.recordName(live, recordIndex)} failed (${error.type}): ${error.message}` });
				const stats = live.recipe.summarizesFailed ? this.summarize(live, live.inputs.get(recordIndex), [], record.notes, record.steps, true) : undefined;
				this.endRecord(live, recordIndex, { state: 'failed', steps: record.steps, notes: record.notes, samples: [], error, ...(stats ? { stats } : {}) });
				this.forget(live, record.recordId, recordIndex);
				return;
			}
			case 'progress':
				live.requestsInFlight = event.progress.requestsInFlight;
				this.scheduleProgress(live);
				return;
			default:
				return;
		}
	}

	private summarize(live: LiveRun, input: unknown, samples: DraftSample[], notes: TaskNote[], steps: StepRecord[], failed = false): RecordStat[] | undefined {
		if (!live.recipe.summarize || input === undefined) return undefined;
		try {
			const stepCount = steps.filter((step) => step.response && !step.error && !step.rejected).length;
			return live.recipe.summarize({ input, samples, notes, stepCount, steps, ...(failed ? { failed } : {}) }, live.sources, live.run.params);
		} catch (error) {
			this.log(live, { level: 'warn', message: `Could not compute the record's statistics: ${error instanceof Error ? error.message : String(error)}` });
			return undefined;
		}
	}

	/** The record's end (its row, samples and the run's counts) goes with the next batch. */
	private endRecord(live: LiveRun, recordIndex: number, end: RecordEnding): void {
		live.batch.ends.push({ recordIndex, ...end, generatedWith: structuredClone({ engine: live.run.engine, settings: live.run.settings }) });
		this.batchGrew(live);
	}

	private scheduleProgress(live: LiveRun): void {
		if (live.progressTimer) return;
		const interval = this.ctx.options.progressIntervalMs ?? 100;
		const wait = Math.max(0, live.lastProgressAt + interval - this.ctx.now());
		live.progressTimer = setTimeout(() => {
			live.progressTimer = null;
			live.lastProgressAt = this.ctx.now();
			this.emitProgress(live);
		}, wait);
	}

	private emitProgress(live: LiveRun): void {
		if (live.disposed) return;
		const counts = { ...live.counts, ...live.usage };
		this.ctx.emit({
			type: 'progress',
			runId: live.run.id,
			counts,
			requestsInFlight: live.requestsInFlight,
			tokensPerSecond: counts.engineMs > 0 ? (counts.completionTokens / counts.engineMs) * 1000 : null,
			...(live.feed ? { reading: !live.feed.done } : {})
		});
	}

	private async finish(live: LiveRun, result: RunResult<unknown, DraftSample> | null, error?: unknown): Promise<void> {
		const { db, now } = this.ctx;
		// What waits is stored before the run's end is.
		this.storeBatch(live);
		await live.writes;
		if (live.progressTimer) clearTimeout(live.progressTimer);
		live.progressTimer = null;
		if (this.runs.get(live.run.id) === live) this.runs.delete(live.run.id);
		this.stopHeartbeatWhenIdle();
		if (live.disposed) return;
		let state: RunState;
		if (error !== undefined) {
			state = 'interrupted';
			this.log(live, { level: 'error', message: `The run stopped: ${error instanceof Error ? error.message : String(error)}. Resume it to go on (answered steps are not asked again).` });
		} else if (live.state === 'cancelled' || result?.cancelled) {
			state = 'cancelled';
			this.log(live, { level: 'info', message: 'Cancelled.' });
		} else {
			const counts = live.counts;
			const finished = `${counts.done} done, ${counts.failed} failed, ${counts.samples} samples; ${live.usage.engineCalls} engine calls, ${live.usage.cacheHits} answered from the cache`;
			// A dispatcher over some records (retry failed) may leave others pending: the run is not done.
			const left = (await recordsInState(db, live.run.id, 'pending').catch(() => [])).length;
			if (live.feed && !live.feed.done) {
				// The inputs could not all be read: what was read ran; resuming reads on from there.
				state = live.before === 'cancelled' ? 'cancelled' : 'interrupted';
				this.log(live, { level: 'warn', message: `Finished: ${finished}. Not every input was read (${live.feedError ?? 'stopped'}): resume the run to read on and run the rest.` });
			} else if (left > 0) {
				state = live.before === 'cancelled' ? 'cancelled' : 'interrupted';
				const records = `${left} record${left === 1 ? '' : 's'}`;
				this.log(live, {
					level: 'info',
					message: state === 'cancelled' ? `Finished: ${finished}. ${records} left pending when the run was cancelled.` : `Finished: ${finished}. ${records} still to run: resume the run to run them.`
				});
			} else {
				state = 'done';
				this.log(live, { level: 'info', message: `Finished: ${finished}.` });
			}
		}
		live.state = state;
		try {
			const run = await getRun(db, live.run.id);
			if (run) await updateRun(db, live.run.id, { state, counts: { ...run.counts, ...live.usage }, log: live.log, updatedAt: now() });
		} catch {
			// The run was deleted meanwhile.
		}
		this.emitProgress(live);
		this.ctx.emit({ type: 'state', runId: live.run.id, state });
	}

	// ---- heartbeat ----------------------------------------------------------------------------

	private startHeartbeat(): void {
		if (this.heartbeat) return;
		this.heartbeat = setInterval(() => {
			for (const live of this.runs.values()) {
				if (!live.disposed) this.write(live, () => updateRun(this.ctx.db, live.run.id, { heartbeatAt: this.ctx.now() }));
			}
		}, this.ctx.options.heartbeatMs ?? 5000);
	}

	private stopHeartbeatWhenIdle(): void {
		if (this.runs.size || !this.heartbeat) return;
		clearInterval(this.heartbeat);
		this.heartbeat = null;
	}

	/** Stops everything without writing (the worker is going away, as on a reload). */
	dispose(): void {
		for (const live of this.runs.values()) {
			live.disposed = true;
			live.feed?.stop();
			if (live.progressTimer) clearTimeout(live.progressTimer);
			live.dispatcher.cancel();
		}
		this.runs.clear();
		if (this.heartbeat) clearInterval(this.heartbeat);
		this.heartbeat = null;
	}
}
