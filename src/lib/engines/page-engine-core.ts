/**
 * The page side of engines that live on the page (in-browser WebGPU, manual) and serve runs in the
 * data worker through a Comlink proxy (`RemoteEngine` in core/contracts/run-api.ts).
 *
 * Pure logic, tested in Node: one AbortController per request id (signals cannot cross Comlink),
 * and errors thrown as plain data. Comlink turns a thrown `Error` into `{ name, message, stack }`
 * and drops the rest, so the `kind` the dispatcher's retry policy needs would be lost; a thrown
 * plain object crosses unchanged, and `fromRemoteError` turns it back into an `EngineError`.
 */
import { abortedError, EngineError, isEngineError, type ChatRequest, type ChatResponse, type EngineErrorKind, type StreamUpdate } from '$lib/core/contracts/engine';
import type { RemoteEngine, RemoteStreamProgress } from '$lib/core/contracts/run-api';

export type RemoteDescription = Awaited<ReturnType<RemoteEngine['describe']>>;

/** An EngineError as plain, structured-clonable data. */
export interface SerializedEngineError {
	name: 'EngineError';
	kind: EngineErrorKind;
	message: string;
	status?: number;
	retryAfterMs?: number;
}

const KINDS: ReadonlySet<string> = new Set<EngineErrorKind>(['network', 'timeout', 'http', 'aborted', 'unavailable', 'bad-response']);

export function toRemoteError(error: unknown): SerializedEngineError {
	const engineError = isEngineError(error)
		? error
		: new EngineError('bad-response', error instanceof Error ? `${error.name}: ${error.message}` : String(error));
	const serialized: SerializedEngineError = { name: 'EngineError', kind: engineError.kind, message: engineError.message };
	if (engineError.status !== undefined) serialized.status = engineError.status;
	if (engineError.retryAfterMs !== undefined) serialized.retryAfterMs = engineError.retryAfterMs;
	return serialized;
}

/**
 * For the worker side: what a remote engine threw, back as an EngineError (a plain
 * `SerializedEngineError`; or Comlink's rebuilt `Error` named EngineError, which lost its kind).
 */
export function fromRemoteError(thrown: unknown): EngineError {
	if (isEngineError(thrown)) return thrown;
	if (typeof thrown === 'object' && thrown !== null) {
		const record = thrown as Partial<SerializedEngineError> & { name?: unknown; message?: unknown };
		const message = typeof record.message === 'string' ? record.message : 'The page engine failed.';
		if (typeof record.kind === 'string' && KINDS.has(record.kind)) {
			return new EngineError(record.kind, message, {
				...(typeof record.status === 'number' ? { status: record.status } : {}),
				...(typeof record.retryAfterMs === 'number' ? { retryAfterMs: record.retryAfterMs } : {})
			});
		}
		return new EngineError('bad-response', message);
	}
	return new EngineError('bad-response', String(thrown));
}

/** What a page engine does for one request; the signal fires on `cancel(requestId)`. */
export interface PageEngineBackend {
	/**
	 * `onStream` (engines that stream) receives the answer's progress as it arrives; `model` is the
	 * model the run expects (RemoteEngine.chat).
	 */
	chat(requestId: string, request: ChatRequest, options?: { onStream?: (update: StreamUpdate) => void; model?: string }): Promise<ChatResponse>;
	describe(): RemoteDescription;
}

/** The object handed (inside `Comlink.proxy`) to the data worker. */
export class RemoteEngineHost implements RemoteEngine {
	private readonly controllers = new Map<string, AbortController>();
	private readonly streams = new Map<string, RemoteStreamProgress>();

	constructor(private readonly backend: PageEngineBackend) {}

	/** Requests currently being served. */
	get inFlight(): number {
		return this.controllers.size;
	}

	async chat(requestId: string, request: Omit<ChatRequest, 'signal'>, model?: string): Promise<ChatResponse> {
		this.controllers.get(requestId)?.abort();
		const controller = new AbortController();
		this.controllers.set(requestId, controller);
		try {
			if (controller.signal.aborted) throw abortedError();
			const onStream = (update: StreamUpdate) => {
				if (update.done) return;
				const { chars, chunks, startedAt, ms, firstTokenMs } = update;
				this.streams.set(requestId, { chars, chunks, startedAt, ms, ...(firstTokenMs !== undefined ? { firstTokenMs } : {}) });
			};
			const response = await this.backend.chat(requestId, { ...request, signal: controller.signal }, { onStream, ...(model !== undefined ? { model } : {}) });
			// Only plain data crosses back (a class instance or a $state proxy would not clone).
			return JSON.parse(JSON.stringify(response)) as ChatResponse;
		} catch (error) {
			throw toRemoteError(controller.signal.aborted ? abortedError() : error);
		} finally {
			if (this.controllers.get(requestId) === controller) {
				this.controllers.delete(requestId);
				this.streams.delete(requestId);
			}
		}
	}

	async progress(requestId: string): Promise<RemoteStreamProgress | null> {
		return this.streams.get(requestId) ?? null;
	}

	cancel(requestId: string): void {
		this.controllers.get(requestId)?.abort();
	}

	/** Aborts every request (the model was unloaded, the page is going away). */
	cancelAll(): void {
		for (const controller of this.controllers.values()) controller.abort();
	}

	async describe(): Promise<RemoteDescription> {
		return this.backend.describe();
	}
}
