/**
 * Web Locks, where the context has them (browsers, workers included): a live run holds the lock
 * `skein-run:<id>` until it ends, and the lock goes with the worker that held it, so another tab
 * can tell at once whether a 'running' run is still driven somewhere. Node has no locks: the
 * heartbeat alone decides there.
 */
interface LockManagerLike {
	request(name: string, callback: () => Promise<void>): Promise<void>;
	query(): Promise<{ held?: { name?: string }[] }>;
}

function lockManager(): LockManagerLike | null {
	const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
	return locks && typeof locks.request === 'function' && typeof locks.query === 'function' ? locks : null;
}

export const runLockName = (runId: string) => `skein-run:${runId}`;

/** Holds the run's lock until `finished` settles (nothing where there are no locks). */
export function holdRunLock(runId: string, finished: Promise<void>): void {
	lockManager()
		?.request(runLockName(runId), () => finished)
		.catch(() => undefined);
}

/**
 * The names of the locks held now, in this tab or another; null where there are no locks (or
 * they cannot be read): the heartbeat decides then.
 */
export async function heldLocks(): Promise<Set<string> | null> {
	const locks = lockManager();
	if (!locks) return null;
	try {
		return new Set(((await locks.query()).held ?? []).map((lock) => lock.name ?? ''));
	} catch {
		return null;
	}
}
