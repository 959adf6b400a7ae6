/**
 * Dedicated worker that runs web-llm's engine off the main thread, reached from the page through
 * Comlink (create-worker-engine.ts).
 *
 * web-llm (6.8 MB) is imported dynamically here, so the page bundle never contains it and the
 * service worker caches its chunk on first use instead of on every first visit. Comlink also
 * keeps thrown errors' `name` (web-llm's own worker protocol turns them into strings).
 */
import * as Comlink from 'comlink';
import type { ChatCompletionChunk, ChatCompletionRequestStreaming, MLCEngine } from '@mlc-ai/web-llm';
import type { InitProgressReportLike } from './progress';
import { collectStream, type WebLLMChatCompletion, type WebLLMChatRequest } from './request';
import type { WebLLMAppConfig } from './webllm-engine';

let progressListener: ((report: InitProgressReportLike) => void) | undefined;
let engine: Promise<MLCEngine> | undefined;
let lossListener: (() => void) | undefined;
/** A model is loaded and nothing of ours unloaded it: if web-llm's list empties, the GPU was lost. */
let expectLoaded = false;
/** How often the worker looks whether web-llm still holds the model (its device.lost handler unloads silently). */
const LOSS_CHECK_MS = 2000;

setInterval(() => {
	if (!expectLoaded || !engine) return;
	void engine.then((mlc) => {
		const pipelines = (mlc as unknown as { loadedModelIdToPipeline?: Map<string, unknown> }).loadedModelIdToPipeline;
		if (expectLoaded && pipelines && pipelines.size === 0) {
			expectLoaded = false;
			void lossListener?.();
		}
	});
}, LOSS_CHECK_MS);

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
	setLossListener(listener: (() => void) | undefined): void {
		lossListener = listener;
	},
	async reload(modelId: string, extra?: WebLLMAppConfig): Promise<void> {
		const [webllm, mlc] = await Promise.all([library(), mlcEngine()]);
		// Every load states its full list, so a custom record never lingers into the next load.
		const records = extra?.model_list ?? [];
		const prebuilt = webllm.prebuiltAppConfig.model_list.filter((record) => !records.some((custom) => custom.model_id === record.model_id));
		mlc.setAppConfig({ ...webllm.prebuiltAppConfig, model_list: [...prebuilt, ...records] });
		expectLoaded = false;
		await mlc.reload(modelId);
		expectLoaded = true;
	},
	/**
	 * One streamed answer: each piece of text goes to `onDelta` (a Comlink proxy, not awaited, so
	 * the page's watch never slows decoding) and the whole completion comes back at the end.
	 */
	async generate(request: WebLLMChatRequest, onDelta: (text: string) => void): Promise<WebLLMChatCompletion> {
		const mlc = await mlcEngine();
		// Our request type is a structural subset of web-llm's streaming request; the cast says so.
		const chunks: AsyncIterable<ChatCompletionChunk> = await mlc.chat.completions.create({ ...request, stream: true } as ChatCompletionRequestStreaming);
		// Not awaited: a Comlink call per token would slow decoding down to the page's pace.
		return collectStream(chunks, request.model, (delta) => void onDelta(delta));
	},
	/**
	 * Tokens of `texts` under the loaded model's own tokenizer. web-llm has no public call for it;
	 * its engine keeps the tokenizer on the loaded pipeline. Undefined (the page then estimates)
	 * when that shape ever changes.
	 */
	async countTokens(texts: string[]): Promise<number | undefined> {
		if (!engine) return undefined;
		const mlc = (await engine) as unknown as { loadedModelIdToPipeline?: Map<string, { tokenizer?: { encode?(text: string): ArrayLike<number> } }> };
		const tokenizer = mlc.loadedModelIdToPipeline?.values().next().value?.tokenizer;
		if (typeof tokenizer?.encode !== 'function') return undefined;
		let total = 0;
		for (const text of texts) total += tokenizer.encode(text).length;
		return total;
	},
	async unload(): Promise<void> {
		expectLoaded = false;
		if (engine) await (await engine).unload();
	},
	async interruptGenerate(): Promise<void> {
		if (engine) (await engine).interruptGenerate();
	}
};

export type WebLLMWorkerApi = typeof api;

Comlink.expose(api);
