/**
 * The engines that live on the page: the in-browser WebGPU model (running in its own worker that
 * this module creates) and the manual copy/paste engine (the user answers). Module-level
 * singletons, so a loaded model survives SvelteKit's client-side navigation between pages.
 *
 * Runs in the data worker reach them through `remoteEngineFor(kind)`, an object the data bridge
 * passes by reference (a Comlink proxy). web-llm (6.8 MB) is imported only when the user loads a
 * model.
 */
import { abortedError, EngineError, isEngineError, type ChatMessage, type ChatRequest, type ChatResponse, type StreamUpdate } from '$lib/core/contracts/engine';
import { appConfigFor, loadCustomModels } from './custom-models';
import { ManualEngine, type PendingManualRequest } from './manual-engine';
import { RemoteEngineHost, type PageEngineBackend } from './page-engine-core';
import { toEngineError } from './webllm/errors';
import { findWebLLMModel } from './webllm/models';
import { describePhase, type LoadPhase, type LoadStatus } from './webllm/progress';
import { WebLLMEngine, type LoadOptions } from './webllm/webllm-engine';
import type { RemoteEngine } from '$lib/core/contracts/run-api';

/** `lost`: the GPU was reset or ran out of memory after loading; web-llm unloaded the model. */
export type WebLLMLoadState = 'idle' | 'loading' | 'loaded' | 'failed' | 'lost';

/** What the Engines page and the run form show about the in-browser model. */
class WebLLMStatus {
	state = $state<WebLLMLoadState>('idle');
	/** The model loaded, or being loaded. */
	modelId = $state<string | null>(null);
	label = $state<string | null>(null);
	phase = $state<LoadPhase | null>(null);
	/** 1-based phase number and count ("Phase 2 of 3"); 0 while preparing. */
	phaseIndex = $state(0);
	phaseCount = $state(3);
	/** "Phase 2 of 3: loading weights onto the GPU 45%". */
	phaseLine = $state('');
	/** 0..1 within the current phase (web-llm restarts it for every phase). */
	progress = $state(0);
	/** 0..1 over the whole load, never going back. */
	overall = $state(0);
	/** web-llm's own progress text (MB fetched, shards). */
	text = $state('');
	secondsElapsed = $state(0);
	/** Plain words: what went wrong and what to do. */
	error = $state<string | null>(null);
	/** Set when the user stopped the last load. */
	cancelled = $state(false);
	/** Between Cancel and the load actually stopping (the GPU may be busy uploading or compiling). */
	cancelling = $state(false);
	/** Why the last load was not started (a run is generating with the loaded model). */
	refused = $state<string | null>(null);
	/** The GPU web-llm reported at the end of loading. */
	gpu = $state<string | null>(null);
}

export const webllmStatus = new WebLLMStatus();

let engine: WebLLMEngine | undefined;

/** Runs using the in-browser model (their page engines were handed out): paused when the GPU is lost. */
let webllmRuns: string[] = [];
let lostListener: ((runIds: string[]) => void) | undefined;
/** Wakes requests held while the model is lost (see backendFor). */
let reloadWaiters: Array<() => void> = [];
/** When the in-browser model last answered a run: a load right after would break the run's next request. */
let lastRunRequestAt = 0;
/** A run's requests come back to back; a load within this long after one waits for the run to pause. */
export const RUN_ACTIVITY_MS = 15_000;

/** The state classes pause the runs that use the in-browser model when its GPU is lost. */
export function onWebLLMLost(listener: (runIds: string[]) => void): void {
	lostListener = listener;
}

function markLost(modelId: string, message: string): void {
	Object.assign(webllmStatus, { state: 'lost', modelId, error: message, phase: null, phaseLine: '', progress: 0, overall: 0 } satisfies Partial<WebLLMStatus>);
	lostListener?.(webllmRuns);
}

/** Streamed progress goes to the request it belongs to (each request's messages array is its own). */
const streamListeners = new WeakMap<ChatMessage[], (update: StreamUpdate) => void>();

function webllmEngine(): WebLLMEngine {
	if (!engine) {
		engine = new WebLLMEngine({
			factory: async (onProgress) => (await import('./webllm/create-worker-engine')).createWorkerMLCEngine(onProgress),
			onLost: markLost
		});
		engine.onStream = (update) => streamListeners.get(update.messages)?.(update);
	}
	return engine;
}

/** Why loading another model now would break a run, or null when it is safe. */
export function loadBlockedReason(now = Date.now()): string | null {
	const loaded = engine?.modelId;
	if (!engine || !loaded) return null;
	if (engine.generating || now - lastRunRequestAt < RUN_ACTIVITY_MS) {
		return `A run is generating with ${webllmStatus.label ?? loaded}. Pause it (or let it finish), then load another model.`;
	}
	return null;
}

