/**
 * Tags: slugs on entries, and a registry that gives them labels, categories and aliases.
 *
 * Entries store slugs only. The registry is how a person's wording ("Slow Burn", an old name)
 * becomes the slug entries use: `resolveTag` follows aliases, so a rename keeps old spellings
 * working (RoleThread keeps alias chains and guards them against loops; here a rename moves the
 * old slug and all of its aliases onto the new tag, so there are no chains to follow).
 *
 * The per-entry operations return `{ entry, changed }` so bulk code can skip unchanged entries
 * without comparing arrays again.
 */
import { z } from 'zod';
import type { Entry } from '../model';

export const MAX_TAG_LENGTH = 64;

export const TagDefinitionSchema = z.object({
	slug: z.string().min(1),
	label: z.string(),
	category: z.string().optional(),
	/** Old slugs that now mean this tag. */
	aliases: z.array(z.string())
});
export type TagDefinition = z.infer<typeof TagDefinitionSchema>;
export type TagRegistry = readonly TagDefinition[];

/**
 * A tag slug: lower case, trimmed, runs of spaces (and `-`/`_` around them) → one `-`, only
 * letters, digits, `-` and `_` kept (letters of any script, so "café" and "日本語" stay
 * meaningful), at most `maxLength` characters. Returns '' when nothing usable is left.
 */
export function slugifyTag(raw: string, maxLength = MAX_TAG_LENGTH): string {
	// Removing characters can leave combining marks side by side in an order NFKC would change, so
	// the cleaning repeats until nothing moves: a slug is always its own slug.
	let slug = raw;
	for (let pass = 0; pass < 4; pass++) {
		const next = cleanSlug(slug, maxLength);
		if (next === slug) break;
		slug = next;
	}
	return slug;
}

function cleanSlug(raw: string, maxLength: number): string {
	const slug = raw
		.normalize('NFKC')
		.toLowerCase()
		.trim()
		.replace(/\s+/g, '-')
		.replace(/[^\p{L}\p{M}\p{N}_-]+/gu, '')
		.replace(/-{2,}/g, '-')
		.replace(/^[-_]+|[-_]+$/g, '')
		.normalize('NFKC');
	// Cut on code points (never half a surrogate pair), then drop a dangling separator.
	const points = Array.from(slug);
	return points.length <= maxLength ? slug : points.slice(0, maxLength).join('').replace(/[-_]+$/, '');
}

/** "slow-burn" → "Slow burn": the default label of a new tag. */
export function labelFromSlug(slug: string): string {
	const words = slug.replace(/[-_]+/g, ' ').trim();
	return words.charAt(0).toUpperCase() + words.slice(1);
}

export interface ResolvedTag {
	/** The slug to store on entries ('' when the input had nothing usable). */
	slug: string;
	/** Whether the registry knows the tag (directly or through an alias). */
	known: boolean;
	/** The alias that was followed, when one was. */
	viaAlias?: string;
}

/** Index of a registry for repeated lookups: every slug and alias → its canonical slug. */
export function tagLookup(registry: TagRegistry): Map<string, string> {
	const lookup = new Map<string, string>();
	for (const tag of registry) for (const alias of tag.aliases) lookup.set(alias, tag.slug);
	// Canonical slugs win over aliases that (wrongly) name another tag.
	for (const tag of registry) lookup.set(tag.slug, tag.slug);
	return lookup;
}

/** What a typed or imported tag means: its canonical slug, following aliases. */
export function resolveTag(registry: TagRegistry | ReadonlyMap<string, string>, raw: string): ResolvedTag {
	const lookup: ReadonlyMap<string, string> = registry instanceof Map ? registry : tagLookup(registry as TagRegistry);
	const slug = slugifyTag(raw);
	const canonical = lookup.get(slug);
	if (canonical === undefined) return { slug, known: false };
	return canonical === slug ? { slug, known: true } : { slug: canonical, known: true, viaAlias: slug };
}

export type RegistryResult = { ok: true; registry: TagDefinition[] } | { ok: false; error: string };

/** Adds a tag (the slug is normalised); fails when the slug or one of its aliases is taken. */
export function addTagDefinition(registry: TagRegistry, tag: TagDefinition): RegistryResult {
	const slug = slugifyTag(tag.slug);
	if (!slug) return { ok: false, error: 'a tag needs at least one letter or digit' };
	const lookup = tagLookup(registry);
	if (lookup.has(slug)) return { ok: false, error: `"${slug}" is already a tag or an alias of "${lookup.get(slug)}"` };
	return { ok: true, registry: [...registry, { ...tag, slug, label: tag.label || labelFromSlug(slug) }] };
}

/**
 * Renames `from` to `to`, keeping `from` (and its aliases) as aliases of `to`. When `to` is
 * already a tag, the two are merged into it (its label and category stay). Entries are not
 * touched here: apply a `replace-tag` operation (bulk.ts) to rewrite them, or leave them and let
 * `resolveTag` map the old slug on the way in.
 */
export function renameTag(registry: TagRegistry, from: string, to: string, label?: string): RegistryResult {
	const source = registry.find((tag) => tag.slug === from);
	if (!source) return { ok: false, error: `there is no tag "${from}"` };
	const target = slugifyTag(to);
	if (!target) return { ok: false, error: 'a tag needs at least one letter or digit' };
	if (target === from) {
		return { ok: true, registry: registry.map((tag) => (tag === source && label !== undefined ? { ...tag, label } : tag)) };
	}
	const moved = [...new Set([...source.aliases, from])].filter((alias) => alias !== target);
	const existing = registry.find((tag) => tag.slug === target);
	// Drop `target` from every alias list: it is a real tag now.
	const cleaned = registry.map((tag) => (tag.aliases.includes(target) ? { ...tag, aliases: tag.aliases.filter((a) => a !== target) } : tag));
	if (existing) {
		return {
			ok: true,
			registry: cleaned
				.filter((tag) => tag.slug !== from)
				.map((tag) => (tag.slug === target ? { ...tag, aliases: [...new Set([...tag.aliases, ...moved])], ...(label !== undefined ? { label } : {}) } : tag))
		};
	}
	return {
		ok: true,
		registry: cleaned.map((tag) =>
			tag.slug === from ? { ...tag, slug: target, label: label ?? (tag.label === labelFromSlug(from) ? labelFromSlug(target) : tag.label), aliases: moved } : tag
		)
	};
}

