import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { testBadJson, testHttpError, type TestEngine } from '$lib/engines/test-engine';
import type { ChatRequest } from '$lib/core/contracts/engine';
import type { EngineAccess, RemoteEngine } from '$lib/core/contracts/run-api';
import { runApi } from './run-service';
import { cleanUp, ANSWER, countsSnapshot, fresh, lastUser, lighthouseRecipe, QUESTION, RECIPES, request, serviceOver, SETTINGS, SHEET, started, storedCounts, storedSteps, tableCounts, waitFor } from './run-test-harness';

afterEach(cleanUp);

describe('RunService: starting, actions on a run, deleting, the worker API', () => {
	it('runs a recipe to the end, persisting every step, sample, stat and the log', async () => {
		const h = await fresh();
		const runId = await started(h);
		await h.service.whenSettled(runId);

		const detail = await h.service.getRun(runId);
		expect(detail?.run.state).toBe('done');
		expect(detail?.live).toBe(false);
		expect(detail?.run.counts).toMatchObject({ total: 4, done: 4, failed: 0, samples: 4, engineCalls: 8, cacheHits: 0 });
		expect(detail?.run.counts.promptTokens).toBeGreaterThan(0);
		expect(detail?.run.counts.completionTokens).toBeGreaterThan(0);
		expect(detail?.records.map((record) => [record.label, record.state, record.stepCount, record.sampleCount])).toEqual([
			['Chunk: Childhood', 'done', 2, 1],
			['Chunk: The light', 'done', 2, 1],
			['Chunk: The storm', 'done', 2, 1],
			['Chunk: Visitors', 'done', 2, 1]
		]);
		expect(detail?.records[0].stats).toEqual([{ label: 'Samples', value: '1', number: 1 }]);
		expect(detail?.records[2].notes).toEqual([{ level: 'info', kind: 'asked', message: 'Asked about The storm.' }]);
		expect(detail?.log.some((line) => line.message.startsWith('Finished: 4 done, 0 failed, 4 samples'))).toBe(true);
		expect(detail?.log.some((line) => line.message === 'Chunk: The storm: Asked about The storm.')).toBe(true);

		const record = await h.service.getRunRecord(runId, 2);
		expect(record?.steps.map((step) => step.request.messages[1].content)).toEqual([
			`${QUESTION}${SHEET.chunks[2].document}`,
			`${ANSWER}What do you remember about In the storm of 1998 the foghorn failed?`
		]);

		const items = await h.service.listReviewItems(runId);
		expect(items).toHaveLength(4);
		expect(items[0]).toMatchObject({ id: `${runId}:0:0`, recordLabel: 'Chunk: Childhood', review: 'pending' });
		expect(items[0].sample.tags).toEqual(['generated', 'rehearsal']);
		expect(h.events.filter((event) => event.type === 'state').map((event) => (event.type === 'state' ? event.state : ''))).toEqual(['running', 'done']);
		// One record event per answered step (progress), then one per ended record.
		const recordEvents = h.events.filter((event) => event.type === 'record');
		expect(recordEvents.filter((event) => event.record.state !== 'pending')).toHaveLength(4);
		expect(recordEvents.filter((event) => event.record.state === 'pending').length).toBeGreaterThan(0);
		expect(h.events.some((event) => event.type === 'progress' && event.counts.done === 4)).toBe(true);
	});

	it('refuses bad parameters with the zod path, and missing sources by name', async () => {
		const h = await fresh();
		expect(await h.service.startRun(request({ params: { sheetId: '' } }))).toMatchObject({ ok: false, field: 'params.sheetId' });
		expect(await h.service.startRun(request({ params: { sheetId: 'sheet-mara', voice: 'second-person' } }))).toMatchObject({ ok: false, field: 'params.voice' });
		expect(await h.service.startRun(request({ settings: { ...SETTINGS, sampling: { max_tokens: 0 } } }))).toMatchObject({ ok: false, field: 'settings.sampling.max_tokens' });
		const missing = await h.service.startRun(request({ params: { sheetId: 'sheet-gone' } }));
		expect(missing).toEqual({ ok: false, error: 'The character sheet "sheet-gone" does not exist (it may have been deleted).' });
		expect(await h.service.startRun(request({ recipeId: 'nope' }))).toMatchObject({ ok: false, field: 'recipeId' });
		expect(await h.db.runs.count()).toBe(0);
	});

	it('keeps failed records with their partial steps, and "retry failed" re-runs only those', async () => {
		const failSecondStepOfStorm = (request: ChatRequest) => lastUser(request).startsWith(ANSWER) && lastUser(request).includes('foghorn');
		const h = await fresh({ configure: (engine, n) => n === 0 && engine.on(failSecondStepOfStorm, testHttpError(400)) && undefined });
		const runId = await started(h);
		await h.service.whenSettled(runId);

		const detail = await h.service.getRun(runId);
		expect(detail?.run.counts).toMatchObject({ done: 3, failed: 1, samples: 3 });
		const failed = detail?.records.find((record) => record.state === 'failed');
		expect(failed).toMatchObject({ label: 'Chunk: The storm', error: { type: 'http-400' }, stepCount: 2 });
		const steps = (await h.service.getRunRecord(runId, 2))?.steps ?? [];
		expect(steps[0].response?.content).toContain('foghorn');
		expect(steps[1].error).toMatchObject({ kind: 'http', status: 400 });
		expect(detail?.log.some((line) => line.level === 'error' && line.message.startsWith('Chunk: The storm failed (http-400)'))).toBe(true);

		expect(await h.service.retryFailed(runId)).toMatchObject({ ok: true });
		await h.service.whenSettled(runId);
		// Only the failed record ran; its first step came from the cache.
		expect(h.engines[1].requests.map(lastUser)).toEqual([`${ANSWER}What do you remember about In the storm of 1998 the foghorn failed?`]);
		const after = await h.service.getRun(runId);
		expect(after?.run.counts).toMatchObject({ done: 4, failed: 0, samples: 4 });
		expect(after?.records[2]).toMatchObject({ state: 'done', stepCount: 2 });
		expect(await h.service.retryFailed(runId)).toEqual({ ok: false, error: 'This run has no failed records.' });
	});

	it('"retry failed" asks the model again for an answer the recipe could not use; "ask again" re-sends a done record', async () => {
		// Engine 0 always cuts the storm answer off: every re-ask is rejected and the record fails.
		const stormAnswer = (request: ChatRequest) => lastUser(request).startsWith(ANSWER) && lastUser(request).includes('foghorn');
		const h = await fresh({ configure: (engine, n) => n === 0 && engine.on(stormAnswer, ...Array.from({ length: 10 }, () => testBadJson())) && undefined });
		const runId = await started(h);
		await h.service.whenSettled(runId);
		const failed = (await h.service.getRun(runId))?.records.find((record) => record.state === 'failed');
		expect(failed?.error?.type).toBe('unusable-answer');
		expect(failed?.requests.unusable).toBeGreaterThan(1);
		const firstTry = h.engines[0].requests.filter(stormAnswer).length;

		// A resume-like replay would fail the same way for free; the retry round really asks again.
		expect(await h.service.retryFailed(runId)).toMatchObject({ ok: true });
		await h.service.whenSettled(runId);
		expect(h.engines[1].requests.map(lastUser)).toEqual([`${ANSWER}What do you remember about In the storm of 1998 the foghorn failed?`]);
		const after = await h.service.getRun(runId);
		expect(after?.run.counts).toMatchObject({ done: 4, failed: 0 });
		const storm = after?.records.find((record) => record.label === 'Chunk: The storm');
		expect(storm?.requests).toMatchObject({ sent: 1, cached: 1, round: 1 });
		expect(firstTry).toBeGreaterThan(1);

		// Ask again, ignoring the cache: both of the record's requests are sent again.
		expect(await h.service.askAgain(runId, [0])).toMatchObject({ ok: true });
		await h.service.whenSettled(runId);
		expect(h.engines[2].requests).toHaveLength(2);
		const record0 = (await h.service.getRun(runId))?.records[0];
		expect(record0).toMatchObject({ state: 'done', requests: { sent: 2, cached: 0, round: 1 } });
		expect(await h.service.askAgain(runId, [])).toEqual({ ok: false, error: 'Choose records that have ended (done or failed) to ask again.' });
	});

	it('keeps the rate limits a run was started with, refuses bad ones by field, and edits them', async () => {
		const h = await fresh();
		expect(await h.service.startRun(request({ rateLimits: { requestsPerMinute: 0 } }))).toMatchObject({ ok: false, field: 'requestsPerMinute' });
		const runId = await started(h, { rateLimits: { requestsPerMinute: 600, tokensPerMinute: 90_000 } });
		await h.service.whenSettled(runId);
		expect((await h.service.getRun(runId))?.run.rateLimits).toEqual({ requestsPerMinute: 600, tokensPerMinute: 90_000 });
		expect(await h.service.editRun(runId, { rateLimits: { tokensPerMinute: 50 } })).toMatchObject({ ok: false, field: 'tokensPerMinute' });
		expect(await h.service.editRun(runId, { rateLimits: {} })).toMatchObject({ ok: true });
		expect((await h.service.getRun(runId))?.run.rateLimits).toEqual({});
	});

	it('runs only the first N records with a limit and says the run is partial', async () => {
		const h = await fresh();
		const runId = await started(h, { settings: { ...SETTINGS, limit: 2 } });
		await h.service.whenSettled(runId);
		const [item] = await h.service.listRuns();
		expect(item.status).toEqual({ state: 'partial', limit: 2 });
		expect(item.run.counts).toMatchObject({ total: 2, done: 2, samples: 2 });
		expect(h.engines[0].requests).toHaveLength(4);
	});

	it('cancels: records not ended stay pending', async () => {
		const h = await fresh({ delayMs: 50 });
		const runId = await started(h, { concurrency: 1 });
		await waitFor(async () => (await storedSteps(h.db, runId)) >= 2);
		expect(await h.service.cancelRun(runId)).toMatchObject({ ok: true });
		const detail = await h.service.getRun(runId);
		expect(detail?.run.state).toBe('cancelled');
		expect(detail?.records.filter((record) => record.state === 'pending').length).toBeGreaterThanOrEqual(2);
		expect(detail?.log.at(-1)?.message).toBe('Cancelled.');
	});

	it('takes the run id the page chose, once', async () => {
		const h = await fresh();
		const first = await h.service.startRun({ ...request(), id: 'run-page-chosen-1' });
		expect(first).toEqual({ ok: true, runId: 'run-page-chosen-1' });
		await h.service.whenSettled('run-page-chosen-1');
		expect(await h.service.startRun({ ...request(), id: 'run-page-chosen-1' })).toMatchObject({ ok: false, field: 'id' });
		expect(await h.service.startRun({ ...request(), id: 'no spaces/or slashes' })).toMatchObject({ ok: false, field: 'id' });
	});

	it('deleting a run deletes the cached answers no other run uses', async () => {
		const h = await fresh();
		const first = await h.service.startRun({ ...request(), id: 'run-cache-a' });
		if (!first.ok) throw new Error(first.error);
		await h.service.whenSettled('run-cache-a');
		const cached = await h.db.responseCache.count();
		expect(cached).toBeGreaterThan(0);
		// The same requests again: answered from the cache, sharing its rows.
		const second = await h.service.startRun({ ...request(), id: 'run-cache-b' });
		if (!second.ok) throw new Error(second.error);
		await h.service.whenSettled('run-cache-b');
		expect(await h.db.responseCache.count()).toBe(cached);
		await h.service.deleteRun('run-cache-a');
		expect(await h.db.responseCache.count()).toBe(cached);
		await h.service.deleteRun('run-cache-b');
		expect(await h.db.responseCache.count()).toBe(0);
	});

	it('drops a watcher whose page is gone', async () => {
		const h = await fresh();
		let calls = 0;
		h.service.watchRuns(() => {
			calls++;
			throw new Error('The proxy is closed');
		});
		const runId = await started(h);
		await h.service.whenSettled(runId);
		expect(calls).toBe(1);
		expect(h.events.length).toBeGreaterThan(3);
	});

	it('reads a run without its records when asked (a view that follows them by events)', async () => {
		const h = await fresh();
		const runId = await started(h);
		await h.service.whenSettled(runId);
		const full = await h.service.getRun(runId);
		const head = await h.service.getRun(runId, { records: false });
		expect(full?.records.length).toBeGreaterThan(0);
		expect(head?.records).toEqual([]);
		expect(head?.run).toEqual(full?.run);
		expect(head?.status).toEqual(full?.status);
		expect(head?.log).toEqual(full?.log);
	});

	it('deletes a run with its records and samples', async () => {
		const h = await fresh();
		const runId = await started(h);
		await h.service.whenSettled(runId);
		expect(await h.service.deleteRun(runId)).toMatchObject({ ok: true });
		expect(await h.db.runs.count()).toBe(0);
		expect(await h.db.runRecords.count()).toBe(0);
		expect(await h.db.runSamples.count()).toBe(0);
		expect(await h.service.getRun(runId)).toBeNull();
	});

	it('takes the page engine as its own argument through the worker API (a nested copy has no methods)', async () => {
		const h = await fresh();
		const api = runApi(h.db, h.data, { recipes: RECIPES });
		const remote: RemoteEngine = {
			describe: async () => ({ kind: 'manual', model: '', maxConcurrency: 1, supportsJsonSchema: false }),
			chat: async (_id, chatRequest) => ({ content: lighthouseRecipe.rehearse(chatRequest, () => 0), finishReason: 'stop', model: 'pasted', timing: { startedAt: 0, ms: 0 } }),
			cancel: () => undefined
		};
		const manual = request({ engine: { kind: 'manual', label: 'Paste replies' } });
		// What a Comlink proxy nested in `access` becomes after postMessage: its data, no methods.
		const copied = { remote: { kind: 'manual' } } as unknown as EngineAccess;
		expect(await api.startRun(manual, copied)).toMatchObject({ ok: false, error: 'Open the manual engine on the run page, then resume.' });
		const result = await api.startRun(manual, { apiKey: 'unused' }, remote);
		if (!result.ok) throw new Error(result.error);
		await waitFor(async () => (await h.db.runs.get(result.runId))?.state === 'done');
		expect((await api.getRun(result.runId))?.run.counts.samples).toBe(4);
	});

	it('starts one dispatcher when resume is asked twice at once (a double click), paying nothing twice', async () => {
		const h = await fresh({ delayMs: 30 });
		const runId = await started(h, { concurrency: 1 });
		await waitFor(async () => (await storedSteps(h.db, runId)) >= 3);
		h.service.dispose();
		const answered = await h.db.responseCache.count();

		const engines: TestEngine[] = [];
		const reloaded = serviceOver(h.db, h.data, engines, { abandonedAfterMs: 0, delayMs: 5 });
		const results = await Promise.all([reloaded.resumeRun(runId), reloaded.resumeRun(runId)]);
		expect(results.every((result) => result.ok)).toBe(true);
		await reloaded.whenSettled(runId);
		await waitFor(async () => (await h.db.runs.get(runId))?.state === 'done');
		expect(engines).toHaveLength(1);
		expect(engines[0].requests).toHaveLength(8 - answered);
		expect(await storedCounts(h.db, runId)).toEqual(await tableCounts(h.db, runId));
		expect((await h.db.runs.get(runId))?.counts.engineCalls).toBe(8);
	});

	it('runs failed records once when "retry failed" is asked twice at once', async () => {
		const failStorm = (chatRequest: ChatRequest) => lastUser(chatRequest).startsWith(ANSWER) && lastUser(chatRequest).includes('foghorn');
		const h = await fresh({ configure: (engine, n) => n === 0 && engine.on(failStorm, testHttpError(400)) && undefined, delayMs: 5 });
		const runId = await started(h);
		await h.service.whenSettled(runId);
		const results = await Promise.all([h.service.retryFailed(runId), h.service.retryFailed(runId)]);
		expect(results.filter((result) => result.ok)).not.toHaveLength(0);
		await h.service.whenSettled(runId);
		await waitFor(async () => (await h.db.runs.get(runId))?.state === 'done');
		expect(h.engines.slice(1).reduce((n, engine) => n + engine.requests.length, 0)).toBe(1);
		expect(await storedCounts(h.db, runId)).toEqual({ total: 4, done: 4, failed: 0, samples: 4 });
		expect(await storedCounts(h.db, runId)).toEqual(await tableCounts(h.db, runId));
	});

	it('keeps the counts equal to the records and samples through pause, cancel, resume and retry', async () => {
		const failStorm = (chatRequest: ChatRequest) => lastUser(chatRequest).startsWith(ANSWER) && lastUser(chatRequest).includes('foghorn');
		const h = await fresh({ delayMs: 15, configure: (engine, n) => n <= 1 && engine.on(failStorm, testHttpError(400)) && undefined });
		const runId = await started(h, { concurrency: 1 });
		await waitFor(async () => (await storedSteps(h.db, runId)) >= 2);
		await h.service.pauseRun(runId);
		// A record whose request was in flight may end while the counts are read: read them at once.
		let { stored, table } = await countsSnapshot(h.db, runId);
		expect(stored).toEqual(table);
		await h.service.cancelRun(runId);
		expect((await h.db.runs.get(runId))?.state).toBe('cancelled');
		({ stored, table } = await countsSnapshot(h.db, runId));
		expect(stored).toEqual(table);
		expect(await h.service.resumeRun(runId)).toMatchObject({ ok: true });
		await h.service.whenSettled(runId);
		({ stored, table } = await countsSnapshot(h.db, runId));
		expect(stored).toEqual(table);
		expect(await h.service.retryFailed(runId)).toMatchObject({ ok: true });
		await h.service.whenSettled(runId);
		expect((await h.db.runs.get(runId))?.state).toBe('done');
		expect(await storedCounts(h.db, runId)).toEqual({ total: 4, done: 4, failed: 0, samples: 4 });
		// Resuming a finished run changes nothing.
		expect(await h.service.resumeRun(runId)).toMatchObject({ ok: true });
		expect((await h.db.runs.get(runId))?.state).toBe('done');
		expect(await h.db.runSamples.count()).toBe(4);
	});

	it('refuses to edit a run that another tab is driving', async () => {
		const h = await fresh({ delayMs: 50 });
		const runId = await started(h, { concurrency: 1 });
		await waitFor(async () => (await storedSteps(h.db, runId)) >= 1);
		const other = serviceOver(h.db, h.data, [], { abandonedAfterMs: 3_600_000 });
		expect(await other.editRun(runId, { label: 'Renamed elsewhere' })).toEqual({ ok: false, error: 'This run is running in another tab: control it there.' });
		expect((await h.db.runs.get(runId))?.label).not.toBe('Renamed elsewhere');
		await h.service.cancelRun(runId);
	});

	it('says a run is partial when its recipe applies the limit itself', async () => {
		const h = await fresh();
		const runId = await started(h, { recipeId: 'lighthouse-self-limited', settings: { ...SETTINGS, limit: 2 } });
		await h.service.whenSettled(runId);
		const [item] = await h.service.listRuns();
		expect(item.status).toEqual({ state: 'partial', limit: 2 });
		expect(item.run.counts).toMatchObject({ total: 2, done: 2 });
		expect(item.run.manifest).toMatchObject({ inputCount: 4, partial: true, limit: 2 });
	});

	it('leaves a run resumable, not done, when "retry failed" ends with records it never ran still pending', async () => {
		const failChildhood = (chatRequest: ChatRequest) => lastUser(chatRequest).includes('Skerry Island');
		const h = await fresh({ delayMs: 15, configure: (engine, n) => n === 0 && engine.on(failChildhood, testHttpError(400)) && undefined });
		const runId = await started(h, { concurrency: 1 });
		await waitFor(async () => (await h.db.runRecords.where('[runId+state]').equals([runId, 'failed']).count()) === 1);
		h.service.dispose(); // a reload, with records still pending
		const reloaded = serviceOver(h.db, h.data, [], { abandonedAfterMs: 0 });
		expect((await reloaded.listRuns())[0].run.state).toBe('interrupted');
		expect(await reloaded.retryFailed(runId)).toMatchObject({ ok: true });
		await reloaded.whenSettled(runId);
		const detail = await reloaded.getRun(runId);
		expect(detail?.records[0].state).toBe('done');
		expect(detail?.records.some((record) => record.state === 'pending')).toBe(true);
		expect(detail?.run.state).toBe('interrupted');
		expect(detail?.log.at(-1)?.message).toMatch(/still to run: resume the run to run them\.$/);
		expect(await reloaded.resumeRun(runId)).toMatchObject({ ok: true });
		await reloaded.whenSettled(runId);
		expect((await reloaded.getRun(runId))?.run).toMatchObject({ state: 'done', counts: { total: 4, done: 4, failed: 0, samples: 4 } });
	});

	it('keeps a finished run finished through every action, and answers plainly for a deleted one', async () => {
		const h = await fresh();
		const runId = await started(h);
		await h.service.whenSettled(runId);
		const before = await tableCounts(h.db, runId);
		expect(await h.service.pauseRun(runId)).toEqual({ ok: false, error: 'This run is not running.' });
		expect(await h.service.cancelRun(runId)).toEqual({ ok: true, runId });
		expect(await h.service.resumeRun(runId)).toEqual({ ok: true, runId });
		expect(await h.service.retryFailed(runId)).toEqual({ ok: false, error: 'This run has no failed records.' });
		expect(await h.service.rerunStale(runId)).toEqual({ ok: true, runId });
		await h.service.whenSettled(runId);
		expect(await h.service.editRun(runId, { label: 'Mara, first pass' })).toEqual({ ok: true, runId });
		expect((await h.db.runs.get(runId))?.state).toBe('done');
		expect(await tableCounts(h.db, runId)).toEqual(before);
		expect(await storedCounts(h.db, runId)).toEqual(before);
		expect(h.engines.slice(1).every((engine) => engine.requests.length === 0)).toBe(true);

		await h.service.deleteRun(runId);
		const gone = { ok: false, error: 'That run no longer exists.' };
		expect(await h.service.pauseRun(runId)).toEqual(gone);
		expect(await h.service.cancelRun(runId)).toEqual(gone);
		expect(await h.service.resumeRun(runId)).toEqual(gone);
		expect(await h.service.retryFailed(runId)).toEqual(gone);
		expect(await h.service.rerunStale(runId)).toEqual(gone);
		expect(await h.service.editRun(runId, { label: 'x' })).toEqual(gone);
		expect(await h.service.acceptSamples(runId, { kind: 'new', name: 'x' })).toEqual(gone);
	});
});
