/**
 * The generation runs pages' state: the run list, one run's live view and the review queue. All
 * run work happens in the data worker (run service); these classes ask it for plain data and
 * subscribe to its pushed RunEvents. Events are batched to one update per animation frame so a
 * run answering hundreds of requests a second never floods the page.
 */
import type { RunRecordState, SampleReview } from '$lib/core/contracts/rows';
import type { CharacterSheetRow } from '$lib/core/contracts/rows';
import { dataWorker } from '$lib/workers/data-bridge';
import type {
	AcceptOutcome,
	AcceptTarget,
	EngineAccess,
	RecipeInfo,
	RemoteEngine,
	ReviewItem,
	RunDetail,
	RunEvent,
	RunActionResult,
	RunListItem,
	RunRecordDetail,
	StartRunRequest,
	StartRunResult
} from '$lib/core/contracts/run-api';
import { RECORD_PAGE } from '$lib/core/contracts/run-api';
import type { DraftSample } from '$lib/core/recipes/recipe';
import type { EngineChoice } from '$lib/core/contracts/rows';
import { applyRunEvents, type LiveFigures, type RecordWindow } from '$lib/core/runs/run-events';
import { bulkDecision, matchesReviewFilter, matchesReviewQuery, reviewQueueItems, withReviews, type ReviewFilter, type ReviewQuery, type ReviewUndo } from '$lib/core/runs/review-filter';
import { judgeAgreement, type JudgeAgreement } from '$lib/core/runs/judge-agreement';
import { onWebLLMLost, remoteEngineFor } from '$lib/engines/page-engines.svelte';
import { errorText } from './library.svelte';
import { savedEndpointKey } from './endpoint-settings.svelte';
import { liveSheets, readSheet } from './sheets.svelte';
import { liveIdentities, readAcceptedFacts, readIdentity } from './identities.svelte';
import { livePools } from './pools.svelte';

/**
 * What a run needs besides its stored choice: the endpoint key from this browser's storage, or the
 * page's own engine. Read at each start/resume, never stored with the run. The page engine goes
 * as its own argument: Comlink turns only top-level arguments into proxies, and a proxy nested in
 * `access` cannot be cloned.
 */
export function engineAccessFor(engine: EngineChoice, runId?: string): { access: EngineAccess; remote?: RemoteEngine } {
	switch (engine.kind) {
		case 'endpoint': {
			const apiKey = savedEndpointKey();
			return { access: apiKey ? { apiKey } : {} };
		}
		case 'webllm':
		case 'manual':
			return { access: {}, remote: remoteEngineFor(engine.kind, runId) };
		case 'test':
			return { access: {} };
	}
}

// The in-browser model's GPU was lost: pause the runs using it (their requests wait for a reload;
// the Engines page and the run view offer it). A run no longer running answers "not running".
onWebLLMLost((runIds) => {
	for (const runId of runIds) void dataWorker().pauseRun(runId).catch(() => undefined);
});

/** Subscribes to the worker's run events; events are handed over in batches, once per frame. */
class RunEventStream {
	#watchId: string | null = null;
	#queue: RunEvent[] = [];
	#scheduled = false;
	#closed = false;

	#lastFlush = 0;

	/**
	 * `minIntervalMs`: batches are handed over at most this often (a fast run's view re-renders a
	 * few times a second, not every frame); events are never dropped, only gathered.
	 */
	constructor(
		private readonly onBatch: (events: RunEvent[]) => void,
		private readonly minIntervalMs = 0
	) {}

