/**
 * The sources a recipe reads, loaded for a run: one module per kind (sheet, identity, pool,
 * dataset, facts), keyed here by SourceRef['kind']. A new kind of source is one module and one
 * line of SOURCE_KINDS. Sources that no longer exist are listed as manifest changes ("… was
 * deleted"), not thrown: a stopped run says why it cannot go on.
 */
import type { AnyRecipe, ResolvedSources, RunSettings, SourceRef } from '$lib/core/recipes/recipe';
import type { ManifestChange } from '$lib/core/runtime/manifest';
import { datasetSource } from './dataset';
import { factsSource } from './facts';
import { identitySource } from './identity';
import { poolSource } from './pool';
import { sheetSource } from './sheet';
import type { SourceKind, SourceLoadContext } from './types';

export const SOURCE_KINDS: { [K in SourceRef['kind']]: SourceKind<K, keyof ResolvedSources> } = {
	sheet: sheetSource,
	identity: identitySource,
	pool: poolSource,
	dataset: datasetSource,
	facts: factsSource
};

export interface Resolved {
	sources: ResolvedSources;
	/** Sources that no longer exist, as manifest changes ("… was deleted"). */
	missing: ManifestChange[];
	/** Display names of the sources, by `${kind}:${id}`. */
	names: Record<string, string>;
	/** Worth a line in the run's log (how a pool sample differs from its mix). */
	notes: string[];
	/** Some source was read only in part (`reach`): it has more than was loaded. */
	truncated: boolean;
}

export function emptySources(): ResolvedSources {
	return { sheets: {}, identities: {}, pools: {}, entries: {}, facts: {} };
}

/** The key of a source in a run's `sourceNames`. */
export const sourceKey = (ref: SourceRef) => `${ref.kind}:${ref.id}`;

/**
 * Loads the sources the params name, in order; those that no longer exist are listed, not thrown.
 * With `reach`, sources that can be read in part (datasets, pool samples) are read only that far,
 * and with `from`, from there on (one block of an unlimited run, run-feed.ts).
 */
export async function resolveSources(
	recipe: AnyRecipe,
	params: unknown,
	settings: RunSettings,
	io: Pick<SourceLoadContext, 'db' | 'data'>,
	knownNames: Record<string, string> = {},
	reach?: number,
	from?: number
): Promise<Resolved> {
	const resolved: Resolved = { sources: emptySources(), missing: [], names: {}, notes: [], truncated: false };
	const context: SourceLoadContext = { ...io, params, settings, ...(reach !== undefined ? { reach } : {}), ...(from ? { from } : {}), note: (message) => resolved.notes.push(message) };
	for (const ref of recipe.sources(params) as SourceRef[]) {
		const key = sourceKey(ref);
		const kind = SOURCE_KINDS[ref.kind] as SourceKind<SourceRef['kind'], keyof ResolvedSources>;
		const loaded = await kind.load(ref as never, context);
		if (!loaded) {
			const name = knownNames[key] ?? ref.id;
			resolved.missing.push({ kind: 'document-removed', name, reason: `The ${kind.noun} "${name}" was deleted.` });
			continue;
		}
		(resolved.sources[kind.slot] as Record<string, unknown>)[ref.id] = loaded.value;
		resolved.names[key] = loaded.name;
		if (loaded.more) resolved.truncated = true;
	}
	return resolved;
}
