/**
 * Dedicated worker that runs web-llm off the main thread (webllm.md B.2). The handler must be
 * constructed and the message listener attached during the script's first evaluation, or early
 * messages from the page are lost. Created by `create-worker-engine.ts`.
 */
import { WebWorkerMLCEngineHandler } from '@mlc-ai/web-llm';

const handler = new WebWorkerMLCEngineHandler();
self.onmessage = (event: MessageEvent) => {
	handler.onmessage(event);
};
