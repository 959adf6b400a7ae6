/**
 * A run's staleness (CURRENT / PARTIAL / STALE) against the manifest its current sources would
 * give (core/runtime/staleness.ts), with the loading around it and a cache: the run list
 * refreshes on every progress event of a live run, and rebuilding every run's inputs each time
 * would read all its sources again.
 */
import { hashValue, type RunStatus } from '$lib/core/runtime/manifest';
import { documentLabels } from '$lib/core/runtime/document-labels';
import { staleStatus, statusAgainst } from '$lib/core/runtime/staleness';
import type { StoredRunRow } from '$lib/db/runs-repo';
import type { RunContext } from './run-context';
import { inputsManifest, loadRunInputs } from './run-inputs';

/** How long a run's computed staleness is reused when the options do not say (ms). */
const STATUS_TTL_MS = 3000;

/** The staleness of a run against its current sources, computed now. */
export async function computeStatus(ctx: RunContext, run: StoredRunRow): Promise<RunStatus> {
	const partial = run.manifest.partial;
	// Inputs still being read (run-feed.ts): the run covers part of its source so far.
	if (run.feed) return { state: 'partial', reading: true };
	const recipe = ctx.recipe(run.recipeId);
	if (!recipe) return staleStatus([{ kind: 'recipe', reason: `The recipe "${run.recipeId}" is no longer available.` }], partial);
	// Read as the run was started (run-inputs.ts): a limited run only as far as its records.
	const loaded = await loadRunInputs(recipe, run, ctx, run.sourceNames);
	if (loaded.kind === 'missing') return staleStatus(loaded.resolved.missing, partial);
	if (loaded.kind === 'invalid') return staleStatus([{ kind: 'inputs', reason: `The inputs cannot be rebuilt: ${loaded.error}` }], partial);
	// Reasons name sources by their labels (a fact run by its name), never by internal ids.
	return statusAgainst(run.manifest, inputsManifest(run, loaded), documentLabels({ ...run.sourceNames, ...loaded.resolved.names }));
}

export class RunStatuses {
	private readonly statuses = new Map<string, { key: string; at: number; status: RunStatus }>();

	constructor(
		private readonly ctx: RunContext,
		/** Whether the run is live here: its status is kept until it ends. */
		private readonly isLive: (runId: string) => boolean
	) {}

	/**
	 * CURRENT / PARTIAL / STALE against the manifest the current sources would give. A status is
	 * reused for a few seconds while the run's own definition is unchanged (a source edited
	 * meanwhile shows on the next one), and while the run is live here until it ends: rebuilding a
	 * large source (a 100k-entry dataset) every few seconds would take the worker from the run itself.
	 */
	async statusOf(run: StoredRunRow): Promise<RunStatus> {
		const key = hashValue({ manifest: run.manifest, params: run.params, settings: run.settings, engine: run.engine });
		const cached = this.statuses.get(run.id);
		if (cached && cached.key === key && (this.isLive(run.id) || this.ctx.now() - cached.at < (this.ctx.options.statusTtlMs ?? STATUS_TTL_MS))) return cached.status;
		const status = await computeStatus(this.ctx, run);
		this.statuses.set(run.id, { key, at: this.ctx.now(), status });
		return status;
	}

	/** The status of a run known without reading its sources (one just started from them). */
	remember(run: StoredRunRow, status: RunStatus): void {
		const key = hashValue({ manifest: run.manifest, params: run.params, settings: run.settings, engine: run.engine });
		this.statuses.set(run.id, { key, at: this.ctx.now(), status });
	}

	forget(runId: string): void {
		this.statuses.delete(runId);
	}
}
