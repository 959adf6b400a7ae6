/**
 * Our `ChatRequest` ↔ web-llm's `chat.completions.create` (OpenAI-style, webllm.md B.3).
 *
 * The types here are structural copies of the parts of web-llm's we use, so this file (and the
 * engine) never import the library; `create-worker-engine.ts` type-checks the real engine against
 * them. What is sent is what gets recorded, so every sampling parameter is explicit.
 */
import { EngineError, type ChatMessage, type ChatRequest, type ChatResponse } from '$lib/core/contracts/engine';
import { grammarForSchema } from './grammar';

export interface WebLLMChatMessage {
	role: 'system' | 'user' | 'assistant';
	content: string;
}

export type WebLLMResponseFormat = { type: 'json_object'; schema?: string } | { type: 'grammar'; grammar: string };

export interface WebLLMChatRequest {
	messages: WebLLMChatMessage[];
	/** Named on every request, so an answer can never come from a model loaded since (web-llm checks it). */
	model: string;
	stream: boolean;
	/** With `stream`: the last chunk carries the usage (prompt and completion tokens, speeds). */
	stream_options?: { include_usage: boolean };
	max_tokens: number;
	temperature?: number;
	top_p?: number;
	seed?: number;
	stop?: string[];
	response_format?: WebLLMResponseFormat;
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

// ---------------------------------------------------------------------------------------------
// Seeds

/** web-llm's generator is a Lehmer LCG modulo 2^31 − 1: its state must lie in [1, 2^31 − 2]. */
export const WEBLLM_SEED_MODULUS = 2_147_483_647;

function fmix32(value: number): number {
	let h = value >>> 0;
	h ^= h >>> 16;
	h = Math.imul(h, 0x85ebca6b);
	h ^= h >>> 13;
	h = Math.imul(h, 0xc2b2ae35);
	h ^= h >>> 16;
	return h >>> 0;
}

/**
 * A run's seed as web-llm's generator takes it: any integer (negative, 0, past 2^31) mapped
 * through a mixing hash into [1, 2^31 − 2].
 *
 * web-llm sets its state to `seed % (2^31 − 1)` and throws ("Random state is unexpectedly not
 * strictly positive.") on every request with a negative seed; its first draw is `48271·state / M`,
 * so seed 42 draws ≈ 0.0009 (a near-greedy first token), adjacent seeds draw adjacent numbers,
 * and 0 and 2^31 − 1 are the same seed. The hash spreads them; the same seed still maps to the
 * same state, so a seeded run reproduces.
 */
export function webllmSeed(seed: number): number {
	const n = Math.trunc(seed);
	if (!Number.isFinite(n)) return 1;
	const low = n >>> 0;
	const high = Math.floor(n / 4_294_967_296) >>> 0;
	const mixed = fmix32(low ^ fmix32(high ^ 0x9e3779b9));
	return 1 + (mixed % (WEBLLM_SEED_MODULUS - 1));
}

// ---------------------------------------------------------------------------------------------
// Message shapes

/** Sent as the user turn when a request would otherwise not end on one (see normalizeMessages). */
export const OPENING_CUE = '(Begin the conversation: write your opening message.)';
export const CONTINUE_CUE = '(Continue: write your next message.)';

export interface NormalizedMessages {
	messages: WebLLMChatMessage[];
	/** What was changed, in plain words (empty when the messages were sent as they were). */
	changes: string[];
}

/**
 * The messages in the shape web-llm accepts: a system message only first (SystemMessageOrderError
 * otherwise) and a user turn last (MessageOrderError). Both shapes are reachable from the
 * continuation recipe: imported entries carry mid-conversation system turns (scene changes,
 * narrator notes), and regenerating an opening greeting asks for an answer to no user turn.
 * - a system message after the first becomes a user turn marked "[System note]" in its place;
 * - a tool result becomes a user turn marked "[Tool result]" (web-llm's chat templates for the
 *   prebuilt models have no tool role outside function calling);
 * - a request ending on an assistant or system turn (or empty) gets a short user cue.
 */
export function normalizeMessages(messages: readonly ChatMessage[]): NormalizedMessages {
	const changes: string[] = [];
	const out: WebLLMChatMessage[] = [];
	messages.forEach((message, index) => {
		if (message.role === 'system' && index > 0) {
			out.push({ role: 'user', content: `[System note] ${message.content}` });
			if (!changes.includes('system-moved')) changes.push('system-moved');
		} else if (message.role === 'tool') {
			out.push({ role: 'user', content: `[Tool result] ${message.content}` });
			if (!changes.includes('tool-as-user')) changes.push('tool-as-user');
		} else {
			out.push({ role: message.role, content: message.content });
		}
	});
	const last = out[out.length - 1];
	if (!last || last.role !== 'user') {
		const opening = !out.some((message) => message.role === 'assistant');
		out.push({ role: 'user', content: opening ? OPENING_CUE : CONTINUE_CUE });
		changes.push(opening ? 'opening-cue' : 'continue-cue');
	}
	return { messages: out, changes };
}

// ---------------------------------------------------------------------------------------------
// The request

export interface WebLLMRequestOptions {
	/** Stream the answer (the adapter watches it; web-llm then allows only one choice). */
	stream?: boolean;
	/** Lower max_tokens to this (the context-window check); never raises it. */
	maxTokens?: number;
}

export function toWebLLMRequest(request: ChatRequest, modelId: string, options: WebLLMRequestOptions = {}): WebLLMChatRequest {
	const { sampling } = request;
	const maxTokens = options.maxTokens !== undefined ? Math.min(options.maxTokens, sampling.max_tokens) : sampling.max_tokens;
	const body: WebLLMChatRequest = {
		messages: normalizeMessages(request.messages).messages,
		model: modelId,
		stream: options.stream ?? false,
		max_tokens: Math.max(1, Math.floor(maxTokens))
	};
	if (body.stream) body.stream_options = { include_usage: true };
	if (sampling.temperature !== undefined) body.temperature = sampling.temperature;
	if (sampling.top_p !== undefined) body.top_p = sampling.top_p;
	if (sampling.seed !== undefined) body.seed = webllmSeed(sampling.seed);
	if (sampling.stop !== undefined && sampling.stop.length) body.stop = sampling.stop;
	if (request.responseFormat) {
		const { schema } = request.responseFormat;
		const grammar = schema !== undefined ? grammarForSchema(schema) : undefined;
		// A known schema goes as XGrammar's own grammar for it with a whitespace cap (grammar.ts).
		body.response_format = grammar ? { type: 'grammar', grammar } : schema !== undefined ? { type: 'json_object', schema: JSON.stringify(schema) } : { type: 'json_object' };
	}
	if (isThinkingModel(modelId)) body.extra_body = { enable_thinking: false };
	return body;
}

/** The parts of web-llm's `ChatCompletionChunk` the stream is read for. */
export interface WebLLMChatChunk {
	model?: string;
	choices: Array<{ delta?: { content?: string | null }; finish_reason?: string | null }>;
	usage?: WebLLMUsage;
}

/**
 * Reads a streamed answer (`stream: true` with `include_usage`): each piece of text to `onDelta`
 * as it comes, and the whole answer as one completion at the end. The usage arrives on a last
 * chunk without choices; the finish reason on the last chunk with one.
 */
export async function collectStream(chunks: AsyncIterable<WebLLMChatChunk>, model: string, onDelta: (text: string) => void): Promise<WebLLMChatCompletion> {
	let content = '';
	let finishReason: string | null = null;
	let usage: WebLLMUsage | undefined;
	let answeredBy = model;
	for await (const chunk of chunks) {
		const choice = chunk.choices[0];
		const delta = choice?.delta?.content ?? '';
		if (delta) {
			content += delta;
			onDelta(delta);
		}
		if (choice?.finish_reason) finishReason = choice.finish_reason;
		if (chunk.usage) usage = chunk.usage;
		if (chunk.model) answeredBy = chunk.model;
	}
	return { model: answeredBy, choices: [{ message: { content }, finish_reason: finishReason }], ...(usage ? { usage } : {}) };
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
