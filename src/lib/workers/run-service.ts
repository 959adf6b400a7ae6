/**
 * Generation runs, worker side (no Comlink): runs a recipe's task on the dispatcher in the data
 * worker, persisting every step as it completes, so a run survives a reload and resumes without
 * paying twice (the response cache answers the steps already answered). Pause, resume, cancel,
 * "retry failed only", staleness against the current sources, review, and "accept into a dataset"
 * with provenance (SPEC §8.2). `runApi` below is spread into the worker's API; the types it speaks
 * are in core/contracts/run-api.ts.
 *
 * Secrets: an endpoint's API key arrives with each start/resume (EngineAccess) and lives only in
 * the engine object of the live run; nothing here writes it, logs it or puts it in an error.
 */
import { hashMessages } from '$lib/core/hash';
import type { Entry } from '$lib/core/model';
import { mulberry32 } from '$lib/core/random';
import type { AnyRecipe, DraftSample, PreparedRun, RecordStat, ResolvedSources, RunSettings, SourceRef } from '$lib/core/recipes/recipe';
import { isJudgeRequest, rehearseJudge } from '$lib/core/recipes/judge';
import { planPoolSample } from '$lib/core/recipes/prompt-pool';
import { RECIPES } from '$lib/core/recipes/registry';
import type { PromptPoolSample, Stratum } from '$lib/core/recipes/sources';
import { Dispatcher, type DispatchEvent, type InputRecord, type RunResult, type StepRecord } from '$lib/core/runtime/dispatcher';
import { buildManifest, compareManifests, hashValue, runStatus, type ManifestChange, type RunManifest, type RunStatus } from '$lib/core/runtime/manifest';
import type { RetryPolicy } from '$lib/core/runtime/retry';
import { seededRandom, type Task, type TaskNote } from '$lib/core/runtime/task';
import type { SkeinDatabase } from '$lib/db/database';
import { IndexedDbResponseCache } from '$lib/db/response-cache-repo';
import {
	createRun,
	deleteRun as deleteRunRows,
	emptyCounts,
	endRecord,
	getRecord,
	getRun,
	getSample,
	listRecords,
	listRunRows,
	listSamples,
	markAccepted,
	putSamples,
	recordsInState,
	replaceRecords,
	resetRecords,
	reviewCounts,
	sampleId,
	samplesOfRecord,
	trimLog,
	updateRun,
	type RunUsage,
	type StoredRecordRow,
	type StoredRunRow
} from '$lib/db/runs-repo';
import type { EngineChoice, PromptPoolRow, RunCounts, RunRecordRow, RunRow, RunSampleRow, RunState, SampleReview } from '$lib/core/contracts/rows';
import { EndpointEngine } from '$lib/engines/endpoint-engine';
import { abortedError, EngineError, type ChatRequest, type ChatResponse, type Engine, type Sampling } from '$lib/core/contracts/engine';
import { TestEngine } from '$lib/engines/test-engine';
import { addEntriesAsOneStep } from './add-entries';
import type { DataService } from './data-service';
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
	RunListItem,
	RunLogLine,
	RunRecordDetail,
	RunRecordSummary,
	StartRunRequest,
	StartRunResult
} from '$lib/core/contracts/run-api';

/** The tag every sample of a run on the rehearsal (test) engine gets. */
export const REHEARSAL_TAG = 'rehearsal';
const DEFAULT_CONCURRENCY = 4;
/** How often a live run's row (usage figures, log, heartbeat) is rewritten while steps complete. */
const RUN_FLUSH_MS = 1000;

export interface RunServiceOptions {
	recipes?: readonly AnyRecipe[];
	/** Retry policy of the dispatcher (tests shorten the backoff). */
	retry?: Partial<RetryPolicy>;
	/**
	 * Builds the engine of 'test' runs from the recipe's rehearsal answer; the default is the
	 * rehearsal engine with the choice's delay/failEvery/badJsonEvery. Tests script failures here.
	 */
	testEngine?: (choice: Extract<EngineChoice, { kind: 'test' }>, reply: (request: ChatRequest, random: number) => string) => Engine;
	/** For endpoint engines (tests). */
	fetch?: typeof fetch;
	now?: () => number;
	/** How often a live run's row says it is alive. */
	heartbeatMs?: number;
	/** A running/paused run whose heartbeat is older than this, and not live here, was left by a closed tab. */
	abandonedAfterMs?: number;
	/** Minimum time between progress events of one run. */
	progressIntervalMs?: number;
	/** How long a run's computed staleness is reused (ms). */
	statusTtlMs?: number;
}

type Listener = (event: RunEvent) => unknown;

interface LiveRun {
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
	/** A pending write of the run row's usage figures and log (flushRunSoon). */
	flushTimer: ReturnType<typeof setTimeout> | null;
}

type EngineResult = { ok: true; engine: Engine } | { ok: false; error: string };

interface Resolved {
	sources: ResolvedSources;
	/** Sources that no longer exist, as manifest changes ("… was deleted"). */
	missing: ManifestChange[];
	names: Record<string, string>;
	/** Worth a line in the run's log (how a pool sample differs from its mix). */
	notes: string[];
}

const SOURCE_NOUNS: Record<SourceRef['kind'], string> = {
	sheet: 'character sheet',
	identity: 'identity document',
	pool: 'prompt pool',
	dataset: 'dataset',
	facts: 'fact run'
};

/** The model a choice names (manifest and provenance). */
export function modelOf(choice: EngineChoice): string {
	switch (choice.kind) {
		case 'test':
			return 'rehearsal';
		case 'endpoint':
			return choice.model;
		case 'webllm':
			return choice.modelId;
		case 'manual':
			return 'manual';
	}
}

/** Only the fields an EngineChoice has: whatever else the page sent (a key by mistake) is dropped. */
export function cleanChoice(choice: EngineChoice): EngineChoice {
	const label = String(choice.label ?? '');
	switch (choice.kind) {
		case 'test': {
			const options: { delayMs?: number; failEvery?: number; badJsonEvery?: number } = {};
			for (const key of ['delayMs', 'failEvery', 'badJsonEvery'] as const) {
				const value = choice.options?.[key];
				if (typeof value === 'number' && Number.isFinite(value) && value > 0) options[key] = Math.floor(value);
			}
			return { kind: 'test', label: label || 'Rehearsal', ...(Object.keys(options).length ? { options } : {}) };
		}
		case 'endpoint':
			return { kind: 'endpoint', label: label || choice.model, baseUrl: String(choice.baseUrl).trim(), model: String(choice.model).trim() };
		case 'webllm':
			return { kind: 'webllm', label: label || choice.modelId, modelId: String(choice.modelId) };
		case 'manual':
			return { kind: 'manual', label: label || 'Manual' };
	}
}

/**
 * A run's manifest with what manifest.ts does not hash: who serves the model (an endpoint's base
 * URL: the same model name at another provider may answer differently) and the seed. Runs stored
 * before these were added have neither, and are not called stale for them.
 */
type StoredManifest = RunManifest & { provider?: string; seed?: number };

function providerOf(choice: EngineChoice): string {
	return choice.kind === 'endpoint' ? choice.baseUrl.trim().replace(/\/+$/, '') : choice.kind;
}

/** What compareManifests does not see: the provider, the seed, an edited record limit. */
function settingsChanges(stored: StoredManifest, current: StoredManifest): { changes: ManifestChange[]; everything: boolean } {
	const changes: ManifestChange[] = [];
	let everything = false;
	if (stored.provider !== undefined && current.provider !== undefined && stored.provider !== current.provider && stored.modelLabel === current.modelLabel) {
		changes.push({ kind: 'model', reason: `The provider changed from ${stored.provider} to ${current.provider}.` });
		everything = true;
	}
	if (stored.seed !== undefined && current.seed !== undefined && stored.seed !== current.seed) {
		changes.push({ kind: 'params', reason: `The seed changed from ${stored.seed} to ${current.seed}.` });
		everything = true;
	}
	// An edited limit changes which records the run covers (a re-run runs the ones it now includes).
	const covered = (manifest: RunManifest) => (manifest.partial && manifest.limit !== undefined ? manifest.limit : manifest.inputCount);
	if (stored.limit !== current.limit && covered(stored) !== covered(current)) {
		changes.push({ kind: 'inputs', reason: `The record limit changed from ${stored.limit ?? 'none'} to ${current.limit ?? 'none'}.` });
	}
	return { changes, everything };
}

function manifestModel(choice: EngineChoice, settings: RunSettings): { engineId: string; model: string; sampling: Sampling } {
	return { engineId: choice.kind, model: modelOf(choice), sampling: settings.sampling };
}

