/**
 * A page engine (web-llm's worker, the manual engine) behind the Engine interface, for the data
 * worker: each call gets a request id, and an abort becomes `remote.cancel(id)` (AbortSignals
 * cannot cross Comlink). Errors that crossed Comlink lost their class: they become EngineErrors
 * again, so the dispatcher can tell a retryable failure from a final one.
 */
import { abortedError, EngineError, type ChatRequest, type ChatResponse, type Engine, type StreamUpdate } from '$lib/core/contracts/engine';
import type { RemoteEngine } from '$lib/core/contracts/run-api';

const ERROR_KINDS: readonly string[] = ['network', 'timeout', 'http', 'aborted', 'unavailable', 'bad-response'];

/** An error that crossed Comlink loses its class: make it an EngineError the dispatcher can classify. */
export function asEngineError(error: unknown): EngineError {
	if (error instanceof EngineError) return error;
	const value = (error ?? {}) as { message?: unknown; kind?: unknown; status?: unknown; retryAfterMs?: unknown };
	const message = typeof value.message === 'string' ? value.message : String(error);
	const kind = typeof value.kind === 'string' && ERROR_KINDS.includes(value.kind) ? (value.kind as EngineError['kind']) : 'unavailable';
	return new EngineError(kind, message, {
		...(typeof value.status === 'number' ? { status: value.status } : {}),
		...(typeof value.retryAfterMs === 'number' ? { retryAfterMs: value.retryAfterMs } : {})
	});
}

/** How often the data worker asks the page how far a streamed answer has got. */
export const STREAM_POLL_MS = 400;

export class RemoteEngineAdapter implements Engine {
	readonly maxConcurrency = 1;
	/** Set by the run (StreamWatch) to show streamed answers live. */
	onStream?: (update: StreamUpdate) => void;
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
		const stopWatching = this.watchStream(requestId, request);
		try {
			// The run's model goes with the request: checked again where the answer is generated.
			const answer = this.expectedModel !== undefined ? this.remote.chat(requestId, rest, this.expectedModel) : this.remote.chat(requestId, rest);
			return await Promise.race([answer, aborted]);
		} catch (error) {
			if (signal?.aborted) throw abortedError();
			throw asEngineError(error);
		} finally {
			signal?.removeEventListener('abort', abort);
			stopWatching();
		}
	}

	/** Polls the page for the request's streamed progress while it runs; returns the stop. */
	private watchStream(requestId: string, request: ChatRequest): () => void {
		const listener = this.onStream;
		const remote = this.remote;
		// Called on the remote itself, never bound: a Comlink proxy would send `bind` to the page.
		if (!listener || !remote.progress) return () => undefined;
		const progress = (id: string) => (remote.progress ? remote.progress(id) : Promise.resolve(null));
		let last: StreamUpdate | undefined;
		let stopped = false;
		const timer = setInterval(() => {
			void progress(requestId)
				.then((seen) => {
					if (stopped || !seen || seen.chunks === last?.chunks) return;
					// The dispatcher's messages array: how the run view tells requests apart.
					last = { messages: request.messages, ...seen, done: false };
					listener(last);
				})
				.catch(() => undefined);
		}, STREAM_POLL_MS);
		return () => {
			stopped = true;
			clearInterval(timer);
			if (last) listener({ ...last, done: true });
		};
	}
}
