/**
 * Training-cost estimate as in OpenAI's "data preparation and analysis for chat model
 * fine-tuning" notebook (reference/formats.md §3.1): each example is billed up to the context
 * limit, and the default number of epochs depends on how many examples there are.
 */

export const TRAINING_TOKEN_LIMIT = 16_385;
export const TARGET_EPOCHS = 3;
export const MIN_TARGET_EXAMPLES = 100;
export const MAX_TARGET_EXAMPLES = 25_000;
export const MIN_DEFAULT_EPOCHS = 1;
export const MAX_DEFAULT_EPOCHS = 25;

/** The notebook's default epochs for `examples` training examples. */
export function defaultEpochs(examples: number): number {
	if (examples <= 0) return TARGET_EPOCHS;
	if (examples * TARGET_EPOCHS < MIN_TARGET_EXAMPLES) return Math.min(MAX_DEFAULT_EPOCHS, Math.floor(MIN_TARGET_EXAMPLES / examples));
	if (examples * TARGET_EPOCHS > MAX_TARGET_EXAMPLES) return Math.max(MIN_DEFAULT_EPOCHS, Math.floor(MAX_TARGET_EXAMPLES / examples));
	return TARGET_EPOCHS;
}

export interface CostEstimate {
	examples: number;
	/** Σ min(limit, tokens of the example). */
	billedTokens: number;
	epochs: number;
	/** epochs × billedTokens: what the fine-tuning job charges for. */
	trainedTokens: number;
	/** Examples longer than the limit: they are truncated when training. */
	overLimit: number;
}

/** `limit`: where an example is cut (OpenAI's context limit; a trainer's max_seq_len under a chat template). */
export function estimateTrainingCost(tokensPerExample: ArrayLike<number>, epochs?: number, limit = TRAINING_TOKEN_LIMIT): CostEstimate {
	let billedTokens = 0;
	let overLimit = 0;
	for (let i = 0; i < tokensPerExample.length; i++) {
		const tokens = tokensPerExample[i];
		if (tokens > limit) overLimit++;
		billedTokens += Math.min(limit, tokens);
	}
	const examples = tokensPerExample.length;
	const chosen = epochs !== undefined && epochs >= 1 ? Math.floor(epochs) : defaultEpochs(examples);
	return { examples, billedTokens, epochs: chosen, trainedTokens: chosen * billedTokens, overLimit };
}

/** Price of `tokens` at `pricePerMillion` (any currency). */
export function priceOf(tokens: number, pricePerMillion: number): number {
	return (tokens / 1_000_000) * pricePerMillion;
}
