/**
 * The in-browser WebGPU engine: runs a prebuilt WebLLM model on this device.
 *
 * It talks to web-llm only through `MLCLikeEngine` (the subset of web-llm's engine we use, run in a
 * dedicated worker) created by an injected factory, so it is unit-tested with a scripted stand-in
 * and the 6.8 MB library stays out of the page bundle: the real factory is
 * `createWorkerMLCEngine` (create-worker-engine.ts).
 *
 * What web-llm does not do for us, and this adapter does:
 * - Cancel: web-llm's abort reaches only the downloads; a cancel while weights go onto the GPU or
 *   shaders compile would leave 1–5 GB allocated and report nothing. The worker is terminated
 *   instead (its GPU memory goes with it) and a fresh one is made for the next load; a stand-in
 *   without `terminate` is unloaded once its reload settles. A load still queued behind a
 *   generation is dropped at once.
 * - GPU lost after loading: web-llm unloads silently and every later request fails. The first
 *   such failure marks the model lost, tells `onLost` (the page pauses the run and offers to
 *   reload) and says so in plain words.
 * - The context window: the prompt is counted before sending and max_tokens lowered to fit.
 * - Whitespace loops: answers stream, and a long run of whitespace stops the answer at once.
 * - Every request names its model, so web-llm refuses rather than answers with another one.
 */
import { abortedError, EngineError, type ChatRequest, type Engine, type StreamUpdate } from '$lib/core/contracts/engine';
import { cutOffInWindowMessage, estimateTokens, fitContext, promptTokensOf, shrunkMessage } from './context-fit';
import { isGpuLostError, toEngineError } from './errors';
import { findWebLLMModel } from './models';
import { LoadProgressTracker, type InitProgressReportLike, type LoadStatus } from './progress';
import { fromWebLLMResponse, toWebLLMRequest, type WebLLMChatCompletion, type WebLLMChatMessage, type WebLLMChatRequest, type WebLLMChatResponse } from './request';

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
	/** sliding_window_size -1 turns sliding windows off: web-llm refuses both at once. */
	overrides?: { context_window_size?: number; sliding_window_size?: number };
}

export interface WebLLMAppConfig {
	model_list: WebLLMModelRecord[];
}

/** The seam: what this engine needs from web-llm's engine. */
export interface MLCLikeEngine {
	/**
	 * Generates one answer with `stream: true`: `onDelta` receives the text as it arrives; resolves
	 * with the whole completion (content, finish reason, usage). `interruptGenerate` ends it early
	 * (web-llm then finishes with what it has).
	 */
	generate(request: WebLLMChatRequest, onDelta: (text: string) => void): Promise<WebLLMChatCompletion>;
	/**
	 * Loads `modelId`. `extra` (custom records) is added to the prebuilt list for this load; without
	 * it only the prebuilt models are known. An `unload()` during a reload stops its downloads only:
	 * a reload past them runs on and resolves.
	 */
	reload(modelId: string, extra?: WebLLMAppConfig): Promise<void>;
	unload(): Promise<void>;
	interruptGenerate(): void;
	/** Tokens of `texts` under the loaded model's tokenizer; undefined when it cannot say. */
	countTokens?(texts: string[]): Promise<number | undefined>;
	/** Ends the engine at once, GPU memory included (a worker's terminate); it is not used again. */
	terminate?(): void;
	/**
	 * Calls `listener` when the loaded model disappears without an unload from us (web-llm's
	 * device.lost handler unloads it silently), so the page learns of it before the next request.
	 */
	watchLoss?(listener: () => void): void;
}

export interface LoadOptions {
	/** Records for models outside web-llm's prebuilt list (a custom model URL). */
	appConfig?: WebLLMAppConfig;
	/** Shown instead of the id in the engine's label. */
	label?: string;
	/** Tokens of prompt plus answer the model allows (the catalog's, when not given). */
	contextWindow?: number;
}

/** Creates the web-llm engine; `onProgress` receives every later `reload`'s reports. */
export type MLCEngineFactory = (onProgress: (report: InitProgressReportLike) => void) => Promise<MLCLikeEngine>;