function labelOf(modelId: string, customLabel?: string): string {
	const model = findWebLLMModel(modelId);
	return customLabel ?? (model ? `${model.label} (${model.quantization})` : modelId);
}

function applyStatus(status: LoadStatus, cached: boolean): void {
	const described = describePhase(status, cached);
	webllmStatus.phase = status.phase;
	webllmStatus.phaseIndex = described.index;
	webllmStatus.phaseCount = described.count;
	webllmStatus.phaseLine = described.line;
	webllmStatus.progress = status.phase === 'finishing' ? 1 : status.phaseFraction;
	webllmStatus.overall = status.fraction;
	webllmStatus.text = status.text;
	webllmStatus.secondsElapsed = status.secondsElapsed;
	if (status.gpu) webllmStatus.gpu = status.gpu;
}

export interface LoadModelOptions {
	/** The weights are already in this browser (two phases instead of three). */
	cached?: boolean;
	/** Load even while a run is generating (the user confirmed; the run's requests then fail). */
	force?: boolean;
}

/**
 * Loads a catalog model or a custom one (looked up in this browser's custom list). Resolves true
 * when loaded, false when it failed or was cancelled (then `webllmStatus.error` / `.cancelled` say
 * why); never rejects.
 */
export async function loadModel(modelId: string, options: LoadModelOptions = {}): Promise<boolean> {
	const blocked = options.force || modelId === engine?.modelId ? null : loadBlockedReason();
	webllmStatus.refused = blocked;
	if (blocked) return false;
	const custom = findWebLLMModel(modelId) ? undefined : loadCustomModels(localStorage).find((model) => model.modelId === modelId);
	const loadOptions: LoadOptions = custom ? { appConfig: appConfigFor(custom), label: custom.modelId, contextWindow: custom.contextWindow } : {};
	const cached = options.cached ?? false;
	Object.assign(webllmStatus, {
		state: 'loading',
		modelId,
		label: labelOf(modelId, loadOptions.label),
		phase: 'preparing',
		phaseIndex: 0,
		phaseCount: cached ? 2 : 3,
		phaseLine: 'Preparing: model files and GPU check',
		progress: 0,
		overall: 0,
		text: '',
		secondsElapsed: 0,
		error: null,
		cancelled: false,
		cancelling: false,
		gpu: null
	} satisfies Partial<WebLLMStatus>);
	try {
		if (!custom && !findWebLLMModel(modelId)) throw new Error(`Cannot find model record for ${modelId}`);
		await webllmEngine().load(modelId, (status) => applyStatus(status, cached), loadOptions);
		webllmStatus.state = 'loaded';
		webllmStatus.phaseLine = 'Ready';
		webllmStatus.progress = 1;
		webllmStatus.overall = 1;
		const waiters = reloadWaiters;
		reloadWaiters = [];
		for (const wake of waiters) wake();
		return true;
	} catch (error) {
		const engineError = toEngineError(error, modelId);
		webllmStatus.state = 'idle';
		if (isEngineError(engineError) && engineError.kind === 'aborted') {
			webllmStatus.cancelled = true;
		} else {
			webllmStatus.state = 'failed';
			webllmStatus.error = engineError.message;
		}
		return false;
	} finally {
		webllmStatus.cancelling = false;
	}
}

/**
 * Stops the load in progress, in any phase: the page shows "Cancelling…" until it has stopped
 * (the worker is ended, freeing its GPU memory); shards already saved stay cached.
 */
export function cancelLoad(): void {
	if (engine?.cancelLoad()) webllmStatus.cancelling = true;
}

/** Frees the GPU memory; the weights stay downloaded. */
export async function unloadModel(): Promise<void> {
	// Unloading is the user's own choice: a run still going then fails its next request plainly.
	lastRunRequestAt = 0;
	if (!engine) return;
	try {
		await engine.unload();
	} catch {
		// The worker may already be gone; either way nothing is loaded now.
	}
	Object.assign(webllmStatus, { state: 'idle', modelId: null, label: null, phase: null, phaseLine: '', progress: 0, overall: 0, error: null, cancelled: false, refused: null } satisfies Partial<WebLLMStatus>);
}

/** The model runs can use now, or null; with its context window when known. */
export function loadedWebLLM(): { modelId: string; label: string; contextWindow?: number } | null {
	const modelId = engine?.modelId;
	if (!modelId || webllmStatus.state !== 'loaded') return null;
	const contextWindow = engine?.contextWindowSize;
	return { modelId, label: webllmStatus.label ?? labelOf(modelId), ...(contextWindow ? { contextWindow } : {}) };
}

