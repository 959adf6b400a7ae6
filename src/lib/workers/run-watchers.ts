/**
 * The pages watching runs (the run list, a run's view): each registers a listener, which the
 * worker calls through a Comlink proxy. A listener whose page is gone (its proxy throws or
 * rejects) is dropped.
 */
import type { RunEvent } from '$lib/core/contracts/run-api';

export type RunListener = (event: RunEvent) => unknown;

export class RunWatchers {
	private readonly listeners = new Map<string, RunListener>();
	private counter = 0;

	watch(listener: RunListener): string {
		const id = `watch-${++this.counter}`;
		this.listeners.set(id, listener);
		return id;
	}

	unwatch(id: string): void {
		this.listeners.delete(id);
	}

	/** Pushes to every watcher; one whose page is gone (its proxy throws) is dropped. */
	emit(event: RunEvent): void {
		for (const [id, listener] of this.listeners) {
			try {
				const result = listener(event);
				if (result && typeof (result as Promise<unknown>).catch === 'function') (result as Promise<unknown>).catch(() => this.listeners.delete(id));
			} catch {
				this.listeners.delete(id);
			}
		}
	}

	clear(): void {
		this.listeners.clear();
	}
}