export interface WebLLMEngineOptions {
	factory: MLCEngineFactory;
	id?: string;
	now?: () => number;
	/** The loaded model was lost (GPU reset or out of memory after loading): it must be reloaded. */
	onLost?: (modelId: string, message: string) => void;
}

/** Whitespace characters in a row after which an answer is stopped (a model looping on blanks). */
export const WHITESPACE_RUN_LIMIT = 64;

interface LoadTicket {
	cancelled: boolean;
	started: boolean;
	done: boolean;
	/** Rejects the caller's promise at once (a queued load, or a terminated worker). */
	settleAborted: () => void;
}

export class WebLLMEngine implements Engine {
	readonly id: string;
	readonly kind = 'webllm' as const;
	/** One GPU, one model: requests run one after another (web-llm serialises them anyway). */
	readonly maxConcurrency = 1;
	/** web-llm constrains decoding with XGrammar (a grammar or `response_format.schema`). */
	readonly supportsJsonSchema = true;
	onStream?: (update: StreamUpdate) => void;
	onLost?: (modelId: string, message: string) => void;
	private readonly factory: MLCEngineFactory;
	private readonly now: () => number;
	private mlc: Promise<MLCLikeEngine> | undefined;
	/** The engine `mlc` resolved to, for the synchronous cancel. */
	private current: MLCLikeEngine | undefined;
	private progressListener: ((report: InitProgressReportLike) => void) | undefined;
	private loadedModelId: string | undefined;
	private loadedLabel: string | undefined;
	private contextWindow: number | undefined;
	/** Why the model is gone, after a GPU loss (until the next load). */
	private lostMessage: string | undefined;
	private latestLoad: LoadTicket | undefined;
	/** Generations running or queued (a load during a run would fail the rest of it). */
	private generations = 0;
	/** Tail of the queue that serialises loads and chats, so an abort interrupts only its own request. */
	private queue: Promise<unknown> = Promise.resolve();

	constructor(options: WebLLMEngineOptions) {
		this.factory = options.factory;
		this.id = options.id ?? 'webllm';
		this.now = options.now ?? Date.now;
		this.onLost = options.onLost;
	}

	get label(): string {
		const model = this.loadedModelId ? (this.loadedLabel ?? findWebLLMModel(this.loadedModelId)?.label ?? this.loadedModelId) : 'no model loaded';
		return `In-browser (WebGPU): ${model}`;
	}

	/** The model `chat` answers with; undefined before a successful `load` and after a loss. */
	get modelId(): string | undefined {
		return this.loadedModelId;
	}

	/** Tokens of prompt plus answer the loaded model allows, when known. */
	get contextWindowSize(): number | undefined {
		return this.contextWindow;
	}

	/** True while a generation runs or waits: loading another model now would break a run. */
	get generating(): boolean {
		return this.generations > 0;
	}

	private engine(): Promise<MLCLikeEngine> {
		if (!this.mlc) {
			const created = this.factory((report) => this.progressListener?.(report));
			this.mlc = created;
			created.then(
				(mlc) => {
					if (this.mlc !== created) return;
					this.current = mlc;
					mlc.watchLoss?.(() => {
						const modelId = this.loadedModelId;
						if (modelId && this.current === mlc) this.lost(modelId);
					});
				},
				() => {
					// A failed creation (no worker support, say) must not poison later attempts.
					if (this.mlc === created) this.mlc = undefined;
				}
			);
		}
		return this.mlc;
	}

	private enqueue<T>(task: () => Promise<T>): Promise<T> {
		const run = this.queue.then(task, task);
		this.queue = run.catch(() => undefined);
		return run;
	}

	private forgetModel(): void {
		this.loadedModelId = undefined;
		this.loadedLabel = undefined;
		this.contextWindow = undefined;
	}

