/**
 * Does a request fit the loaded model's context window? web-llm does not say before generating:
 * it stops at the window with finish_reason "length", and Skein would then suggest raising
 * max_tokens, the opposite of what helps. So the adapter counts the prompt first (with the
 * model's own tokenizer when the worker can, otherwise a rough estimate) and lowers max_tokens to
 * what fits, or refuses the request in plain words when too little is left.
 */

/** Tokens a chat template adds around each message (role markers, separators): generous. */
export const TEMPLATE_TOKENS_PER_MESSAGE = 8;
/** Kept free besides the prompt (the generation prefix, a stop token). */
export const CONTEXT_MARGIN_TOKENS = 16;
/** Fewer answer tokens than this left: the request is refused rather than sent to be cut off. */
export const MIN_ANSWER_TOKENS = 64;

/** Without the tokenizer: about 3 characters per token for English prose (over- rather than under-counts). */
export function estimateTokens(text: string): number {
	return Math.ceil(text.length / 3);
}

export function promptTokensOf(contentTokens: number, messages: number): number {
	return contentTokens + messages * TEMPLATE_TOKENS_PER_MESSAGE + CONTEXT_MARGIN_TOKENS;
}

export type ContextFit =
	| { ok: true; maxTokens: number; shrunk: boolean }
	| { ok: false; message: string };

export function fitContext(input: { promptTokens: number; maxTokens: number; contextWindow: number; model: string; estimated: boolean }): ContextFit {
	const { promptTokens, maxTokens, contextWindow, model, estimated } = input;
	const left = contextWindow - promptTokens;
	const counted = estimated ? `about ${promptTokens}` : String(promptTokens);
	if (left < Math.min(MIN_ANSWER_TOKENS, maxTokens)) {
		return {
			ok: false,
			message: `The prompt (${counted} tokens) leaves no room for an answer in ${model}'s ${contextWindow}-token context window. Shorten the prompt (fewer previous prompts, a shorter chunk) or load a model with a larger window.`
		};
	}
	if (maxTokens <= left) return { ok: true, maxTokens, shrunk: false };
	return { ok: true, maxTokens: left, shrunk: true };
}

/** What the run log says of a request whose max_tokens was lowered to fit the window. */
export function shrunkMessage(input: { promptTokens: number; maxTokens: number; asked: number; contextWindow: number; model: string }): string {
	return `max_tokens lowered from ${input.asked} to ${input.maxTokens}: the prompt (${input.promptTokens} tokens) leaves only that much of ${input.model}'s ${input.contextWindow}-token context window.`;
}

/** The message for an answer cut off after max_tokens was lowered to fit the window. */
export function cutOffInWindowMessage(input: { promptTokens: number; maxTokens: number; contextWindow: number; model: string }): string {
	return `The answer was cut off at ${input.maxTokens} tokens: the prompt (${input.promptTokens} tokens) left only that much of ${input.model}'s ${input.contextWindow}-token context window. Raising max tokens will not help; shorten the prompt or load a model with a larger window.`;
}

/** Models whose window is too small for recipes that send long prompts (the -1k builds). */
export function isShortContext(contextWindow: number): boolean {
	return contextWindow < 2048;
}
