/**
 * Generation runs, worker side (no Comlink): runs a recipe's task on the dispatcher in the data
 * worker, persisting every step as it completes, so a run survives a reload and resumes without
 * paying twice (the response cache answers the steps already answered). Pause, resume, cancel,
 * "retry failed only", staleness against the current sources, review, and "accept into a dataset"
 * with provenance (SPEC §8.2). `runApi` below is spread into the worker's API; the types it speaks
 * are in core/contracts/run-api.ts.
 *
 * This is the facade; the parts are:
 * - run-start.ts (checking a request: core/recipes/run-request.ts, core/runtime/engine-choice.ts),
 * - run-sources/ (one module per kind of source), run-engines.ts (the engine of a run),
 * - live-run.ts (dispatchers, persistence, progress, heartbeats, locks),
 * - run-actions.ts (resume, cancel, retry, re-run what changed, edit, delete),
 * - run-status.ts (staleness: core/runtime/staleness.ts), run-review.ts (review and accept:
 *   core/recipes/provenance.ts), run-views.ts (what the pages see).
 *
 * Secrets: an endpoint's API key arrives with each start/resume (EngineAccess) and lives only in
 * the engine object of the live run; nothing here writes it, logs it or puts it in an error.
 */
import type { SampleReview } from '$lib/core/contracts/rows';
import type {
	AcceptOutcome,
	AcceptTarget,
	EngineAccess,
	RecipeInfo,
	RemoteEngine,
	ReviewItem,
	RunActionResult,
	RunDetail,
	RunEdit,
	RunEvent,
	RecordPageQuery,
	RunListItem,
	RunRecordDetail,
	RunRecordSummary,
	StartRunRequest,
	StartRunResult
} from '$lib/core/contracts/run-api';
import { RECORD_PAGE } from '$lib/core/contracts/run-api';
import { runFigureStats } from '$lib/core/recipes/chunk-figures';
import type { RecordStat } from '$lib/core/recipes/recipe';
import type { AnyRecipe, DraftSample } from '$lib/core/recipes/recipe';
import { RECIPES } from '$lib/core/recipes/registry';
import { recipeInfo } from '$lib/core/recipes/run-request';
import type { RunStatus } from '$lib/core/runtime/manifest';
import type { SkeinDatabase } from '$lib/db/database';
import { getRecord, getRun, listRunRows, recordsPage, reviewCounts, sampleCountsOf, samplesOfRecord, type StoredRunRow } from '$lib/db/runs-repo';
import { runStatus } from '$lib/core/runtime/manifest';
import type { DataService } from './data-service';
import { LiveRuns } from './live-run';
import * as actions from './run-actions';
import { runGone, type RunContext, type RunServiceOptions } from './run-context';
import { accessOf } from './run-engines';
import * as review from './run-review';
import { startRun } from './run-start';
import { RunStatuses } from './run-status';
import { publicRun, summaryOf } from './run-views';
import { RunWatchers, type RunListener } from './run-watchers';

export { REHEARSAL_TAG } from '$lib/engines/rehearsal-engine';
export { accessOf } from './run-engines';
export type { RunServiceOptions } from './run-context';

export class RunService {
	private readonly recipes: readonly AnyRecipe[];
	private readonly ctx: RunContext;
	private readonly watchers: RunWatchers;
	private readonly live: LiveRuns;
	private readonly statuses: RunStatuses;
	/** The tail of each run's chain of actions (see `serial`). */
	private readonly actions = new Map<string, Promise<unknown>>();

	constructor(db: SkeinDatabase, data: DataService, options: RunServiceOptions = {}) {
		const recipes = options.recipes ?? RECIPES;
		this.recipes = recipes;
		this.watchers = new RunWatchers(options.eventFlushMs);
		this.ctx = {
			db,
			data,
			options,
			now: options.now ?? Date.now,
			recipe: (id) => recipes.find((recipe) => recipe.id === id),
			emit: (event) => this.watchers.emit(event)
		};
		this.live = new LiveRuns(this.ctx);
		this.statuses = new RunStatuses(this.ctx, (runId) => this.live.has(runId));
	}

	/**
	 * Runs the actions on one run one after the other. Resume, retry, re-run, edit, cancel, delete
	 * and accept each read the run, await, then write or launch: two at once (a double click) would
	 * start two dispatchers on one run (paying twice, counts overwritten) or add samples twice.
	 */
	private serial<T>(runId: string, action: () => Promise<T>): Promise<T> {
		const before = this.actions.get(runId) ?? Promise.resolve();
		const result = before.then(action, action);
		const tail = result.then(
			() => undefined,
			() => undefined
		);
		this.actions.set(runId, tail);
		void tail.then(() => {
			if (this.actions.get(runId) === tail) this.actions.delete(runId);
		});
		return result;
	}

	listRecipes(): RecipeInfo[] {
		return this.recipes.map(recipeInfo);
	}

	// ---- starting and driving runs ------------------------------------------------------------