	/** Downloads (or reads from cache) and uploads a model; `onPhase` gets monotonic progress. */
	load(modelId: string, onPhase?: (status: LoadStatus) => void, options: LoadOptions = {}): Promise<void> {
		let settleAborted: () => void = () => undefined;
		const early = new Promise<never>((_, reject) => (settleAborted = () => reject(abortedError())));
		early.catch(() => undefined);
		const ticket: LoadTicket = { cancelled: false, started: false, done: false, settleAborted };
		this.latestLoad = ticket;
		const run = this.enqueue(async () => {
			if (ticket.cancelled) throw abortedError();
			ticket.started = true;
			const tracker = new LoadProgressTracker();
			this.progressListener = (report) => onPhase?.(tracker.update(report));
			this.forgetModel();
			this.lostMessage = undefined;
			let mlc: MLCLikeEngine | undefined;
			try {
				mlc = await this.engine();
				if (ticket.cancelled) throw abortedError();
				await Promise.race([mlc.reload(modelId, options.appConfig), early]);
				// web-llm resolves a reload whose downloads were stopped, and runs a reload past its
				// downloads to the end: the caller asked to stop, so free the GPU and say so.
				if (ticket.cancelled) {
					await this.release(mlc);
					throw abortedError();
				}
				this.loadedModelId = modelId;
				this.loadedLabel = options.label;
				this.contextWindow = options.contextWindow ?? findWebLLMModel(modelId)?.contextWindow;
			} catch (error) {
				if (ticket.cancelled) {
					if (mlc) await this.release(mlc);
					throw abortedError();
				}
				throw toEngineError(error, modelId);
			} finally {
				ticket.done = true;
				this.progressListener = undefined;
			}
		});
		return Promise.race([run, early]);
	}

	/** Unloads a cancelled load's leftovers (nothing to do once the worker was terminated). */
	private async release(mlc: MLCLikeEngine): Promise<void> {
		if (this.current !== mlc) return;
		await mlc.unload().catch(() => undefined);
	}

	/**
	 * Stops the latest load: a queued one is dropped; a running one stops now, whatever its phase
	 * (the worker is terminated, freeing its GPU memory, when the engine can be; otherwise the
	 * downloads stop and what was loaded is unloaded when web-llm's reload returns). Not queued:
	 * it must reach web-llm while `reload` is still running. False when nothing is loading.
	 */
	cancelLoad(): boolean {
		const ticket = this.latestLoad;
		if (!ticket || ticket.done || ticket.cancelled) return false;
		ticket.cancelled = true;
		if (!ticket.started) {
			ticket.settleAborted();
			return true;
		}
		this.progressListener = undefined;
		const mlc = this.current;
		if (mlc?.terminate) {
			this.dropEngine(mlc);
			ticket.settleAborted();
		} else if (mlc) {
			void mlc.unload().catch(() => undefined);
		}
		// Still being created: the load sees `cancelled` as soon as the engine exists.
		return true;
	}

	private dropEngine(mlc: MLCLikeEngine): void {
		try {
			mlc.terminate?.();
		} catch {
			// Already gone.
		}
		if (this.current === mlc) {
			this.current = undefined;
			this.mlc = undefined;
		}
		this.forgetModel();
	}

	/** Frees the GPU memory; the weights stay cached for the next load. */
	unload(): Promise<void> {
		return this.enqueue(async () => {
			if (!this.mlc) return;
			this.forgetModel();
			this.lostMessage = undefined;
			try {
				await (await this.mlc).unload();
			} catch (error) {
				throw toEngineError(error);
			}
		});
	}

	/**
	 * `model`: answer only with this model loaded (a run's model; checked when the request's turn
	 * comes, after any load queued before it).
	 */
	chat(request: ChatRequest, options: { model?: string } = {}): Promise<WebLLMChatResponse> {
		const { signal } = request;
		if (signal?.aborted) return Promise.reject(abortedError());
		this.generations += 1;
		const run = this.generate(request, options.model).finally(() => (this.generations -= 1));
		if (!signal) return run;
		// Settle as soon as the caller cancels, also while still queued behind another request
		// (that one keeps running; this one is skipped when its turn comes).
		return new Promise<WebLLMChatResponse>((resolve, reject) => {
			const onAbort = () => reject(abortedError());
			signal.addEventListener('abort', onAbort, { once: true });
			run.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
		});
	}

	private async promptTokens(mlc: MLCLikeEngine, messages: WebLLMChatMessage[]): Promise<{ tokens: number; estimated: boolean }> {
		const texts = messages.map((message) => message.content);
		let counted: number | undefined;
		try {
			counted = await mlc.countTokens?.(texts);
		} catch {
			counted = undefined;
		}
		const estimated = counted === undefined;
		const content = counted ?? texts.reduce((sum, text) => sum + estimateTokens(text), 0);
		return { tokens: promptTokensOf(content, messages.length), estimated };
	}

