import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { testHttpError } from '$lib/engines/test-engine';
import type { ChatRequest } from '$lib/core/contracts/engine';
import type { RemoteEngine } from '$lib/core/contracts/run-api';
import { reaskedMessage } from '$lib/core/runtime/staleness';
import { cleanUp, ANSWER, fresh, lastUser, lighthouseRecipe, QUESTION, request, SETTINGS, SHEET, started, storedCounts } from './run-test-harness';

afterEach(cleanUp);

describe('Run staleness and re-run what changed', () => {
	it('marks a run stale when a chunk changes, and re-running it runs only that record', async () => {
		const h = await fresh();
		const runId = await started(h);
		await h.service.whenSettled(runId);
		expect((await h.service.listRuns())[0].status).toEqual({ state: 'current' });
		await h.service.reviewSample(`${runId}:0:0`, 'accepted');

		const sheet = structuredClone(SHEET);
		sheet.chunks[1].document = 'Every night Mara climbs the 112 steps to light the lamp; in nine years she has missed one night.';
		await h.db.characterSheets.put(sheet);
		const status = (await h.service.listRuns())[0].status;
		expect(status.state).toBe('stale');
		expect(status.state === 'stale' && status.changes.map((change) => change.reason)).toEqual(['Document "Mara / The light" changed.', 'The input records changed.']);

		expect(await h.service.rerunStale(runId)).toMatchObject({ ok: true });
		await h.service.whenSettled(runId);
		// The changed chunk's question is asked again; its answer request is unchanged (the same
		// question came back), so the cache answers it.
		expect(h.engines[1].requests).toHaveLength(1);
		expect(h.engines[1].requests[0].messages[1].content).toContain('missed one night');
		expect((await h.service.listRuns())[0].status).toEqual({ state: 'current' });
		const items = await h.service.listReviewItems(runId);
		expect(items.map((item) => item.review)).toEqual(['accepted', 'pending', 'pending', 'pending']);
		const record = await h.service.getRunRecord(runId, 1);
		expect(record?.steps.map((step) => step.cached)).toEqual([false, true]);
		expect(record?.steps[0].request.messages[1].content).toContain('missed one night');
	});

	it('says when a source was deleted', async () => {
		const h = await fresh();
		const runId = await started(h);
		await h.service.whenSettled(runId);
		await h.db.characterSheets.delete('sheet-mara');
		const [item] = await h.service.listRuns();
		expect(item.status).toEqual({ state: 'stale', partial: false, changes: [{ kind: 'document-removed', name: 'Mara', reason: 'The character sheet "Mara" was deleted.' }] });
		expect(await h.service.rerunStale(runId)).toMatchObject({ ok: false, error: expect.stringContaining('was deleted') });
	});

	it('marks a run stale when its sampling or model changes, and re-runs everything then', async () => {
		const h = await fresh();
		const runId = await started(h);
		await h.service.whenSettled(runId);
		await h.service.editRun(runId, { settings: { ...SETTINGS, sampling: { ...SETTINGS.sampling, temperature: 0.2 } } });
		let status = (await h.service.listRuns())[0].status;
		expect(status.state === 'stale' && status.changes.map((change) => change.reason)).toEqual(['The model settings (sampling) changed.']);

		await h.service.editRun(runId, { engine: { kind: 'endpoint', label: 'Local', baseUrl: 'http://localhost:11434/v1', model: 'qwen2.5:7b' } });
		status = (await h.service.listRuns())[0].status;
		expect(status.state === 'stale' && status.changes.map((change) => change.reason)).toEqual(['The model changed from rehearsal (test) to qwen2.5:7b (endpoint).']);

		await h.service.editRun(runId, { engine: { kind: 'test', label: 'Rehearsal' } });
		expect(await h.service.rerunStale(runId)).toMatchObject({ ok: true });
		await h.service.whenSettled(runId);
		// New sampling: new cache keys, every step asked again.
		expect(h.engines[1].requests).toHaveLength(8);
		expect(h.engines[1].requests[0].sampling.temperature).toBe(0.2);
		expect((await h.service.listRuns())[0].status).toEqual({ state: 'current' });
	});

	it('reuses a run’s staleness for a few seconds (the list refreshes on every progress event)', async () => {
		let now = 1_000_000;
		const h = await fresh({ statusTtlMs: 3000, now: () => now });
		const runId = await started(h);
		await h.service.whenSettled(runId);
		expect((await h.service.listRuns())[0].status.state).toBe('current');
		const sheet = structuredClone(SHEET);
		sheet.chunks[0].document = 'Mara was born in the lamp room during a gale.';
		await h.db.characterSheets.put(sheet);
		expect((await h.service.listRuns())[0].status.state).toBe('current');
		now += 3001;
		expect((await h.service.listRuns())[0].status.state).toBe('stale');
	});

	it('marks a run stale when its record limit is edited, and re-running it runs the records it now includes', async () => {
		const h = await fresh();
		const runId = await started(h, { settings: { ...SETTINGS, limit: 2 } });
		await h.service.whenSettled(runId);
		await h.service.reviewSample(`${runId}:1:0`, 'accepted');
		expect((await h.service.listRuns())[0].status).toEqual({ state: 'partial', limit: 2 });
		await h.service.editRun(runId, { settings: { ...SETTINGS, limit: 3 } });
		const status = (await h.service.listRuns())[0].status;
		expect(status.state === 'stale' && status.changes.map((change) => change.reason)).toEqual(['The record limit changed from 2 to 3.']);
		expect(await h.service.rerunStale(runId)).toMatchObject({ ok: true });
		await h.service.whenSettled(runId);
		expect(h.engines[1].requests).toHaveLength(2);
		expect((await h.service.listRuns())[0].status).toEqual({ state: 'partial', limit: 3 });
		expect((await h.service.listReviewItems(runId)).map((item) => item.review)).toEqual(['pending', 'accepted', 'pending']);
		expect(await storedCounts(h.db, runId)).toEqual({ total: 3, done: 3, failed: 0, samples: 3 });

		await h.service.editRun(runId, { settings: SETTINGS });
		const full = (await h.service.listRuns())[0].status;
		expect(full.state === 'stale' && full.changes.map((change) => change.reason)).toEqual(['The record limit changed from 3 to none.']);
	});

	it('re-runs every record when a document the task reads (in no record input) changes', async () => {
		const h = await fresh();
		const runId = await started(h, { recipeId: 'keeper-voice' });
		await h.service.whenSettled(runId);
		await h.service.reviewSample(`${runId}:0:0`, 'accepted');
		await h.db.characterSheets.put({ ...structuredClone(SHEET), name: 'Mara Quinn' });
		const status = (await h.service.listRuns())[0].status;
		expect(status.state === 'stale' && status.changes.map((change) => change.reason)).toEqual(['Document "voice:sheet-mara" changed.']);
		expect(await h.service.rerunStale(runId)).toMatchObject({ ok: true });
		await h.service.whenSettled(runId);
		expect(h.engines[1].requests).toHaveLength(4);
		expect(h.engines[1].requests.every((sent) => sent.messages[0].content === 'You are Mara Quinn.')).toBe(true);
		expect((await h.service.listRuns())[0].status).toEqual({ state: 'current' });
		// Every record was asked again; the accepted sample came back the same (this answer does not
		// read the name), so it keeps its review.
		expect((await h.service.listReviewItems(runId)).map((item) => item.review)).toEqual(['accepted', 'pending', 'pending', 'pending']);
		expect(await storedCounts(h.db, runId)).toEqual({ total: 4, done: 4, failed: 0, samples: 4 });
	});

	it('marks a run stale when its seed changes (ISF covered it), and re-runs everything then', async () => {
		const h = await fresh();
		const runId = await started(h);
		await h.service.whenSettled(runId);
		await h.service.reviewSample(`${runId}:0:0`, 'accepted');
		await h.service.editRun(runId, { settings: { ...SETTINGS, seed: 99 } });
		const status = (await h.service.listRuns())[0].status;
		expect(status.state === 'stale' && status.changes.map((change) => change.reason)).toEqual(['The seed changed from 7 to 99.']);
		expect(await h.service.rerunStale(runId)).toMatchObject({ ok: true });
		await h.service.whenSettled(runId);
		expect((await h.service.listRuns())[0].status).toEqual({ state: 'current' });
		// Every record was asked again under the new seed; the answers came back the same (the
		// rehearsal answers do not depend on the seed), so the accepted sample keeps its review.
		expect((await h.service.listReviewItems(runId)).map((item) => item.review)).toEqual(['accepted', 'pending', 'pending', 'pending']);
	});

	it('marks an endpoint run stale when the same model is asked of another provider', async () => {
		const fetchStub: typeof fetch = async () =>
			new Response(JSON.stringify({ model: 'llama-3.1-8b', choices: [{ message: { role: 'assistant', content: 'The tide is in.' }, finish_reason: 'stop' }] }), { status: 200, headers: { 'Content-Type': 'application/json' } });
		const h = await fresh({ fetch: fetchStub });
		const engine = { kind: 'endpoint' as const, label: 'Together', baseUrl: 'https://api.together.xyz/v1', model: 'llama-3.1-8b' };
		const runId = await started(h, { engine, settings: { ...SETTINGS, limit: 1 } });
		await h.service.whenSettled(runId);
		expect((await h.service.listRuns())[0].status).toEqual({ state: 'partial', limit: 1 });
		await h.service.editRun(runId, { engine: { ...engine, label: 'OpenRouter', baseUrl: 'https://openrouter.ai/api/v1' } });
		const status = (await h.service.listRuns())[0].status;
		expect(status.state === 'stale' && status.changes.map((change) => change.reason)).toEqual(['The provider changed from https://api.together.xyz/v1 to https://openrouter.ai/api/v1.']);
		// Runs stored before the manifest said the provider and seed are not called stale for it.
		const stored = (await h.db.runManifests.get(runId))!;
		const { provider, seed, ...older } = stored.manifest as typeof stored.manifest & { provider?: string; seed?: number };
		expect([provider, seed]).toEqual(['https://api.together.xyz/v1', 7]);
		await h.db.runManifests.put({ runId, manifest: older });
		expect((await h.service.listRuns())[0].status).toEqual({ state: 'partial', limit: 1 });
	});

	it('re-runs an unfinished record moved by an added chunk with the seeded random of its first attempt', async () => {
		const failLight = (chatRequest: ChatRequest) => lastUser(chatRequest).startsWith(ANSWER) && lastUser(chatRequest).includes('Every night');
		const h = await fresh({ configure: (engine, n) => n === 0 && engine.on(failLight, testHttpError(400)) && undefined });
		const runId = await started(h, { recipeId: 'seeded-style' });
		await h.service.whenSettled(runId);
		expect((await h.service.getRun(runId))?.records[1]).toMatchObject({ label: 'Chunk: The light', state: 'failed' });
		const asked = lastUser(h.engines[0].requests.find((sent) => lastUser(sent).includes('112 steps') && lastUser(sent).startsWith(QUESTION)) as ChatRequest);

		// A chunk added before all others moves every record one place down.
		const sheet = structuredClone(SHEET);
		sheet.chunks.unshift({ ...sheet.chunks[0], id: 'c-arrival', title: 'Arrival', document: 'Mara came to the island on the mail boat, with one trunk and a cat.' });
		await h.db.characterSheets.put(sheet);
		expect(await h.service.rerunStale(runId)).toMatchObject({ ok: true });
		await h.service.whenSettled(runId);
		const light = (await h.service.getRunRecord(runId, 2)) ?? null;
		expect(light).toMatchObject({ label: 'Chunk: The light', state: 'done' });
		// Its question is the one first asked (same style), answered from the cache.
		expect(light?.steps.map((step) => [lastUser({ messages: step.request.messages } as ChatRequest), step.cached])).toEqual([
			[asked, true],
			[expect.stringContaining(ANSWER), false]
		]);
	});

	it('keeps samples and reviews when a re-run finds only documents renamed (same content, same inputs)', async () => {
		const h = await fresh();
		const runId = await started(h);
		await h.service.whenSettled(runId);
		await h.service.reviewSample(`${runId}:2:0`, 'accepted');
		await h.db.characterSheets.put({ ...structuredClone(SHEET), name: 'Mara Quinn' });
		expect((await h.service.listRuns())[0].status.state).toBe('stale');
		expect(await h.service.rerunStale(runId)).toMatchObject({ ok: true });
		await h.service.whenSettled(runId);
		expect((await h.service.listRuns())[0].status).toEqual({ state: 'current' });
		expect((await h.service.listReviewItems(runId)).map((item) => item.review)).toEqual(['pending', 'pending', 'accepted', 'pending']);
		expect((await h.db.runs.get(runId))?.state).toBe('done');
	});

	it('says in the log when a re-run asks again a record with accepted samples, which a different answer replaces', async () => {
		const h = await fresh();
		const runId = await started(h);
		await h.service.whenSettled(runId);
		await h.service.reviewSamples([`${runId}:0:0`, `${runId}:1:0`], 'accepted');
		const sheet = structuredClone(SHEET);
		sheet.chunks[1].document = 'Every night Mara climbs the 112 steps; the lamp has not gone out in nine years.';
		await h.db.characterSheets.put(sheet);
		expect(await h.service.rerunStale(runId)).toMatchObject({ ok: true });
		await h.service.whenSettled(runId);
		expect((await h.service.listReviewItems(runId)).map((item) => item.review)).toEqual(['accepted', 'pending', 'pending', 'pending']);
		const log = (await h.service.getRun(runId))?.log ?? [];
		expect(log.some((line) => line.level === 'warn' && line.message === reaskedMessage(1, 1))).toBe(true);
	});

	it('re-runs what changed without asking for the engine when nothing needs running', async () => {
		const remote: RemoteEngine = {
			describe: async () => ({ kind: 'manual', model: '', maxConcurrency: 1, supportsJsonSchema: false }),
			chat: async (_id, chatRequest) => ({ content: lighthouseRecipe.rehearse(chatRequest, () => 0), finishReason: 'stop', model: 'pasted', timing: { startedAt: 0, ms: 0 } }),
			cancel: () => undefined
		};
		const h = await fresh();
		const result = await h.service.startRun(request({ engine: { kind: 'manual', label: 'Paste replies' } }), { remote });
		if (!result.ok) throw new Error(result.error);
		await h.service.whenSettled(result.runId);
		await h.db.characterSheets.put({ ...structuredClone(SHEET), name: 'Mara Quinn' });
		// The manual engine is not open (no remote): only the manifest has to follow the rename.
		expect(await h.service.rerunStale(result.runId)).toEqual({ ok: true, runId: result.runId });
		expect((await h.service.listRuns())[0].status).toEqual({ state: 'current' });
	});
});
