/**
 * The engines that live on the page: the in-browser WebGPU model (running in its own worker that
 * this module creates) and the manual copy/paste engine (the user answers). Module-level
 * singletons, so a loaded model survives SvelteKit's client-side navigation between pages.
 *
 * Runs in the data worker reach them through `remoteEngineFor(kind)`, an object the data bridge
 * passes by reference (a Comlink proxy). web-llm (6.8 MB) is imported only when the user loads a
 * model.
 */
import { isEngineError } from '$lib/core/contracts/engine';
import { appConfigFor, loadCustomModels } from './custom-models';
import { ManualEngine, type PendingManualRequest } from './manual-engine';
import { RemoteEngineHost, type PageEngineBackend } from './page-engine-core';
import { toEngineError } from './webllm/errors';
import { findWebLLMModel } from './webllm/models';
import { describePhase, type LoadPhase, type LoadStatus } from './webllm/progress';
import { WebLLMEngine, type LoadOptions } from './webllm/webllm-engine';
import type { RemoteEngine } from '$lib/core/contracts/run-api';

export type WebLLMLoadState = 'idle' | 'loading' | 'loaded' | 'failed';

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
	/** The GPU web-llm reported at the end of loading. */
	gpu = $state<string | null>(null);
}

export const webllmStatus = new WebLLMStatus();

let engine: WebLLMEngine | undefined;

function webllmEngine(): WebLLMEngine {
	engine ??= new WebLLMEngine({
		factory: async (onProgress) => (await import('./webllm/create-worker-engine')).createWorkerMLCEngine(onProgress)
	});
	return engine;
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
}

/**
 * Loads a catalog model or a custom one (looked up in this browser's custom list). Resolves true
 * when loaded, false when it failed or was cancelled (then `webllmStatus.error` / `.cancelled` say
 * why); never rejects.
 */
export async function loadModel(modelId: string, options: LoadModelOptions = {}): Promise<boolean> {
	const custom = findWebLLMModel(modelId) ? undefined : loadCustomModels(localStorage).find((model) => model.modelId === modelId);
	const loadOptions: LoadOptions = custom ? { appConfig: appConfigFor(custom), label: custom.modelId } : {};
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
		gpu: null
	} satisfies Partial<WebLLMStatus>);
	try {
		if (!custom && !findWebLLMModel(modelId)) throw new Error(`Cannot find model record for ${modelId}`);
		await webllmEngine().load(modelId, (status) => applyStatus(status, cached), loadOptions);
		webllmStatus.state = 'loaded';
		webllmStatus.phaseLine = 'Ready';
		webllmStatus.progress = 1;
		webllmStatus.overall = 1;
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
	}
}

/** Stops the download/load in progress; the shards already saved stay cached. */
export function cancelLoad(): void {
	engine?.cancelLoad();
}

/** Frees the GPU memory; the weights stay downloaded. */
export async function unloadModel(): Promise<void> {
	if (!engine) return;
	try {
		await engine.unload();
	} catch {
		// The worker may already be gone; either way nothing is loaded now.
	}
	Object.assign(webllmStatus, { state: 'idle', modelId: null, label: null, phase: null, phaseLine: '', progress: 0, overall: 0, error: null, cancelled: false } satisfies Partial<WebLLMStatus>);
}

/** The model runs can use now, or null. */
export function loadedWebLLM(): { modelId: string; label: string } | null {
	const modelId = engine?.modelId;
	if (!modelId || webllmStatus.state !== 'loaded') return null;
	return { modelId, label: webllmStatus.label ?? labelOf(modelId) };
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
	return {
		chat: (_requestId, request) => webllmEngine().chat(request),
		describe: () => ({ kind: 'webllm', model: loadedWebLLM()?.modelId ?? '', maxConcurrency: 1, supportsJsonSchema: true })
	};
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