	async startRun(request: StartRunRequest, access: EngineAccess = {}): Promise<StartRunResult> {
		const result = await startRun(this.ctx, this.live, request, access);
		// Its manifest was just built from the current sources: the run view opening next need not
		// read them again (while the run's first batches are being stored).
		if (result.ok) {
			// The live run's row (reading it back would wait behind the run's first batch writes).
			const run = this.live.get(result.runId)?.run ?? (await getRun(this.ctx.db, result.runId));
			if (run) this.statuses.remember(run, run.feed ? { state: 'partial', reading: true } : runStatus(run.manifest, run.manifest));
		}
		return result;
	}

	async pauseRun(runId: string): Promise<RunActionResult> {
		const live = this.live.get(runId);
		if (!live) {
			const run = await getRun(this.ctx.db, runId);
			if (!run) return runGone();
			return { ok: false, error: (await this.live.elsewhere(run)) ?? 'This run is not running.' };
		}
		await this.live.pause(live);
		return { ok: true, runId };
	}

	resumeRun(runId: string, access: EngineAccess = {}): Promise<RunActionResult> {
		return this.serial(runId, () => actions.resumeRun(this.ctx, this.live, runId, access));
	}

	cancelRun(runId: string): Promise<RunActionResult> {
		return this.serial(runId, () => actions.cancelRun(this.ctx, this.live, runId));
	}

	retryFailed(runId: string, access: EngineAccess = {}): Promise<RunActionResult> {
		return this.serial(runId, () => actions.retryFailed(this.ctx, this.live, runId, access));
	}

	/** "Ask again, ignore the cache" for these records (run-actions.ts `askAgain`). */
	askAgain(runId: string, recordIndexes: number[], access: EngineAccess = {}): Promise<RunActionResult> {
		return this.serial(runId, () => actions.askAgain(this.ctx, this.live, runId, recordIndexes, access));
	}

	/** Re-run what changed (run-actions.ts `rerunStale`). */
	rerunStale(runId: string, access: EngineAccess = {}): Promise<RunActionResult> {
		return this.serial(runId, () => actions.rerunStale(this.ctx, this.live, runId, access));
	}

	editRun(runId: string, edit: RunEdit): Promise<RunActionResult> {
		return this.serial(runId, () => actions.editRun(this.ctx, this.live, runId, edit));
	}

	deleteRun(runId: string): Promise<RunActionResult> {
		return this.serial(runId, async () => {
			const result = await actions.deleteRun(this.ctx, this.live, runId);
			this.statuses.forget(runId);
			return result;
		});
	}

	// ---- reading runs -------------------------------------------------------------------------

	/** CURRENT / PARTIAL / STALE against the manifest the current sources would give. */
	statusOf(run: StoredRunRow): Promise<RunStatus> {
		return this.statuses.statusOf(run);
	}

	async listRuns(): Promise<RunListItem[]> {
		await this.live.sweepInterrupted();
		const rows = await listRunRows(this.ctx.db);
		return Promise.all(
			rows.map(async (row) => {
				const live = this.live.has(row.id);
				return { run: publicRun(this.live.current(row)), status: await this.statusOf(row), review: await reviewCounts(this.ctx.db, row.id), live };
			})
		);
	}

	async getRun(runId: string, options: { records?: boolean | RecordPageQuery } = {}): Promise<RunDetail | null> {
		// A run live here needs no sweep (it is driven here) and its row is what the live run holds:
		// the view opening as a fast run starts would otherwise wait behind its batch writes.
		const live = this.live.get(runId);
		if (!live) await this.live.sweepInterrupted();
		const row = live ? live.run : await getRun(this.ctx.db, runId);
		if (!row) return null;
		const run = this.live.current(row, live);
		const page = options.records === false ? null : options.records === true || options.records === undefined ? {} : options.records;
		const records = page ? await this.recordPage(run, page) : [];
		const quality = records.length < run.counts.total ? await this.qualityOf(run, records) : undefined;
		return {
			run: publicRun(run),
			status: await this.statusOf(row),
			live: Boolean(live),
			records,
			...(quality?.length ? { quality } : {}),
			log: live ? [...live.log] : (row.log ?? [])
		};
	}

	/** The run's figures added up over every record, for a recipe whose figures have targets (seen on the page read). */
	private async qualityOf(run: StoredRunRow, page: readonly RunRecordSummary[]): Promise<RecordStat[] | undefined> {
		if (!page.some((record) => record.stats?.some((stat) => stat.target))) return undefined;
		const all = await recordsPage(this.ctx.db, run.id, { offset: 0, limit: run.counts.total });
		return runFigureStats(all);
	}

	async getRunRecords(runId: string, page: RecordPageQuery): Promise<RunRecordSummary[]> {
		const live = this.live.get(runId);
		const row = live ? live.run : await getRun(this.ctx.db, runId);
		return row ? this.recordPage(this.live.current(row, live), page) : [];
	}