export interface UnknownTag {
	slug: string;
	/** How many entries carry it. */
	count: number;
	/** Set when the slug is an alias: entries still carry an old name of this tag. */
	aliasOf?: string;
}

/** How many entries carry each tag. */
export function countTags(entries: Iterable<Entry>, into: Map<string, number> = new Map()): Map<string, number> {
	for (const entry of entries) for (const tag of new Set(entry.tags)) into.set(tag, (into.get(tag) ?? 0) + 1);
	return into;
}

/**
 * Tags found on entries that are not canonical registry slugs: unknown ones (offer to adopt
 * them) and stale aliases (offer to rewrite them). Most used first.
 */
export function unknownTags(registry: TagRegistry, tagCounts: ReadonlyMap<string, number> | Readonly<Record<string, number>>): UnknownTag[] {
	const lookup = tagLookup(registry);
	const pairs = tagCounts instanceof Map ? [...tagCounts] : Object.entries(tagCounts);
	const found: UnknownTag[] = [];
	for (const [slug, count] of pairs) {
		const canonical = lookup.get(slug);
		if (canonical === slug) continue;
		found.push(canonical === undefined ? { slug, count } : { slug, count, aliasOf: canonical });
	}
	return found.sort((a, b) => b.count - a.count || (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
}

/** Adds the given unknown slugs to the registry, in `category` when given. Known ones are skipped. */
export function adoptTags(registry: TagRegistry, slugs: readonly string[], category?: string): TagDefinition[] {
	const lookup = tagLookup(registry);
	const adopted: TagDefinition[] = [];
	for (const slug of new Set(slugs)) {
		if (!slug || lookup.has(slug)) continue;
		adopted.push({ slug, label: labelFromSlug(slug), ...(category !== undefined ? { category } : {}), aliases: [] });
	}
	return [...registry, ...adopted];
}

export interface TagEdit {
	entry: Entry;
	changed: boolean;
}

/** Appends the tags the entry does not have yet. */
export function addTags(entry: Entry, tags: readonly string[]): TagEdit {
	let next: string[] | null = null;
	for (const tag of tags) {
		if (entry.tags.includes(tag) || next?.includes(tag)) continue;
		(next ??= entry.tags.slice()).push(tag);
	}
	return next ? { entry: { ...entry, tags: next }, changed: true } : { entry, changed: false };
}

/** Removes every occurrence of the tags. */
export function removeTags(entry: Entry, tags: readonly string[]): TagEdit {
	if (!entry.tags.some((tag) => tags.includes(tag))) return { entry, changed: false };
	return { entry: { ...entry, tags: entry.tags.filter((tag) => !tags.includes(tag)) }, changed: true };
}

/** Replaces `from` by `to` in place; when the entry already has `to`, `from` is just dropped. */
export function replaceTag(entry: Entry, from: string, to: string): TagEdit {
	if (from === to || !entry.tags.includes(from)) return { entry, changed: false };
	const next: string[] = [];
	for (const tag of entry.tags) {
		const mapped = tag === from ? to : tag;
		if (!next.includes(mapped)) next.push(mapped);
	}
	return { entry: { ...entry, tags: next }, changed: true };
}

/** What happened to one imported tag on its way to the slug an entry stores. */
export interface ImportedTag {
	/** The tag as the file had it. */
	original: string;
	/** The slug stored ('' when nothing usable was left and the tag was dropped). */
	slug: string;
	/** Set when the slug was an old name (alias) of a renamed tag: the slug before following it. */
	viaAlias?: string;
}

/**
 * Imported tags → the slugs entries store: each tag is normalised to a slug and, when that slug is
 * an old name of a renamed tag, mapped to the tag's current slug, so an older export lands on the
 * library as it is now. Repeats are dropped (order kept); `changes` lists every tag that did not
 * come through as it was (normalised, renamed or dropped), for the import report to show the original.
 */
export function importTags(tags: readonly string[], lookup: ReadonlyMap<string, string>): { tags: string[]; changes: ImportedTag[] } {
	const out: string[] = [];
	const changes: ImportedTag[] = [];
	for (const original of tags) {
		const resolved = resolveTag(lookup, original);
		if (resolved.slug === '') {
			changes.push({ original, slug: '' });
			continue;
		}
		if (resolved.slug !== original) changes.push(resolved.viaAlias === undefined ? { original, slug: resolved.slug } : { original, slug: resolved.slug, viaAlias: resolved.viaAlias });
		if (!out.includes(resolved.slug)) out.push(resolved.slug);
	}
	return { tags: out, changes };
}

/** One line of the import report for a tag that changed on import (it names the original). */
export function describeImportedTag(change: ImportedTag): string {
	if (change.slug === '') return `tag "${change.original}" dropped: it has no letter or digit to make a tag of`;
	if (change.viaAlias === undefined) return `tag "${change.original}" stored as #${change.slug} (tags are stored as slugs)`;
	const spelled = change.viaAlias === change.original ? `#${change.original}` : `"${change.original}" (#${change.viaAlias})`;
	return `tag ${spelled} is an old name of #${change.slug} (renamed in the tag library): stored as #${change.slug}`;
}
