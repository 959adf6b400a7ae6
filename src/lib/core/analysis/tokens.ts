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

/**
 * The texts of an entry that get counted, in the order `TokenCollector.addCounted` reads their
 * counts: per message its content (structured content as its JSON, like the entry browser's
 * character count), its tool calls' JSON, its name, and its role where the tokenizer counts it.
 */
export function tokenTexts(entry: Entry, info: TokenizerInfo, into: string[] = []): string[] {
	for (const message of entry.messages) {
		into.push(typeof message.content === 'string' ? message.content : message.content === null ? '' : (JSON.stringify(message.content) ?? ''));
		if (message.tool_calls !== undefined) into.push(JSON.stringify(message.tool_calls) ?? '');
		if (typeof message.name === 'string') into.push(message.name);
		if (info.countsRole) into.push(message.role);
	}
	return into;
}

export class TokenCollector {
	private readonly perEntry: number[] = [];
	private readonly assistantPerEntry: number[] = [];
	private readonly roles = new Map<string, number>();
	private characters = 0;
	private contentTokens = 0;

	constructor(
		private readonly info: TokenizerInfo,
		/** Counts a text; needed only by `add` (`addCounted` takes counts made elsewhere). */
		private readonly count?: CountTokens
	) {}

	/** Adds an entry and returns its token count. */
	add(entry: Entry): number {
		const count = this.count;
		if (!count) throw new Error('This token collector takes counts made elsewhere (addCounted).');
		const texts = tokenTexts(entry, this.info);
		const counts = new Array<number>(texts.length);
		for (let i = 0; i < texts.length; i++) counts[i] = count(texts[i]);
		return this.addCounted(entry, counts, 0).total;
	}

	/**
	 * Adds an entry whose texts (`tokenTexts`, in that order) were counted elsewhere, e.g. by the
	 * token-count workers: `counts[offset…]` are their counts. Returns the entry's total and the
	 * offset of the next entry's counts.
	 */
	addCounted(entry: Entry, counts: ArrayLike<number>, offset: number): { total: number; next: number } {
		let i = offset;
		let total = this.info.replyPriming;
		let assistant = 0;
		for (const message of entry.messages) {
			const role = roleName(message.role);
			let tokens = counts[i++];
			if (message.tool_calls !== undefined) tokens += counts[i++];
			// As the cookbook: the assistant figure is the content's tokens; a name costs its tokens + 1.
			if (role === 'assistant') assistant += tokens;
			if (typeof message.name === 'string') tokens += 1 + counts[i++];
			this.contentTokens += tokens;
			total += this.info.perMessage + tokens;
			if (this.info.countsRole) total += counts[i++];
			this.roles.set(role, (this.roles.get(role) ?? 0) + tokens);
		}
		this.characters += entryCharacterCount(entry);
		this.perEntry.push(total);
		this.assistantPerEntry.push(assistant);
		return { total, next: i };
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
