/**
 * The tag library page's state: the live library rows, the census of tags the datasets carry
 * (read by the data worker over every stored block), and the library's changes. Every change to
 * the library goes through db/collection-repo's one-transaction registry update, so another tab's
 * change in between cannot be lost.
 */
import { getDatabase } from '$lib/db/database';
import { deleteTag, setTagCategory, updateTagRegistry } from '$lib/db/collection-repo';
import { addTagDefinition, adoptTags, renameTag, type TagDefinition } from '$lib/core/curation/tags';
import type { TagRow } from '$lib/core/contracts/rows';
import { dataWorker } from '$lib/workers/data-bridge';
import type { TagRewriteOutcome, TagUse } from '$lib/workers/collection-service';
import { liveTags, type LiveList } from './library.svelte';

export type TagChange = { ok: true } | { ok: false; error: string };

export class TagLibraryState {
	readonly tags: LiveList<TagRow> = liveTags();
	/** How often each tag occurs, by dataset (null until the first scan finishes). */
	census = $state<TagUse[] | null>(null);
	/** A scan or rewrite over the datasets in progress: blocks done of total. */
	scanning = $state<{ done: number; total: number } | null>(null);

	/** Subscribes to the library; returns the unsubscribe (usable as an `$effect` cleanup). */
	start(): () => void {
		return this.tags.start();
	}

	/** Counts the tags every dataset carries. Throws what the worker threw. */
	async scan(): Promise<void> {
		this.scanning = { done: 0, total: 1 };
		try {
			this.census = await dataWorker().tagCensus((done: number, total: number) => {
				this.scanning = { done, total };
			});
		} finally {
			this.scanning = null;
		}
	}

	add(label: string, category: string): Promise<TagChange> {
		return updateTagRegistry(getDatabase(), (registry) => addTagDefinition(registry, { slug: label, label, ...(category ? { category } : {}), aliases: [] }));
	}

	/** Renames a tag (its old slug is kept as an alias). */
	rename(slug: string, to: string, label: string): Promise<TagChange> {
		return updateTagRegistry(getDatabase(), (registry) => renameTag(registry, slug, to, label));
	}

	/** Rewrites a slug in every dataset that carries it (one undoable step per dataset); scan again after it. */
	async rewrite(from: string, to: string): Promise<TagRewriteOutcome> {
		this.scanning = { done: 0, total: 1 };
		try {
			return await dataWorker().rewriteTag(from, to, (done: number, total: number) => {
				this.scanning = { done, total };
			});
		} finally {
			this.scanning = null;
		}
	}

	setCategory(slug: string, category: string): Promise<TagChange> {
		return setTagCategory(getDatabase(), slug, category);
	}

	/** Removes a tag from the library; entries that carry it keep it. */
	remove(slug: string): Promise<TagChange> {
		return deleteTag(getDatabase(), slug);
	}

	/** Adds tags found in datasets to the library. */
	adopt(slugs: string[]): Promise<TagChange> {
		return updateTagRegistry(getDatabase(), (registry: TagDefinition[]) => ({ ok: true, registry: adoptTags(registry, slugs) }));
	}
}
