/**
 * One kind of source a recipe reads (SourceRef['kind']): how it is loaded for a run, what it is
 * called in messages, and where it goes in ResolvedSources. Each kind is one module of this
 * folder; index.ts keys them by kind.
 */
import type { ResolvedSources, RunSettings, SourceRef } from '$lib/core/recipes/recipe';
import type { SkeinDatabase } from '$lib/db/database';
import type { RunData } from '../run-context';

export interface SourceLoadContext {
	db: SkeinDatabase;
	data: Pick<RunData, 'getPage'>;
	/** The recipe's params (a pool sample reads its size and mix there). */
	params: unknown;
	settings: RunSettings;
	/**
	 * At most this many records are needed from a source that can be read in part (a dataset's
	 * first entries, a pool sample's first picks): a run limited to N records reads only what
	 * they need. Undefined: all of it.
	 */
	reach?: number;
	/**
	 * The records before this one are not needed (an unlimited run read block by block, run-feed.ts):
	 * a source read in part starts here. Sources that cannot be read in part ignore it.
	 */
	from?: number;
	/** A line worth the run's log (how a pool sample differs from its mix). */
	note(message: string): void;
}

/** A source as loaded: its display name and the value the recipe gets. */
export interface LoadedSource<V> {
	name: string;
	value: V;
	/** Only part was read (`reach`): the source has more than `value` holds. */
	more?: boolean;
}

export interface SourceKind<K extends SourceRef['kind'], S extends keyof ResolvedSources> {
	/** What the user calls it ("The character sheet "Mara" was deleted."). */
	noun: string;
	/** Where the loaded value goes, by the ref's id. */
	slot: S;
	/** The source, or null when it no longer exists. */
	load(ref: Extract<SourceRef, { kind: K }>, context: SourceLoadContext): Promise<LoadedSource<ResolvedSources[S][string]> | null>;
}
