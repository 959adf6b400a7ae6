/**
 * The contract between the run service (data worker, run-service.ts) and the pages that start,
 * watch and review generation runs. Plain data only: everything here crosses Comlink.
 */
import type { RequestTally } from '../runs/request-tally';
import type { SampleMarks } from '../runs/sample-marks';
import type { RunRateLimits } from '../runtime/rate-limits';
import type { ChatRequest, ChatResponse } from './engine';
import type { RecordStat, RunSettings, DraftSample } from '../recipes/recipe';
import type { RunStatus } from '../runtime/manifest';
import type { StepRecord } from '../runtime/dispatcher';
import type { TaskNote } from '../runtime/task';
import type { EngineChoice, RunCounts, RunRecordState, RunRow, RunState, SampleReview } from './rows';

/** A recipe as the run form shows it. */
export interface RecipeInfo {
	id: string;
	label: string;
	description: string;
	output: 'entries' | 'facts';
	version: number;
}

/**
 * An engine that lives on the page (in-browser WebGPU, whose model runs in its own worker the page
 * created, and the manual engine, which needs the user), reached from the data worker through a
 * Comlink proxy. AbortSignals cannot cross Comlink, so a request carries an id and `cancel(id)`
 * interrupts it.
 */
export interface RemoteEngine {
	/**
	 * `model`: the model the run was started with (in-browser runs). The page answers only with
	 * that model loaded, checked where the answer is generated, so a model loaded meanwhile can
	 * never have its answer recorded under the run's model.
	 */
	chat(requestId: string, request: Omit<ChatRequest, 'signal'>, model?: string): Promise<ChatResponse>;
	cancel(requestId: string): void;
	/** What the page engine is: checked against the run's EngineChoice before use. */
	describe(): Promise<{ kind: EngineChoice['kind']; model: string; maxConcurrency: number; supportsJsonSchema: boolean }>;
	/**
	 * How far a request's streamed answer has got (engines that stream: the in-browser model), for
	 * the run view's live figures; null when it has not started streaming or is unknown. Polled by
	 * the data worker: a callback per token across two workers would cost more than it shows.
	 */
	progress?(requestId: string): Promise<RemoteStreamProgress | null>;
}

/** A StreamUpdate without the messages (the data worker knows which request it asked about). */
export interface RemoteStreamProgress {
	chars: number;
	chunks: number;
	startedAt: number;
	ms: number;
	firstTokenMs?: number;
}

/**
 * What a run needs at start and resume besides its stored choice; never persisted.
 *
 * Comlink makes proxies of top-level arguments only: a `Comlink.proxy(remote)` nested in this
 * object reaches the worker as a copy without methods. So pass the page engine as its own, third
 * argument: `startRun(request, { apiKey }, remote)` (likewise resumeRun / retryFailed /
 * rerunStale). A `remote` in here is used only when it is callable (same-thread callers, tests).
 */
export interface EngineAccess {
	/** The endpoint API key, read from localStorage by the page. */
	apiKey?: string;
	/** For 'webllm' and 'manual' runs, when calling in the same thread (see above). */
	remote?: RemoteEngine;
}

export interface StartRunRequest {
	recipeId: string;
	params: unknown;
	settings: RunSettings;
	engine: EngineChoice;
	/** Requests in flight; 1 for webllm and manual whatever is asked. */
	concurrency?: number;
	/** Requests / tokens per minute to keep to (a server's published limits). */
	rateLimits?: RunRateLimits;
	label?: string;
	targetDatasetId?: string;
	/**
	 * The id the run gets, chosen by the page so its page engine (the manual queue) can tag
	 * requests with it from the first one; must be new. A fresh id is made when absent.
	 */
	id?: string;
}

export type StartRunResult = { ok: true; runId: string } | { ok: false; error: string; field?: string };

/** One line of a run's live log. */
export interface RunLogLine {
	at: number;
	level: 'info' | 'warn' | 'error';
	recordIndex?: number;
	message: string;
}

/** A streamed request in flight, for the run view's per-request progress line. */
export interface LiveRequest {
	recordIndex: number;
	/** The record's label. */
	label: string;
	stepIndex: number;
	attempt: number;
	/** Content chunks received (servers send about one token per chunk). */
	tokens: number;
	/** Since the first token; null before it. */
	tokensPerSecond: number | null;
	/** Milliseconds since the request was sent. */
	ms: number;
}

/** Pushed to watchers while a run is live. */
export type RunEvent =
	| { type: 'state'; runId: string; state: RunState }
	/** Streamed requests in flight (at most a few times a second); tokensPerSecond is their sum. */
	| { type: 'requests'; runId: string; requests: LiveRequest[]; tokensPerSecond: number | null }
	/** `reading`: the run's inputs are still being read (RunRow.feed); absent for runs that read them first. */
	| { type: 'progress'; runId: string; counts: RunCounts; requestsInFlight: number; tokensPerSecond: number | null; reading?: boolean }
	| { type: 'record'; runId: string; record: RunRecordSummary }
	| { type: 'log'; runId: string; line: RunLogLine };

/** A run in the list, with its staleness computed against the current sources. */
export interface RunListItem {
	run: RunRow;
	status: RunStatus;
	/** Samples by review state. */
	review: Record<SampleReview, number>;
	/** True while a dispatcher is working on it in this worker. */
	live: boolean;
}

/** A record without its steps (the run view lists thousands). */
export interface RunRecordSummary {
	recordIndex: number;
	recordId: string;
	label: string;
	state: RunRecordState;
	stepCount: number;
	/** Answered steps the record normally needs (e.g. a chunk's iterations), when the recipe says. */
	expectedSteps?: number;
	sampleCount: number;
	notes: TaskNote[];
	error?: { type: string; message: string };
	stats?: RecordStat[];
	/** Requests sent, answered from cache, retried and why (core/runs/request-tally.ts). */
	requests: RequestTally;
}

