/**
 * The real `MLCEngineFactory`: web-llm's engine in a dedicated worker (webllm.worker.ts), reached
 * through Comlink. The page never imports web-llm; the worker imports it when the first model
 * loads.
 */
import * as Comlink from 'comlink';
import type { InitProgressReportLike } from './progress';
import type { MLCEngineFactory, MLCLikeEngine } from './webllm-engine';
import type { WebLLMWorkerApi } from './webllm.worker';

export const createWorkerMLCEngine: MLCEngineFactory = async (onProgress: (report: InitProgressReportLike) => void): Promise<MLCLikeEngine> => {
	const worker = new Worker(new URL('./webllm.worker.ts', import.meta.url), { type: 'module' });
	const api = Comlink.wrap<WebLLMWorkerApi>(worker);
	// A worker whose script cannot load (offline before its first use) fires `error` and never
	// answers; without this race every later call would hang.
	const failed = new Promise<never>((_, reject) =>
		worker.addEventListener('error', () => reject(new TypeError('Failed to fetch the in-browser model worker.')), { once: true })
	);
	try {
		await Promise.race([api.ping(), failed]);
		await api.setProgressListener(Comlink.proxy(onProgress));
	} catch (error) {
		worker.terminate();
		throw error;
	}
	return {
		// The delta listener crosses as a proxy; plain strings come back through it.
		generate: (request, onDelta) => api.generate(request, Comlink.proxy(onDelta)),
		reload: (modelId, extra) => api.reload(modelId, extra),
		unload: () => api.unload(),
		interruptGenerate: () => void api.interruptGenerate(),
		countTokens: (texts) => api.countTokens(texts),
		// Ends the worker: web-llm's reload cannot be stopped past its downloads, a dead worker's GPU memory is freed.
		terminate: () => worker.terminate(),
		watchLoss: (listener) => void api.setLossListener(Comlink.proxy(listener))
	};
};
