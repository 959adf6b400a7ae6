/**
 * A small pool of token-count workers, owned by the data worker: `count` sends a list of texts to
 * the least busy worker and resolves with their token counts, so the analysis can keep reading
 * blocks (and computing structure and duplicates) while the pool counts the previous ones on the
 * other cores. Workers start on first use and stop after a minute without work (each holds a
 * vocabulary of tens of MB).
 */
import type { TokenizerId } from '$lib/core/analysis/tokenizers';
import type { Entry } from '$lib/core/model';
import type { TemplateTarget } from '$lib/core/templates/target-schema';

export interface TokenCountRequest {
	id: number;
	tokenizer: TokenizerId;
	texts: string[];
}

/** What a template count needs of an entry (the rest is not sent). */
export type TemplateEntry = Pick<Entry, 'messages' | 'extra'>;

/**
 * Render each entry under a target's chat template and count it (`countEntryUnderTemplate`):
 * answers `ENTRY_COUNT_FIELDS` integers per entry. With `bench`, answers the
 * render+tokenize and tokenizer-alone timings of the block instead (`benchTemplateRenderTokenize`).
 */
export interface TemplateCountRequest {
	id: number;
	kind: 'template';
	target: TemplateTarget;
	entries: TemplateEntry[];
	/** The date templates that print one (gpt-oss) render: one date for the whole run. */
	now: number;
	bench?: 'render-tokenize' | 'compare';
}

/** `estimated`: why the counts are estimates (the template's tokenizer could not be loaded). */
export type TokenCountReply = { id: number; counts: Int32Array; estimated?: string } | { id: number; error: string };

/** A template count's answer: packed figures, and why they are estimates when they are. */
export interface TemplateCounted {
	counts: Int32Array;
	estimated?: string;
}

/** What the analysis needs from a pool (an in-process counter in Node tests). */
export type CountTexts = (tokenizer: TokenizerId, texts: string[]) => Promise<ArrayLike<number>>;

/** Template counts for a block of entries (packed, see TemplateCountRequest), on a pool or in-process. */
export type CountTemplate = (request: Omit<TemplateCountRequest, 'id' | 'kind'>) => Promise<TemplateCounted>;

interface PoolWorker {
	worker: Worker;
	busy: number;
}

const IDLE_STOP_MS = 60_000;

export class TokenCountPool {
	private workers: PoolWorker[] = [];
	private readonly pending = new Map<number, { resolve: (counted: TemplateCounted) => void; reject: (error: Error) => void; owner: PoolWorker }>();
	private nextId = 1;
	private idleTimer: ReturnType<typeof setTimeout> | null = null;

	/**
	 * @param size workers to run (one per core is right: the caller's thread reads and does the rest)
	 * @param spawn starts one token-count worker
	 */
	constructor(
		readonly size: number,
		private readonly spawn: () => Worker
	) {}

	count: CountTexts = (tokenizer, texts) => this.send((id) => ({ id, tokenizer, texts })).then((counted) => counted.counts);

	countTemplate: CountTemplate = (request) => this.send((id) => ({ ...request, id, kind: 'template' }));

	private send(request: (id: number) => TokenCountRequest | TemplateCountRequest): Promise<TemplateCounted> {
		if (this.idleTimer) clearTimeout(this.idleTimer);
		this.idleTimer = null;
		if (this.workers.length < this.size) this.workers.push(this.start());
		const owner = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
		const id = this.nextId++;
		owner.busy++;
		return new Promise<TemplateCounted>((resolve, reject) => {
			this.pending.set(id, { resolve, reject, owner });
			owner.worker.postMessage(request(id));
		});
	}

	private start(): PoolWorker {
		const entry: PoolWorker = { worker: this.spawn(), busy: 0 };
		entry.worker.onmessage = (event: MessageEvent<TokenCountReply>) => {
			const reply = event.data;
			const waiting = this.pending.get(reply.id);
			if (!waiting) return;
			this.pending.delete(reply.id);
			entry.busy--;
			if ('error' in reply) waiting.reject(new Error(reply.error));
			else waiting.resolve(reply.estimated === undefined ? { counts: reply.counts } : { counts: reply.counts, estimated: reply.estimated });
			if (this.pending.size === 0) this.idleTimer = setTimeout(() => this.stop(), IDLE_STOP_MS);
		};
		entry.worker.onerror = (event) => {
			event.preventDefault();
			this.fail(entry, new Error(`A token-count worker stopped: ${event.message || 'unknown error'}`));
		};
		return entry;
	}

	/** A worker that crashed: its requests fail, and it is replaced on the next request. */
	private fail(entry: PoolWorker, error: Error): void {
		for (const [id, waiting] of this.pending) {
			if (waiting.owner !== entry) continue;
			this.pending.delete(id);
			waiting.reject(error);
		}
		entry.worker.terminate();
		this.workers = this.workers.filter((w) => w !== entry);
	}

	/** Stops every worker (the next request starts them again). */
	stop(): void {
		if (this.idleTimer) clearTimeout(this.idleTimer);
		this.idleTimer = null;
		for (const entry of this.workers) this.fail(entry, new Error('The token-count workers were stopped.'));
	}
}