	/** One page of a run's record summaries: held in memory for a run just started here, else read. */
	private async recordPage(run: StoredRunRow, page: RecordPageQuery): Promise<RunRecordSummary[]> {
		const offset = Math.max(0, page.offset ?? 0);
		const limit = Math.max(0, page.limit ?? RECORD_PAGE);
		const held = page.state ? null : this.live.get(run.id)?.held?.page(offset, limit, run.counts.total);
		if (held) return held;
		const records = await recordsPage(this.ctx.db, run.id, { ...(page.state ? { state: page.state } : {}), offset, limit });
		const samples = await sampleCountsOf(this.ctx.db, run.id, records.map((record) => record.recordIndex));
		const recipe = this.ctx.recipe(run.recipeId);
		return records.map((record) => summaryOf(record, samples.get(record.recordIndex) ?? 0, recipe));
	}

	async getRunRecord(runId: string, recordIndex: number): Promise<RunRecordDetail | null> {
		const record = await getRecord(this.ctx.db, runId, recordIndex);
		if (!record) return null;
		const samples = await samplesOfRecord(this.ctx.db, runId, recordIndex).count();
		const run = await getRun(this.ctx.db, runId);
		return { ...summaryOf(record, samples, run ? this.ctx.recipe(run.recipeId) : undefined), input: record.input, steps: record.steps };
	}

	// ---- watchers -----------------------------------------------------------------------------

	watchRuns(listener: RunListener): string {
		return this.watchers.watch(listener);
	}

	unwatchRuns(id: string): void {
		this.watchers.unwatch(id);
	}

	// ---- review and accept --------------------------------------------------------------------

	listReviewItems(runId: string, reviewState?: SampleReview): Promise<ReviewItem[]> {
		return review.listReviewItems(this.ctx, runId, reviewState);
	}

	reviewSample(id: string, reviewState: SampleReview, edited?: DraftSample['messages'] | null): Promise<ReviewItem | null> {
		return review.reviewSample(this.ctx, id, reviewState, edited);
	}

	reviewSamples(ids: string[], reviewState: SampleReview): Promise<number> {
		return review.reviewSamples(this.ctx, ids, reviewState);
	}

	restoreReviews(reviews: { id: string; review: SampleReview }[]): Promise<number> {
		return review.restoreReviews(this.ctx, reviews);
	}

	/** Copies the accepted samples not yet copied into a dataset, as entries with provenance, as one undoable step. */
	acceptSamples(runId: string, target: AcceptTarget): Promise<AcceptOutcome> {
		return this.serial(runId, () => review.acceptSamples(this.ctx, runId, target));
	}

	// ---- lifecycle ----------------------------------------------------------------------------

	/** Waits until the live run has ended (tests, and deleteRun). */
	whenSettled(runId: string): Promise<void> {
		return this.live.whenSettled(runId);
	}

	/** Stops everything without writing (the worker is going away, as on a reload). */
	dispose(): void {
		this.live.dispose();
		this.watchers.clear();
	}
}

export function runApi(db: SkeinDatabase, data: DataService, options?: RunServiceOptions) {
	const service = new RunService(db, data, options);
	return {
		listRecipes: () => service.listRecipes(),
		startRun: (request: StartRunRequest, access?: EngineAccess, remote?: RemoteEngine) => service.startRun(request, accessOf(access, remote)),
		pauseRun: (runId: string) => service.pauseRun(runId),
		resumeRun: (runId: string, access?: EngineAccess, remote?: RemoteEngine) => service.resumeRun(runId, accessOf(access, remote)),
		cancelRun: (runId: string) => service.cancelRun(runId),
		retryFailed: (runId: string, access?: EngineAccess, remote?: RemoteEngine) => service.retryFailed(runId, accessOf(access, remote)),
		rerunStale: (runId: string, access?: EngineAccess, remote?: RemoteEngine) => service.rerunStale(runId, accessOf(access, remote)),
		askAgain: (runId: string, recordIndexes: number[], access?: EngineAccess, remote?: RemoteEngine) => service.askAgain(runId, recordIndexes, accessOf(access, remote)),
		editRun: (runId: string, edit: RunEdit) => service.editRun(runId, edit),
		deleteRun: (runId: string) => service.deleteRun(runId),
		listRuns: () => service.listRuns(),
		getRun: (runId: string, options?: { records?: boolean | RecordPageQuery }) => service.getRun(runId, options),
		getRunRecords: (runId: string, page: RecordPageQuery) => service.getRunRecords(runId, page),
		getRunRecord: (runId: string, recordIndex: number) => service.getRunRecord(runId, recordIndex),
		watchRuns: (listener: (events: RunEvent[]) => void) => service.watchRuns(listener),
		unwatchRuns: (watchId: string) => service.unwatchRuns(watchId),
		listReviewItems: (runId: string, review?: SampleReview) => service.listReviewItems(runId, review),
		reviewSample: (sampleId: string, review: SampleReview, edited?: DraftSample['messages'] | null) => service.reviewSample(sampleId, review, edited),
		reviewSamples: (sampleIds: string[], review: SampleReview) => service.reviewSamples(sampleIds, review),
		restoreReviews: (reviews: { id: string; review: SampleReview }[]) => service.restoreReviews(reviews),
		acceptSamples: (runId: string, target: AcceptTarget) => service.acceptSamples(runId, target)
	};
}
