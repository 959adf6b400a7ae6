/**
 * The pages watching runs (the run list, a run's view): each registers a listener, which the
 * worker calls through a Comlink proxy. A listener whose page is gone (its proxy throws or
 * rejects) is dropped.
 *
 * Events go in batches: every call through a Comlink proxy is a message to the page and a reply
 * back, and a fast run says several things per record (its steps, its end, progress, the streams
 * in flight). One call per event cost the page more than rendering the run did, so events are
 * gathered for up to `flushMs` and sent as one array; a later progress or streams event of a run
 * replaces an earlier one of the same batch (only the latest figures matter), every other event
 * is kept, in order.
 */
import type { RunEvent } from '$lib/core/contracts/run-api';

export type RunListener = (events: RunEvent[]) => unknown;

/** How long events wait to go together (ms): well under a frame's worth of the page's own batching. */
const DEFAULT_FLUSH_MS = 30;

/** Events of which only the latest of a run matters. */
function latestOnly(event: RunEvent): string | null {
	return event.type === 'progress' || event.type === 'requests' ? `${event.type}:${event.runId}` : null;
}

export class RunWatchers {
	private readonly listeners = new Map<string, RunListener>();
	private counter = 0;
	private queue: RunEvent[] = [];
	/** Where each latest-only event of the queue is (so a newer one replaces it). */
	private latestAt = new Map<string, number>();
	private timer: ReturnType<typeof setTimeout> | null = null;

	/** `flushMs` 0: every event goes at once, alone (tests that follow events one by one). */
	constructor(private readonly flushMs = DEFAULT_FLUSH_MS) {}

	watch(listener: RunListener): string {
		const id = `watch-${++this.counter}`;
		this.listeners.set(id, listener);
		return id;
	}

	unwatch(id: string): void {
		this.listeners.delete(id);
	}

	/** Queues the event for every watcher (sent within `flushMs`). */
	emit(event: RunEvent): void {
		if (!this.listeners.size) return;
		if (this.flushMs <= 0) return this.send([event]);
		const key = latestOnly(event);
		const at = key === null ? undefined : this.latestAt.get(key);
		if (at !== undefined) this.queue[at] = event;
		else {
			if (key !== null) this.latestAt.set(key, this.queue.length);
			this.queue.push(event);
		}
		this.timer ??= setTimeout(() => this.flush(), this.flushMs);
	}

	/** Sends what waits now. */
	flush(): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = null;
		const events = this.queue;
		this.queue = [];
		this.latestAt = new Map();
		if (events.length) this.send(events);
	}

	/** Pushes to every watcher; one whose page is gone (its proxy throws) is dropped. */
	private send(events: RunEvent[]): void {
		for (const [id, listener] of this.listeners) {
			try {
				const result = listener(events);
				if (result && typeof (result as Promise<unknown>).catch === 'function') (result as Promise<unknown>).catch(() => this.listeners.delete(id));
			} catch {
				this.listeners.delete(id);
			}
		}
	}

	clear(): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = null;
		this.queue = [];
		this.latestAt = new Map();
		this.listeners.clear();
	}
}
