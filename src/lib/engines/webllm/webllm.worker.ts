/**
 * Dedicated worker that runs web-llm's engine off the main thread, reached from the page through
 * Comlink (create-worker-engine.ts).
 *
 * web-llm (6.8 MB) is imported dynamically here, so the page bundle never contains it and the
 * service worker caches its chunk on first use instead of on every first visit. Comlink also
 * keeps thrown errors' `name` (web-llm's own worker protocol turns them into strings).
 */
import * as Comlink from 'comlink';
import type { ChatCompletion, ChatCompletionRequestNonStreaming, MLCEngine } from '@mlc-ai/web-llm';
import type { InitProgressReportLike } from './progress';
import type { WebLLMChatCompletion, WebLLMChatRequest } from './request';
import type { WebLLMAppConfig } from './webllm-engine';

let progressListener: ((report: InitProgressReportLike) => void) | undefined;
let engine: Promise<MLCEngine> | undefined;

function library() {
	return import('@mlc-ai/web-llm');
}

function mlcEngine(): Promise<MLCEngine> {
	engine ??= library().then(
		(webllm) =>
			new webllm.MLCEngine({
				initProgressCallback: (report) => {
					// Plain data only: the listener lives on the page.
					void progressListener?.({ progress: report.progress, timeElapsed: report.timeElapsed, text: report.text });
				}
			})
	);
	engine.catch(() => {
		engine = undefined;
	});
	return engine;
}

const api = {
	/** Answers once the worker script runs (a worker that failed to load never answers). */
	ping(): true {
		return true;
	},
	setProgressListener(listener: ((report: InitProgressReportLike) => void) | undefined): void {
		progressListener = listener;
	},
	async reload(modelId: string, extra?: WebLLMAppConfig): Promise<void> {
		const [webllm, mlc] = await Promise.all([library(), mlcEngine()]);
		// Every load states its full list, so a custom record never lingers into the next load.
		const records = extra?.model_list ?? [];
		const prebuilt = webllm.prebuiltAppConfig.model_list.filter((record) => !records.some((custom) => custom.model_id === record.model_id));
		mlc.setAppConfig({ ...webllm.prebuiltAppConfig, model_list: [...prebuilt, ...records] });
		await mlc.reload(modelId);
	},
	async chat(request: WebLLMChatRequest): Promise<WebLLMChatCompletion> {
		const mlc = await mlcEngine();
		// Our request type is a structural subset of web-llm's non-streaming request, except that
		// web-llm's tool messages require a `tool_call_id` we never have; the cast says so.
		const completion: ChatCompletion = await mlc.chat.completions.create(request as ChatCompletionRequestNonStreaming);
		return completion;
	},
	async unload(): Promise<void> {
		if (engine) await (await engine).unload();
	},
	async interruptGenerate(): Promise<void> {
		if (engine) (await engine).interruptGenerate();
	}
};

export type WebLLMWorkerApi = typeof api;

Comlink.expose(api);