/** The cache identity of the model: which backend answers, never who pays. */
function modelKeyOf(choice: EngineChoice, recipe: AnyRecipe): string {
	switch (choice.kind) {
		case 'test':
			return `test:rehearsal:${recipe.id}@${recipe.version}`;
		case 'endpoint':
			return `endpoint:${choice.baseUrl}:${choice.model}`;
		case 'webllm':
			return `webllm:${choice.modelId}`;
		case 'manual':
			return 'manual';
	}
}

/**
 * The rehearsal engine: a TestEngine answering with the recipe's canned answers, which can be made
 * to fail every Nth request (a retryable 503) or answer unparsable JSON every Nth time, to see
 * retries and error records without a model.
 */
export class RehearsalEngine implements Engine {
	readonly id = 'test:rehearsal';
	readonly label: string;
	readonly kind = 'test' as const;
	readonly maxConcurrency = 64;
	readonly supportsJsonSchema = true;
	readonly inner: TestEngine;
	private calls = 0;
	private replies = 0;

	constructor(
		choice: Extract<EngineChoice, { kind: 'test' }>,
		reply: (request: ChatRequest, random: number) => string
	) {
		this.label = choice.label;
		const badJsonEvery = choice.options?.badJsonEvery ?? 0;
		this.failEvery = choice.options?.failEvery ?? 0;
		this.inner = new TestEngine({
			id: this.id,
			label: choice.label,
			model: 'rehearsal',
			delayMs: choice.options?.delayMs ?? 0,
			defaultReply: (request, random) => {
				this.replies++;
				if (badJsonEvery > 0 && this.replies % badJsonEvery === 0) return '{"answer": "unterminated';
				return reply(request, random);
			}
		});
	}

	private readonly failEvery: number;

	async chat(request: ChatRequest): Promise<ChatResponse> {
		this.calls++;
		if (request.signal?.aborted) throw abortedError();
		if (this.failEvery > 0 && this.calls % this.failEvery === 0) {
			throw new EngineError('http', `HTTP 503 Service Unavailable (rehearsal: every ${this.failEvery}th request fails)`, { status: 503, retryAfterMs: 100 });
		}
		return this.inner.chat(request);
	}
}

/** An error that crossed Comlink loses its class: make it an EngineError the dispatcher can classify. */
function asEngineError(error: unknown): EngineError {
	if (error instanceof EngineError) return error;
	const value = (error ?? {}) as { message?: unknown; kind?: unknown; status?: unknown; retryAfterMs?: unknown };
	const message = typeof value.message === 'string' ? value.message : String(error);
	const kinds = ['network', 'timeout', 'http', 'aborted', 'unavailable', 'bad-response'];
	const kind = typeof value.kind === 'string' && kinds.includes(value.kind) ? (value.kind as EngineError['kind']) : 'unavailable';
	return new EngineError(kind, message, {
		...(typeof value.status === 'number' ? { status: value.status } : {}),
		...(typeof value.retryAfterMs === 'number' ? { retryAfterMs: value.retryAfterMs } : {})
	});
}

/**
 * A page engine (web-llm's worker, the manual engine) behind the Engine interface: each call gets
 * a request id, and an abort becomes `remote.cancel(id)` (AbortSignals cannot cross Comlink).
 */
export class RemoteEngineAdapter implements Engine {
	readonly maxConcurrency = 1;
	private counter = 0;

	constructor(
		private readonly remote: RemoteEngine,
		readonly id: string,
		readonly label: string,
		readonly kind: 'webllm' | 'manual',
		readonly supportsJsonSchema: boolean,
		/** For 'webllm': the model the run was started with; a request never goes to another one. */
		private readonly expectedModel?: string
	) {}

	async chat(request: ChatRequest): Promise<ChatResponse> {
		const { signal, ...rest } = request;
		if (signal?.aborted) throw abortedError();
		if (this.expectedModel !== undefined) {
			// The user may load another model on the Engines page while the run goes: its answers
			// would be recorded under the wrong model. One round trip per request, against seconds of generation.
			const described = await this.remote.describe().catch(() => null);
			if (!described || described.model !== this.expectedModel) {
				throw new EngineError('unavailable', `This run uses ${this.expectedModel}, but ${described?.model || 'no model'} is loaded now. Load ${this.expectedModel} on the Engines page, then retry the failed records.`);
			}
		}
		const requestId = `${this.id}#${Date.now().toString(36)}-${++this.counter}`;
		const onAbort = () => {
			try {
				void Promise.resolve(this.remote.cancel(requestId)).catch(() => undefined);
			} catch {
				// The page is gone: nothing to cancel.
			}
		};
		// An abort ends the wait at once: a page that is gone never answers, nor rejects on cancel.
		let stop: (error: unknown) => void = () => undefined;
		const aborted = new Promise<never>((_, reject) => (stop = reject));
		const abort = () => {
			onAbort();
			stop(abortedError());
		};
		signal?.addEventListener('abort', abort, { once: true });
		try {
			return await Promise.race([this.remote.chat(requestId, rest), aborted]);
		} catch (error) {
			if (signal?.aborted) throw abortedError();
			throw asEngineError(error);
		} finally {
			signal?.removeEventListener('abort', abort);
		}
	}
}

/**
 * Web Locks, where the context has them (browsers, workers included): a live run holds the lock
 * `skein-run:<id>` until it ends, and the lock goes with the worker that held it, so another tab
 * can tell at once whether a 'running' run is still driven somewhere. Node has no locks: the
 * heartbeat alone decides there.
 */
interface LockManagerLike {
	request(name: string, callback: () => Promise<void>): Promise<void>;
	query(): Promise<{ held?: { name?: string }[] }>;
}
function lockManager(): LockManagerLike | null {
	const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
	return locks && typeof locks.request === 'function' && typeof locks.query === 'function' ? locks : null;
}
const runLockName = (runId: string) => `skein-run:${runId}`;

