/**
 * The tag library as a lookup for places where a person types tags (the entry editor, the filter
 * panel): an old name of a renamed tag resolves to the tag's current slug, as imports and the
 * worker's filters do.
 */
import { resolveTag, tagLookup, type ResolvedTag } from '$lib/core/curation/tags';
import { liveTags } from './library.svelte';

export class TagAliases {
	private readonly tags = liveTags();
	readonly lookup = $derived(tagLookup(this.tags.rows));

	/** Subscribes to the library; returns the unsubscribe (usable as an `$effect` cleanup). */
	start(): () => void {
		return this.tags.start();
	}

	/** A typed tag → its slug, following an alias to the renamed tag. */
	resolve(raw: string): ResolvedTag {
		return resolveTag(this.lookup, raw);
	}

	/** Comma-separated typed tags → the slugs to store (repeats and unusable ones dropped). */
	resolveList(text: string): { tags: string[]; renamed: { from: string; to: string }[] } {
		const tags: string[] = [];
		const renamed: { from: string; to: string }[] = [];
		for (const raw of text.split(',')) {
			const resolved = this.resolve(raw);
			if (!resolved.slug) continue;
			if (resolved.viaAlias !== undefined && !renamed.some((r) => r.from === resolved.viaAlias)) renamed.push({ from: resolved.viaAlias, to: resolved.slug });
			if (!tags.includes(resolved.slug)) tags.push(resolved.slug);
		}
		return { tags, renamed };
	}
}
