/**
 * Duplicate clusters for review: exact (same content hash, or same normalised prompt) or near
 * (MinHash/LSH through the validation module's NearDuplicateIndex), over whole conversations or
 * only their user prompts. Entries are streamed in dataset order, so each cluster's first member
 * is the earliest entry: "keep first" keeps the original and deletes the copies.
 */
import { hashText } from '../hash';
import type { Entry } from '../model';
import { NearDuplicateIndex } from '../validation/near-duplicates';
import { conversationTexts, normalizeForExactMatch, userPromptText } from './entry-text';

export const DUPLICATE_SCOPES = ['conversations', 'prompts'] as const;
export type DuplicateScope = (typeof DUPLICATE_SCOPES)[number];
export const DUPLICATE_METHODS = ['near', 'exact'] as const;
export type DuplicateMethod = (typeof DUPLICATE_METHODS)[number];

export interface DuplicateOptions {
	scope: DuplicateScope;
	method: DuplicateMethod;
	/** Jaccard similarity for `near` (0.5 … 1). */
	threshold: number;
}

export const DEFAULT_DUPLICATE_OPTIONS: DuplicateOptions = { scope: 'conversations', method: 'near', threshold: 0.8 };

export interface ClusterMember {
	id: string;
	position: number;
	/** Estimated similarity to the cluster's first member (1 for exact). */
	similarity: number;
}

export interface DuplicateCluster {
	members: ClusterMember[];
}

export interface DuplicateClusters {
	clusters: DuplicateCluster[];
	/** Members beyond the first of every cluster: what "keep first" would delete. */
	redundantEntries: number;
	/** Entries that took part (those with text in the chosen scope). */
	compared: number;
}

export class DuplicateFinder {
	private readonly near: NearDuplicateIndex | null;
	private readonly exact = new Map<string, number[]>();
	private readonly positionOf = new Map<string, number>();
	private readonly ids: string[] = [];
	private compared = 0;

	constructor(private readonly options: DuplicateOptions) {
		this.near = options.method === 'near' ? new NearDuplicateIndex({ threshold: options.threshold }) : null;
	}

	add(entry: Entry, position: number): void {
		if (this.options.scope === 'prompts') {
			const prompt = userPromptText(entry);
			if (prompt.trim() === '') return;
			if (this.near) {
				if (this.near.add(entry.id, [prompt])) this.remember(entry.id, position);
			} else this.addExact(hashText(normalizeForExactMatch(prompt)), position, entry.id);
			return;
		}
		if (this.near) {
			if (this.near.add(entry.id, conversationTexts(entry))) this.remember(entry.id, position);
		} else this.addExact(entry.hash, position, entry.id);
	}

	private remember(id: string, position: number): void {
		this.compared++;
		this.positionOf.set(id, position);
	}

	private addExact(key: string, position: number, id: string): void {
		this.compared++;
		this.ids[position] = id;
		const list = this.exact.get(key);
		if (list) list.push(position);
		else this.exact.set(key, [position]);
	}

	finish(): DuplicateClusters {
		const clusters: DuplicateCluster[] = [];
		if (this.near) {
			for (const group of this.near.groups()) {
				clusters.push({ members: group.members.map((m) => ({ id: m.id, position: this.positionOf.get(m.id) ?? -1, similarity: m.similarity })) });
			}
		} else {
			for (const positions of this.exact.values()) {
				if (positions.length > 1) clusters.push({ members: positions.map((position) => ({ id: this.ids[position], position, similarity: 1 })) });
			}
			clusters.sort((a, b) => a.members[0].position - b.members[0].position);
		}
		let redundantEntries = 0;
		for (const cluster of clusters) redundantEntries += cluster.members.length - 1;
		return { clusters, redundantEntries, compared: this.compared };
	}
}

/** The ids "keep first" deletes: every member but the kept one (default the first) of each cluster. */
export function idsToDelete(clusters: readonly DuplicateCluster[], keep: ReadonlyMap<number, string> = new Map()): string[] {
	const ids: string[] = [];
	clusters.forEach((cluster, index) => {
		const kept = keep.get(index) ?? cluster.members[0]?.id;
		for (const member of cluster.members) if (member.id !== kept) ids.push(member.id);
	});
	return ids;
}