	async open(): Promise<void> {
		// A plain callback: the bridge passes it by reference, so the worker calls back into the page.
		const id = await dataWorker().watchRuns((events: RunEvent[]) => {
			this.#queue.push(...events);
			this.#schedule();
		});
		if (this.#closed) void dataWorker().unwatchRuns(id);
		else this.#watchId = id;
	}

	#schedule() {
		if (this.#scheduled) return;
		this.#scheduled = true;
		const flush = () => {
			this.#scheduled = false;
			this.#lastFlush = Date.now();
			const events = this.#queue;
			this.#queue = [];
			if (!this.#closed && events.length) this.onBatch(events);
		};
		const onFrame = () => {
			if (typeof requestAnimationFrame === 'function' && typeof document !== 'undefined' && !document.hidden) requestAnimationFrame(flush);
			else setTimeout(flush, 100);
		};
		const wait = this.#lastFlush + this.minIntervalMs - Date.now();
		if (wait > 0) setTimeout(onFrame, wait);
		else onFrame();
	}

	close(): void {
		this.#closed = true;
		if (this.#watchId !== null) void dataWorker().unwatchRuns(this.#watchId);
		this.#watchId = null;
	}
}

const LIST_REFRESH_MS = 1000;
/** Bulk decisions kept for undo. */
const UNDO_DEPTH = 20;
/** A run's view takes its live events at most this often (a fast run sends hundreds a second). */
const DETAIL_REFRESH_MS = 200;

/** The run list, refreshed when any run changes state or finishes records. */
export class RunListState {
	items = $state<RunListItem[]>([]);
	/** Recipe id → label, for the list. */
	recipeLabels = $state<Record<string, string>>({});
	loaded = $state(false);
	error = $state<string | null>(null);
	#events: RunEventStream | null = null;
	#refreshing = false;
	#again = false;

	start(): () => void {
		this.#events = new RunEventStream((events) => {
			// A run's state changes show at once; its progress at most once a second (listRuns
			// computes every run's staleness, too much work for every frame of a fast run).
			if (events.some((e) => e.type === 'state')) void this.refresh();
			else if (events.some((e) => e.type === 'progress' || e.type === 'record')) this.#refreshSoon();
		});
		void this.#events.open().catch((error: unknown) => (this.error = errorText(error)));
		void this.refresh();
		void dataWorker()
			.listRecipes()
			.then((recipes) => {
				this.recipeLabels = Object.fromEntries(recipes.map((recipe) => [recipe.id, recipe.label]));
			})
			.catch(() => undefined);
		return () => {
			this.#events?.close();
			if (this.#timer) clearTimeout(this.#timer);
		};
	}

	#timer: ReturnType<typeof setTimeout> | null = null;

	#refreshSoon(): void {
		if (this.#timer) return;
		this.#timer = setTimeout(() => {
			this.#timer = null;
			void this.refresh();
		}, LIST_REFRESH_MS);
	}

	async refresh(): Promise<void> {
		// One refresh at a time; a change during one asks for one more after it.
		if (this.#refreshing) {
			this.#again = true;
			return;
		}
		this.#refreshing = true;
		try {
			do {
				this.#again = false;
				this.items = await dataWorker().listRuns();
				this.error = null;
			} while (this.#again);
		} catch (error) {
			this.error = `Could not list the runs: ${errorText(error)}`;
		} finally {
			this.#refreshing = false;
			this.loaded = true;
		}
	}

	async remove(runId: string): Promise<RunActionResult> {
		const result = await dataWorker().deleteRun(runId);
		await this.refresh();
		return result;
	}

	async rerunStale(item: RunListItem): Promise<RunActionResult> {
		const { access, remote } = engineAccessFor(item.run.engine, item.run.id);
		const result = await dataWorker().rerunStale(item.run.id, access, remote);
		await this.refresh();
		return result;
	}
}

/** One run, live: detail, per-record rows, log, speed and the actions. */
export class RunViewState {
	/** Replaced whole on every change (raw: a deep proxy over hundreds of records per update cost more than the render). */
	detail = $state.raw<RunDetail | null>(null);
	figures = $state<LiveFigures>({ requestsInFlight: 0, tokensPerSecond: null });
	loaded = $state(false);
	error = $state<string | null>(null);
	/** An action's failure (resume refused, retry refused…). */
	actionError = $state<string | null>(null);
	busy = $state(false);
	/** The recipe's name, for the heading. */
	recipeLabel = $state<string | null>(null);
	/** Expanded records: their steps, fetched on demand. */
	records = $state<Record<number, RunRecordDetail | 'loading' | null>>({});
	/** The records listed: the first `limit` (in `state`, when set), read a page at a time. */
	window = $state<RecordWindow>({ limit: RECORD_PAGE });
	#events: RunEventStream;
	/** Events that came before the run was read: applied once it is. */
	#early: RunEvent[] = [];

