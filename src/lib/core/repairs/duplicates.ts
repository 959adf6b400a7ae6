/**
 * Removing exact duplicates across a dataset: the first entry with a content hash is kept and
 * takes the union of the duplicates' tags; the others are deleted. Streams like validation.
 */
import type { Entry } from '../model';
import { duplicateKeyOf } from '../validation/rules/duplicates';

export interface DuplicateRemovalPlan {
	/** Entries to delete, in dataset order. */
	deleteIds: string[];
	/** Kept entries whose tags grow: id → the merged tag list (the kept entry's tags first). */
	mergedTags: Map<string, string[]>;
}

export const REMOVE_EXACT_DUPLICATES = {
	id: 'remove-exact-duplicates',
	title: 'Remove exact duplicates',
	description: 'Keeps the first of each set of entries with identical messages and tools, merges the others\' tags into it, and deletes the others.',
	kind: 'suggested',
	fixes: ['exact-duplicate']
} as const;

export class DuplicateRemovalPlanner {
	private readonly keptByHash = new Map<string, { id: string; tags: string[] }>();
	private readonly deleteIds: string[] = [];
	private readonly grown = new Set<string>();

	add(block: Iterable<Entry>): void {
		for (const entry of block) {
			const hash = duplicateKeyOf(entry);
			if (hash === null) continue;
			const kept = this.keptByHash.get(hash);
			const tags = Array.isArray(entry.tags) ? entry.tags.filter((tag): tag is string => typeof tag === 'string') : [];
			if (kept === undefined) {
				this.keptByHash.set(hash, { id: entry.id, tags });
				continue;
			}
			this.deleteIds.push(entry.id);
			for (const tag of tags) {
				if (kept.tags.includes(tag)) continue;
				kept.tags = [...kept.tags, tag];
				this.grown.add(kept.id);
			}
		}
	}

	finish(): DuplicateRemovalPlan {
		const mergedTags = new Map<string, string[]>();
		for (const kept of this.keptByHash.values()) if (this.grown.has(kept.id)) mergedTags.set(kept.id, kept.tags);
		return { deleteIds: this.deleteIds, mergedTags };
	}
}

/** The plan for a dataset that fits in memory. */
export function planExactDuplicateRemoval(entries: Iterable<Entry>): DuplicateRemovalPlan {
	const planner = new DuplicateRemovalPlanner();
	planner.add(entries);
	return planner.finish();
}

/** Applies a plan to an in-memory list: the survivors, in order, with merged tags. Returns the same list when the plan is empty. */
export function applyDuplicateRemoval(entries: Entry[], plan: DuplicateRemovalPlan): Entry[] {
	if (plan.deleteIds.length === 0 && plan.mergedTags.size === 0) return entries;
	const deleted = new Set(plan.deleteIds);
	const result: Entry[] = [];
	for (const entry of entries) {
		if (deleted.has(entry.id)) continue;
		const tags = plan.mergedTags.get(entry.id);
		result.push(tags === undefined ? entry : { ...entry, tags: [...tags] });
	}
	return result;
}
