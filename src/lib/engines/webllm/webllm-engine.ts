/**
 * The in-browser WebGPU engine: runs a prebuilt WebLLM model on this device.
 *
 * It talks to web-llm only through `MLCLikeEngine` (the subset of `MLCEngine` /
 * `WebWorkerMLCEngine` we use) created by an injected factory, so it is unit-tested with a fake
 * and the 6.8 MB library stays out of the page bundle: the real factory is
 * `createWorkerMLCEngine` (create-worker-engine.ts), which runs the model in a dedicated worker.
 */
import { abortedError, EngineError, type ChatRequest, type Engine } from '$lib/core/contracts/engine';
import { toEngineError } from './errors';
import { findWebLLMModel } from './models';
import { LoadProgressTracker, type InitProgressReportLike, type LoadStatus } from './progress';
import { fromWebLLMResponse, toWebLLMRequest, type WebLLMChatCompletion, type WebLLMChatRequest, type WebLLMChatResponse } from './request';

/**
 * The model records a load adds to web-llm's prebuilt list (web-llm's `AppConfig`, reduced to the
 * fields we fill): a custom, self-hosted model is one more record (webllm.md B.7).
 */
export interface WebLLMModelRecord {
	/** Base URL of the MLC-converted weights (web-llm appends `resolve/main/` unless present). */
	model: string;
	model_id: string;
	/** URL of the model library (.wasm). */
	model_lib: string;
	vram_required_MB?: number;
	low_resource_required?: boolean;
	required_features?: string[];
	overrides?: { context_window_size?: number };
}

export interface WebLLMAppConfig {
	model_list: WebLLMModelRecord[];
}

/** The seam: what this engine needs from web-llm's engine. */
export interface MLCLikeEngine {
	chat: { completions: { create(request: WebLLMChatRequest): Promise<WebLLMChatCompletion> } };
	/**
	 * Loads `modelId`. `extra` (custom records) is added to the prebuilt list for this load; without
	 * it only the prebuilt models are known. An `unload()` during a reload makes it resolve early.
	 */
	reload(modelId: string, extra?: WebLLMAppConfig): Promise<void>;
	unload(): Promise<void>;
	interruptGenerate(): void;
}

export interface LoadOptions {
	/** Records for models outside web-llm's prebuilt list (a custom model URL). */
	appConfig?: WebLLMAppConfig;
	/** Shown instead of the id in the engine's label. */
	label?: string;
}

/** Creates the web-llm engine once; `onProgress` receives every later `reload`'s reports. */
export type MLCEngineFactory = (onProgress: (report: InitProgressReportLike) => void) => Promise<MLCLikeEngine>;

export interface WebLLMEngineOptions {
	factory: MLCEngineFactory;
	id?: string;
	now?: () => number;
}

export class WebLLMEngine implements Engine {
	readonly id: string;
	readonly kind = 'webllm' as const;
	/** One GPU, one model: requests run one after another (web-llm serialises them anyway). */
	readonly maxConcurrency = 1;
	/** web-llm constrains decoding with XGrammar (`response_format.schema`). */
	readonly supportsJsonSchema = true;
	private readonly factory: MLCEngineFactory;
	private readonly now: () => number;
	private mlc: Promise<MLCLikeEngine> | undefined;
	private progressListener: ((report: InitProgressReportLike) => void) | undefined;
	private loadedModelId: string | undefined;
	private loadedLabel: string | undefined;
	/** Set by `cancelLoad` for the load in progress; that load then rejects as aborted. */
	private loadCancelled = false;
	private loading = false;
	/** Tail of the queue that serialises loads and chats, so an abort interrupts only its own request. */
	private queue: Promise<unknown> = Promise.resolve();

	constructor(options: WebLLMEngineOptions) {
		this.factory = options.factory;
		this.id = options.id ?? 'webllm';
		this.now = options.now ?? Date.now;
	}

	get label(): string {
		const model = this.loadedModelId ? (this.loadedLabel ?? findWebLLMModel(this.loadedModelId)?.label ?? this.loadedModelId) : 'no model loaded';
		return `In-browser (WebGPU): ${model}`;
	}