	constructor(readonly runId: string) {
		this.#events = new RunEventStream((events) => this.#apply(events), DETAIL_REFRESH_MS);
	}

	start(): () => void {
		void this.#events.open().catch((error: unknown) => (this.error = errorText(error)));
		void this.reload().then(async () => {
			const recipes = await dataWorker().listRecipes();
			this.recipeLabel = recipes.find((recipe) => recipe.id === this.detail?.run.recipeId)?.label ?? null;
		}).catch(() => undefined);
		return () => this.#events.close();
	}

	async reload(): Promise<void> {
		try {
			const { state, limit } = this.window;
			this.detail = await dataWorker().getRun(this.runId, { records: { ...(state ? { state } : {}), limit } });
			this.error = null;
			const early = this.#early.splice(0);
			if (early.length) this.#apply(early);
		} catch (error) {
			this.error = `Could not read the run: ${errorText(error)}`;
		} finally {
			this.loaded = true;
		}
	}

	/** Lists the records in this state (all: undefined) from the first. */
	async showState(state: RunRecordState | undefined): Promise<void> {
		this.window = { ...(state ? { state } : {}), limit: RECORD_PAGE };
		await this.#readRecords();
	}

	/** Lists one more page of records. */
	async showMore(): Promise<void> {
		this.window = { ...this.window, limit: this.window.limit + RECORD_PAGE };
		await this.#readRecords();
	}

	/** How many records the window's state has (all of them without a state). */
	get windowTotal(): number {
		const counts = this.detail?.run.counts;
		if (!counts) return 0;
		const { state } = this.window;
		return state === 'done' ? counts.done : state === 'failed' ? counts.failed : state === 'pending' ? Math.max(0, counts.total - counts.done - counts.failed) : counts.total;
	}

	async #readRecords(): Promise<void> {
		const window = this.window;
		try {
			const records = await dataWorker().getRunRecords(this.runId, { ...(window.state ? { state: window.state } : {}), limit: window.limit });
			// Another filter chosen meanwhile: its own read answers.
			if (this.window === window && this.detail) this.detail = { ...this.detail, records };
		} catch (error) {
			this.actionError = `Could not read the records: ${errorText(error)}`;
		}
	}