function newRunId(now: number): string {
	return `run-${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

function publicRun(run: StoredRunRow): RunRow {
	// eslint-disable-next-line @typescript-eslint/no-unused-vars
	const { log, heartbeatAt, sourceNames, ...rest } = run;
	return rest;
}

function usageOf(counts: RunCounts): RunUsage {
	return { engineCalls: counts.engineCalls, cacheHits: counts.cacheHits, promptTokens: counts.promptTokens, completionTokens: counts.completionTokens, engineMs: counts.engineMs };
}

/** What the recipe expects a record to take, or nothing when it does not say (or cannot read the input). */
function expectedStepsOf(recipe: AnyRecipe | undefined, input: unknown): number | undefined {
	try {
		const steps = recipe?.expectedSteps?.(input);
		return typeof steps === 'number' && Number.isFinite(steps) && steps > 0 ? steps : undefined;
	} catch {
		return undefined;
	}
}

function summaryOf(record: RunRecordRow, sampleCount: number, recipe?: AnyRecipe): RunRecordSummary {
	const expectedSteps = expectedStepsOf(recipe, record.input);
	return {
		recordIndex: record.recordIndex,
		recordId: record.recordId,
		label: record.label,
		state: record.state,
		stepCount: record.steps.length,
		...(expectedSteps !== undefined ? { expectedSteps } : {}),
		sampleCount,
		notes: record.notes,
		...(record.error ? { error: record.error } : {}),
		...(record.stats ? { stats: record.stats } : {})
	};
}

/** The text of an accepted fact: the reviewer's edit when there is one. */
function factText(row: RunSampleRow): string {
	if (row.edited?.length) return row.edited[row.edited.length - 1].content.trim();
	const fact = row.sample.meta.fact;
	if (typeof fact === 'string') return fact;
	return row.sample.messages[row.sample.messages.length - 1]?.content ?? '';
}

function validateSettings(settings: RunSettings): { error: string; field: string } | null {
	if (!settings || typeof settings !== 'object') return { error: 'Run settings are missing.', field: 'settings' };
	const sampling = settings.sampling;
	if (!sampling || !Number.isInteger(sampling.max_tokens) || sampling.max_tokens < 1) return { error: 'Max tokens must be a whole number of at least 1.', field: 'settings.sampling.max_tokens' };
	if (sampling.temperature !== undefined && !(sampling.temperature >= 0 && sampling.temperature <= 2)) return { error: 'Temperature must be between 0 and 2.', field: 'settings.sampling.temperature' };
	if (sampling.top_p !== undefined && !(sampling.top_p > 0 && sampling.top_p <= 1)) return { error: 'Top-p must be above 0 and at most 1.', field: 'settings.sampling.top_p' };
	if (!Number.isFinite(settings.seed)) return { error: 'The seed must be a number.', field: 'settings.seed' };
	if (settings.limit !== undefined && !(Number.isInteger(settings.limit) && settings.limit >= 1)) return { error: 'The limit must be a whole number of at least 1.', field: 'settings.limit' };
	return null;
}

function validateChoice(choice: EngineChoice): { error: string; field: string } | null {
	if (!choice || typeof choice !== 'object') return { error: 'Choose an engine.', field: 'engine' };
	if (choice.kind === 'endpoint') {
		if (!/^https?:\/\/\S+$/i.test(choice.baseUrl)) return { error: 'The endpoint needs a base URL starting with http:// or https://.', field: 'engine.baseUrl' };
		if (!choice.model) return { error: 'The endpoint needs a model name.', field: 'engine.model' };
	}
	if (choice.kind === 'webllm' && !choice.modelId) return { error: 'Choose an in-browser model.', field: 'engine.modelId' };
	if (!['test', 'endpoint', 'webllm', 'manual'].includes(choice.kind)) return { error: 'Unknown engine.', field: 'engine.kind' };
	return null;
}

/**
 * What to do about a record an endpoint failed, added to its error: the engine's message says what
 * happened, not where to fix it.
 */
export function failureHint(type: string, engineKind: EngineChoice['kind']): string | null {
	if (engineKind !== 'endpoint') return null;
	if (type === 'http-401' || type === 'http-403') return 'Check the API key on the Engines page, then retry the failed records.';
	if (type === 'http-404') return 'Check the base URL (it usually ends in /v1) and the model name, then retry the failed records.';
	if (type === 'network' || type === 'timeout') return 'When the endpoint answers again, retry the failed records.';
	return null;
}

/** The task of a record this dispatcher only passes over (it asks nothing). */
// eslint-disable-next-line require-yield
async function* noSamples(): AsyncGenerator<never, null, unknown> {
	return null;
}

export class RunService {
	private readonly recipes: readonly AnyRecipe[];
	private readonly live = new Map<string, LiveRun>();
	private readonly listeners = new Map<string, Listener>();
	private readonly cache: IndexedDbResponseCache;
	private readonly now: () => number;
	private heartbeat: ReturnType<typeof setInterval> | null = null;
	private readonly statuses = new Map<string, { key: string; at: number; status: RunStatus }>();
	private listenerCounter = 0;
	/** The tail of each run's chain of actions (see `serial`). */
	private readonly actions = new Map<string, Promise<unknown>>();

	constructor(
		private readonly db: SkeinDatabase,
		private readonly data: DataService,
		private readonly options: RunServiceOptions = {}
	) {
		this.recipes = options.recipes ?? RECIPES;
		this.now = options.now ?? Date.now;
		this.cache = new IndexedDbResponseCache(db, this.now);
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

	// ---- recipes, sources, engines ------------------------------------------------------------

	listRecipes(): RecipeInfo[] {
		return this.recipes.map((recipe) => ({ id: recipe.id, label: recipe.label, description: recipe.description, output: recipe.output ?? 'entries', version: recipe.version }));
	}

	private recipe(id: string): AnyRecipe | undefined {
		return this.recipes.find((recipe) => recipe.id === id);
	}

	/** Loads the sources the params name; those that no longer exist are listed, not thrown. */
	private async resolve(recipe: AnyRecipe, params: unknown, settings: RunSettings, knownNames: Record<string, string> = {}): Promise<Resolved> {
		const sources: ResolvedSources = { sheets: {}, identities: {}, pools: {}, entries: {}, facts: {} };
		const missing: ManifestChange[] = [];
		const names: Record<string, string> = {};
		const notes: string[] = [];
		const gone = (ref: SourceRef) => {
			const key = `${ref.kind}:${ref.id}`;
			const name = knownNames[key] ?? ref.id;
			missing.push({ kind: 'document-removed', name, reason: `The ${SOURCE_NOUNS[ref.kind]} "${name}" was deleted.` });
		};
		for (const ref of recipe.sources(params)) {
			const key = `${ref.kind}:${ref.id}`;
			if (ref.kind === 'sheet') {
				const row = await this.db.characterSheets.get(ref.id);
				if (!row) {
					gone(ref);
					continue;
				}
				// eslint-disable-next-line @typescript-eslint/no-unused-vars
				const { updatedAt, ...sheet } = row;
				sources.sheets[ref.id] = sheet;
				names[key] = row.name;
			} else if (ref.kind === 'identity') {
				const row = await this.db.identityDocuments.get(ref.id);
				if (!row) {
					gone(ref);
					continue;
				}
				sources.identities[ref.id] = row;
				names[key] = row.name;
			} else if (ref.kind === 'pool') {
				const pool = await this.db.promptPools.get(ref.id);
				if (!pool) {
					gone(ref);
					continue;
				}
				sources.pools[ref.id] = await this.samplePool(pool, params, settings, notes);
				names[key] = pool.name;
			} else if (ref.kind === 'dataset') {
				const dataset = await this.db.datasets.get(ref.id);
				if (!dataset || dataset.status !== 'ready') {
					gone(ref);
					continue;
				}
				sources.entries[ref.id] = await this.entriesOf(ref.id, dataset.entryCount, ref.entryIds);
				names[key] = dataset.name;
			} else if (ref.kind === 'facts') {
				const run = await getRun(this.db, ref.id);
				if (!run) {
					gone(ref);
					continue;
				}
				sources.facts[ref.id] = (await listSamples(this.db, ref.id, 'accepted')).map(factText).filter((fact) => fact.length > 0);
				names[key] = run.label;
			}
		}
		return { sources, missing, names, notes };
	}

	/**
	 * The items of a pool a run uses: a seeded stratified sample planned from the pool's counts
	 * per rating (params `n` and `mix`, seeded by the run seed), then only the chosen rows read,
	 * by [poolId+rating+ordinal]. The plan's notes (short strata, a pool smaller than n) go to the log.
	 */
	private async samplePool(pool: PromptPoolRow, params: unknown, settings: RunSettings, notes: string[]): Promise<PromptPoolSample> {
		const asked = params as { n?: unknown; mix?: unknown };
		const n = typeof asked.n === 'number' && asked.n > 0 ? asked.n : pool.count;
		const mix = Array.isArray(asked.mix) ? (asked.mix as Stratum[]) : [];
		const plan = planPoolSample(pool.ratingCounts, mix, n, settings.seed);
		for (const note of plan.notes) notes.push(`Prompt pool "${pool.name}": ${note}`);
		const keys = plan.picks.map((pick) => [pool.id, pick.rating ?? -1, pick.ordinal] as [string, number, number]);
		const rows = keys.length ? await this.db.promptPoolItems.where('[poolId+rating+ordinal]').anyOf(keys).toArray() : [];
		const byKey = new Map(rows.map((row) => [`${row.rating}:${row.ordinal}`, row]));
		const items = plan.picks.flatMap((pick) => {
			const row = byKey.get(`${pick.rating ?? -1}:${pick.ordinal}`);
			return row ? [{ index: row.index, text: row.text, rating: row.rating === -1 ? null : row.rating }] : [];
		});
		return { poolId: pool.id, name: pool.name, items };
	}

	/** Dataset entries through the data service, by id (in the order asked) or all of them. */
	private async entriesOf(datasetId: string, entryCount: number, entryIds?: string[]): Promise<Entry[]> {
		const wanted = entryIds ? new Set(entryIds) : null;
		const found = new Map<string, Entry>();
		const all: Entry[] = [];
		for (let start = 0; start < entryCount; start += 1000) {
			const page = await this.data.getPage(datasetId, start, Math.min(1000, entryCount - start));
			for (const entry of page.entries) {
				if (!wanted) all.push(entry);
				else if (wanted.has(entry.id)) found.set(entry.id, entry);
			}
			if (wanted && found.size === wanted.size) break;
		}
		if (!entryIds) return all;
		return entryIds.flatMap((id) => (found.has(id) ? [found.get(id) as Entry] : []));
	}

	private async engineFor(run: StoredRunRow, recipe: AnyRecipe, access: EngineAccess = {}): Promise<EngineResult> {
		const choice = run.engine;
		if (choice.kind === 'test') {
			// Judge requests get a verdict whichever recipe asked (the registry's recipes route them too).
			const reply = (request: ChatRequest, random: number) => {
				const seeded = mulberry32(Math.floor(random * 2 ** 32));
				return isJudgeRequest(request) ? rehearseJudge(request, seeded) : recipe.rehearse(request, seeded);
			};
			return { ok: true, engine: this.options.testEngine?.(choice, reply) ?? new RehearsalEngine(choice, reply) };
		}
		if (choice.kind === 'endpoint') {
			return {
				ok: true,
				engine: new EndpointEngine({
					baseUrl: choice.baseUrl,
					model: choice.model,
					label: choice.label,
					maxConcurrency: run.concurrency,
					...(access.apiKey ? { apiKey: access.apiKey } : {}),
					...(this.options.fetch ? { fetch: this.options.fetch } : {})
				})
			};
		}
		const missing = choice.kind === 'webllm' ? `Load the model ${choice.modelId} on the Engines page, then resume.` : 'Open the manual engine on the run page, then resume.';
		if (!access.remote) return { ok: false, error: missing };
		let described: Awaited<ReturnType<RemoteEngine['describe']>>;
		try {
			described = await access.remote.describe();
		} catch {
			return { ok: false, error: missing };
		}
		if (described.kind !== choice.kind || (choice.kind === 'webllm' && described.model !== choice.modelId)) {
			return { ok: false, error: choice.kind === 'webllm' ? `This run uses ${choice.modelId}, but ${described.model || 'another model'} is loaded. ${missing}` : missing };
		}
		return {
			ok: true,
			engine: new RemoteEngineAdapter(access.remote, modelKeyOf(choice, recipe), choice.label, choice.kind, described.supportsJsonSchema, choice.kind === 'webllm' ? choice.modelId : undefined)
		};
	}

	private prepare(recipe: AnyRecipe, params: unknown, sources: ResolvedSources, settings: RunSettings): { ok: true; prepared: PreparedRun<unknown> } | { ok: false; error: string } {
		try {
			// The service applies the limit (after preparing): a recipe that applied it too would give
			// a manifest of the limited set, and the run would never be called partial.
			// eslint-disable-next-line @typescript-eslint/no-unused-vars
			const { limit, ...unlimited } = settings;
			const prepared = recipe.prepare(params, sources, unlimited);
			const ids = new Set<string>();
			for (const input of prepared.inputs) {
				if (ids.has(input.id)) return { ok: false, error: `The recipe produced two input records with the id "${input.id}".` };
				ids.add(input.id);
			}
			return { ok: true, prepared };
		} catch (error) {
			return { ok: false, error: error instanceof Error ? error.message : String(error) };
		}
	}

	private manifestOf(run: Pick<RunRow, 'recipeId' | 'params' | 'engine' | 'settings'>, prepared: PreparedRun<unknown>): StoredManifest {
		const manifest = buildManifest({
			recipeId: run.recipeId,
			definition: prepared.definition,
			params: run.params,
			documents: prepared.documents,
			model: manifestModel(run.engine, run.settings),
			inputs: prepared.inputs,
			...(run.settings.limit !== undefined ? { limit: run.settings.limit } : {})
		});
		return { ...manifest, provider: providerOf(run.engine), seed: run.settings.seed };
	}

	// ---- starting and driving runs ------------------------------------------------------------

	async startRun(request: StartRunRequest, access: EngineAccess = {}): Promise<StartRunResult> {
		const recipe = this.recipe(request.recipeId);
		if (!recipe) return { ok: false, error: `There is no recipe "${request.recipeId}".`, field: 'recipeId' };
		const parsed = recipe.params.safeParse(request.params);
		if (!parsed.success) {
			const issue = parsed.error.issues[0];
			const path = issue.path.map(String).join('.');
			return { ok: false, error: path ? `${path}: ${issue.message}` : issue.message, field: path ? `params.${path}` : 'params' };
		}
		const settingsProblem = validateSettings(request.settings);
		if (settingsProblem) return { ok: false, ...settingsProblem };
		const choiceProblem = validateChoice(request.engine);
		if (choiceProblem) return { ok: false, ...choiceProblem };
		const engineChoice = cleanChoice(request.engine);
		const settings: RunSettings = { sampling: { ...request.settings.sampling }, seed: request.settings.seed, ...(request.settings.limit !== undefined ? { limit: request.settings.limit } : {}) };
		const params = parsed.data;

		const resolved = await this.resolve(recipe, params, settings);
		if (resolved.missing.length) return { ok: false, error: resolved.missing.map((change) => change.reason.replace(/ was deleted\.$/, ' does not exist (it may have been deleted).')).join(' ') };
		const prepared = this.prepare(recipe, params, resolved.sources, settings);
		if (!prepared.ok) return { ok: false, error: prepared.error };
		const inputs = prepared.prepared.inputs.slice(0, settings.limit ?? Infinity);
		if (!inputs.length) return { ok: false, error: 'These settings give the recipe nothing to work on (no input records).' };

		if (request.id !== undefined && (!/^[\w-]{1,80}$/.test(request.id) || (await this.db.runs.get(request.id)))) {
			return { ok: false, error: `The run id "${request.id}" cannot be used (it is malformed or taken).`, field: 'id' };
		}
		const pageEngine = engineChoice.kind === 'webllm' || engineChoice.kind === 'manual';
		const asked = Math.floor(request.concurrency ?? DEFAULT_CONCURRENCY);
		const concurrency = pageEngine ? 1 : Math.max(1, Math.min(64, Number.isFinite(asked) ? asked : DEFAULT_CONCURRENCY));
		const now = this.now();
		const names = Object.values(resolved.names);
		const run: StoredRunRow = {
			id: request.id ?? newRunId(now),
			recipeId: recipe.id,
			label: request.label?.trim() || `${recipe.label}${names.length ? ` — ${names.join(', ')}` : ''}`,
			params,
			settings,
			engine: engineChoice,
			concurrency,
			manifest: this.manifestOf({ recipeId: recipe.id, params, engine: engineChoice, settings }, prepared.prepared),
			state: 'queued',
			counts: emptyCounts(inputs.length),
			createdAt: now,
			updatedAt: now,
			...(request.targetDatasetId ? { targetDatasetId: request.targetDatasetId } : {}),
			log: resolved.notes.map((message) => ({ at: now, level: 'warn' as const, message })),
			heartbeatAt: now,
			sourceNames: resolved.names
		};
		const engine = await this.engineFor(run, recipe, access);
		if (!engine.ok) return { ok: false, error: engine.error, field: 'engine' };
		const records: RunRecordRow[] = inputs.map((input, recordIndex) => ({
			runId: run.id,
			recordIndex,
			recordId: input.id,
			label: recipe.recordLabel(input.input),
			input: input.input,
			state: 'pending',
			steps: [],
			notes: [],
			updatedAt: now
		}));
		await createRun(this.db, run, records);
		this.launch(run, recipe, engine.engine, resolved.sources, records, () => true);
		return { ok: true, runId: run.id };
	}

	/**
	 * Starts a dispatcher over the run's records, running those `which` picks. Every record is
	 * handed to the dispatcher (the others return at once, their events ignored) so that each
	 * record keeps its position, and with it its seeded random: a replayed record asks exactly
	 * what it asked before, and the cache answers.
	 */
	private launch(run: StoredRunRow, recipe: AnyRecipe, engine: Engine, sources: ResolvedSources, records: StoredRecordRow[], which: (record: RunRecordRow) => boolean): void {
		const skipped = new Set(records.filter((record) => !which(record)).map((record) => record.recordId));
		const inner = recipe.task(run.params, sources, run.settings) as Task<unknown, DraftSample>;
		// A record a re-run of what changed moved keeps the random of the position it first ran at
		// (the dispatcher seeds by position, with this formula).
		const seedIndexes = new Map(records.flatMap((record) => (record.seedIndex !== undefined && record.seedIndex !== record.recordIndex ? [[record.recordId, record.seedIndex] as const] : [])));
		const task: Task<unknown, DraftSample> = (input, context) => {
			if (skipped.has(context.recordId)) return noSamples();
			const seedIndex = seedIndexes.get(context.recordId);
			return inner(input, seedIndex === undefined ? context : { ...context, random: seededRandom((run.settings.seed ?? 0) ^ Math.imul(seedIndex + 1, 0x9e3779b1)) });
		};
		let live: LiveRun | null = null;
		const dispatcher = new Dispatcher<unknown, DraftSample>({
			recipeId: recipe.id,
			engine,
			task,
			concurrency: run.concurrency,
			cache: this.cache,
			modelKey: modelKeyOf(run.engine, recipe),
			seed: run.settings.seed,
			...(this.options.retry ? { retry: this.options.retry } : {}),
			onEvent: (event) => {
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
			flushTimer: null
		};
		const current = live;
		this.live.set(run.id, current);
		this.startHeartbeat();
		const toRun = records.length - skipped.size;
		this.log(current, { level: 'info', message: `Started on ${run.engine.label}: ${toRun} record${toRun === 1 ? '' : 's'} to run, ${run.concurrency} at a time.` });
		this.write(current, () => updateRun(this.db, run.id, { state, heartbeatAt: this.now(), updatedAt: this.now(), log: current.log }));
		this.emit({ type: 'state', runId: run.id, state });
		const inputs: InputRecord<unknown>[] = records.map((record) => ({ id: record.recordId, input: record.input }));
		current.finished = dispatcher.run(inputs).then(
			(result) => this.finish(current, result),
			(error: unknown) => this.finish(current, null, error)
		);
		lockManager()
			?.request(runLockName(run.id), () => current.finished)
			.catch(() => undefined);
	}

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

	/** Queues one write of the run row's usage figures, log and heartbeat within RUN_FLUSH_MS. */
	private flushRunSoon(live: LiveRun): void {
		if (live.flushTimer) return;
		live.flushTimer = setTimeout(() => {
			live.flushTimer = null;
			const usage = { ...live.usage };
			this.write(live, async () => {
				await this.db.transaction('rw', [this.db.runs], async () => {
					const run = await this.db.runs.get(live.run.id);
					if (run) await this.db.runs.put({ ...run, counts: { ...run.counts, ...usage }, log: live.log, heartbeatAt: this.now(), updatedAt: this.now() } as StoredRunRow);
				});
			});
		}, RUN_FLUSH_MS);
	}

	private log(live: LiveRun, line: Omit<RunLogLine, 'at'>): void {
		const full: RunLogLine = { at: this.now(), ...line };
		live.log.push(full);
		live.log = trimLog(live.log);
		this.emit({ type: 'log', runId: live.run.id, line: full });
	}

	private recordName(live: LiveRun, recordIndex: number | undefined): string {
		if (recordIndex === undefined) return 'A record';
		return live.labels.get(recordIndex) ?? `Record ${recordIndex + 1}`;
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
				const usage = { ...live.usage };
				// The step itself is stored at once (what a resume replays); the run row's usage figures
				// and log follow at most once a second (RUN_FLUSH_MS) — rewriting the run row with its
				// log on every step made persistence, not the engine, the limit of a fast run.
				this.write(live, async () => {
					await this.db.transaction('rw', [this.db.runRecords], async () => {
						const record = await this.db.runRecords.get([runId, recordIndex]);
						if (!record) return;
						const updated: RunRecordRow = { ...record, steps: restart ? [step] : [...record.steps, step], updatedAt: this.now() };
						await this.db.runRecords.put(updated);
						// The run view's per-record progress follows each answered step.
						this.emit({ type: 'record', runId, record: summaryOf(updated, 0, live.recipe) });
					});
				});
				this.flushRunSoon(live);
				Object.assign(live.counts, usage);
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
				const now = this.now();
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
				return;
			}
			case 'record-failed': {
				const { record } = event;
				if (live.skipped.has(record.recordId)) return;
				const recordIndex = live.indexById.get(record.recordId);
				if (recordIndex === undefined) return;
				const hint = failureHint(record.error.type, live.run.engine.kind);
				const error = hint ? { ...record.error, message: `${record.error.message.trim()}${/[.!?]$/.test(record.error.message.trim()) ? '' : '.'} ${hint}` } : record.error;
				this.log(live, { level: 'error', recordIndex, message: `${this.recordName(live, recordIndex)} failed (${error.type}): ${error.message}` });
				this.endRecord(live, recordIndex, { state: 'failed', steps: record.steps, notes: record.notes, samples: [], error });
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

	private summarize(live: LiveRun, input: unknown, samples: DraftSample[], notes: TaskNote[], steps: StepRecord[]): RecordStat[] | undefined {
		if (!live.recipe.summarize) return undefined;
		try {
			const stepCount = steps.filter((step) => step.response && !step.error && !step.rejected).length;
			return live.recipe.summarize({ input, samples, notes, stepCount }, live.sources, live.run.params);
		} catch (error) {
			this.log(live, { level: 'warn', message: `Could not compute the record's statistics: ${error instanceof Error ? error.message : String(error)}` });
			return undefined;
		}
	}

	private endRecord(
		live: LiveRun,
		recordIndex: number,
		end: { state: 'done' | 'failed'; steps: StepRecord[]; notes: TaskNote[]; samples: RunSampleRow[]; error?: { type: string; message: string }; stats?: RecordStat[] }
	): void {
		const runId = live.run.id;
		const usage = { ...live.usage };
		this.write(live, async () => {
			const generatedWith = { engine: live.run.engine, settings: live.run.settings };
			const counts = await endRecord(this.db, { runId, recordIndex, ...end, usage, generatedWith, run: { log: live.log, heartbeatAt: this.now() } }, this.now());
			if (counts) live.counts = counts;
			const record = await getRecord(this.db, runId, recordIndex);
			if (record) this.emit({ type: 'record', runId, record: summaryOf(record, end.samples.length, live.recipe) });
			this.scheduleProgress(live);
		});
	}

	private scheduleProgress(live: LiveRun): void {
		if (live.progressTimer) return;
		const interval = this.options.progressIntervalMs ?? 100;
		const wait = Math.max(0, live.lastProgressAt + interval - this.now());
		live.progressTimer = setTimeout(() => {
			live.progressTimer = null;
			live.lastProgressAt = this.now();
			this.emitProgress(live);
		}, wait);
	}

	private emitProgress(live: LiveRun): void {
		if (live.disposed) return;
		const counts = { ...live.counts, ...live.usage };
		this.emit({
			type: 'progress',
			runId: live.run.id,
			counts,
			requestsInFlight: live.requestsInFlight,
			tokensPerSecond: counts.engineMs > 0 ? (counts.completionTokens / counts.engineMs) * 1000 : null
		});
	}

	private async finish(live: LiveRun, result: RunResult<unknown, DraftSample> | null, error?: unknown): Promise<void> {
		// The final write below carries the usage figures and log: no pending flush is needed.
		if (live.flushTimer) clearTimeout(live.flushTimer);
		live.flushTimer = null;
		await live.writes;
		if (live.progressTimer) clearTimeout(live.progressTimer);
		live.progressTimer = null;
		if (this.live.get(live.run.id) === live) this.live.delete(live.run.id);
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
			const left = (await recordsInState(this.db, live.run.id, 'pending').catch(() => [])).length;
			if (left > 0) {
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
			const run = await getRun(this.db, live.run.id);
			if (run) await updateRun(this.db, live.run.id, { state, counts: { ...run.counts, ...live.usage }, log: live.log, updatedAt: this.now() });
		} catch {
			// The run was deleted meanwhile.
		}
		this.emitProgress(live);
		this.emit({ type: 'state', runId: live.run.id, state });
	}

	private startHeartbeat(): void {
		if (this.heartbeat) return;
		this.heartbeat = setInterval(() => {
			for (const live of this.live.values()) {
				if (!live.disposed) this.write(live, () => updateRun(this.db, live.run.id, { heartbeatAt: this.now() }));
			}
		}, this.options.heartbeatMs ?? 5000);
	}

	private stopHeartbeatWhenIdle(): void {
		if (this.live.size || !this.heartbeat) return;
		clearInterval(this.heartbeat);
		this.heartbeat = null;
	}

	/** Runs left running or paused by a worker that is gone (reload, closed tab) become 'interrupted'. */
	private async sweepInterrupted(): Promise<void> {
		const rows = (await this.db.runs.where('state').anyOf(['running', 'paused', 'queued']).toArray()) as StoredRunRow[];
		const limit = this.options.abandonedAfterMs ?? 20_000;
		const locks = lockManager();
		let held: Set<string> | null = null;
		if (locks && rows.length) {
			try {
				held = new Set(((await locks.query()).held ?? []).map((lock) => lock.name ?? ''));
			} catch {
				held = null;
			}
		}
		for (const row of rows) {
			if (this.live.has(row.id)) continue;
			if (held ? held.has(runLockName(row.id)) : this.now() - (row.heartbeatAt ?? row.updatedAt) < limit) continue;
			await updateRun(this.db, row.id, { state: 'interrupted' });
			this.emit({ type: 'state', runId: row.id, state: 'interrupted' });
		}
	}

	/** Why a run that is not live here cannot be driven from here, if it cannot. */
	private async elsewhere(run: StoredRunRow): Promise<string | null> {
		await this.sweepInterrupted();
		const fresh = await getRun(this.db, run.id);
		if (fresh && ['running', 'paused', 'queued'].includes(fresh.state) && !this.live.has(run.id)) return 'This run is running in another tab: control it there.';
		return null;
	}

	async pauseRun(runId: string): Promise<RunActionResult> {
		const live = this.live.get(runId);
		if (!live) {
			const run = await getRun(this.db, runId);
			if (!run) return { ok: false, error: 'That run no longer exists.' };
			return { ok: false, error: (await this.elsewhere(run)) ?? 'This run is not running.' };
		}
		if (live.state === 'paused') return { ok: true, runId };
		live.dispatcher.pause();
		this.setLiveState(live, 'paused', 'Paused: requests in flight finish, no new ones start.');
		await live.writes;
		return { ok: true, runId };
	}

	private setLiveState(live: LiveRun, state: RunState, message: string): void {
		live.state = state;
		live.run = { ...live.run, state };
		this.log(live, { level: 'info', message });
		this.write(live, () => updateRun(this.db, live.run.id, { state, log: live.log, heartbeatAt: this.now(), updatedAt: this.now() }));
		this.emit({ type: 'state', runId: live.run.id, state });
	}

	resumeRun(runId: string, access: EngineAccess = {}): Promise<RunActionResult> {
		return this.serial(runId, () => this.resumeNow(runId, access));
	}

	private async resumeNow(runId: string, access: EngineAccess): Promise<RunActionResult> {
		const live = this.live.get(runId);
		if (live) {
			if (live.state === 'paused') {
				live.dispatcher.resume();
				this.setLiveState(live, 'running', 'Resumed.');
				await live.writes;
			}
			return { ok: true, runId };
		}
		return this.restart(runId, access, (record) => record.state === 'pending');
	}

	/** A new dispatcher over the records `which` picks, for a run not live here. */
	private async restart(runId: string, access: EngineAccess, which: (record: RunRecordRow) => boolean, before?: (run: StoredRunRow) => Promise<void>): Promise<RunActionResult> {
		const run = await getRun(this.db, runId);
		if (!run) return { ok: false, error: 'That run no longer exists.' };
		const busy = await this.elsewhere(run);
		if (busy) return { ok: false, error: busy };
		const recipe = this.recipe(run.recipeId);
		if (!recipe) return { ok: false, error: `The recipe "${run.recipeId}" is no longer available.` };
		const engine = await this.engineFor(run, recipe, access);
		if (!engine.ok) return { ok: false, error: engine.error };
		const resolved = await this.resolve(recipe, run.params, run.settings, run.sourceNames);
		if (resolved.missing.length) {
			const them = resolved.missing.length === 1 ? 'it' : 'them';
			return { ok: false, error: `${resolved.missing.map((change) => change.reason).join(' ')} The run cannot go on without ${them}: start a new run from the sources you have.` };
		}
		if (this.live.has(runId)) return { ok: true, runId };
		if (before) await before(run);
		const fresh = (await getRun(this.db, runId)) ?? run;
		const records = await listRecords(this.db, runId);
		if (!records.some(which)) {
			await updateRun(this.db, runId, { state: 'done', updatedAt: this.now() });
			this.emit({ type: 'state', runId, state: 'done' });
			return { ok: true, runId };
		}
		this.launch(fresh, recipe, engine.engine, resolved.sources, records, which);
		return { ok: true, runId };
	}

	cancelRun(runId: string): Promise<RunActionResult> {
		return this.serial(runId, () => this.cancelNow(runId));
	}

	private async cancelNow(runId: string): Promise<RunActionResult> {
		const live = this.live.get(runId);
		if (live) {
			this.setLiveState(live, 'cancelled', 'Cancelling: requests in flight are abandoned; unfinished records stay pending.');
			live.dispatcher.cancel();
			await live.finished;
			return { ok: true, runId };
		}
		const run = await getRun(this.db, runId);
		if (!run) return { ok: false, error: 'That run no longer exists.' };
		const busy = await this.elsewhere(run);
		if (busy) return { ok: false, error: busy };
		if (run.state === 'done' || run.state === 'cancelled') return { ok: true, runId };
		await updateRun(this.db, runId, { state: 'cancelled', updatedAt: this.now() });
		this.emit({ type: 'state', runId, state: 'cancelled' });
		return { ok: true, runId };
	}

	retryFailed(runId: string, access: EngineAccess = {}): Promise<RunActionResult> {
		return this.serial(runId, () => this.retryFailedNow(runId, access));
	}

	private async retryFailedNow(runId: string, access: EngineAccess): Promise<RunActionResult> {
		if (this.live.has(runId)) return { ok: false, error: 'Wait for the run to finish (or cancel it) before retrying its failed records.' };
		if (!(await getRun(this.db, runId))) return { ok: false, error: 'That run no longer exists.' };
		const failed = await recordsInState(this.db, runId, 'failed');
		const again = new Set(failed.map((record) => record.recordIndex));
		if (!again.size) return { ok: false, error: 'This run has no failed records.' };
		return this.restart(runId, access, (record) => again.has(record.recordIndex), async () => resetRecords(this.db, runId, [...again], this.now()));
	}

	/**
	 * Re-run what changed: inputs are rebuilt from the current sources; records whose input changed
	 * (by hash) or that are new run again, removed ones go (with their samples), unchanged ones
	 * keep their samples and reviews. A new model, sampling, recipe definition or parameters runs
	 * every record again. Unchanged steps still come from the cache.
	 */
	rerunStale(runId: string, access: EngineAccess = {}): Promise<RunActionResult> {
		return this.serial(runId, () => this.rerunStaleNow(runId, access));
	}

	private async rerunStaleNow(runId: string, access: EngineAccess): Promise<RunActionResult> {
		if (this.live.has(runId)) return { ok: false, error: 'Wait for the run to finish (or cancel it) before re-running what changed.' };
		const run = await getRun(this.db, runId);
		if (!run) return { ok: false, error: 'That run no longer exists.' };
		const busy = await this.elsewhere(run);
		if (busy) return { ok: false, error: busy };
		const recipe = this.recipe(run.recipeId);
		if (!recipe) return { ok: false, error: `The recipe "${run.recipeId}" is no longer available.` };
		const resolved = await this.resolve(recipe, run.params, run.settings, run.sourceNames);
		if (resolved.missing.length) return { ok: false, error: `${resolved.missing.map((change) => change.reason).join(' ')} Nothing to re-run it from.` };
		const prepared = this.prepare(recipe, run.params, resolved.sources, run.settings);
		if (!prepared.ok) return { ok: false, error: prepared.error };
		const manifest = this.manifestOf(run, prepared.prepared);
		// A changed document re-runs only the records whose input changed with it, unless the task reads
		// it besides the inputs (an identity document as the system prompt; any document that changed
		// while no input did): then every record's requests may differ.
		// (Content, not names: a renamed sheet or pool whose texts and inputs are the same changes nothing.)
		const documentChanges = compareManifests(run.manifest, manifest).filter((change) => change.kind.startsWith('document-'));
		const contents = (stored: RunManifest) => Object.values(stored.documents).sort().join('\n');
		const shared =
			documentChanges.some((change) => 'name' in change && (change.name.startsWith('identity:') || change.name === 'system-prompt')) ||
			(contents(manifest) !== contents(run.manifest) && manifest.inputHash === run.manifest.inputHash);
		const everything =
			shared ||
			settingsChanges(run.manifest, manifest).everything || manifest.definitionHash !== run.manifest.definitionHash || manifest.paramsHash !== run.manifest.paramsHash || manifest.modelHash !== run.manifest.modelHash || manifest.recipeId !== run.manifest.recipeId;
		const inputs = prepared.prepared.inputs.slice(0, run.settings.limit ?? Infinity);
		const old = new Map((await listRecords(this.db, runId)).map((record) => [record.recordId, record]));
		const moved = new Map<number, number>();
		const now = this.now();
		const records: StoredRecordRow[] = inputs.map((input, recordIndex) => {
			const previous = old.get(input.id);
			if (previous && !everything && hashValue(previous.input) === hashValue(input.input)) {
				moved.set(previous.recordIndex, recordIndex);
				return { ...previous, recordIndex, seedIndex: previous.seedIndex ?? previous.recordIndex, label: recipe.recordLabel(input.input) };
			}
			return { runId, recordIndex, recordId: input.id, label: recipe.recordLabel(input.input), input: input.input, state: 'pending', steps: [], notes: [], updatedAt: now };
		});
		const remove: string[] = [];
		const put: RunSampleRow[] = [];
		let sampleCount = 0;
		for (const sample of await listSamples(this.db, runId)) {
			const to = moved.get(sample.recordIndex);
			if (to === undefined) {
				remove.push(sample.id);
				continue;
			}
			sampleCount++;
			if (to !== sample.recordIndex) {
				remove.push(sample.id);
				put.push({ ...sample, id: sampleId(runId, to, sample.sampleIndex), recordIndex: to });
			}
		}
		// The engine only when something will run: a re-run that just follows a rename needs none.
		const toRun = records.filter((record) => record.state !== 'done');
		const engine = toRun.length ? await this.engineFor(run, recipe, access) : null;
		if (engine && !engine.ok) return { ok: false, error: engine.error };
		const removeSet = new Set(put.map((sample) => sample.id));
		// Samples of changed records go with them, reviews included: say so when some were accepted.
		const replaced = (await listSamples(this.db, runId, 'accepted')).filter((sample) => !moved.has(sample.recordIndex)).length;
		const log = replaced
			? trimLog([
					...(run.log ?? []),
					{
						at: now,
						level: 'warn' as const,
						message:
							replaced === 1
								? '1 accepted sample of a changed record was replaced by the re-run: review the new one.'
								: `${replaced} accepted samples of changed records were replaced by the re-run: review the new ones.`
					}
				])
			: run.log;
		const counts: RunCounts = {
			...run.counts,
			total: records.length,
			done: records.filter((record) => record.state === 'done').length,
			failed: records.filter((record) => record.state === 'failed').length,
			samples: sampleCount
		};
		const updated: StoredRunRow = { ...run, manifest, counts, sourceNames: resolved.names, state: 'queued', updatedAt: now, ...(log ? { log } : {}) };
		await replaceRecords(this.db, updated, records, { remove: remove.filter((id) => !removeSet.has(id)), put });
		const pending = records.filter((record) => record.state !== 'done');
		if (!pending.length) {
			await updateRun(this.db, runId, { state: 'done' });
			this.emit({ type: 'state', runId, state: 'done' });
			return { ok: true, runId };
		}
		const again = new Set(pending.map((record) => record.recordIndex));
		await resetRecords(this.db, runId, [...again], now);
		if (!engine?.ok) return { ok: true, runId };
		this.launch((await getRun(this.db, runId)) ?? updated, recipe, engine.engine, resolved.sources, records, (record) => again.has(record.recordIndex));
		return { ok: true, runId };
	}

	editRun(runId: string, edit: RunEdit): Promise<RunActionResult> {
		return this.serial(runId, () => this.editNow(runId, edit));
	}

	private async editNow(runId: string, edit: RunEdit): Promise<RunActionResult> {
		if (this.live.has(runId)) return { ok: false, error: 'Pause is not enough: cancel the run (or wait for it to finish) before changing it.' };
		const run = await getRun(this.db, runId);
		if (!run) return { ok: false, error: 'That run no longer exists.' };
		const busy = await this.elsewhere(run);
		if (busy) return { ok: false, error: busy };
		const changes: Partial<StoredRunRow> = { updatedAt: this.now() };
		if (edit.label !== undefined) {
			if (!edit.label.trim()) return { ok: false, error: 'A run needs a name.', field: 'label' };
			changes.label = edit.label.trim();
		}
		if (edit.settings !== undefined) {
			const problem = validateSettings(edit.settings);
			if (problem) return { ok: false, ...problem };
			changes.settings = { sampling: { ...edit.settings.sampling }, seed: edit.settings.seed, ...(edit.settings.limit !== undefined ? { limit: edit.settings.limit } : {}) };
		}
		const engine = edit.engine ?? run.engine;
		if (edit.engine !== undefined) {
			const problem = validateChoice(edit.engine);
			if (problem) return { ok: false, ...problem };
			changes.engine = cleanChoice(edit.engine);
		}
		if (edit.concurrency !== undefined || edit.engine !== undefined) {
			const asked = Math.floor(edit.concurrency ?? run.concurrency);
			changes.concurrency = engine.kind === 'webllm' || engine.kind === 'manual' ? 1 : Math.max(1, Math.min(64, Number.isFinite(asked) ? asked : DEFAULT_CONCURRENCY));
		}
		if (edit.targetDatasetId !== undefined) changes.targetDatasetId = edit.targetDatasetId;
		await updateRun(this.db, runId, changes);
		return { ok: true, runId };
	}

	deleteRun(runId: string): Promise<RunActionResult> {
		return this.serial(runId, () => this.deleteNow(runId));
	}

	private async deleteNow(runId: string): Promise<RunActionResult> {
		const live = this.live.get(runId);
		if (live) {
			live.dispatcher.cancel();
			await live.finished;
		}
		const orphaned = await this.cacheKeysOnlyIn(runId);
		await deleteRunRows(this.db, runId);
		// Answers no other run can replay go with the run; shared ones stay (same request, same model).
		if (orphaned.length) await this.db.responseCache.bulkDelete(orphaned);
		this.statuses.delete(runId);
		return { ok: true, runId };
	}

	/** Response-cache keys used by this run's steps and by no other run's. */
	private async cacheKeysOnlyIn(runId: string): Promise<string[]> {
		const keys = new Set<string>();
		await this.db.runRecords.where('runId').equals(runId).each((record) => {
			for (const step of record.steps) if (step.response) keys.add(step.cacheKey);
		});
		if (!keys.size) return [];
		await this.db.runRecords.each((record) => {
			if (record.runId === runId) return;
			for (const step of record.steps) keys.delete(step.cacheKey);
		});
		return [...keys];
	}

	// ---- reading runs -------------------------------------------------------------------------

	/** CURRENT / PARTIAL / STALE against the manifest the current sources would give. */
	async statusOf(run: StoredRunRow): Promise<RunStatus> {
		// The list refreshes on every progress event of a live run: rebuilding every run's inputs
		// each time would read all its sources again. A status is reused for a few seconds while
		// the run's own definition is unchanged (a source edited meanwhile shows on the next one).
		const key = hashValue({ manifest: run.manifest, params: run.params, settings: run.settings, engine: run.engine });
		const cached = this.statuses.get(run.id);
		// While the run is live here its status is kept until it ends: rebuilding a large source
		// (a 100k-entry dataset) every few seconds would take the worker from the run itself.
		if (cached && cached.key === key && (this.live.has(run.id) || this.now() - cached.at < (this.options.statusTtlMs ?? 3000))) return cached.status;
		const status = await this.computeStatus(run);
		this.statuses.set(run.id, { key, at: this.now(), status });
		return status;
	}

	private async computeStatus(run: StoredRunRow): Promise<RunStatus> {
		const recipe = this.recipe(run.recipeId);
		if (!recipe) return { state: 'stale', changes: [{ kind: 'recipe', reason: `The recipe "${run.recipeId}" is no longer available.` }], partial: run.manifest.partial };
		const resolved = await this.resolve(recipe, run.params, run.settings, run.sourceNames);
		if (resolved.missing.length) return { state: 'stale', changes: resolved.missing, partial: run.manifest.partial };
		const prepared = this.prepare(recipe, run.params, resolved.sources, run.settings);
		if (!prepared.ok) return { state: 'stale', changes: [{ kind: 'inputs', reason: `The inputs cannot be rebuilt: ${prepared.error}` }], partial: run.manifest.partial };
		const current = this.manifestOf(run, prepared.prepared);
		const status = runStatus(run.manifest, current);
		const { changes } = settingsChanges(run.manifest, current);
		if (!changes.length) return status;
		return status.state === 'stale' ? { ...status, changes: [...status.changes, ...changes] } : { state: 'stale', changes, partial: run.manifest.partial };
	}

	async listRuns(): Promise<RunListItem[]> {
		await this.sweepInterrupted();
		const rows = await listRunRows(this.db);
		return Promise.all(
			rows.map(async (row) => {
				const live = this.live.get(row.id);
				const run = live ? { ...row, state: live.state, counts: { ...row.counts, ...live.counts, ...live.usage } } : row;
				return { run: publicRun(run), status: await this.statusOf(row), review: await reviewCounts(this.db, row.id), live: Boolean(live) };
			})
		);
	}

	async getRun(runId: string): Promise<RunDetail | null> {
		await this.sweepInterrupted();
		const row = await getRun(this.db, runId);
		if (!row) return null;
		const live = this.live.get(runId);
		const [records, samples] = await Promise.all([listRecords(this.db, runId), listSamples(this.db, runId)]);
		const perRecord = new Map<number, number>();
		for (const sample of samples) perRecord.set(sample.recordIndex, (perRecord.get(sample.recordIndex) ?? 0) + 1);
		const run = live ? { ...row, state: live.state, counts: { ...row.counts, ...live.counts, ...live.usage } } : row;
		return {
			run: publicRun(run),
			status: await this.statusOf(row),
			live: Boolean(live),
			records: records.map((record) => summaryOf(record, perRecord.get(record.recordIndex) ?? 0, this.recipe(row.recipeId))),
			log: live ? [...live.log] : (row.log ?? [])
		};
	}

	async getRunRecord(runId: string, recordIndex: number): Promise<RunRecordDetail | null> {
		const record = await getRecord(this.db, runId, recordIndex);
		if (!record) return null;
		const samples = await samplesOfRecord(this.db, runId, recordIndex).count();
		const run = await getRun(this.db, runId);
		return { ...summaryOf(record, samples, run ? this.recipe(run.recipeId) : undefined), input: record.input, steps: record.steps };
	}

	// ---- watchers -----------------------------------------------------------------------------

	watchRuns(listener: Listener): string {
		const id = `watch-${++this.listenerCounter}`;
		this.listeners.set(id, listener);
		return id;
	}

	unwatchRuns(id: string): void {
		this.listeners.delete(id);
	}

	/** Pushes to every watcher; one whose page is gone (its proxy throws) is dropped. */
	private emit(event: RunEvent): void {
		for (const [id, listener] of this.listeners) {
			try {
				const result = listener(event);
				if (result && typeof (result as Promise<unknown>).catch === 'function') (result as Promise<unknown>).catch(() => this.listeners.delete(id));
			} catch {
				this.listeners.delete(id);
			}
		}
	}

	// ---- review and accept --------------------------------------------------------------------

	private toReviewItem(row: RunSampleRow, label: string): ReviewItem {
		return {
			id: row.id,
			runId: row.runId,
			recordIndex: row.recordIndex,
			recordLabel: label,
			sampleIndex: row.sampleIndex,
			sample: row.sample,
			review: row.review,
			...(row.edited ? { edited: row.edited } : {}),
			...(row.acceptedInto ? { acceptedInto: row.acceptedInto } : {})
		};
	}

	private async labelsOf(runId: string): Promise<Map<number, string>> {
		const labels = new Map<number, string>();
		await this.db.runRecords
			.where('[runId+recordIndex]')
			.between([runId, -Infinity], [runId, Infinity])
			.each((record) => labels.set(record.recordIndex, record.label));
		return labels;
	}

	async listReviewItems(runId: string, review?: SampleReview): Promise<ReviewItem[]> {
		const [rows, labels] = await Promise.all([listSamples(this.db, runId, review), this.labelsOf(runId)]);
		return rows.map((row) => this.toReviewItem(row, labels.get(row.recordIndex) ?? `Record ${row.recordIndex + 1}`));
	}

	async reviewSample(id: string, review: SampleReview, edited?: DraftSample['messages'] | null): Promise<ReviewItem | null> {
		const row = await getSample(this.db, id);
		if (!row) return null;
		const updated: RunSampleRow = { ...row, review };
		// An edit that leaves no message would become an entry with none: it clears the edit instead.
		if (edited === null || (Array.isArray(edited) && !edited.length)) delete updated.edited;
		else if (edited !== undefined) updated.edited = edited.map((message) => ({ role: message.role, content: String(message.content) }));
		await putSamples(this.db, [updated]);
		const record = await getRecord(this.db, row.runId, row.recordIndex);
		return this.toReviewItem(updated, record?.label ?? `Record ${row.recordIndex + 1}`);
	}

	async reviewSamples(ids: string[], review: SampleReview): Promise<number> {
		const rows = (await this.db.runSamples.bulkGet(ids)).filter((row): row is RunSampleRow => row !== undefined && row.review !== review);
		await putSamples(
			this.db,
			rows.map((row) => ({ ...row, review }))
		);
		return rows.length;
	}

	/**
	 * Copies the accepted samples not yet copied into a dataset, as entries with provenance, in
	 * one undoable operation (a new dataset is created empty first, then filled by that operation).
	 */
	acceptSamples(runId: string, target: AcceptTarget): Promise<AcceptOutcome> {
		return this.serial(runId, () => this.acceptNow(runId, target));
	}

	private async acceptNow(runId: string, target: AcceptTarget): Promise<AcceptOutcome> {
		const run = await getRun(this.db, runId);
		if (!run) return { ok: false, error: 'That run no longer exists.' };
		const recipe = this.recipe(run.recipeId);
		if ((recipe?.output ?? 'entries') === 'facts') return { ok: false, error: 'Facts are not accepted into a dataset: the accepted ones feed the follow-up run that asks questions about them.' };
		const samples = (await listSamples(this.db, runId, 'accepted')).filter((row) => !row.acceptedInto);
		if (!samples.length) return { ok: false, error: 'There are no accepted samples left to add.' };
		const records = new Map((await listRecords(this.db, runId)).map((record) => [record.recordIndex, record]));

		try {
			const acceptedAt = new Date(this.now()).toISOString();
			const label = `Accept ${samples.length} generated ${samples.length === 1 ? 'sample' : 'samples'} from "${run.label}"`;
			const destination: AcceptTarget = target.kind === 'new' ? { kind: 'new', name: target.name.trim() || run.label } : target;
			const added = await addEntriesAsOneStep(
				this.db,
				this.data,
				destination,
				samples.length,
				(ids) => samples.map((row, i) => this.entryOf(run, recipe, records.get(row.recordIndex), row, ids[i], acceptedAt)),
				label,
				this.now()
			);
			if (!added.ok) return added;
			const { datasetId, ids } = added;
			const at = this.now();
			await markAccepted(
				this.db,
				samples.map((row, i) => ({ id: row.id, acceptedInto: { datasetId, entryId: ids[i], at } }))
			);
			if (!run.targetDatasetId) await updateRun(this.db, runId, { targetDatasetId: datasetId });
			return { ok: true, datasetId, accepted: ids.length };
		} catch (error) {
			return { ok: false, error: `Could not add the samples: ${error instanceof Error ? error.message : String(error)}` };
		}
	}

	private entryOf(run: StoredRunRow, recipe: AnyRecipe | undefined, record: StoredRecordRow | undefined, row: RunSampleRow, id: string, acceptedAt: string): Entry {
		const edited = row.edited?.length ? row.edited : undefined;
		const messages = (edited ?? row.sample.messages).map((message) => ({ role: message.role, content: message.content }));
		// What made the sample, not what the run was edited to since (records older than this field: the run's).
		const { engine, settings } = record?.generatedWith ?? { engine: run.engine, settings: run.settings };
		const provenance = {
			kind: 'generation',
			runId: run.id,
			runLabel: run.label,
			recipeId: run.recipeId,
			recipeVersion: recipe?.version,
			recordId: record?.recordId,
			recordLabel: record?.label,
			recordIndex: row.recordIndex,
			sampleIndex: row.sampleIndex,
			engine: engine.label,
			engineKind: engine.kind,
			model: modelOf(engine),
			sampling: settings.sampling,
			seed: settings.seed,
			steps: (record?.steps ?? []).map((step) => ({
				stepIndex: step.stepIndex,
				request: step.request,
				...(step.response ? { response: { content: step.response.content, finishReason: step.response.finishReason } } : {}),
				...(step.model ? { model: step.model } : {}),
				...(step.error ? { error: step.error } : {}),
				...(step.rejected ? { rejected: step.rejected } : {}),
				timing: { startedAt: step.startedAt, endedAt: step.endedAt, ...(step.engineMs !== undefined ? { engineMs: step.engineMs } : {}) },
				...(step.response?.usage ? { tokens: step.response.usage } : {}),
				attempts: step.attempts,
				cached: step.cached
			})),
			notes: record?.notes ?? [],
			...(row.sample.judge ? { judge: row.sample.judge } : {}),
			sample: row.sample.meta,
			edited: Boolean(edited),
			acceptedAt
		};
		return { id, messages, tags: [...new Set(row.sample.tags)], meta: { review: 'accepted', provenance }, extra: {}, hash: hashMessages(messages) };
	}

	// ---- lifecycle ----------------------------------------------------------------------------

	/** Waits until the live run has ended (tests, and deleteRun). */
	async whenSettled(runId: string): Promise<void> {
		const live = this.live.get(runId);
		if (live) await live.finished;
	}

	/** Stops everything without writing (the worker is going away, as on a reload). */
	dispose(): void {
		for (const live of this.live.values()) {
			live.disposed = true;
			if (live.progressTimer) clearTimeout(live.progressTimer);
			if (live.flushTimer) clearTimeout(live.flushTimer);
			live.dispatcher.cancel();
		}
		this.live.clear();
		if (this.heartbeat) clearInterval(this.heartbeat);
		this.heartbeat = null;
		this.listeners.clear();
	}
}

