/**
 * Actions on a stored run: resume, cancel, retry the failed records, re-run what changed, edit,
 * delete. An action on a run live in this worker goes to its dispatcher (live-run.ts); one on a
 * run another tab drives is refused; otherwise a new dispatcher is launched over the records the
 * action picks. The service (run-service.ts) runs the actions on one run one after the other.
 */
import type { RunRecordRow } from '$lib/core/contracts/rows';
import type { EngineAccess, RunActionResult, RunEdit } from '$lib/core/contracts/run-api';
import type { AnyRecipe } from '$lib/core/recipes/recipe';
import { cleanSettings, validateSettings } from '$lib/core/recipes/run-request';
import { cleanChoice, concurrencyFor, validateChoice } from '$lib/core/runtime/engine-choice';
import { cleanRateLimits, validateRateLimits } from '$lib/core/runtime/rate-limits';
import { planRerun, reaskedMessage, removedAcceptedMessage } from '$lib/core/runtime/staleness';
import { deleteResponses } from '$lib/db/response-cache-repo';
import {
	cacheKeysOnlyIn,
	deleteRun as deleteRunRows,
	getRun,
	listRecords,
	listSamples,
	recordsInState,
	replaceRecords,
	resetRecords,
	sampleId,
	startRetryRound,
	trimLog,
	updateRun,
	type StoredRunRow
} from '$lib/db/runs-repo';
import type { LiveRuns } from './live-run';
import { runGone, type RunContext } from './run-context';
import { engineFor } from './run-engines';
import { inputsManifest, loadRunInputs } from './run-inputs';
import { resolveSources } from './run-sources';
import { feedBlocks, RunFeed } from './run-feed';

const recipeGone = (recipeId: string) => ({ ok: false as const, error: `The recipe "${recipeId}" is no longer available.` });

/** A stored run that no other tab drives, with its recipe: what restarting or re-running it starts from. */
async function stoppedRun(ctx: RunContext, live: LiveRuns, runId: string): Promise<{ ok: true; run: StoredRunRow; recipe: AnyRecipe } | { ok: false; error: string }> {
	const run = await getRun(ctx.db, runId);
	if (!run) return runGone();
	const busy = await live.elsewhere(run);
	if (busy) return { ok: false, error: busy };
	const recipe = ctx.recipe(run.recipeId);
	if (!recipe) return recipeGone(run.recipeId);
	return { ok: true, run, recipe };
}

/** Resumes a paused live run, or launches a dispatcher over the pending records of a stopped one. */
export async function resumeRun(ctx: RunContext, live: LiveRuns, runId: string, access: EngineAccess): Promise<RunActionResult> {
	const running = live.get(runId);
	if (running) {
		await live.resume(running);
		return { ok: true, runId };
	}
	return restart(ctx, live, runId, access, (record) => record.state === 'pending', undefined, true);
}

/** A new dispatcher over the records `which` picks, for a run not live here. */
async function restart(ctx: RunContext, live: LiveRuns, runId: string, access: EngineAccess, which: (record: RunRecordRow) => boolean, before?: (run: StoredRunRow) => Promise<void>, readOn = false): Promise<RunActionResult> {
	const { db } = ctx;
	const loaded = await stoppedRun(ctx, live, runId);
	if (!loaded.ok) return loaded;
	const { run, recipe } = loaded;
	const engine = await engineFor(run, recipe, access, ctx.options);
	if (!engine.ok) return { ok: false, error: engine.error };
	// The task's sources; a limited run's only as far as its records (run-inputs.ts), a fed one's
	// first block (its records carry their inputs; the feed reads on, run-feed.ts).
	const reach = run.feed ? feedBlocks(ctx).first : run.settings.limit;
	const resolved = await resolveSources(recipe, run.params, run.settings, ctx, run.sourceNames, reach);
	if (resolved.missing.length) {
		const them = resolved.missing.length === 1 ? 'it' : 'them';
		return { ok: false, error: `${resolved.missing.map((change) => change.reason).join(' ')} The run cannot go on without ${them}: start a new run from the sources you have.` };
	}
	if (live.has(runId)) return { ok: true, runId };
	if (before) await before(run);
	const fresh = (await getRun(db, runId)) ?? run;
	if (readOn && fresh.feed) {
		const feed = await RunFeed.resume(ctx, recipe, { ...fresh, feed: fresh.feed }, (counts) => live.feedCounts(runId, counts));
		if ('error' in feed) return { ok: false, error: `${feed.error} The rest of the run’s inputs cannot be read.` };
		// Only the records still to run are read (a fed run is handed each with its position).
		live.launch(fresh, recipe, engine.engine, resolved.sources, (await recordsInState(db, runId, 'pending')).filter(which), which, feed);
		return { ok: true, runId };
	}
	const records = await listRecords(db, runId);
	if (!records.some(which)) {
		await updateRun(db, runId, { state: 'done', updatedAt: ctx.now() });
		ctx.emit({ type: 'state', runId, state: 'done' });
		return { ok: true, runId };
	}
	live.launch(fresh, recipe, engine.engine, resolved.sources, records, which);
	return { ok: true, runId };
}