	#apply(events: RunEvent[]) {
		const before = this.detail;
		if (!before) {
			this.#early.push(...events);
			return;
		}
		// One pass over the batch: one copy of the records however many events came.
		const { detail, figures } = applyRunEvents(before, this.figures, events, this.window);
		let refetch = false;
		for (const event of events) {
			if (event.runId !== this.runId) continue;
			if (event.type === 'record' && this.records[event.record.recordIndex] && this.records[event.record.recordIndex] !== 'loading') void this.expand(event.record.recordIndex, true);
			if (event.type === 'state' && event.state !== 'running') refetch = true;
		}
		this.detail = detail;
		this.figures = figures;
		// A finished or paused run: the stored counts, status and `live` are the truth. Its records
		// came with the events: re-reading thousands of them would stall the page as a run ends.
		if (refetch) void this.reloadHead();
	}

	/** The run, its status and log read again; the records kept as the events left them. */
	async reloadHead(): Promise<void> {
		try {
			const head = await dataWorker().getRun(this.runId, { records: false });
			const records = this.detail?.records;
			this.detail = head && records ? { ...head, records } : head;
		} catch (error) {
			this.error = `Could not read the run: ${errorText(error)}`;
		}
	}

	async #act(action: () => Promise<RunActionResult | void>): Promise<void> {
		this.busy = true;
		this.actionError = null;
		try {
			const result = await action();
			if (result && !result.ok) this.actionError = result.error;
		} catch (error) {
			this.actionError = errorText(error);
		} finally {
			this.busy = false;
			await this.reload();
		}
	}

	pause = () => this.#act(() => dataWorker().pauseRun(this.runId));
	cancel = () => this.#act(() => dataWorker().cancelRun(this.runId));
	#withEngine(call: (access: EngineAccess, remote: RemoteEngine | undefined) => Promise<RunActionResult>): Promise<RunActionResult | void> {
		if (!this.detail) return Promise.resolve();
		const { access, remote } = engineAccessFor(this.detail.run.engine, this.runId);
		return call(access, remote);
	}

	resume = () => this.#act(() => this.#withEngine((access, remote) => dataWorker().resumeRun(this.runId, access, remote)));
	retryFailed = () => this.#act(() => this.#withEngine((access, remote) => dataWorker().retryFailed(this.runId, access, remote)));
	rerunStale = () => this.#act(() => this.#withEngine((access, remote) => dataWorker().rerunStale(this.runId, access, remote)));
	/** "Ask again, ignore the cache" for one ended record. */
	askAgain = (recordIndex: number) => this.#act(() => this.#withEngine((access, remote) => dataWorker().askAgain(this.runId, [recordIndex], access, remote)));

	async expand(recordIndex: number, refresh = false): Promise<void> {
		if (!refresh) this.records[recordIndex] = 'loading';
		try {
			this.records[recordIndex] = await dataWorker().getRunRecord(this.runId, recordIndex);
		} catch (error) {
			this.records[recordIndex] = null;
			this.actionError = `Could not read record ${recordIndex + 1}: ${errorText(error)}`;
		}
	}

	collapse(recordIndex: number): void {
		delete this.records[recordIndex];
	}
}

export type { ReviewFilter };

/**
 * The review queue of one run: one sample at a time. The run's samples are read once; a review
 * updates the one sample here from what the worker answers, so a key press never re-reads the run.
 */
export class ReviewState {
	/** Every sample of the run, in record/sample order. */
	all = $state.raw<ReviewItem[]>([]);
	filter = $state<ReviewFilter>('pending');
	query = $state.raw<ReviewQuery>({});
	/** Bulk decisions that can be taken back, the latest last. */
	undoStack = $state.raw<ReviewUndo[]>([]);
	/** A bulk decision or its undo is being written (shown on the page at once, stored a moment later). */
	bulkBusy = $state(false);
	/** The samples the filter shows, fixed while the filter stays (a reviewed sample leaves it at once). */
	items = $state.raw<ReviewItem[]>([]);
	index = $state(0);
	loaded = $state(false);
	error = $state<string | null>(null);
	detail = $state<RunDetail | null>(null);
	accepting = $state(false);
	outcome = $state<AcceptOutcome | null>(null);
	/** What the run's recipe makes: entries, or facts reviewed before a follow-up run. */
	output = $state<RecipeInfo['output']>('entries');

	constructor(readonly runId: string) {}

	get current(): ReviewItem | null {
		return this.items[this.index] ?? null;
	}

	/** Counts by review state across the whole run. */
	get counts(): Record<SampleReview, number> {
		const counts: Record<SampleReview, number> = { pending: 0, accepted: 0, rejected: 0 };
		for (const item of this.all) counts[item.review]++;
		return counts;
	}

	/** Accepted samples not yet copied into a dataset. */
	get waiting(): number {
		return this.all.filter((item) => item.review === 'accepted' && !item.acceptedInto).length;
	}

	async start(): Promise<void> {
		try {
			const [detail, recipes] = await Promise.all([dataWorker().getRun(this.runId, { records: false }), dataWorker().listRecipes()]);
			this.detail = detail;
			this.output = recipes.find((recipe) => recipe.id === detail?.run.recipeId)?.output ?? 'entries';
			await this.load();
		} catch (error) {
			this.error = errorText(error);
		} finally {
			this.loaded = true;
		}
	}

