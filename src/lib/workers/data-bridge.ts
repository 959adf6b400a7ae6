/**
 * The page's only door to the data worker. Starts the worker on first use and keeps one for the
 * page's lifetime; progress callbacks cross as Comlink proxies.
 */
import * as Comlink from 'comlink';
import type { DataWorkerApi } from './data.worker';
import type { ImportProgress, ImportResult, ImportSource } from './data-service';

let remote: Comlink.Remote<DataWorkerApi> | null = null;

export function dataWorker(): Comlink.Remote<DataWorkerApi> {
	if (!remote) {
		const worker = new Worker(new URL('./data.worker.ts', import.meta.url), { type: 'module', name: 'skein-data' });
		remote = Comlink.wrap<DataWorkerApi>(worker);
	}
	return remote;
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
	const result = api.importSources(jobId, sources, Comlink.proxy(onProgress));
	return { jobId, result, cancel: () => api.cancelImport(jobId) };
}
