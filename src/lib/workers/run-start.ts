/**
 * Starting a run: the request checked (recipe, params, settings, engine choice, the page's run
 * id), its sources loaded and its input records prepared, the run and its records stored, and a
 * dispatcher launched over them.
 */
import { cleanRateLimits, validateRateLimits } from '$lib/core/runtime/rate-limits';
import type { EngineAccess, StartRunRequest, StartRunResult } from '$lib/core/contracts/run-api';
import { cleanSettings, defaultRunLabel, isRunIdShape, parseParams, validateSettings } from '$lib/core/recipes/run-request';
import { cleanChoice, concurrencyFor, DEFAULT_CONCURRENCY, validateChoice } from '$lib/core/runtime/engine-choice';
import { createRun, emptyCounts, getRun, type StoredRunRow } from '$lib/db/runs-repo';
import type { LiveRuns } from './live-run';
import type { RunContext } from './run-context';
import { engineFor } from './run-engines';
import { inputsManifest, loadRunInputs } from './run-inputs';
import { feedBlocks, feedsRun, loadWindow, recordRows, RunFeed } from './run-feed';

function newRunId(now: number): string {
	return `run-${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

export async function startRun(ctx: RunContext, live: LiveRuns, request: StartRunRequest, access: EngineAccess = {}): Promise<StartRunResult> {
	const recipe = ctx.recipe(request.recipeId);
	if (!recipe) return { ok: false, error: `There is no recipe "${request.recipeId}".`, field: 'recipeId' };
	const parsed = parseParams(recipe, request.params);
	if (!parsed.ok) return parsed;
	const settingsProblem = validateSettings(request.settings);
	if (settingsProblem) return { ok: false, ...settingsProblem };
	const choiceProblem = validateChoice(request.engine);
	if (choiceProblem) return { ok: false, ...choiceProblem };
	const limitsProblem = validateRateLimits(request.rateLimits);
	if (limitsProblem) return { ok: false, ...limitsProblem };
	const rateLimits = cleanRateLimits(request.rateLimits);
	const engineChoice = cleanChoice(request.engine);
	const settings = cleanSettings(request.settings);
	const params = parsed.params;

	// A limited run reads only as much of its sources as its records need (run-inputs.ts); an
	// unlimited one whose recipe can, only its first block (the rest is read while it runs, run-feed.ts).
	const definition = { recipeId: recipe.id, params, engine: engineChoice, settings };
	const fed = recipe.streams === true && settings.limit === undefined;
	const loaded = fed ? await loadWindow(recipe, definition, ctx, {}, 0, feedBlocks(ctx).first) : await loadRunInputs(recipe, definition, ctx);
	const { resolved } = loaded;
	if (loaded.kind === 'missing') return { ok: false, error: resolved.missing.map((change) => change.reason.replace(/ was deleted\.$/, ' does not exist (it may have been deleted).')).join(' ') };
	if (loaded.kind === 'invalid') return { ok: false, error: loaded.error };
	const { inputs } = loaded;
	if (!inputs.length) return { ok: false, error: 'These settings give the recipe nothing to work on (no input records).' };

	if (request.id !== undefined && (!isRunIdShape(request.id) || (await getRun(ctx.db, request.id)))) {
		return { ok: false, error: `The run id "${request.id}" cannot be used (it is malformed or taken).`, field: 'id' };
	}
	const now = ctx.now();
	const run: StoredRunRow = {
		id: request.id ?? newRunId(now),
		recipeId: recipe.id,
		label: defaultRunLabel(recipe, request.label, Object.values(resolved.names)),
		params,
		settings,
		engine: engineChoice,
		concurrency: concurrencyFor(engineChoice, request.concurrency ?? DEFAULT_CONCURRENCY),
		manifest: inputsManifest(definition, loaded),
		state: 'queued',
		counts: emptyCounts(inputs.length),
		createdAt: now,
		updatedAt: now,
		...(request.targetDatasetId ? { targetDatasetId: request.targetDatasetId } : {}),
		...(rateLimits ? { rateLimits } : {}),
		log: resolved.notes.map((message) => ({ at: now, level: 'warn' as const, message })),
		heartbeatAt: now,
		sourceNames: resolved.names
	};
	const engine = await engineFor(run, recipe, access, ctx.options);
	if (!engine.ok) return { ok: false, error: engine.error, field: 'engine' };
	if (feedsRun(recipe, definition, loaded)) {
		// Stored with the first block's manifest, marked partial, until the feed has read everything.
		const { records, feed } = RunFeed.start(ctx, recipe, run, loaded, (counts) => live.feedCounts(run.id, counts));
		run.manifest = { ...feed.manifestSoFar(), partial: true };
		run.feed = { from: feedBlocks(ctx).first };
		await createRun(ctx.db, run, records);
		live.launch(run, recipe, engine.engine, resolved.sources, records, () => true, feed);
		live.holdNew(run.id, records);
		return { ok: true, runId: run.id };
	}
	const records = recordRows(run.id, recipe, inputs, 0, now);
	await createRun(ctx.db, run, records);
	live.launch(run, recipe, engine.engine, resolved.sources, records, () => true);
	live.holdNew(run.id, records);
	return { ok: true, runId: run.id };
}