	private generate(request: ChatRequest, expected?: string): Promise<WebLLMChatResponse> {
		return this.enqueue(async () => {
			const { signal } = request;
			if (signal?.aborted) throw abortedError();
			const modelId = this.loadedModelId;
			const mlc = this.current;
			if (!modelId || !mlc) throw new EngineError('unavailable', this.lostMessage ?? 'No in-browser model is loaded. Load a model first.');
			if (expected !== undefined && expected !== modelId) {
				throw new EngineError('unavailable', `This run uses ${expected}, but ${modelId} is loaded now. Load ${expected} on the Engines page, then retry the failed records.`);
			}
			let body = toWebLLMRequest(request, modelId, { stream: true });
			const window = this.contextWindow;
			let fitted: { promptTokens: number; maxTokens: number; contextWindow: number; asked: number } | undefined;
			if (window) {
				const prompt = await this.promptTokens(mlc, body.messages);
				const fit = fitContext({ promptTokens: prompt.tokens, maxTokens: body.max_tokens, contextWindow: window, model: modelId, estimated: prompt.estimated });
				if (!fit.ok) throw new EngineError('unavailable', fit.message);
				if (fit.shrunk) {
					fitted = { promptTokens: prompt.tokens, maxTokens: fit.maxTokens, contextWindow: window, asked: body.max_tokens };
					body = { ...body, max_tokens: fit.maxTokens };
				}
			}
			const startedAt = this.now();
			let text = '';
			let chunks = 0;
			let firstTokenMs: number | undefined;
			let blankRun = 0;
			let looped = false;
			const onAbort = () => mlc.interruptGenerate();
			signal?.addEventListener('abort', onAbort, { once: true });
			const update = (done: boolean) =>
				this.onStream?.({ messages: request.messages, chars: text.length, chunks, startedAt, ms: this.now() - startedAt, ...(firstTokenMs !== undefined ? { firstTokenMs } : {}), done });
			const onDelta = (delta: string) => {
				if (!delta) return;
				chunks += 1;
				text += delta;
				firstTokenMs ??= this.now() - startedAt;
				for (const char of delta) blankRun = /\s/.test(char) ? blankRun + 1 : 0;
				if (blankRun >= WHITESPACE_RUN_LIMIT && !looped) {
					looped = true;
					mlc.interruptGenerate();
				}
				update(false);
			};
			try {
				const completion = await mlc.generate(body, onDelta);
				// An interrupted generation resolves with the partial text: the caller asked to cancel.
				if (signal?.aborted) throw abortedError();
				if (looped) {
					throw new EngineError('timeout', `The model wrote ${WHITESPACE_RUN_LIMIT} blank characters in a row and was stopped (small models can loop on whitespace in JSON mode).`, {
						partial: completion.choices?.[0]?.message?.content ?? text
					});
				}
				const response = fromWebLLMResponse(completion, modelId, { startedAt, ms: this.now() - startedAt });
				if (fitted && response.finishReason === 'length') throw new EngineError('bad-response', cutOffInWindowMessage({ ...fitted, model: modelId }));
				// Said for every answer whose max_tokens was lowered, not only one that was then cut off.
				return fitted ? { ...response, notice: shrunkMessage({ ...fitted, model: modelId }) } : response;
			} catch (error) {
				if (signal?.aborted) throw abortedError();
				if (isGpuLostError(error)) throw this.lost(modelId);
				throw toEngineError(error, modelId);
			} finally {
				signal?.removeEventListener('abort', onAbort);
				update(true);
			}
		});
	}

	/** The model is gone from the GPU (web-llm unloaded it when the device was lost). */
	private lost(modelId: string): EngineError {
		const message = `The graphics card was reset or ran out of memory, and ${this.loadedLabel ?? modelId} was unloaded. Reload the model, then resume the run (close other GPU-heavy tabs, or pick a smaller model or a "-1k" build if it happens again).`;
		if (this.loadedModelId === modelId) {
			this.forgetModel();
			this.lostMessage = message;
			this.onLost?.(modelId, message);
		}
		return new EngineError('unavailable', message);
	}
}
