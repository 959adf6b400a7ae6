/**
 * A run's input records from its sources, read only as far as the run needs. A run limited to N
 * records asks its sources for N (a dataset's first N entries, a pool sample's first N picks); a
 * recipe that leaves some out (a tag filter) gets a larger reach until it has N or the sources are
 * read to the end. Starting, the run list's staleness and re-runs all go through here, so the
 * manifest a run stored and the one its current sources give are built the same way.
 *
 * The manifest of a run whose sources were read only in part covers the records it runs (the
 * first N) and is partial: records past the limit were never read, so changing them does not make
 * the run stale. A run whose sources were read to the end is hashed over its full input set, as
 * before (a limit that covers everything is not partial).
 */
import type { InputRecord } from '$lib/core/runtime/dispatcher';
import type { AnyRecipe, PreparedRun } from '$lib/core/recipes/recipe';
import { limitedInputs, prepareRun } from '$lib/core/recipes/run-request';
import { runManifest, type RunDefinition, type StoredManifest } from '$lib/core/runtime/staleness';
import { resolveSources, type Resolved } from './run-sources';
import type { SourceLoadContext } from './run-sources/types';

/** How much further the reach goes when a recipe's filter left too few records. */
const REACH_GROWTH = 4;

export type RunInputs =
	| { kind: 'missing'; resolved: Resolved }
	| { kind: 'invalid'; resolved: Resolved; error: string }
	| {
			kind: 'ready';
			resolved: Resolved;
			prepared: PreparedRun<unknown>;
			/** The records the run covers (the limit applied). */
			inputs: InputRecord<unknown>[];
			/** The sources were read only in part (the run is partial). */
			truncated: boolean;
	  };

/** Loads the run's sources (as far as its limit needs) and prepares its input records. */
export async function loadRunInputs(recipe: AnyRecipe, run: RunDefinition, io: Pick<SourceLoadContext, 'db' | 'data'>, knownNames: Record<string, string> = {}): Promise<RunInputs> {
	const limit = run.settings.limit;
	let reach = limit;
	for (;;) {
		const resolved = await resolveSources(recipe, run.params, run.settings, io, knownNames, reach);
		if (resolved.missing.length) return { kind: 'missing', resolved };
		const prepared = prepareRun(recipe, run.params, resolved.sources, run.settings);
		if (!prepared.ok) return { kind: 'invalid', resolved, error: prepared.error };
		const enough = limit === undefined || prepared.prepared.inputs.length >= limit;
		if (!resolved.truncated || enough || reach === undefined) {
			return { kind: 'ready', resolved, prepared: prepared.prepared, inputs: limitedInputs(prepared.prepared.inputs, run.settings), truncated: resolved.truncated };
		}
		reach *= REACH_GROWTH;
	}
}

/** The manifest of the run over these inputs (see the module comment for partly read sources). */
export function inputsManifest(run: RunDefinition, ready: Extract<RunInputs, { kind: 'ready' }>): StoredManifest {
	if (!ready.truncated) return runManifest(run, ready.prepared);
	const manifest = runManifest(run, { ...ready.prepared, inputs: ready.inputs });
	return { ...manifest, partial: true, ...(run.settings.limit !== undefined ? { limit: run.settings.limit } : {}) };
}