	/** Reads the run's samples again (after accepting into a dataset), keeping the current one when it is still shown. */
	async load(keepId?: string): Promise<void> {
		this.all = await dataWorker().listReviewItems(this.runId);
		this.#refilter(keepId);
	}

	#refilter(keepId?: string) {
		this.items = reviewQueueItems(this.all, this.filter, this.query);
		const at = keepId ? this.items.findIndex((item) => item.id === keepId) : -1;
		this.index = at >= 0 ? at : Math.min(this.index, Math.max(0, this.items.length - 1));
	}

	setFilter(filter: ReviewFilter): void {
		this.filter = filter;
		this.index = 0;
		this.#refilter();
	}

	/** Narrows and orders the queue (grounding, judge score, duplicate mark, chunk, length). */
	setQuery(query: ReviewQuery): void {
		this.query = query;
		this.index = 0;
		this.#refilter();
	}

	/** How the judge's verdicts agree with the decisions made so far. */
	get agreement(): JudgeAgreement {
		return judgeAgreement(this.all);
	}

	/**
	 * Accepts or rejects every sample the queue shows (state filter and query) in one write, as one
	 * step `undo` takes back, restoring each sample's decision exactly as it was.
	 */
	async decideShown(review: SampleReview): Promise<number> {
		const count = this.items.length;
		const { ids, undo } = bulkDecision(this.items, review, `${review === 'accepted' ? 'Accept' : 'Reject'} ${count} shown sample${count === 1 ? '' : 's'}`);
		if (!ids.length) return 0;
		this.#applyReviews(ids.map((id) => ({ id, review })));
		this.bulkBusy = true;
		try {
			await dataWorker().reviewSamples(ids, review);
		} catch (error) {
			await this.load().catch(() => undefined);
			throw error;
		} finally {
			this.bulkBusy = false;
		}
		this.undoStack = [...this.undoStack.slice(-(UNDO_DEPTH - 1)), undo];
		return ids.length;
	}

	/** Takes back the last bulk decision: every sample it changed gets its earlier review again. */
	async undo(): Promise<number> {
		const last = this.undoStack[this.undoStack.length - 1];
		if (!last) return 0;
		this.undoStack = this.undoStack.slice(0, -1);
		this.#applyReviews(last.previous);
		this.bulkBusy = true;
		try {
			return await dataWorker().restoreReviews(last.previous);
		} catch (error) {
			this.undoStack = [...this.undoStack, last];
			await this.load().catch(() => undefined);
			throw error;
		} finally {
			this.bulkBusy = false;
		}
	}

	/** Sets reviews on the page in one pass (thousands at once), keeping the queue's filter and order. */
	#applyReviews(reviews: readonly { id: string; review: SampleReview }[]): void {
		const current = this.current?.id;
		this.all = withReviews(this.all, reviews);
		this.#refilter(current);
	}

	next(): void {
		if (this.index < this.items.length - 1) this.index++;
	}

	previous(): void {
		if (this.index > 0) this.index--;
	}

	/**
	 * Sets the current sample's review state (with an edit when given) and moves on. In a filtered
	 * queue the sample leaves the list, so the next one takes its place.
	 */
	async review(review: SampleReview, edited?: DraftSample['messages']): Promise<void> {
		const item = this.current;
		if (!item) return;
		// Applied and moved on at once, before the worker answers: a reviewer pressing A A R quickly
		// reviews three samples, not the same one three times.
		this.#replace(item.id, { ...item, review, ...(edited ? { edited } : {}) }, true);
		let updated: ReviewItem | null | undefined;
		try {
			updated = await dataWorker().reviewSample(item.id, review, edited);
		} catch (error) {
			// Not stored: show what is stored again, then report.
			await this.load(item.id).catch(() => undefined);
			throw error;
		}
		if (updated) this.#replace(item.id, { ...updated, ...(item.marks ? { marks: item.marks } : {}) }, false);
	}

	#replace(id: string, updated: ReviewItem, advance: boolean): void {
		this.all = this.all.map((other) => (other.id === id ? updated : other));
		if (!matchesReviewFilter(updated, this.filter) || !matchesReviewQuery(updated, this.query)) {
			this.items = this.items.filter((other) => other.id !== id);
			this.index = Math.min(this.index, Math.max(0, this.items.length - 1));
		} else {
			this.items = this.items.map((other) => (other.id === id ? updated : other));
			if (advance) this.next();
		}
	}

	/**
	 * While the run is live its new samples join the queue: finished records are re-read at most
	 * once a second (the current sample stays current). Returns the unsubscribe.
	 */
	watch(): () => void {
		let timer: ReturnType<typeof setTimeout> | null = null;
		const events = new RunEventStream((batch) => {
			if (timer || !batch.some((e) => e.runId === this.runId && (e.type === 'record' || e.type === 'state'))) return;
			timer = setTimeout(() => {
				timer = null;
				void this.load(this.current?.id).catch((error: unknown) => (this.error = errorText(error)));
			}, LIST_REFRESH_MS);
		});
		void events.open().catch((error: unknown) => (this.error = errorText(error)));
		return () => {
			events.close();
			if (timer) clearTimeout(timer);
		};
	}

	/** One record's steps as sent and answered, for the sample on screen. */
	record(recordIndex: number) {
		return dataWorker().getRunRecord(this.runId, recordIndex);
	}

	/** The structure analysis of the dataset the accepted samples went into, for its quality checklist. */
	analyzeDataset(datasetId: string) {
		return dataWorker().analyzeStructure(datasetId);
	}

	async accept(target: AcceptTarget): Promise<void> {
		this.accepting = true;
		this.outcome = null;
		try {
			this.outcome = await dataWorker().acceptSamples(this.runId, target);
			await this.load(this.current?.id);
		} catch (error) {
			this.outcome = { ok: false, error: errorText(error) };
		} finally {
			this.accepting = false;
		}
	}
}