/** Records the run view reads at a time: a run of 100k records opens on its first page. */
export const RECORD_PAGE = 100;

/** A page of a run's records: every record from position `offset`, or those in `state` after skipping `offset` of them. */
export interface RecordPageQuery {
	state?: RunRecordState;
	offset?: number;
	/** RECORD_PAGE when left out. */
	limit?: number;
}

export interface RunDetail {
	run: RunRow;
	status: RunStatus;
	live: boolean;
	/** One page of the records (the first RECORD_PAGE unless asked otherwise); `run.counts` has how many there are. */
	records: RunRecordSummary[];
	/**
	 * The records' figures added up over the whole run (recipes whose figures have targets), when it
	 * has more records than the page: the view adds up the page itself when that is all of them.
	 */
	quality?: RecordStat[];
	/** The most recent log lines (also kept across reloads). */
	log: RunLogLine[];
}

export interface RunRecordDetail extends RunRecordSummary {
	input: unknown;
	steps: StepRecord[];
}

export interface ReviewItem {
	id: string;
	runId: string;
	recordIndex: number;
	recordLabel: string;
	sampleIndex: number;
	sample: DraftSample;
	review: SampleReview;
	edited?: DraftSample['messages'];
	acceptedInto?: { datasetId: string; entryId: string; at: number };
	/** Grounding, duplicate mark and length, computed when listed (core/runs/sample-marks.ts). */
	marks?: SampleMarks;
}

export type AcceptTarget = { kind: 'existing'; datasetId: string } | { kind: 'new'; name: string };

export type AcceptOutcome = { ok: true; datasetId: string; accepted: number } | { ok: false; error: string };

/** The outcome of pause / resume / cancel / retry failed / re-run stale / edit / delete (a StartRunResult). */
export type RunActionResult = { ok: true; runId: string } | { ok: false; error: string; field?: string };

/**
 * Changes to a stopped run (not while it is live). A new model or sampling makes the run stale
 * ("The model changed from X to Y"); `rerunStale` then generates everything again with it.
 */
export interface RunEdit {
	label?: string;
	settings?: RunSettings;
	engine?: EngineChoice;
	concurrency?: number;
	/** New limits; `{}` removes them. */
	rateLimits?: RunRateLimits;
	targetDatasetId?: string;
}

/**
 * The worker API of the run service (workers/run-service.ts `runApi`), besides the names in the
 * brief: `editRun(runId, edit)` (above) and `reviewSamples(ids, review)` (one review state for
 * many samples, e.g. "accept all shown"; returns how many changed).
 */
export interface RunApi {
	listRecipes(): RecipeInfo[];
	/** `remote`: the page engine of a 'webllm' / 'manual' run, as its own argument (see EngineAccess). */
	startRun(request: StartRunRequest, access?: EngineAccess, remote?: RemoteEngine): Promise<StartRunResult>;
	pauseRun(runId: string): Promise<RunActionResult>;
	/** Resumes a paused run, or starts a new dispatcher over the records not yet done of a stopped one. */
	resumeRun(runId: string, access?: EngineAccess, remote?: RemoteEngine): Promise<RunActionResult>;
	cancelRun(runId: string): Promise<RunActionResult>;
	/** Runs the failed records again (finished steps come from the response cache). */
	retryFailed(runId: string, access?: EngineAccess, remote?: RemoteEngine): Promise<RunActionResult>;
	/** Rebuilds the inputs from the current sources and runs the records that changed. */
	rerunStale(runId: string, access?: EngineAccess, remote?: RemoteEngine): Promise<RunActionResult>;
	/** "Ask again, ignore the cache" for these ended records: a new retry round that replays nothing earlier. */
	askAgain(runId: string, recordIndexes: number[], access?: EngineAccess, remote?: RemoteEngine): Promise<RunActionResult>;
	editRun(runId: string, edit: RunEdit): Promise<RunActionResult>;
	deleteRun(runId: string): Promise<RunActionResult>;
	listRuns(): Promise<RunListItem[]>;
	/** `records`: which page of records comes with it (the first page when left out); false: none, for a view that keeps those it has. */
	getRun(runId: string, options?: { records?: boolean | RecordPageQuery }): Promise<RunDetail | null>;
	/** A further page of the run's records ("Show more"). */
	getRunRecords(runId: string, page: RecordPageQuery): Promise<RunRecordSummary[]>;
	getRunRecord(runId: string, recordIndex: number): Promise<RunRecordDetail | null>;
	/** `listener` is a Comlink proxy on the page, called with events in batches (in order); returns the id to pass to unwatchRuns. */
	watchRuns(listener: (events: RunEvent[]) => void): string;
	unwatchRuns(watchId: string): void;
	listReviewItems(runId: string, review?: SampleReview): Promise<ReviewItem[]>;
	/** `edited`: new messages; null clears an edit; undefined keeps it. */
	reviewSample(sampleId: string, review: SampleReview, edited?: DraftSample['messages'] | null): Promise<ReviewItem | null>;
	reviewSamples(sampleIds: string[], review: SampleReview): Promise<number>;
	/** Sets each sample's review to the one given (a bulk decision's undo), in one write; returns how many changed. */
	restoreReviews(reviews: { id: string; review: SampleReview }[]): Promise<number>;
	acceptSamples(runId: string, target: AcceptTarget): Promise<AcceptOutcome>;
}
