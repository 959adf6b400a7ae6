import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Recipe, RunSettings, SourceRef } from '$lib/core/recipes/recipe';
import { ask } from '$lib/core/runtime/task';
import type { LiveRuns } from './live-run';
import { inputsManifest, loadRunInputs } from './run-inputs';
import type { TestEngine } from '$lib/engines/test-engine';
import { storePool } from '$lib/db/pools-repo';
import { findRecipe } from '$lib/core/recipes/registry';
import { cleanUp, countedDataset, fresh, serviceOver, waitFor } from './run-test-harness';

afterEach(cleanUp);

const SETTINGS: RunSettings = { sampling: { max_tokens: 64 }, seed: 7 };
const ENGINE = { kind: 'test', label: 'Rehearsal' } as const;
const BLOCKS = { first: 50, next: 200 };


/** Like the continuation recipe: one record and one document per entry (those with `tag`), so it can be fed. */
const feedRecipe: Recipe<{ datasetId: string; tag?: string }, { text: string }> = {
	id: 'entries-fed',
	label: 'Entries, fed',
	description: 'One record per entry, read while the run goes.',
	version: 1,
	params: z.object({ datasetId: z.string(), tag: z.string().optional() }),
	sources: (params): SourceRef[] => [{ kind: 'dataset', id: params.datasetId }],
	streams: true,
	prepare: (params, sources) => {
		const entries = (sources.entries[params.datasetId] ?? []).filter((found) => !params.tag || found.tags.includes(params.tag));
		return {
			inputs: entries.map((found) => ({ id: found.id, input: { text: String(found.messages[0].content) } })),
			documents: Object.fromEntries(entries.map((found) => [`entry:${found.id}`, String(found.messages[0].content)])),
			definition: { version: 1, tag: params.tag ?? null }
		};
	},
	task: () =>
		async function* (input) {
			const reply = yield* ask({ messages: [{ role: 'user', content: input.text }], sampling: SETTINGS.sampling });
			return { messages: [{ role: 'assistant', content: reply.content }], tags: [], meta: {} };
		},
	recordLabel: (input) => input.text,
	rehearse: () => 'Logged.'
};

function service(big: Awaited<ReturnType<typeof countedDataset>>, engines: TestEngine[] = [], delayMs = 0) {
	return serviceOver(big.db, big.data, engines, { recipes: [feedRecipe], feedBlocks: BLOCKS, delayMs, abandonedAfterMs: 0 });
}

const liveOf = (s: ReturnType<typeof service>) => (s as unknown as { live: LiveRuns }).live;

async function start(s: ReturnType<typeof service>, params: { datasetId: string; tag?: string }) {
	const result = await s.startRun({ recipeId: feedRecipe.id, params, settings: SETTINGS, engine: ENGINE, concurrency: 4 });
	if (!result.ok) throw new Error(result.error);
	return result.runId;
}

/** The manifest of the run's inputs read all at once (what the staleness check compares with). */
async function manifestAtOnce(big: Awaited<ReturnType<typeof countedDataset>>, params: { datasetId: string; tag?: string }) {
	const run = { recipeId: feedRecipe.id, params, engine: ENGINE, settings: SETTINGS };
	const loaded = await loadRunInputs(feedRecipe, run, big);
	if (loaded.kind !== 'ready') throw new Error(loaded.kind);
	return inputsManifest(run, loaded);
}

