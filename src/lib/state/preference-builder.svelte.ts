/**
 * The "Build preference data" page's state (issue 16): the proposals of one source (a dataset's
 * SillyTavern swipes, or a run's regenerations, judge scores, review decisions or KTO labels),
 * the user's swaps and drops, the pair check, and adding the confirmed ones to a dataset.
 * Proposals are made and entries added in the data worker (preference-service.ts).
 */
import { dataWorker } from '$lib/workers/data-bridge';
import type { PreferenceDraft, SkipCounts } from '$lib/core/preference/drafts';
import { draftToEntry, flipped, swapped } from '$lib/core/preference/drafts';
import { pairFlags, type PairFlag } from '$lib/core/preference/pair-check';
import { DEFAULT_JUDGE_MARGIN, type SampleSource } from '$lib/core/preference/sample-pairs';
import { preferenceJsonl } from '$lib/core/export/preference-jsonl';
import { errorText } from './library.svelte';

export type BuilderSource = { kind: 'dataset'; datasetId: string } | { kind: 'run'; runId: string };
export type BuildTarget = { kind: 'existing'; datasetId: string } | { kind: 'new'; name: string };

export const RUN_SOURCES: { id: SampleSource; label: string; hint: string }[] = [
	{ id: 'judge', label: 'Judge scores', hint: 'Best vs worst judge score among the samples of one prompt (best-of-N), when at least the margin apart; ties are skipped.' },
	{ id: 'review', label: 'Review decisions', hint: 'Each accepted sample of a prompt vs each rejected sample of the same prompt.' },
	{ id: 'regeneration', label: 'Regenerated turns', hint: 'A continuation run’s regenerated turn vs the turn it replaced: the accepted regeneration wins, a rejected one loses.' },
	{ id: 'kto', label: 'KTO labels', hint: 'Accepted samples as wanted (true), rejected ones as unwanted (false): unpaired preference data.' }
];

/** The flags of a draft (labels have none: they pair nothing). */
export function draftFlags(draft: PreferenceDraft): PairFlag[] {
	return draft.kind === 'pair' ? pairFlags(draft.prompt, draft.chosen, draft.rejected) : [];
}

export class PreferenceBuilderState {
	loading = $state(false);
	error = $state<string | null>(null);
	/** The dataset's or run's name. */
	label = $state('');
	drafts = $state.raw<PreferenceDraft[]>([]);
	skipped = $state.raw<SkipCounts>({});
	/** Keys of the drafts the user dropped (kept in the list, struck out, so a drop can be undone). */
	droppedKeys = $state.raw<readonly string[]>([]);
	// Rebuilt from droppedKeys, never mutated: a lookup table, not reactive state of its own.
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	readonly dropped: ReadonlySet<string> = $derived(new Set(this.droppedKeys));
	/** The draft the keyboard acts on. */
	cursor = $state(0);
	runSource = $state<SampleSource>('judge');
	margin = $state(String(DEFAULT_JUDGE_MARGIN));
	/** Whether the current proposals have been built at least once. */
	built = $state(false);
	saving = $state(false);
	outcome = $state<{ ok: true; datasetId: string; created: number } | { ok: false; error: string } | null>(null);

	readonly kept = $derived(this.drafts.filter((draft) => !this.dropped.has(draft.key)));
	readonly flagged = $derived(this.kept.filter((draft) => draftFlags(draft).length > 0).length);
	readonly swappedCount = $derived(this.drafts.filter((draft) => draft.provenance.swapped || draft.provenance.flipped).length);

	constructor(readonly source: BuilderSource) {}

	async build(): Promise<void> {
		this.loading = true;
		this.error = null;
		this.outcome = null;
		try {
			let result;
			if (this.source.kind === 'dataset') result = await dataWorker().buildSwipePreferences(this.source.datasetId);
			else {
				const margin = Number(this.margin);
				if (this.runSource === 'judge' && !(Number.isFinite(margin) && margin > 0)) {
					this.error = 'The margin is a score difference above 0 (ties never make a pair).';
					return;
				}
				result = await dataWorker().buildRunPreferences(this.source.runId, this.runSource, { margin });
			}
			if (!result.ok) {
				this.error = result.error;
				return;
			}
			this.label = result.label;
			this.drafts = result.drafts;
			this.skipped = result.skipped;
			this.droppedKeys = [];
			this.cursor = 0;
			this.built = true;
		} catch (error) {
			this.error = errorText(error);
		} finally {
			this.loading = false;
		}
	}

	/** Exchanges chosen and rejected (a KTO label: flips it). */
	swap(key: string): void {
		this.drafts = this.drafts.map((draft) => (draft.key !== key ? draft : draft.kind === 'pair' ? swapped(draft) : flipped(draft)));
		this.outcome = null;
	}

	/** Drops a proposal, or brings a dropped one back. */
	toggleDrop(key: string): void {
		this.droppedKeys = this.dropped.has(key) ? this.droppedKeys.filter((kept) => kept !== key) : [...this.droppedKeys, key];
		this.outcome = null;
	}

	/** Drops every flagged proposal (identical answers, different prompts…). */
	dropFlagged(): void {
		const flagged = this.drafts.filter((draft) => draftFlags(draft).length && !this.dropped.has(draft.key)).map((draft) => draft.key);
		this.droppedKeys = [...this.droppedKeys, ...flagged];
		this.outcome = null;
	}

	move(by: number): void {
		if (!this.drafts.length) return;
		this.cursor = Math.min(this.drafts.length - 1, Math.max(0, this.cursor + by));
	}

	/** Adds the kept proposals, as they stand now, to a dataset. */
	async create(target: BuildTarget): Promise<void> {
		this.saving = true;
		this.outcome = null;
		try {
			this.outcome = await dataWorker().createPreferenceEntries(this.kept, target);
		} catch (error) {
			this.outcome = { ok: false, error: errorText(error) };
		} finally {
			this.saving = false;
		}
	}

	/** The kept proposals as TRL conversational JSONL (DPO for pairs, KTO for labels), as they stand now. */
	jsonl(): { text: string; kind: 'dpo' | 'kto' } {
		const kind = this.kept.some((draft) => draft.kind === 'label') ? 'kto' : 'dpo';
		// The records carry no time: the entry's build time is left empty here.
		return { kind, text: preferenceJsonl(this.kept.map((draft, i) => draftToEntry(draft, String(i + 1), '')), kind) };
	}
}
