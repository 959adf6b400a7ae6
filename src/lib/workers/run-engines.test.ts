import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { SkeinDatabase } from '$lib/db/database';
import type { RemoteEngine, StartRunRequest } from '$lib/core/contracts/run-api';
import { composeDataServices } from './data-services';
import { accessOf, engineFor } from './run-engines';
import { RunService } from './run-service';
import { cleanUp, fresh, lighthouseRecipe, opened, QUESTION, RECIPES, request, services, SETTINGS, SHEET, started, storedSteps, waitFor } from './run-test-harness';

afterEach(cleanUp);

describe('Run engines: rehearsal, endpoints, page engines, secrets', () => {
	it('never stores an endpoint API key', async () => {
		const secret = 'sk-live-7f3a9c1e2b4d6f80';
		const authorizations: string[] = [];
		const fetchStub: typeof fetch = async (_url, init) => {
			authorizations.push(new Headers(init?.headers).get('Authorization') ?? '');
			const body = JSON.parse(String(init?.body)) as { messages: { content: string }[] };
			const content = body.messages.at(-1)?.content.startsWith(QUESTION) ? 'What was the storm like?' : 'Loud. I rang the bell until dawn.';
			return new Response(JSON.stringify({ model: 'qwen2.5:7b', choices: [{ message: { role: 'assistant', content }, finish_reason: 'stop' }], usage: { prompt_tokens: 40, completion_tokens: 9, total_tokens: 49 } }), {
				status: 200,
				headers: { 'Content-Type': 'application/json' }
			});
		};
		const h = await fresh({ fetch: fetchStub });
		// A careless page that also puts the key in the engine choice: it must be dropped too.
		const engine = { kind: 'endpoint', label: 'Local', baseUrl: 'http://localhost:11434/v1', model: 'qwen2.5:7b', apiKey: secret } as StartRunRequest['engine'];
		const result = await h.service.startRun(request({ engine }), { apiKey: secret });
		if (!result.ok) throw new Error(result.error);
		await h.service.whenSettled(result.runId);
		expect(authorizations).toHaveLength(8);
		expect(authorizations.every((value) => value === `Bearer ${secret}`)).toBe(true);
		const run = await h.service.getRun(result.runId);
		expect(run?.run.counts).toMatchObject({ done: 4, promptTokens: 320, completionTokens: 72 });

		await h.service.reviewSamples([`${result.runId}:0:0`], 'accepted');
		await h.service.acceptSamples(result.runId, { kind: 'new', name: 'Endpoint samples' });
		for (const table of h.db.tables) {
			const rows = await table.toArray();
			expect(JSON.stringify(rows), table.name).not.toContain(secret);
		}
	});

	it('drives page engines through the remote proxy, one request at a time, and cancels them by id', async () => {
		const cancelled: string[] = [];
		let inFlight = 0;
		let maxInFlight = 0;
		const remote: RemoteEngine = {
			describe: async () => ({ kind: 'webllm', model: 'Qwen2.5-1.5B-Instruct-q4f32_1-MLC', maxConcurrency: 1, supportsJsonSchema: true }),
			chat: async (requestId, chatRequest) => {
				inFlight++;
				maxInFlight = Math.max(maxInFlight, inFlight);
				await new Promise((resolve) => setTimeout(resolve, 15));
				inFlight--;
				if (cancelled.includes(requestId)) throw new Error('Interrupted');
				return { content: lighthouseRecipe.rehearse(chatRequest, () => 0.5), finishReason: 'stop', model: 'Qwen2.5-1.5B-Instruct-q4f32_1-MLC', timing: { startedAt: 0, ms: 15 } };
			},
			cancel: (requestId) => void cancelled.push(requestId)
		};
		const h = await fresh();
		const webllm = { kind: 'webllm', label: 'In this browser', modelId: 'Qwen2.5-1.5B-Instruct-q4f32_1-MLC' } as const;
		expect(await h.service.startRun(request({ engine: webllm }))).toEqual({
			ok: false,
			field: 'engine',
			error: 'Load the model Qwen2.5-1.5B-Instruct-q4f32_1-MLC on the Engines page, then resume.'
		});
		const result = await h.service.startRun(request({ engine: webllm, concurrency: 8 }), { remote });
		if (!result.ok) throw new Error(result.error);
		expect((await h.db.runs.get(result.runId))?.concurrency).toBe(1);
		await waitFor(async () => (await storedSteps(h.db, result.runId)) >= 2);
		await h.service.cancelRun(result.runId);
		expect(cancelled).toHaveLength(1);
		expect(maxInFlight).toBe(1);
		expect(await h.service.resumeRun(result.runId)).toEqual({ ok: false, error: 'Load the model Qwen2.5-1.5B-Instruct-q4f32_1-MLC on the Engines page, then resume.' });
		expect(await h.service.resumeRun(result.runId, { remote })).toMatchObject({ ok: true });
		await h.service.whenSettled(result.runId);
		expect((await h.db.runs.get(result.runId))?.state).toBe('done');
	});

	it('never sends a webllm run\'s requests to another model loaded while it runs', async () => {
		const QWEN = 'Qwen2.5-1.5B-Instruct-q4f32_1-MLC';
		let loaded = QWEN;
		let answered = 0;
		const remote: RemoteEngine = {
			describe: async () => ({ kind: 'webllm', model: loaded, maxConcurrency: 1, supportsJsonSchema: true }),
			chat: async (_requestId, chatRequest) => {
				answered++;
				// The user loads another model after the first answer.
				loaded = 'Llama-3.2-1B-Instruct-q4f32_1-MLC';
				return { content: lighthouseRecipe.rehearse(chatRequest, () => 0.5), finishReason: 'stop', model: QWEN, timing: { startedAt: 0, ms: 5 } };
			},
			cancel: () => undefined
		};
		const h = await fresh();
		const result = await h.service.startRun(request({ engine: { kind: 'webllm', label: 'In this browser', modelId: QWEN } }), { remote });
		if (!result.ok) throw new Error(result.error);
		await h.service.whenSettled(result.runId);
		expect(answered).toBe(1);
		const detail = await h.service.getRun(result.runId);
		const failed = detail?.records.filter((record) => record.state === 'failed') ?? [];
		expect(failed.length).toBeGreaterThan(0);
		expect(failed[0].error?.message).toContain(`This run uses ${QWEN}, but Llama-3.2-1B-Instruct-q4f32_1-MLC is loaded now.`);
	});

	it('retries rehearsal failures and unusable answers, then finishes', async () => {
		const db = new SkeinDatabase(`run-test-${Math.random()}`);
		opened.push(db);
		await db.characterSheets.put(structuredClone(SHEET));
		const service = new RunService(db, composeDataServices(db).data, { recipes: RECIPES, retry: { baseDelayMs: 1, maxDelayMs: 5 } });
		services.push(service);
		const result = await service.startRun(request({ engine: { kind: 'test', label: 'Rehearsal', options: { failEvery: 3, badJsonEvery: 4 } } }));
		if (!result.ok) throw new Error(result.error);
		await service.whenSettled(result.runId);
		const detail = await service.getRun(result.runId);
		expect(detail?.run.counts.done).toBe(4);
		expect(detail?.log.some((line) => line.level === 'warn' && line.message.includes('HTTP 503'))).toBe(true);
		expect(detail?.run.counts.engineCalls).toBeGreaterThan(8);
	});

	it('answers judge requests with rehearsal verdicts whichever recipe asks', async () => {
		const h = await fresh();
		const runId = await started(h, { recipeId: 'lighthouse-judged' });
		await h.service.whenSettled(runId);
		const items = await h.service.listReviewItems(runId);
		expect(items).toHaveLength(4);
		for (const item of items) {
			expect(item.sample.judge?.error).toBeUndefined();
			expect(item.sample.judge?.rationale).toContain('Rehearsal verdict');
		}
	});

	it('tells the user what to do when an endpoint refuses the key, and when a source of a stopped run is gone', async () => {
		const fetchStub: typeof fetch = async () => new Response(JSON.stringify({ error: { message: 'Invalid API key.' } }), { status: 401, statusText: 'Unauthorized', headers: { 'Content-Type': 'application/json' } });
		const h = await fresh({ fetch: fetchStub });
		const runId = await started(h, { engine: { kind: 'endpoint', label: 'Local', baseUrl: 'http://localhost:11434/v1', model: 'qwen2.5:7b' }, settings: { ...SETTINGS, limit: 1 } });
		await h.service.whenSettled(runId);
		const [record] = (await h.service.getRun(runId))?.records ?? [];
		expect(record).toMatchObject({ state: 'failed', error: { type: 'http-401' } });
		expect(record.error?.message).toBe('HTTP 401 Unauthorized: Invalid API key. Check the API key on the Engines page, then retry the failed records.');
		expect((await h.service.getRun(runId))?.log.some((line) => line.level === 'error' && line.message.endsWith('then retry the failed records.'))).toBe(true);

		await h.db.characterSheets.delete('sheet-mara');
		expect(await h.service.retryFailed(runId, { apiKey: 'sk-new' })).toEqual({ ok: false, error: 'The character sheet "Mara" was deleted. The run cannot go on without it: start a new run from the sources you have.' });
	});

	it('stores no API key that an endpoint echoes back in an error (record, steps, log)', async () => {
		const secret = 'sk-or-v1-0a1b2c3d4e5f60718293';
		let calls = 0;
		const fetchStub: typeof fetch = async () => {
			calls++;
			if (calls % 2) throw new TypeError(`fetch failed for key ${secret}`);
			return new Response(JSON.stringify({ error: { message: `Incorrect API key provided: ${secret}.` } }), { status: 401, headers: { 'Content-Type': 'application/json' } });
		};
		const h = await fresh({ fetch: fetchStub });
		const result = await h.service.startRun(request({ engine: { kind: 'endpoint', label: 'Remote', baseUrl: 'https://openrouter.ai/api/v1', model: 'qwen/qwen-2.5-7b-instruct' } }), { apiKey: secret });
		if (!result.ok) throw new Error(result.error);
		await h.service.whenSettled(result.runId);
		const detail = await h.service.getRun(result.runId);
		expect(detail?.run.counts.failed).toBe(4);
		expect(JSON.stringify(detail)).not.toContain(secret);
		for (const table of h.db.tables) expect(JSON.stringify(await table.toArray()), table.name).not.toContain(secret);
	});

	it('cancels a run on a page engine that never answers (its page is gone) without hanging', async () => {
		const remote: RemoteEngine = {
			describe: async () => ({ kind: 'manual', model: '', maxConcurrency: 1, supportsJsonSchema: false }),
			chat: () => new Promise(() => undefined),
			cancel: () => undefined
		};
		const h = await fresh();
		const result = await h.service.startRun(request({ engine: { kind: 'manual', label: 'Paste replies' } }), { remote });
		if (!result.ok) throw new Error(result.error);
		await new Promise((resolve) => setTimeout(resolve, 20));
		const cancelled = await Promise.race([h.service.cancelRun(result.runId), new Promise((resolve) => setTimeout(() => resolve('hung'), 1000))]);
		expect(cancelled).toEqual({ ok: true, runId: result.runId });
		expect((await h.db.runs.get(result.runId))?.state).toBe('cancelled');
		expect(await h.service.deleteRun(result.runId)).toEqual({ ok: true, runId: result.runId });
	});
});