export async function cancelRun(ctx: RunContext, live: LiveRuns, runId: string): Promise<RunActionResult> {
	const running = live.get(runId);
	if (running) {
		await live.cancel(running);
		return { ok: true, runId };
	}
	const run = await getRun(ctx.db, runId);
	if (!run) return runGone();
	const busy = await live.elsewhere(run);
	if (busy) return { ok: false, error: busy };
	if (run.state === 'done' || run.state === 'cancelled') return { ok: true, runId };
	await updateRun(ctx.db, runId, { state: 'cancelled', updatedAt: ctx.now() });
	ctx.emit({ type: 'state', runId, state: 'cancelled' });
	return { ok: true, runId };
}

export async function retryFailed(ctx: RunContext, live: LiveRuns, runId: string, access: EngineAccess): Promise<RunActionResult> {
	if (live.has(runId)) return { ok: false, error: 'Wait for the run to finish (or cancel it) before retrying its failed records.' };
	if (!(await getRun(ctx.db, runId))) return runGone();
	const failed = await recordsInState(ctx.db, runId, 'failed');
	const again = new Set(failed.map((record) => record.recordIndex));
	if (!again.size) return { ok: false, error: 'This run has no failed records.' };
	// A new round: answers the recipe could not use are asked again, usable ones replayed.
	return restart(ctx, live, runId, access, (record) => again.has(record.recordIndex), async () => startRetryRound(ctx.db, runId, [...again], { fresh: false }, ctx.now()));
}

/**
 * "Ask again, ignore the cache" for chosen records (done or failed): a new round that replays
 * nothing from earlier ones, with the sampling seed moved on; their samples are replaced when
 * they end (copies already accepted into a dataset stay there).
 */
export async function askAgain(ctx: RunContext, live: LiveRuns, runId: string, recordIndexes: number[], access: EngineAccess): Promise<RunActionResult> {
	if (live.has(runId)) return { ok: false, error: 'Wait for the run to finish (or cancel it) before asking again.' };
	if (!(await getRun(ctx.db, runId))) return runGone();
	const records = await listRecords(ctx.db, runId);
	const chosen = new Set(records.filter((record) => recordIndexes.includes(record.recordIndex) && record.state !== 'pending').map((record) => record.recordIndex));
	if (!chosen.size) return { ok: false, error: 'Choose records that have ended (done or failed) to ask again.' };
	return restart(ctx, live, runId, access, (record) => chosen.has(record.recordIndex), async () => startRetryRound(ctx.db, runId, [...chosen], { fresh: true }, ctx.now()));
}

/**
 * Re-run what changed (core/runtime/staleness.ts `planRerun`): inputs are rebuilt from the
 * current sources; records whose input changed or that are new run again, removed ones go (with
 * their samples), unchanged ones keep their samples and reviews. A record that runs again keeps
 * its samples until its new ones replace them, and a new sample equal to an old one keeps its
 * review (runs-repo endRecord). Unchanged steps still come from the cache.
 */
