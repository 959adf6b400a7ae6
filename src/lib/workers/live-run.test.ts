import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { type TestEngine } from '$lib/engines/test-engine';
import { cleanUp, fresh, serviceOver, started, storedSteps, waitFor, fakeLockManager } from './run-test-harness';

afterEach(cleanUp);

describe('Live runs: pause, reload, locks, seeded replays', () => {
	it('pauses (no new request starts) and resumes to the end', async () => {
		const h = await fresh({ delayMs: 25 });
		const runId = await started(h, { concurrency: 1 });
		await waitFor(async () => (await storedSteps(h.db, runId)) >= 2);
		expect(await h.service.pauseRun(runId)).toMatchObject({ ok: true });
		expect((await h.db.runs.get(runId))?.state).toBe('paused');
		// A request already waiting for a free slot when the pause came still goes out (the
		// dispatcher checks the pause before queueing for a slot); after that, nothing starts.
		await waitFor(() => h.engines[0].inFlight === 0);
		await new Promise((resolve) => setTimeout(resolve, 40));
		await waitFor(() => h.engines[0].inFlight === 0);
		const asked = h.engines[0].requests.length;
		expect(asked).toBeLessThan(8);
		await new Promise((resolve) => setTimeout(resolve, 120));
		expect(h.engines[0].requests.length).toBe(asked);
		expect((await h.service.listRuns())[0]).toMatchObject({ live: true, run: { state: 'paused' } });

		expect(await h.service.resumeRun(runId)).toMatchObject({ ok: true });
		await h.service.whenSettled(runId);
		expect((await h.db.runs.get(runId))?.state).toBe('done');
		expect(h.engines[0].requests).toHaveLength(8);
	});

	it('survives a reload: the run shows as interrupted, and resuming pays nothing for answered steps', async () => {
		const h = await fresh({ delayMs: 40 });
		const runId = await started(h, { concurrency: 1 });
		await waitFor(async () => (await storedSteps(h.db, runId)) >= 3);
		h.service.dispose(); // the worker goes away mid-run

		const answered = await h.db.responseCache.count();
		expect(answered).toBeGreaterThanOrEqual(3);
		expect(answered).toBeLessThan(8);
		const engines: TestEngine[] = [];
		const reloaded = serviceOver(h.db, h.data, engines, { abandonedAfterMs: 0 });
		const [item] = await reloaded.listRuns();
		expect(item).toMatchObject({ live: false, run: { id: runId, state: 'interrupted' } });

		expect(await reloaded.resumeRun(runId)).toMatchObject({ ok: true });
		await reloaded.whenSettled(runId);
		expect(engines[0].requests).toHaveLength(8 - answered);
		const detail = await reloaded.getRun(runId);
		expect(detail?.run.state).toBe('done');
		expect(detail?.records.every((record) => record.state === 'done' && record.stepCount === 2)).toBe(true);
		expect(detail?.run.counts.samples).toBe(4);
		expect(detail?.run.counts.cacheHits).toBeGreaterThanOrEqual(1);
		expect(await h.db.runSamples.count()).toBe(4);
	});

	it('tells a run live in another tab from one a closed tab left, by its Web Lock', async () => {
		const { held, locks } = fakeLockManager();
		Object.defineProperty(globalThis, 'navigator', { value: { locks }, configurable: true });
		try {
			const h = await fresh({ delayMs: 50 });
			const runId = await started(h, { concurrency: 1 });
			await waitFor(async () => (await storedSteps(h.db, runId)) >= 1);
			// The heartbeat alone would call this run alive for a long time; the lock decides.
			const other = serviceOver(h.db, h.data, [], { abandonedAfterMs: 3_600_000 });
			expect((await other.listRuns())[0]).toMatchObject({ live: false, run: { state: 'running' } });
			expect(await other.pauseRun(runId)).toEqual({ ok: false, error: 'This run is running in another tab: control it there.' });
			expect(await other.resumeRun(runId)).toEqual({ ok: false, error: 'This run is running in another tab: control it there.' });

			h.service.dispose(); // that tab is closed: its lock goes with it
			await waitFor(() => held.size === 0);
			expect((await other.listRuns())[0].run.state).toBe('interrupted');
			expect(await other.resumeRun(runId)).toMatchObject({ ok: true });
			await other.whenSettled(runId);
			expect((await other.getRun(runId))?.run.state).toBe('done');
		} finally {
			Reflect.deleteProperty(globalThis, 'navigator');
		}
	});

	it('replays a resumed record with the seeded random of its first attempt: the cache answers, the samples match an unbroken run', async () => {
		const unbroken = await fresh();
		const reference = await started(unbroken, { recipeId: 'seeded-style' });
		await unbroken.service.whenSettled(reference);
		const expected = (await unbroken.service.listReviewItems(reference)).map((item) => [item.sample.tags[0], item.sample.messages]);

		const h = await fresh({ delayMs: 20 });
		const runId = await started(h, { recipeId: 'seeded-style', concurrency: 1 });
		await waitFor(async () => (await storedSteps(h.db, runId)) >= 3);
		h.service.dispose();
		const answered = await h.db.responseCache.count();
		const engines: TestEngine[] = [];
		const reloaded = serviceOver(h.db, h.data, engines, { abandonedAfterMs: 0 });
		expect(await reloaded.resumeRun(runId)).toMatchObject({ ok: true });
		await reloaded.whenSettled(runId);
		expect(engines[0].requests).toHaveLength(8 - answered);
		expect((await reloaded.listReviewItems(runId)).map((item) => [item.sample.tags[0], item.sample.messages])).toEqual(expected);
		expect(await h.db.runSamples.count()).toBe(4);
	});
});