/**
 * The access a call brought, as the service uses it. Comlink turns only top-level arguments into
 * proxies: a page engine nested in `access` arrives as a lifeless copy (no methods), so it comes
 * as its own argument (`remote`) and a `remote` inside `access` counts only when it is callable.
 */
export function accessOf(access?: EngineAccess, remote?: RemoteEngine): EngineAccess {
	const callable = (value: unknown): value is RemoteEngine => {
		const engine = value as Partial<RemoteEngine> | null | undefined;
		return Boolean(engine) && typeof engine?.chat === 'function' && typeof engine?.describe === 'function' && typeof engine?.cancel === 'function';
	};
	const page = callable(remote) ? remote : callable(access?.remote) ? access?.remote : undefined;
	return { ...(typeof access?.apiKey === 'string' && access.apiKey ? { apiKey: access.apiKey } : {}), ...(page ? { remote: page } : {}) };
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
		editRun: (runId: string, edit: RunEdit) => service.editRun(runId, edit),
		deleteRun: (runId: string) => service.deleteRun(runId),
		listRuns: () => service.listRuns(),
		getRun: (runId: string) => service.getRun(runId),
		getRunRecord: (runId: string, recordIndex: number) => service.getRunRecord(runId, recordIndex),
		watchRuns: (listener: (event: RunEvent) => void) => service.watchRuns(listener),
		unwatchRuns: (watchId: string) => service.unwatchRuns(watchId),
		listReviewItems: (runId: string, review?: SampleReview) => service.listReviewItems(runId, review),
		reviewSample: (sampleId: string, review: SampleReview, edited?: DraftSample['messages'] | null) => service.reviewSample(sampleId, review, edited),
		reviewSamples: (sampleIds: string[], review: SampleReview) => service.reviewSamples(sampleIds, review),
		acceptSamples: (runId: string, target: AcceptTarget) => service.acceptSamples(runId, target)
	};
}