describe('engineFor and accessOf', () => {
	const recipe = { id: 'lighthouse-qa', version: 1, rehearse: () => 'canned' } as unknown as Parameters<typeof engineFor>[1];
	const manualPage: RemoteEngine = {
		describe: async () => ({ kind: 'manual', model: '', maxConcurrency: 1, supportsJsonSchema: false }),
		chat: async () => ({ content: 'pasted', finishReason: 'stop', model: 'pasted', timing: { startedAt: 0, ms: 0 } }),
		cancel: () => undefined
	};

	it('keeps only a callable page engine and a non-empty key from what a call brought', () => {
		expect(accessOf()).toEqual({});
		expect(accessOf({ apiKey: '' })).toEqual({});
		expect(accessOf({ apiKey: 'sk-1', remote: { kind: 'manual' } as unknown as RemoteEngine })).toEqual({ apiKey: 'sk-1' });
		expect(accessOf({ remote: manualPage })).toEqual({ remote: manualPage });
		expect(accessOf({ apiKey: 'sk-1' }, manualPage)).toEqual({ apiKey: 'sk-1', remote: manualPage });
	});

	it('builds the engine a run’s choice names, or says what the user must do first', async () => {
		const rehearsal = await engineFor({ engine: { kind: 'test', label: 'Rehearsal' }, concurrency: 2 }, recipe);
		expect(rehearsal.ok && [rehearsal.engine.id, rehearsal.engine.kind]).toEqual(['test:rehearsal', 'test']);
		const endpoint = await engineFor({ engine: { kind: 'endpoint', label: 'Local', baseUrl: 'http://localhost:11434/v1', model: 'qwen2.5:7b' }, concurrency: 3 }, recipe, { apiKey: 'sk-1' });
		expect(endpoint.ok && [endpoint.engine.kind, endpoint.engine.maxConcurrency]).toEqual(['endpoint', 3]);
		expect(await engineFor({ engine: { kind: 'manual', label: 'Paste' }, concurrency: 1 }, recipe)).toEqual({ ok: false, error: 'Open the manual engine on the run page, then resume.' });
		const manual = await engineFor({ engine: { kind: 'manual', label: 'Paste' }, concurrency: 1 }, recipe, { remote: manualPage });
		expect(manual.ok && [manual.engine.id, manual.engine.kind, manual.engine.maxConcurrency]).toEqual(['manual', 'manual', 1]);
		const webllm = { kind: 'webllm' as const, label: 'In this browser', modelId: 'Qwen2.5-1.5B-Instruct-q4f32_1-MLC' };
		expect(await engineFor({ engine: webllm, concurrency: 1 }, recipe, { remote: manualPage })).toEqual({
			ok: false,
			error: 'This run uses Qwen2.5-1.5B-Instruct-q4f32_1-MLC, but another model is loaded. Load the model Qwen2.5-1.5B-Instruct-q4f32_1-MLC on the Engines page, then resume.'
		});
		const closed = { ...manualPage, describe: () => Promise.reject(new Error('closed')) };
		expect(await engineFor({ engine: webllm, concurrency: 1 }, recipe, { remote: closed })).toEqual({ ok: false, error: 'Load the model Qwen2.5-1.5B-Instruct-q4f32_1-MLC on the Engines page, then resume.' });
	});
});