/** The run form's lists: recipes from the worker, the sources from the database, live. */
export class RunSourcesState {
	recipes = $state<RecipeInfo[]>([]);
	recipesError = $state<string | null>(null);
	runs = $state<RunListItem[]>([]);
	readonly sheets = liveSheets();
	readonly identities = liveIdentities();
	readonly pools = livePools();

	start(): () => void {
		const stops = [this.sheets.start(), this.identities.start(), this.pools.start()];
		void dataWorker()
			.listRecipes()
			.then((recipes) => (this.recipes = recipes))
			.catch((error: unknown) => (this.recipesError = errorText(error)));
		void dataWorker()
			.listRuns()
			.then((runs) => (this.runs = runs))
			.catch(() => undefined);
		return () => stops.forEach((stop) => stop());
	}

	/** A sheet's chunks, for the chunk subset. */
	sheet(id: string): Promise<CharacterSheetRow | undefined> {
		return readSheet(id);
	}

	/** An identity document as stored, for the identity recipes' prompt previews. */
	identity(id: string) {
		return readIdentity(id);
	}

	/** A fact run's accepted facts, in the order a Q&A run asks about them. */
	acceptedFacts(runId: string) {
		return readAcceptedFacts(runId);
	}

	/** Finished fact-extraction runs with accepted facts. */
	factRuns(identityId?: string): RunListItem[] {
		return this.runs.filter(
			(item) =>
				item.run.recipeId === 'identity-facts' &&
				item.run.state === 'done' &&
				item.review.accepted > 0 &&
				(!identityId || (item.run.params as { identityId?: string } | null)?.identityId === identityId)
		);
	}
}

/**
 * Starts a run. The page names the run, so a manual run's requests carry its id from the first
 * one and show only in that run's view.
 */
export function startRun(request: StartRunRequest): Promise<StartRunResult> {
	const id = request.id ?? `run-${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
	const { access, remote } = engineAccessFor(request.engine, id);
	request = { ...request, id };
	return dataWorker().startRun(request, access, remote);
}