/** Requests waiting for the user to answer by hand, oldest first. */
class ManualQueue {
	items = $state.raw<PendingManualRequest[]>([]);

	/**
	 * The requests of one run (all when `runId` is undefined). Requests of a run whose id was not
	 * known when its engine was handed over (a run being started) carry no run id: every run view
	 * shows those, so they are never stranded.
	 */
	forRun(runId?: string): PendingManualRequest[] {
		return runId === undefined ? this.items : this.items.filter((item) => item.runId === runId || item.runId === undefined);
	}
}

export const manualQueue = new ManualQueue();

const manualEngine = new ManualEngine({
	onRequest: (pending) => {
		manualQueue.items = [...manualQueue.items, pending];
	},
	onSettled: (requestId) => {
		manualQueue.items = manualQueue.items.filter((item) => item.requestId !== requestId);
	}
});

/** Answers a manual request with what the user pasted; false when it is no longer waiting. */
export function answerManual(requestId: string, text: string): boolean {
	return manualEngine.provideReply(requestId, text);
}

/** The user declines a manual request: that input fails (re-runnable later) and the run goes on. */
export function skipManual(requestId: string): boolean {
	return manualEngine.skip(requestId);
}

function backendFor(kind: 'webllm' | 'manual', runId?: string): PageEngineBackend {
	if (kind === 'manual') {
		return {
			chat: (requestId, request) => manualEngine.chat(request, { requestId, ...(runId !== undefined ? { runId } : {}) }),
			describe: () => ({ kind: 'manual', model: 'manual', maxConcurrency: 1, supportsJsonSchema: false })
		};
	}
	if (runId !== undefined && !webllmRuns.includes(runId)) webllmRuns = [...webllmRuns, runId];
	return {
		chat: async (_requestId, request, options = {}) => {
			lastRunRequestAt = Date.now();
			if (options.onStream) streamListeners.set(request.messages, options.onStream);
			try {
				return await answerHoldingThroughLoss(request, options.model);
			} finally {
				streamListeners.delete(request.messages);
				lastRunRequestAt = Date.now();
			}
		},
		// While the model is lost the run still names it: its requests wait for the reload (below).
		describe: () => ({ kind: 'webllm', model: loadedWebLLM()?.modelId ?? (webllmStatus.state === 'lost' ? (webllmStatus.modelId ?? '') : ''), maxConcurrency: 1, supportsJsonSchema: true })
	};
}

/**
 * A request that meets a lost GPU (or comes while the model is lost) waits for the user to reload
 * the same model, then goes again, so no record fails while the run pauses. Another model
 * loaded meanwhile fails it: its answer must not be recorded under the run's model.
 */
async function answerHoldingThroughLoss(request: ChatRequest, runModel?: string): Promise<ChatResponse> {
	const wanted = runModel ?? (webllmStatus.state === 'lost' ? webllmStatus.modelId : engine?.modelId);
	for (let attempt = 0; ; attempt++) {
		if (webllmStatus.state === 'lost' && wanted) await reloaded(request.signal);
		if (wanted && engine?.modelId !== wanted) {
			throw new EngineError('unavailable', `This run uses ${wanted}, but ${engine?.modelId ?? 'no model'} is loaded now. Load ${wanted} on the Engines page, then retry the failed records.`);
		}
		try {
			return await webllmEngine().chat(request, wanted ? { model: wanted } : {});
		} catch (error) {
			if (attempt > 0 || webllmStatus.state !== 'lost') throw error;
		}
	}
}

function reloaded(signal?: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal?.aborted) return reject(abortedError());
		const wake = () => {
			signal?.removeEventListener('abort', stop);
			resolve();
		};
		const stop = () => {
			reloadWaiters = reloadWaiters.filter((waiter) => waiter !== wake);
			reject(abortedError());
		};
		signal?.addEventListener('abort', stop, { once: true });
		reloadWaiters.push(wake);
	});
}

/**
 * The page engine a run in the data worker calls: pass it as its own argument of startRun / resumeRun
 * / retryFailed / rerunStale; the data bridge sends it by reference, as it does every object with
 * behaviour (workers/bridge-args.ts). Errors reach
 * the worker as plain `SerializedEngineError` objects: turn them back with `fromRemoteError`
 * (page-engine-core.ts) so retries still see their kind. `runId` tags manual requests so the run
 * view can show only its own.
 */
export function remoteEngineFor(kind: 'webllm' | 'manual', runId?: string): RemoteEngine {
	return new RemoteEngineHost(backendFor(kind, runId));
}
