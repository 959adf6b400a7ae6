/**
 * The figures a Hub dataset card states, collected entry by entry from exactly what is written
 * (after scope, split and transforms): entries per split, messages and roles, review states,
 * where entries came from (import format and file), which generation recipes and models made
 * them (from `meta.provenance`), and — given elsewhere — the token distribution and the
 * pre-export validation check. Nothing here is estimated.
 */
import type { Entry, ReviewState } from '../model';
import { REVIEW_STATES } from '../model';
import { isRecord } from '../json-safety';
import { summarize, type Summary } from '../analysis/stats';

export type HubSplit = 'train' | 'validation';

export interface HubTokenFigures {
	tokenizer: string;
	tokenizerLabel: string;
	total: number;
	perEntry: Summary;
	assistantPerEntry: Summary;
}

export interface HubCheckFigures {
	profileId: string;
	entries: number;
	entriesWithErrors: number;
	entriesWithWarnings: number;
	rules: { rule: string; title: string; severity: string; entries: number }[];
}

export interface HubFigures {
	entries: number;
	splits: { name: HubSplit; entries: number }[];
	messages: Summary;
	roles: { role: string; messages: number }[];
	reviewStates: Record<ReviewState, number>;
	sources: { format: string; file: string | null; entries: number }[];
	recipes: { recipe: string; models: string[]; entries: number }[];
	/** Entries that carry generation provenance. */
	generated: number;
	tokens: HubTokenFigures | { tokenizer: string; tokenizerLabel: string; error: string } | null;
	check: HubCheckFigures | null;
}

const NO_RECIPE = '(unknown recipe)';

export class HubFigureCollector {
	private readonly perSplit = new Map<HubSplit, number>();
	private readonly messageCounts: number[] = [];
	private readonly roles = new Map<string, number>();
	private readonly reviews: Record<ReviewState, number> = { draft: 0, accepted: 0, rejected: 0 };
	private readonly sources = new Map<string, { format: string; file: string | null; entries: number }>();
	private readonly recipes = new Map<string, { models: Set<string>; entries: number }>();
	private generated = 0;

	add(entry: Entry, split: HubSplit): void {
		this.perSplit.set(split, (this.perSplit.get(split) ?? 0) + 1);
		this.messageCounts.push(entry.messages.length);
		for (const message of entry.messages) this.roles.set(message.role, (this.roles.get(message.role) ?? 0) + 1);
		this.reviews[entry.meta.review]++;
		const source = entry.meta.source;
		if (source !== undefined) {
			const key = `${source.format}\u0000${source.file ?? ''}`;
			const known = this.sources.get(key) ?? { format: source.format, file: source.file ?? null, entries: 0 };
			known.entries++;
			this.sources.set(key, known);
		}
		const provenance = entry.meta.provenance;
		if (isRecord(provenance) && provenance.kind === 'generation') {
			this.generated++;
			const recipe = typeof provenance.recipeId === 'string' ? provenance.recipeId : NO_RECIPE;
			const known = this.recipes.get(recipe) ?? { models: new Set<string>(), entries: 0 };
			known.entries++;
			if (typeof provenance.model === 'string' && provenance.model !== '') known.models.add(provenance.model);
			this.recipes.set(recipe, known);
		}
	}

	finish(tokens: HubFigures['tokens'] = null, check: HubCheckFigures | null = null): HubFigures {
		const splits: HubFigures['splits'] = [];
		for (const name of ['train', 'validation'] as const) if ((this.perSplit.get(name) ?? 0) > 0) splits.push({ name, entries: this.perSplit.get(name) ?? 0 });
		const byCount = <T extends { entries: number }>(a: T, b: T) => b.entries - a.entries;
		return {
			entries: this.messageCounts.length,
			splits,
			messages: summarize(this.messageCounts),
			roles: [...this.roles].map(([role, messages]) => ({ role, messages })).sort((a, b) => b.messages - a.messages || a.role.localeCompare(b.role)),
			reviewStates: { ...this.reviews },
			sources: [...this.sources.values()].sort((a, b) => byCount(a, b) || a.format.localeCompare(b.format)),
			recipes: [...this.recipes].map(([recipe, r]) => ({ recipe, models: [...r.models].sort(), entries: r.entries })).sort((a, b) => byCount(a, b) || a.recipe.localeCompare(b.recipe)),
			generated: this.generated,
			tokens,
			check
		};
	}
}

export const REVIEW_STATE_ORDER: readonly ReviewState[] = REVIEW_STATES;
