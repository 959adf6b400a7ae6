/**
 * The page's only door to the data worker. Starts the worker on first use and keeps one for the
 * page's lifetime. Only state classes (src/lib/state) call it; the bridge (bridge.ts) snapshots
 * what they send and passes callbacks by reference.
 */
import { bridgeTo, type Bridged } from './bridge';
import type { DataWorkerApi } from './data.worker';
import type { ImportProgress, ImportResult, ImportSource } from './data-service';

let remote: Bridged<DataWorkerApi> | null = null;

export function dataWorker(): Bridged<DataWorkerApi> {
	if (!remote) {
		const worker = new Worker(new URL('./data.worker.ts', import.meta.url), { type: 'module', name: 'skein-data' });
		remote = bridgeTo<DataWorkerApi>(worker);
		// First message: whose changes this worker records (undo asks before reverting another tab's).
		const kept = tabId();
		void remote.setTab(kept);
		void claimTabId(kept).then((id) => (id !== kept ? remote?.setTab(id) : undefined));
	}
	return remote;
}

const TAB_KEY = 'skein-tab';

/** This tab's id: kept in sessionStorage, so a reload is the same tab and a new tab is another. */
function tabId(): string {
	try {
		const kept = sessionStorage.getItem(TAB_KEY);
		if (kept) return kept;
		const id = crypto.randomUUID();
		sessionStorage.setItem(TAB_KEY, id);
		return id;
	} catch {
		return crypto.randomUUID();
	}
}

/**
 * A duplicated tab copies sessionStorage, this id included, and would count the original tab's
 * changes as its own. Each tab holds a Web Lock named by its id while it is open, so a copy finds
 * the name taken and takes a new id; a reload lets go of the lock when the old page unloads.
 */
async function claimTabId(id: string): Promise<string> {
	if (typeof navigator === 'undefined' || !navigator.locks) return id;
	let candidate = id;
	while (!(await holdLock(`skein-tab:${candidate}`))) candidate = crypto.randomUUID();
	if (candidate !== id) {
		try {
			sessionStorage.setItem(TAB_KEY, candidate);
		} catch {
			// Without sessionStorage the id lasts as long as the page: still this tab's own.
		}
	}
	return candidate;
}

/** Takes the lock for the page's lifetime; false when another page holds it. */
function holdLock(name: string): Promise<boolean> {
	return new Promise((resolve) => {
		navigator.locks
			.request(name, { ifAvailable: true }, (lock) => {
				resolve(lock !== null);
				return lock ? new Promise<void>(() => {}) : undefined;
			})
			.catch(() => resolve(true));
	});
}

/** An import that can be cancelled while it runs. */
export interface RunningImport {
	jobId: string;
	result: Promise<ImportResult>;
	cancel: () => Promise<void>;
}

export async function startImport(
	sources: ImportSource[],
	onProgress: (progress: ImportProgress) => void
): Promise<RunningImport> {
	const api = dataWorker();
	const jobId = await api.newJobId();
	const result = api.importSources(jobId, sources, onProgress);
	return { jobId, result, cancel: () => api.cancelImport(jobId) };
}