export async function rerunStale(ctx: RunContext, live: LiveRuns, runId: string, access: EngineAccess): Promise<RunActionResult> {
	const { db } = ctx;
	if (live.has(runId)) return { ok: false, error: 'Wait for the run to finish (or cancel it) before re-running what changed.' };
	const loaded = await stoppedRun(ctx, live, runId);
	if (!loaded.ok) return loaded;
	const { run, recipe } = loaded;
	// Read as the run was started (run-inputs.ts): a limited run only as far as its records.
	const inputs = await loadRunInputs(recipe, run, ctx, run.sourceNames);
	const { resolved } = inputs;
	if (inputs.kind === 'missing') return { ok: false, error: `${resolved.missing.map((change) => change.reason).join(' ')} Nothing to re-run it from.` };
	if (inputs.kind === 'invalid') return { ok: false, error: inputs.error };
	const manifest = inputsManifest(run, inputs);
	const now = ctx.now();
	const plan = planRerun({
		runId,
		stored: run.manifest,
		current: manifest,
		inputs: inputs.inputs,
		records: await listRecords(db, runId),
		samples: await listSamples(db, runId),
		recordLabel: (input) => recipe.recordLabel(input),
		...(recipe.recordKey ? { recordKey: recipe.recordKey.bind(recipe) } : {}),
		sampleId: (recordIndex, sampleIndex) => sampleId(runId, recordIndex, sampleIndex),
		now
	});
	// The engine only when something will run: a re-run that just follows a rename needs none.
	const engine = plan.toRun.length ? await engineFor(run, recipe, access, ctx.options) : null;
	if (engine && !engine.ok) return { ok: false, error: engine.error };
	// Samples of removed records go with them, reviews included: say so when some were accepted.
	const lines = [
		...(plan.reasked ? [{ at: now, level: plan.reaskedAccepted ? ('warn' as const) : ('info' as const), message: reaskedMessage(plan.reasked, plan.reaskedAccepted) as string }] : []),
		...(plan.removedAccepted ? [{ at: now, level: 'warn' as const, message: removedAcceptedMessage(plan.removedAccepted) as string }] : [])
	];
	const log = lines.length ? trimLog([...(run.log ?? []), ...lines]) : run.log;
	const updated: StoredRunRow = { ...run, manifest, counts: { ...run.counts, ...plan.counts }, sourceNames: resolved.names, state: 'queued', updatedAt: now, ...(log ? { log } : {}) };
	await replaceRecords(db, updated, plan.records, plan.samples);
	if (!plan.toRun.length) {
		await updateRun(db, runId, { state: 'done' });
		ctx.emit({ type: 'state', runId, state: 'done' });
		return { ok: true, runId };
	}
	const again = new Set(plan.toRun);
	await resetRecords(db, runId, plan.toRun, now);
	if (!engine?.ok) return { ok: true, runId };
	live.launch((await getRun(db, runId)) ?? updated, recipe, engine.engine, resolved.sources, plan.records, (record) => again.has(record.recordIndex));
	return { ok: true, runId };
}

export async function editRun(ctx: RunContext, live: LiveRuns, runId: string, edit: RunEdit): Promise<RunActionResult> {
	if (live.has(runId)) return { ok: false, error: 'Pause is not enough: cancel the run (or wait for it to finish) before changing it.' };
	const run = await getRun(ctx.db, runId);
	if (!run) return runGone();
	const busy = await live.elsewhere(run);
	if (busy) return { ok: false, error: busy };
	const changes: Partial<StoredRunRow> = { updatedAt: ctx.now() };
	if (edit.label !== undefined) {
		if (!edit.label.trim()) return { ok: false, error: 'A run needs a name.', field: 'label' };
		changes.label = edit.label.trim();
	}
	if (edit.settings !== undefined) {
		const problem = validateSettings(edit.settings);
		if (problem) return { ok: false, ...problem };
		changes.settings = cleanSettings(edit.settings);
	}
	const engine = edit.engine ?? run.engine;
	if (edit.engine !== undefined) {
		const problem = validateChoice(edit.engine);
		if (problem) return { ok: false, ...problem };
		changes.engine = cleanChoice(edit.engine);
	}
	if (edit.concurrency !== undefined || edit.engine !== undefined) changes.concurrency = concurrencyFor(engine, edit.concurrency ?? run.concurrency);
	if (edit.rateLimits !== undefined) {
		const problem = validateRateLimits(edit.rateLimits);
		if (problem) return { ok: false, ...problem };
		// updateRun merges: an absent field would keep the old limits, so "none" is stored as {}.
		changes.rateLimits = cleanRateLimits(edit.rateLimits) ?? {};
	}
	if (edit.targetDatasetId !== undefined) changes.targetDatasetId = edit.targetDatasetId;
	await updateRun(ctx.db, runId, changes);
	return { ok: true, runId };
}

/** Deletes a run (stopping it first when live here) with the cached answers no other run can replay. */
export async function deleteRun(ctx: RunContext, live: LiveRuns, runId: string): Promise<RunActionResult> {
	const running = live.get(runId);
	if (running) await live.stop(running);
	const orphaned = await cacheKeysOnlyIn(ctx.db, runId);
	await deleteRunRows(ctx.db, runId);
	// Answers no other run can replay go with the run; shared ones stay (same request, same model).
	await deleteResponses(ctx.db, orphaned);
	return { ok: true, runId };
}