describe('An unlimited run reads its inputs block by block while it runs', () => {
	it('starts on the first block, reads the rest as it goes, holds about two blocks, and ends with the manifest of all its inputs', async () => {
		const big = await countedDataset(1050);
		const s = service(big, [], 2);
		const runId = await start(s, { datasetId: big.datasetId });
		// Started on the first block: 50 entries read and stored, the run marked as still reading.
		expect(big.read.entries).toBe(BLOCKS.first);
		expect(await big.db.runRecords.where('runId').equals(runId).count()).toBeLessThanOrEqual(BLOCKS.first + BLOCKS.next);
		const row = await big.db.runs.get(runId);
		expect(row?.feed?.from).toBeLessThanOrEqual(BLOCKS.first + BLOCKS.next);
		expect((await s.getRun(runId))?.run.manifest.partial).toBe(true);
		expect((await s.listRuns())[0].status).toEqual({ state: 'partial', reading: true });

		let held = 0;
		const watch = setInterval(() => (held = Math.max(held, liveOf(s).get(runId)?.inputs.size ?? 0)), 1);
		await s.whenSettled(runId);
		clearInterval(watch);
		// The live run never held the whole input set: about a block ahead of what runs.
		expect(held).toBeGreaterThan(0);
		expect(held).toBeLessThanOrEqual(BLOCKS.first + 2 * BLOCKS.next);
		// Every entry was read once while the run went (the staleness check below reads them again).
		expect(big.read.entries).toBe(1050);

		const detail = await s.getRun(runId);
		expect(detail?.run.state).toBe('done');
		expect(detail?.run.counts).toMatchObject({ total: 1050, done: 1050, failed: 0, samples: 1050 });
		expect((await big.db.runs.get(runId))?.feed).toBeUndefined();
		// Every entry became one record, in order, and was read once.
		const records = await big.db.runRecords.where('runId').equals(runId).toArray();
		expect(records.map((record) => record.recordId)).toEqual(big.entries.map((found) => found.id));
		// The manifest built block by block is the one built at once: the run is current, not stale.
		expect((await big.db.runManifests.get(runId))?.manifest).toEqual(await manifestAtOnce(big, { datasetId: big.datasetId }));
		expect((await s.listRuns())[0].status).toEqual({ state: 'current' });
		// A later edit of an entry makes it stale, as for any run.
		big.entries[1000] = { ...big.entries[1000], messages: [{ role: 'user', content: 'The lamp went out.' }] };
		expect((await s.listRuns())[0].status.state).toBe('stale');
	});

	it('skips blocks a filter leaves empty, and numbers records without gaps', async () => {
		const big = await countedDataset(900, 400);
		const s = service(big);
		const runId = await start(s, { datasetId: big.datasetId, tag: 'storm' });
		await s.whenSettled(runId);
		const records = await big.db.runRecords.where('runId').equals(runId).toArray();
		expect(records.map((record) => [record.recordIndex, record.recordId])).toEqual([
			[0, 'e0'],
			[1, 'e400'],
			[2, 'e800']
		]);
		expect((await s.getRun(runId))?.run.counts).toMatchObject({ total: 3, done: 3 });
		expect((await big.db.runManifests.get(runId))?.manifest).toEqual(await manifestAtOnce(big, { datasetId: big.datasetId, tag: 'storm' }));
	});

	it('a run stopped while reading resumes where its feed stood: no record stored twice, no answer asked twice', async () => {
		const big = await countedDataset(1050);
		const first: TestEngine[] = [];
		const s1 = service(big, first, 2);
		const runId = await start(s1, { datasetId: big.datasetId });
		await waitFor(async () => ((await big.db.runs.get(runId))?.counts.done ?? 0) >= 300, 10_000);
		s1.dispose(); // the tab is reloaded mid-run
		await new Promise((resolve) => setTimeout(resolve, 50)); // a block being stored lands (a reload would cut it whole)
		const before = await big.db.runs.get(runId);
		expect(before?.feed).toBeDefined();
		const asked = first[0].requests.length;

		const second: TestEngine[] = [];
		const s2 = service(big, second);
		expect((await s2.getRun(runId))?.run.state).toBe('interrupted');
		expect((await s2.resumeRun(runId)).ok).toBe(true);
		await s2.whenSettled(runId);
		const detail = await s2.getRun(runId);
		expect(detail?.run.state).toBe('done');
		expect(detail?.run.counts).toMatchObject({ total: 1050, done: 1050, samples: 1050 });
		const records = await big.db.runRecords.where('runId').equals(runId).toArray();
		expect(new Set(records.map((record) => record.recordId)).size).toBe(1050);
		// Answers stored before the reload come from the cache: the two engines asked once per entry,
		// give or take what was in flight when the first went away.
		const total = asked + second[0].requests.length;
		expect(total).toBeGreaterThanOrEqual(1050);
		expect(total).toBeLessThanOrEqual(1050 + 4 * 4);
		expect((await big.db.runManifests.get(runId))?.manifest).toEqual(await manifestAtOnce(big, { datasetId: big.datasetId }));
	});

	it('feeds a pool-answers run over a large pool too: its pool document, split across blocks, hashes as when read at once', async () => {
		const recipe = findRecipe('pool-answers');
		if (!recipe) throw new Error('no pool-answers recipe');
		const h = await fresh({ feedBlocks: BLOCKS, recipes: [recipe] });
		const items = Array.from({ length: 730 }, (_, i) => ({ text: `Prompt ${i}: what does the keeper see at dawn?`, rating: (i % 5) + 1 }));
		await storePool(h.db, { id: 'pool-big', name: 'Dawn prompts', sourceName: 'dawn.txt', createdAt: 1 }, items);
		const params = { poolId: 'pool-big', n: 730, mix: [], systemPrompt: 'You are Wren, the lighthouse keeper.' };
		const result = await h.service.startRun({ recipeId: 'pool-answers', params, settings: SETTINGS, engine: ENGINE, concurrency: 4 });
		if (!result.ok) throw new Error(result.error);
		expect((await h.db.runs.get(result.runId))?.feed).toBeDefined();
		await h.service.whenSettled(result.runId);
		const detail = await h.service.getRun(result.runId);
		expect(detail?.run.counts).toMatchObject({ total: 730, done: 730 });
		const run = { recipeId: 'pool-answers', params: recipe.params.parse(params), engine: ENGINE, settings: SETTINGS };
		const atOnce = await loadRunInputs(recipe, run, h);
		if (atOnce.kind !== 'ready') throw new Error(atOnce.kind);
		expect((await h.db.runManifests.get(result.runId))?.manifest).toEqual(inputsManifest(run, atOnce));
		expect(detail?.status).toEqual({ state: 'current' });
	});
});
