/**
 * Token statistics under a dataset's training target (issue 15): every entry rendered with the
 * target's chat template and counted with the family's tokenizer, the tokens trained under the
 * target's loss mode, the entries a trainer cuts at max_seq_len, and a training-cost estimate from
 * these counts. Collected from per-entry figures made elsewhere (the token-count workers run
 * `countEntryUnderTemplate`); per-entry totals are kept (4 bytes each) for the histogram.
 */
import { templateFamily } from '../templates/families';
import { ENTRY_STATUS, type EntryTemplateCounts } from '../templates/entry-counts';
import type { TemplateTarget } from '../templates/target-schema';
import { estimateTrainingCost, type CostEstimate } from './cost';
import { integerHistogram, summarize } from './stats';
import type { Distribution } from './structure';

export interface TemplateTargetSummary {
	/** "Qwen3", or "Custom template (tokenizer_config.json)". */
	label: string;
	maxSeqLen: number;
	lossMode: TemplateTarget['lossMode'];
}

export interface TemplateTokenAnalysis {
	target: TemplateTargetSummary;
	entries: number;
	/** Entries the template rendered (the figures below are theirs). */
	rendered: number;
	/** Entries the template refused or failed on: no tokens for them. */
	failed: number;
	/** Rendered entries whose trained spans could not be found (counted with no assistant tokens). */
	withoutSpans: number;
	totalTokens: number;
	/** Tokens trained under assistant-only loss. */
	assistantTokens: number;
	/** Tokens trained under the target's loss mode (all of them when it trains on everything). */
	trainedTokens: number;
	/** trainedTokens / totalTokens (0 without tokens). */
	trainedShare: number;
	/** assistantTokens / totalTokens: the share trained under assistant-only loss (under "everything" it is 1). */
	assistantShare: number;
	tokensPerEntry: Distribution;
	/** Entries longer than max_seq_len: a trainer cuts them. */
	overMaxSeqLen: number;
	/** Tokens beyond max_seq_len over all entries: what truncation throws away. */
	tokensCut: number;
	/** Each entry counted up to max_seq_len: what a training run processes per epoch. */
	cost: CostEstimate;
	/** Loss tokens per epoch after truncation (under the target's loss mode). */
	trainedTokensPerEpoch: number;
	/**
	 * Why these figures are estimates at 4 characters a token (the template's tokenizer could not
	 * be loaded); null when they are the tokenizer's counts.
	 */
	estimated: string | null;
}

/** How a target is named on the page. */
export function targetSummary(target: TemplateTarget): TemplateTargetSummary {
	const template = target.template;
	const label = template.kind === 'family' ? templateFamily(template.family).label : `Custom template (${template.origin})`;
	return { label, maxSeqLen: target.maxSeqLen, lossMode: target.lossMode };
}

export class TemplateTokenCollector {
	private readonly totals: number[] = [];
	private entries = 0;
	private failed = 0;
	private withoutSpans = 0;
	private assistant = 0;
	private assistantKept = 0;

	constructor(private readonly target: TemplateTarget) {}

	add(counts: EntryTemplateCounts): void {
		this.entries++;
		if (counts.status === ENTRY_STATUS.failed) {
			this.failed++;
			return;
		}
		if (counts.status === ENTRY_STATUS.noSpans) this.withoutSpans++;
		this.totals.push(counts.total);
		this.assistant += counts.assistant;
		this.assistantKept += counts.assistantKept;
	}

	finish(epochs?: number): TemplateTokenAnalysis {
		const { maxSeqLen, lossMode } = this.target;
		const summary = summarize(this.totals);
		const totalTokens = summary.total;
		const cost = estimateTrainingCost(this.totals, epochs, maxSeqLen);
		const everything = lossMode === 'everything';
		const trainedTokens = everything ? totalTokens : this.assistant;
		return {
			target: targetSummary(this.target),
			entries: this.entries,
			rendered: this.totals.length,
			failed: this.failed,
			withoutSpans: this.withoutSpans,
			totalTokens,
			assistantTokens: this.assistant,
			trainedTokens,
			trainedShare: totalTokens === 0 ? 0 : trainedTokens / totalTokens,
			assistantShare: totalTokens === 0 ? 0 : this.assistant / totalTokens,
			tokensPerEntry: { summary, histogram: integerHistogram(this.totals) },
			overMaxSeqLen: cost.overLimit,
			tokensCut: totalTokens - cost.billedTokens,
			cost,
			trainedTokensPerEpoch: everything ? cost.billedTokens : this.assistantKept,
			estimated: null
		};
	}
}
