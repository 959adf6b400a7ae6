/**
 * The real `MLCEngineFactory`: web-llm in a dedicated worker. web-llm is imported dynamically
 * here (and statically only in the worker), so nothing reaches the page bundle until the user
 * actually loads a model.
 */
import type { ChatCompletionRequestNonStreaming } from '@mlc-ai/web-llm';
import type { InitProgressReportLike } from './progress';
import type { WebLLMChatCompletion, WebLLMChatRequest } from './request';
import type { MLCEngineFactory, MLCLikeEngine, WebLLMAppConfig } from './webllm-engine';

export const createWorkerMLCEngine: MLCEngineFactory = async (onProgress: (report: InitProgressReportLike) => void): Promise<MLCLikeEngine> => {
	const webllm = await import('@mlc-ai/web-llm');
	const worker = new Worker(new URL('./webllm.worker.ts', import.meta.url), { type: 'module' });
	// `CreateWebWorkerMLCEngine` insists on loading a model at once; the constructor it wraps
	// does not, and `WebLLMEngine.load` calls `reload` with its own progress tracking.
	const engine = new webllm.WebWorkerMLCEngine(worker, { initProgressCallback: onProgress });
	return {
		chat: {
			completions: {
				async create(request: WebLLMChatRequest): Promise<WebLLMChatCompletion> {
					// Our request type is a structural subset of web-llm's non-streaming request, except that
					// web-llm's tool messages require a `tool_call_id` we never have; the cast says so.
					const completion = await engine.chat.completions.create(request as ChatCompletionRequestNonStreaming);
					return completion;
				}
			}
		},
		reload: (modelId: string, extra?: WebLLMAppConfig) => {
			// Every load states its full list, so a custom record never lingers into the next load.
			// Messages to the worker are handled in order: the list is set before the reload runs.
			const records = extra?.model_list ?? [];
			engine.setAppConfig({ ...webllm.prebuiltAppConfig, model_list: [...webllm.prebuiltAppConfig.model_list.filter((record) => !records.some((custom) => custom.model_id === record.model_id)), ...records] });
			return engine.reload(modelId);
		},
		unload: () => engine.unload(),
		interruptGenerate: () => engine.interruptGenerate()
	};
};
