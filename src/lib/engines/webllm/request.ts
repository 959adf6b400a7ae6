/**
 * Our `ChatRequest` ↔ web-llm's `chat.completions.create` (OpenAI-style, webllm.md B.3).
 *
 * The types here are structural copies of the parts of web-llm's we use, so this file (and the
 * engine) never import the library; `create-worker-engine.ts` type-checks the real engine against
 * them. What is sent is what gets recorded, so every sampling parameter is explicit.
 */
import { EngineError, type ChatRequest, type ChatResponse } from '$lib/core/contracts/engine';

export interface WebLLMChatMessage {
	role: 'system' | 'user' | 'assistant' | 'tool';
	content: string;
	/** web-llm requires an id on tool messages; we only ever replay them as text. */
	tool_call_id?: string;
}

export interface WebLLMChatRequest {
	messages: WebLLMChatMessage[];
	stream: false;
	max_tokens: number;
	temperature?: number;
	top_p?: number;
	seed?: number;
	stop?: string[];
	response_format?: { type: 'json_object'; schema?: string };
	extra_body?: { enable_thinking?: boolean };
}

export interface WebLLMUsage {
	prompt_tokens: number;
	completion_tokens: number;
	total_tokens: number;
	extra?: {
		e2e_latency_s?: number;
		prefill_tokens_per_s?: number;
		decode_tokens_per_s?: number;
		time_to_first_token_s?: number;
		time_per_output_token_s?: number;
	};
}

export interface WebLLMChatCompletion {
	model: string;
	choices: Array<{ message: { content: string | null }; finish_reason: string | null }>;
	usage?: WebLLMUsage;
}

/** Qwen3 thinks before answering unless told not to; the thinking would eat max_tokens. */
export function isThinkingModel(modelId: string): boolean {
	return /^Qwen3-/i.test(modelId);
}

export function toWebLLMRequest(request: ChatRequest, modelId: string): WebLLMChatRequest {
	const { sampling } = request;
	const body: WebLLMChatRequest = {
		messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
		stream: false,
		max_tokens: sampling.max_tokens
	};
	if (sampling.temperature !== undefined) body.temperature = sampling.temperature;
	if (sampling.top_p !== undefined) body.top_p = sampling.top_p;
	// web-llm rejects a non-integer seed with a typed error; round it so a recipe's seed still reproduces.
	if (sampling.seed !== undefined) body.seed = Math.trunc(sampling.seed);
	if (sampling.stop !== undefined && sampling.stop.length) body.stop = sampling.stop;
	if (request.responseFormat) {
		body.response_format =
			request.responseFormat.schema !== undefined ? { type: 'json_object', schema: JSON.stringify(request.responseFormat.schema) } : { type: 'json_object' };
	}
	if (isThinkingModel(modelId)) body.extra_body = { enable_thinking: false };
	return body;
}

/** Our response plus web-llm's throughput figure, for the tokens/s display. */
export interface WebLLMChatResponse extends ChatResponse {
	decodeTokensPerSecond?: number;
}

export function fromWebLLMResponse(completion: WebLLMChatCompletion, modelId: string, timing: { startedAt: number; ms: number }): WebLLMChatResponse {
	const choice = completion.choices?.[0];
	if (!choice) throw new EngineError('bad-response', 'The in-browser model returned no answer.');
	const usage = completion.usage;
	const response: WebLLMChatResponse = {
		content: choice.message?.content ?? '',
		// `length` is passed through: a truncated answer (often invalid JSON) must count as failed.
		finishReason: choice.finish_reason ?? 'stop',
		usage: usage ? { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, totalTokens: usage.total_tokens } : undefined,
		model: completion.model || modelId,
		timing
	};
	const decode = usage?.extra?.decode_tokens_per_s;
	if (typeof decode === 'number' && Number.isFinite(decode)) response.decodeTokensPerSecond = decode;
	return response;
}
