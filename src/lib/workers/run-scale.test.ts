import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { Recipe, RunSettings, SourceRef } from '$lib/core/recipes/recipe';
import { ask } from '$lib/core/runtime/task';
import { runStatus } from '$lib/core/runtime/manifest';
import { storePool } from '$lib/db/pools-repo';
import { POOL_BLOCK_SIZE } from '$lib/db/schema';
import { inputsManifest, loadRunInputs } from './run-inputs';
import { RECORD_PAGE, type RunRecordSummary } from '$lib/core/contracts/run-api';
import { recordsPage, sampleCountsOf } from '$lib/db/runs-repo';
import { cleanUp, countedDataset, fresh, started, storedSteps, waitFor } from './run-test-harness';

afterEach(cleanUp);

const SETTINGS: RunSettings = { sampling: { max_tokens: 64 }, seed: 7 };
const ENGINE = { kind: 'test', label: 'Rehearsal' } as const;


/** A recipe over a dataset's entries, one record per entry (those with `tag` when the params name one). */
const entriesRecipe: Recipe<{ datasetId: string; tag?: string }, { text: string }> = {
	id: 'entries-echo',
	label: 'Entries echo',
	description: 'One record per entry.',
	version: 1,
	params: z.object({ datasetId: z.string(), tag: z.string().optional() }),
	sources: (params): SourceRef[] => [{ kind: 'dataset', id: params.datasetId }],
	prepare: (params, sources) => {
		const entries = (sources.entries[params.datasetId] ?? []).filter((found) => !params.tag || found.tags.includes(params.tag));
		return {
			inputs: entries.map((found) => ({ id: found.id, input: { text: String(found.messages[0].content) } })),
			documents: {},
			definition: { version: 1 }
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

const definition = (params: unknown, limit?: number) => ({ recipeId: entriesRecipe.id, params, engine: ENGINE, settings: { ...SETTINGS, ...(limit !== undefined ? { limit } : {}) } });

describe('Runs at scale: the limit is applied while the sources are read', () => {
	it('reads only the first entries of a large dataset for a limited run, and all of them without a limit', async () => {
		const big = await countedDataset(25_000);
		const limited = await loadRunInputs(entriesRecipe, definition({ datasetId: big.datasetId }, 500), big);
		if (limited.kind !== 'ready') throw new Error(limited.kind);
		expect(limited.inputs).toHaveLength(500);
		expect(limited.truncated).toBe(true);
		// 500 entries: one page of the data service, not 25 blocks of 1,000.
		expect(big.read).toEqual({ pages: 1, entries: 500 });
		const manifest = inputsManifest(definition({ datasetId: big.datasetId }, 500), limited);
		expect(manifest).toMatchObject({ partial: true, limit: 500, inputCount: 500 });

		big.read.pages = 0;
		big.read.entries = 0;
		const all = await loadRunInputs(entriesRecipe, definition({ datasetId: big.datasetId }), big);
		if (all.kind !== 'ready') throw new Error(all.kind);
		expect(all.inputs).toHaveLength(25_000);
		expect(all.truncated).toBe(false);
		expect(big.read).toEqual({ pages: 25, entries: 25_000 });
		expect(inputsManifest(definition({ datasetId: big.datasetId }), all)).toMatchObject({ partial: false, inputCount: 25_000 });
	});

	it('reads further, not everything, when the recipe leaves entries out (a tag filter)', async () => {
		const big = await countedDataset(25_000, 100);
		const loaded = await loadRunInputs(entriesRecipe, definition({ datasetId: big.datasetId, tag: 'storm' }, 5), big);
		if (loaded.kind !== 'ready') throw new Error(loaded.kind);
		expect(loaded.inputs.map((input) => input.id)).toEqual(['e0', 'e100', 'e200', 'e300', 'e400']);
		// Reach 5, 20, 80, 320, 1280: five reads of the first page, never the whole dataset.
		expect(big.read.entries).toBe(5 + 20 + 80 + 320 + 1280);
		expect(inputsManifest(definition({ datasetId: big.datasetId, tag: 'storm' }, 5), loaded)).toMatchObject({ partial: true, limit: 5, inputCount: 5 });
	});

	it('a limited run is stale when a record it covers changes, not when one past its limit does', async () => {
		const big = await countedDataset(3000);
		const run = definition({ datasetId: big.datasetId }, 10);
		const manifestNow = async () => {
			const loaded = await loadRunInputs(entriesRecipe, run, big);
			if (loaded.kind !== 'ready') throw new Error(loaded.kind);
			return inputsManifest(run, loaded);
		};
		const stored = await manifestNow();
		expect(runStatus(stored, await manifestNow())).toEqual({ state: 'partial', limit: 10 });
		big.entries[2500] = { ...big.entries[2500], messages: [{ role: 'user', content: 'Changed far past the limit.' }] };
		expect(runStatus(stored, await manifestNow()).state).toBe('partial');
		big.entries[3] = { ...big.entries[3], messages: [{ role: 'user', content: 'Changed within the limit.' }] };
		expect(runStatus(stored, await manifestNow())).toMatchObject({ state: 'stale', changes: [{ kind: 'inputs', reason: 'The input records changed.' }] });
	});

	it('reads only the pool blocks holding a limited run’s picks', async () => {
		const h = await fresh();
		const items = Array.from({ length: 20 * POOL_BLOCK_SIZE }, (_, i) => ({ text: `Prompt ${i}`, rating: i % 5 }));
		await storePool(h.db, { id: 'pool-big', name: 'Big pool', sourceName: 'p.txt', createdAt: 1 }, items);
		const bulkGet = vi.spyOn(h.db.promptPoolBlocks, 'bulkGet');
		const runId = await started(h, { recipeId: 'pool-echo', params: { poolId: 'pool-big', n: items.length, mix: [] }, settings: { ...SETTINGS, limit: 3 } });
		await h.service.whenSettled(runId);
		const blocksRead = bulkGet.mock.calls.reduce((n, [keys]) => n + keys.length, 0);
		expect(blocksRead).toBeGreaterThan(0);
		expect(blocksRead).toBeLessThanOrEqual(3);
		const detail = await h.service.getRun(runId);
		expect(detail?.run.counts).toMatchObject({ total: 3, done: 3 });
		expect(detail?.run.manifest).toMatchObject({ partial: true, limit: 3, inputCount: 3 });
		expect((await h.service.listRuns())[0].status).toEqual({ state: 'partial', limit: 3 });
	});
});

describe('Runs at scale: progress is stored in batches', () => {
	async function poolRun(options: Parameters<typeof fresh>[0], count: number, concurrency: number) {
		const h = await fresh(options);
		const items = Array.from({ length: count }, (_, i) => ({ text: `Prompt ${i}`, rating: 1 }));
		await storePool(h.db, { id: 'pool-1', name: 'Prompts', sourceName: 'p.txt', createdAt: 1 }, items);
		const transaction = vi.spyOn(h.db, 'transaction');
		const runId = await started(h, { recipeId: 'pool-echo', params: { poolId: 'pool-1', n: count, mix: [] }, concurrency });
		return { h, runId, transaction };
	}

	it('stores N records in far fewer transactions than one per step, with every count right', async () => {
		const h = await fresh();
		const count = 300;
		const items = Array.from({ length: count }, (_, i) => ({ text: `Prompt ${i}`, rating: 1 }));
		await storePool(h.db, { id: 'pool-1', name: 'Prompts', sourceName: 'p.txt', createdAt: 1 }, items);
		const transaction = vi.spyOn(h.db, 'transaction');
		const runId = await started(h, { recipeId: 'pool-echo', params: { poolId: 'pool-1', n: count, mix: [] }, concurrency: 16 });
		await h.service.whenSettled(runId);
		const detail = await h.service.getRun(runId);
		expect(detail?.run.state).toBe('done');
		expect(detail?.run.counts).toMatchObject({ total: count, done: count, failed: 0, samples: count, engineCalls: count });
		expect(await h.db.runSamples.where('runId').equals(runId).count()).toBe(count);
		expect(await h.db.responseCache.count()).toBe(count);
		expect(detail?.records.every((record) => record.state === 'done' && record.stepCount === 1)).toBe(true);
		// One step and one end per record took 2 × 300 transactions; batches take a small fraction.
		const writes = transaction.mock.calls.filter((call) => call[0] === 'rw').length;
		expect(writes).toBeLessThan(count / 5);
	});

	it('a crash between batches loses at most the window not stored; everything stored has its answer cached', async () => {
		const { h, runId } = await poolRun({ delayMs: 2 }, 120, 4);
		await waitFor(async () => (await storedSteps(h.db, runId)) >= 30);
		const asked = h.engines[0].requests.length;
		h.service.dispose(); // the worker goes away mid-run
		const records = await h.db.runRecords.where('runId').equals(runId).toArray();
		const stored = records.flatMap((record) => record.steps);
		// Every step acknowledged as stored can be replayed from the cache: a resume never pays for it.
		const cached = await h.db.responseCache.bulkGet(stored.map((step) => step.cacheKey));
		expect(cached.every((row) => row !== undefined)).toBe(true);
		// What was answered and not stored is at most what the requests in flight and one batch held.
		expect(asked - stored.length).toBeGreaterThanOrEqual(0);
		expect(asked - stored.length).toBeLessThanOrEqual(4 * 4);
		// The run's counts match its rows (all in the same transactions).
		const run = await h.db.runs.get(runId);
		expect(run?.counts.done).toBe(records.filter((record) => record.state === 'done').length);
		expect(run?.counts.samples).toBe(await h.db.runSamples.where('runId').equals(runId).count());
	});
});

describe('Runs at scale: the run view reads a page of records', () => {
	async function poolRunOf(count: number) {
		const h = await fresh();
		const items = Array.from({ length: count }, (_, i) => ({ text: `Prompt ${i}`, rating: 1 }));
		await storePool(h.db, { id: 'pool-1', name: 'Prompts', sourceName: 'p.txt', createdAt: 1 }, items);
		const runId = await started(h, { recipeId: 'pool-echo', params: { poolId: 'pool-1', n: count, mix: [] }, concurrency: 16 });
		return { h, runId };
	}

	it('opens on the first page, pages on by position or by state, and counts each record’s samples', async () => {
		const { h, runId } = await poolRunOf(450);
		await h.service.whenSettled(runId);
		const detail = await h.service.getRun(runId);
		expect(detail?.run.counts).toMatchObject({ total: 450, done: 450 });
		expect(detail?.records.map((r) => r.recordIndex)).toEqual(Array.from({ length: RECORD_PAGE }, (_, i) => i));
		expect(detail?.records.every((r) => r.state === 'done' && r.sampleCount === 1 && r.stepCount === 1)).toBe(true);
		// The last page holds what is left.
		const lastPage = Math.floor(449 / RECORD_PAGE) * RECORD_PAGE;
		const last = await h.service.getRunRecords(runId, { offset: lastPage });
		expect(last.map((r) => r.recordIndex)).toEqual(Array.from({ length: 450 - lastPage }, (_, i) => lastPage + i));
		expect((await h.service.getRunRecords(runId, { state: 'done', offset: 440, limit: 20 })).map((r) => r.recordIndex)).toEqual(Array.from({ length: 10 }, (_, i) => 440 + i));
		expect(await h.service.getRunRecords(runId, { state: 'failed' })).toEqual([]);
		expect((await h.service.getRun(runId, { records: false }))?.records).toEqual([]);
	});

	it('serves a just-started run’s first page from memory, as its records are stored, without reading the records table', async () => {
		const h = await fresh({ delayMs: 2 });
		const items = Array.from({ length: 300 }, (_, i) => ({ text: `Prompt ${i}`, rating: 1 }));
		await storePool(h.db, { id: 'pool-1', name: 'Prompts', sourceName: 'p.txt', createdAt: 1 }, items);
		const runId = await started(h, { recipeId: 'pool-echo', params: { poolId: 'pool-1', n: 300, mix: [] }, concurrency: 4 });
		const where = vi.spyOn(h.db.runRecords, 'where');
		const first = await h.service.getRun(runId);
		expect(first?.live).toBe(true);
		expect(first?.records.map((r) => r.recordIndex)).toEqual(Array.from({ length: RECORD_PAGE }, (_, i) => i));
		expect(where).not.toHaveBeenCalled();
		await waitFor(async () => ((await h.service.getRun(runId))?.run.counts.done ?? 0) >= 20);
		await h.service.pauseRun(runId);
		// What memory serves equals what the database holds (states, steps, sample counts) once the
		// batch a pause may leave in flight is stored; the service never reads the table for it.
		const summary = (page: RunRecordSummary[]) => page.map((r) => [r.recordIndex, r.state, r.stepCount, r.sampleCount]);
		let held: RunRecordSummary[] = [];
		let stored: unknown[] = [];
		await waitFor(async () => {
			const reads = where.mock.calls.length;
			held = (await h.service.getRun(runId))?.records ?? [];
			expect(where.mock.calls.length).toBe(reads);
			const rows = await recordsPage(h.db, runId, { offset: 0, limit: RECORD_PAGE });
			const samples = await sampleCountsOf(h.db, runId, rows.map((row) => row.recordIndex));
			stored = rows.map((row) => [row.recordIndex, row.state, row.steps.length, samples.get(row.recordIndex)]);
			return JSON.stringify(summary(held)) === JSON.stringify(stored);
		});
		where.mockRestore();
		expect(summary(held)).toEqual(stored);
		expect(held.filter((r) => r.state === 'done').length).toBeGreaterThanOrEqual(20);
	});
});
