/**
 * Token statistics with a real tokenizer: tokens per entry (content plus the chat template's
 * per-message overhead, as the OpenAI cookbook counts them), per role, and the assistant's share,
 * streamed entry by entry. Per-entry totals are kept (4 bytes each) for the histogram and the cost.
 */
import type { Entry } from '../model';
import { entryCharacterCount } from '../curation/filters';
import { roleName } from './entry-text';
import { estimateTrainingCost, type CostEstimate } from './cost';
import { integerHistogram, summarize } from './stats';
import type { Distribution } from './structure';
import type { CountTokens, TokenizerInfo } from './tokenizers';

export interface RoleTokens {
	role: string;
	tokens: number;
}

export interface TokenAnalysis {
	tokenizer: TokenizerInfo['id'];
	entries: number;
	totalTokens: number;
	/** Content tokens only (no template overhead), by role. */
	roles: RoleTokens[];
	tokensPerEntry: Distribution;
	assistantTokensPerEntry: Distribution;
	cost: CostEstimate;
	/** Characters per token over the whole dataset (a sanity figure: ~4 for English with OpenAI encodings). */
	charactersPerToken: number;
}

export class TokenCollector {
	private readonly perEntry: number[] = [];
	private readonly assistantPerEntry: number[] = [];
	private readonly roles = new Map<string, number>();
	private characters = 0;
	private contentTokens = 0;

	constructor(
		private readonly info: TokenizerInfo,
		private readonly count: CountTokens
	) {}

	/** Adds an entry and returns its token count. */
	add(entry: Entry): number {
		let total = this.info.replyPriming;
		let assistant = 0;
		for (const message of entry.messages) {
			const role = roleName(message.role);
			// Structured content counts as its JSON, like the entry browser's character count.
			const text = typeof message.content === 'string' ? message.content : message.content === null ? '' : (JSON.stringify(message.content) ?? '');
			let tokens = this.count(text);
			if (message.tool_calls !== undefined) tokens += this.count(JSON.stringify(message.tool_calls) ?? '');
			// As the cookbook: the assistant figure is the content's tokens; a name costs its tokens + 1.
			if (role === 'assistant') assistant += tokens;
			if (typeof message.name === 'string') tokens += 1 + this.count(message.name);
			this.contentTokens += tokens;
			total += this.info.perMessage + tokens;
			if (this.info.countsRole) total += this.count(message.role);
			this.roles.set(role, (this.roles.get(role) ?? 0) + tokens);
		}
		this.characters += entryCharacterCount(entry);
		this.perEntry.push(total);
		this.assistantPerEntry.push(assistant);
		return total;
	}

	finish(epochs?: number): TokenAnalysis {
		const distribution = (values: number[]): Distribution => ({ summary: summarize(values), histogram: integerHistogram(values) });
		const perEntry = distribution(this.perEntry);
		return {
			tokenizer: this.info.id,
			entries: this.perEntry.length,
			totalTokens: perEntry.summary.total,
			roles: [...this.roles.entries()].map(([role, tokens]) => ({ role, tokens })).sort((a, b) => b.tokens - a.tokens),
			tokensPerEntry: perEntry,
			assistantTokensPerEntry: distribution(this.assistantPerEntry),
			cost: estimateTrainingCost(this.perEntry, epochs),
			charactersPerToken: this.contentTokens === 0 ? 0 : this.characters / this.contentTokens
		};
	}
}