	/** The model `chat` answers with; undefined before a successful `load`. */
	get modelId(): string | undefined {
		return this.loadedModelId;
	}

	private engine(): Promise<MLCLikeEngine> {
		if (!this.mlc) {
			this.mlc = this.factory((report) => this.progressListener?.(report));
			// A failed creation (no worker support, say) must not poison later attempts.
			this.mlc.catch(() => {
				this.mlc = undefined;
			});
		}
		return this.mlc;
	}

	private enqueue<T>(task: () => Promise<T>): Promise<T> {
		const run = this.queue.then(task, task);
		this.queue = run.catch(() => undefined);
		return run;
	}

	/** Downloads (or reads from cache) and uploads a model; `onPhase` gets monotonic progress. */
	load(modelId: string, onPhase?: (status: LoadStatus) => void, options: LoadOptions = {}): Promise<void> {
		return this.enqueue(async () => {
			const tracker = new LoadProgressTracker();
			this.progressListener = (report) => onPhase?.(tracker.update(report));
			this.loadedModelId = undefined;
			this.loadedLabel = undefined;
			this.loadCancelled = false;
			this.loading = true;
			try {
				const mlc = await this.engine();
				if (this.loadCancelled) throw abortedError();
				await mlc.reload(modelId, options.appConfig);
				// web-llm resolves an unloaded reload quietly; the caller asked to stop, so say so.
				if (this.loadCancelled) throw abortedError();
				this.loadedModelId = modelId;
				this.loadedLabel = options.label;
			} catch (error) {
				if (this.loadCancelled) throw abortedError();
				throw toEngineError(error, modelId);
			} finally {
				this.loading = false;
				this.progressListener = undefined;
			}
		});
	}

	/**
	 * Stops the load in progress (the download stops; shards already saved stay cached). Not queued:
	 * it must reach web-llm while `reload` is still running. False when nothing is loading.
	 */
	cancelLoad(): boolean {
		if (!this.loading) return false;
		this.loadCancelled = true;
		this.progressListener = undefined;
		void this.mlc?.then((mlc) => mlc.unload()).catch(() => undefined);
		return true;
	}

	/** Frees the GPU memory; the weights stay cached for the next load. */
	unload(): Promise<void> {
		return this.enqueue(async () => {
			if (!this.mlc) return;
			this.loadedModelId = undefined;
			this.loadedLabel = undefined;
			try {
				await (await this.mlc).unload();
			} catch (error) {
				throw toEngineError(error);
			}
		});
	}

	chat(request: ChatRequest): Promise<WebLLMChatResponse> {
		const { signal } = request;
		if (signal?.aborted) return Promise.reject(abortedError());
		const run = this.generate(request);
		if (!signal) return run;
		// Settle as soon as the caller cancels, also while still queued behind another request
		// (that one keeps running; this one is skipped when its turn comes).
		return new Promise<WebLLMChatResponse>((resolve, reject) => {
			const onAbort = () => reject(abortedError());
			signal.addEventListener('abort', onAbort, { once: true });
			run.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
		});
	}

	private generate(request: ChatRequest): Promise<WebLLMChatResponse> {
		return this.enqueue(async () => {
			const { signal } = request;
			if (signal?.aborted) throw abortedError();
			const modelId = this.loadedModelId;
			if (!modelId || !this.mlc) throw new EngineError('unavailable', 'No in-browser model is loaded. Load a model first.');
			const mlc = await this.mlc;
			const startedAt = this.now();
			const onAbort = () => mlc.interruptGenerate();
			signal?.addEventListener('abort', onAbort, { once: true });
			try {
				const completion = await mlc.chat.completions.create(toWebLLMRequest(request, modelId));
				// An interrupted generation resolves with the partial text: the caller asked to cancel.
				if (signal?.aborted) throw abortedError();
				return fromWebLLMResponse(completion, modelId, { startedAt, ms: this.now() - startedAt });
			} catch (error) {
				if (signal?.aborted) throw abortedError();
				throw toEngineError(error, modelId);
			} finally {
				signal?.removeEventListener('abort', onAbort);
			}
		});
	}
}
