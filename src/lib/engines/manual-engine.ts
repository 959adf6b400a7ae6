/**
 * The manual engine: the user is the model. `chat()` publishes the request as a compiled prompt
 * text (to copy into any chat UI) and waits until `provideReply(requestId, text)` is called with
 * what the user pasted back. Cancellable through the request's signal or `cancel(requestId)`.
 */
import { abortedError, EngineError, type ChatRequest, type ChatResponse, type Engine } from '$lib/core/contracts/engine';

export interface PendingManualRequest {
	requestId: string;
	/** The messages rendered as one text to copy. */
	promptText: string;
	request: Omit<ChatRequest, 'signal'>;
	publishedAt: number;
	/** The run that asked, when the caller said (the run view shows only its own requests). */
	runId?: string;
}

export interface ManualChatOptions {
	/** Use this id instead of a generated one (the caller's own request id). */
	requestId?: string;
	runId?: string;
}

export interface ManualEngineOptions {
	id?: string;
	label?: string;
	/** Called whenever a request is waiting for the user. */
	onRequest?: (pending: PendingManualRequest) => void;
	/** Called when a pending request is answered or cancelled. */
	onSettled?: (requestId: string) => void;
	now?: () => number;
}

/** The messages as one text: system first, then each turn under a role heading. */
export function renderPromptText(request: Pick<ChatRequest, 'messages' | 'responseFormat'>): string {
	const parts = request.messages.map((message) => `### ${message.role}\n${message.content}`);
	if (request.responseFormat) parts.push('### note\nAnswer with JSON only.');
	return parts.join('\n\n');
}

interface Waiter {
	pending: PendingManualRequest;
	resolve: (response: ChatResponse) => void;
	reject: (error: EngineError) => void;
	cleanup: () => void;
}

export class ManualEngine implements Engine {
	readonly id: string;
	readonly label: string;
	readonly kind = 'manual' as const;
	/** One request at a time: a person answers them. */
	readonly maxConcurrency = 1;
	readonly supportsJsonSchema = false;
	private readonly waiters = new Map<string, Waiter>();
	private readonly onRequest?: (pending: PendingManualRequest) => void;
	private readonly onSettled?: (requestId: string) => void;
	private readonly now: () => number;
	private counter = 0;

	constructor(options: ManualEngineOptions = {}) {
		this.id = options.id ?? 'manual';
		this.label = options.label ?? 'Manual (copy and paste)';
		this.onRequest = options.onRequest;
		this.onSettled = options.onSettled;
		this.now = options.now ?? Date.now;
	}

	/** Requests waiting for a reply, oldest first. */
	pending(): PendingManualRequest[] {
		return [...this.waiters.values()].map((waiter) => waiter.pending);
	}

	chat(request: ChatRequest, options: ManualChatOptions = {}): Promise<ChatResponse> {
		const { signal, ...rest } = request;
		if (signal?.aborted) return Promise.reject(abortedError());
		let requestId = options.requestId ?? `manual-${++this.counter}`;
		// A reused id would orphan the earlier waiter; keep both answerable.
		while (this.waiters.has(requestId)) requestId = `${options.requestId ?? 'manual'}-${++this.counter}`;
		const pending: PendingManualRequest = { requestId, promptText: renderPromptText(request), request: rest, publishedAt: this.now() };
		if (options.runId !== undefined) pending.runId = options.runId;
		return new Promise<ChatResponse>((resolve, reject) => {
			const onAbort = () => this.cancel(requestId);
			signal?.addEventListener('abort', onAbort, { once: true });
			this.waiters.set(requestId, { pending, resolve, reject, cleanup: () => signal?.removeEventListener('abort', onAbort) });
			this.onRequest?.(pending);
		});
	}

	private settle(requestId: string): Waiter | undefined {
		const waiter = this.waiters.get(requestId);
		if (!waiter) return undefined;
		this.waiters.delete(requestId);
		waiter.cleanup();
		this.onSettled?.(requestId);
		return waiter;
	}

	/** Answers a pending request; false when it is unknown (already answered or cancelled). */
	provideReply(requestId: string, text: string): boolean {
		const waiter = this.settle(requestId);
		if (!waiter) return false;
		const now = this.now();
		waiter.resolve({ content: text, finishReason: 'stop', model: 'manual', timing: { startedAt: waiter.pending.publishedAt, ms: now - waiter.pending.publishedAt } });
		return true;
	}

	/** Cancels a pending request (its chat() rejects with an `aborted` EngineError). */
	cancel(requestId: string): boolean {
		const waiter = this.settle(requestId);
		if (!waiter) return false;
		waiter.reject(abortedError());
		return true;
	}

	/**
	 * The user declined to answer: chat() rejects with a non-retryable error, so the run records
	 * the input as failed (re-runnable later) and goes on with the next one.
	 */
	skip(requestId: string, reason = 'You skipped this request.'): boolean {
		const waiter = this.settle(requestId);
		if (!waiter) return false;
		waiter.reject(new EngineError('unavailable', reason));
		return true;
	}

	cancelAll(): void {
		for (const requestId of [...this.waiters.keys()]) this.cancel(requestId);
	}
}
