import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SkeinDatabase } from '$lib/db/database';
import type { CharacterSheetRow } from '$lib/core/contracts/rows';
import type { Recipe, RunSettings } from '$lib/core/recipes/recipe';
import { ask, RetryableAnswerError } from '$lib/core/runtime/task';
import { JudgeSettingsSchema, withJudge } from '$lib/core/recipes/judge';
import { testHttpError, TestEngine } from '$lib/engines/test-engine';
import type { ChatRequest } from '$lib/core/contracts/engine';
import { documentToSheet } from '$lib/core/sheets/split-document';
import { fixtureText } from '$lib/core/test-utils';
import type { PromptPoolItemRow, PromptPoolRow } from '$lib/core/contracts/rows';
import { DataService } from './data-service';
import { runApi, RunService, type RunServiceOptions } from './run-service';
import type { EngineAccess, RemoteEngine, RunEvent, RunRecordSummary, StartRunRequest } from '$lib/core/contracts/run-api';

// ---- a small recipe of the real shape: two steps per chunk of a character sheet ----------------

interface ChunkInput {
	chunkId: string;
	title: string;
	document: string;
}

const LighthouseParams = z.object({ sheetId: z.string().min(1), voice: z.enum(['first-person', 'third-person']).default('first-person') });
type LighthouseParams = z.infer<typeof LighthouseParams>;

const QUESTION = 'QUESTION ABOUT: ';
const ANSWER = 'ANSWER: ';

function lastUser(request: ChatRequest): string {
	return [...request.messages].reverse().find((message) => message.role === 'user')?.content ?? '';
}

const lighthouseRecipe: Recipe<LighthouseParams, ChunkInput> = {
	id: 'lighthouse-qa',
	label: 'Lighthouse Q&A',
	description: 'One question per chunk of a sheet, answered in the character’s voice.',
	version: 1,
	params: LighthouseParams,
	sources: (params) => [{ kind: 'sheet', id: params.sheetId }],
	prepare(params, sources) {
		const sheet = sources.sheets[params.sheetId];
		return {
			inputs: sheet.chunks.map((chunk) => ({ id: chunk.id, input: { chunkId: chunk.id, title: chunk.title, document: chunk.document } })),
			documents: Object.fromEntries(sheet.chunks.map((chunk) => [`${sheet.name} / ${chunk.title}`, chunk.document])),
			definition: { version: 1, voice: params.voice }
		};
	},
	task(params, _sources, settings) {
		return async function* (input, context) {
			const question = yield* ask({
				messages: [
					{ role: 'system', content: 'You write one question a reader would ask about a passage.' },
					{ role: 'user', content: `${QUESTION}${input.document}` }
				],
				sampling: settings.sampling
			});
			const answer = yield* ask({
				messages: [
					{ role: 'system', content: `You are Mara, the lighthouse keeper. Answer in the ${params.voice}.` },
					{ role: 'user', content: `${ANSWER}${question.content}` }
				],
				sampling: settings.sampling
			});
			if (answer.content.includes('unterminated')) throw new RetryableAnswerError('The answer was cut off.');
			context.note({ level: 'info', kind: 'asked', message: `Asked about ${input.title}.` });
			return {
				messages: [
					{ role: 'user', content: question.content },
					{ role: 'assistant', content: answer.content }
				],
				tags: ['generated'],
				meta: { chunkId: input.chunkId }
			};
		};
	},
	summarize: (outcome) => [{ label: 'Samples', value: String(outcome.samples.length), number: outcome.samples.length }],
	recordLabel: (input) => `Chunk: ${input.title}`,
	rehearse(request) {
		const user = lastUser(request);
		if (user.startsWith(QUESTION)) return `What do you remember about ${user.slice(QUESTION.length, QUESTION.length + 40).trim()}?`;
		return `I remember it well: ${user.slice(ANSWER.length + 26, ANSWER.length + 60).trim()}.`;
	}
};

const factsRecipe: Recipe<{ sheetId: string }, ChunkInput> = {
	...(lighthouseRecipe as unknown as Recipe<{ sheetId: string }, ChunkInput>),
	id: 'lighthouse-facts',
	label: 'Lighthouse facts',
	output: 'facts',
	params: z.object({ sheetId: z.string().min(1) }),
	task: () =>
		async function* (input) {
			yield* ask({ messages: [{ role: 'user', content: `FACTS: ${input.document}` }], sampling: { max_tokens: 64 } });
			return { messages: [{ role: 'assistant', content: `${input.title} is a fact.` }], tags: ['fact'], meta: { fact: `${input.title} is a fact.` } };
		},
	rehearse: () => '<fact>A fact.</fact>'
};

// Reads the accepted facts of a facts run (source kind 'facts').
const factQuestionsRecipe: Recipe<{ factsRunId: string }, { fact: string }> = {
	id: 'fact-questions',
	label: 'Fact questions',
	description: 'Asks about each accepted fact.',
	version: 1,
	params: z.object({ factsRunId: z.string().min(1) }),
	sources: (params) => [{ kind: 'facts', id: params.factsRunId }],
	prepare: (params, sources) => ({
		inputs: sources.facts[params.factsRunId].map((fact, i) => ({ id: `fact-${i}`, input: { fact } })),
		documents: {},
		definition: { version: 1 }
	}),
	task: (_params, _sources, settings) =>
		async function* (input) {
			const reply = yield* ask({ messages: [{ role: 'user', content: `Ask about: ${input.fact}` }], sampling: settings.sampling });
			return { messages: [{ role: 'user', content: reply.content }], tags: [], meta: { fact: input.fact } };
		},
	recordLabel: (input) => input.fact,
	rehearse: (request) => `Q: ${lastUser(request)}`
};

// Reads a prompt pool sample (source kind 'pool', params n and mix like pool-answers).
const poolEchoRecipe: Recipe<{ poolId: string; n: number; mix: { min: number; max: number; share: number }[] }, { text: string; rating: number | null }> = {
	id: 'pool-echo',
	label: 'Pool echo',
	description: 'Answers each sampled prompt.',
	version: 1,
	params: z.object({ poolId: z.string(), n: z.number().int(), mix: z.array(z.object({ min: z.number(), max: z.number(), share: z.number() })) }),
	sources: (params) => [{ kind: 'pool', id: params.poolId }],
	prepare: (params, sources) => ({
		inputs: sources.pools[params.poolId].items.map((item) => ({ id: `item-${item.index}`, input: { text: item.text, rating: item.rating } })),
		documents: {},
		definition: { version: 1 }
	}),
	task: (_params, _sources, settings) =>
		async function* (input) {
			const reply = yield* ask({ messages: [{ role: 'user', content: input.text }], sampling: settings.sampling });
			return { messages: [{ role: 'user', content: input.text }, { role: 'assistant', content: reply.content }], tags: [], meta: { rating: input.rating } };
		},
	recordLabel: (input) => input.text,
	rehearse: (request) => `Answer to ${lastUser(request)}`
};

// A recipe that judges its own samples but whose rehearse knows nothing of the judge.
const selfJudgedRecipe: Recipe<LighthouseParams, ChunkInput> = {
	...lighthouseRecipe,
	id: 'lighthouse-judged',
	task: (params, sources, settings) => withJudge(lighthouseRecipe.task(params, sources, settings), JudgeSettingsSchema.parse({ enabled: true, threshold: 2 }), settings.sampling)
};

// Speaks as the sheet's character: the sheet's name is read by the task, in no record's input.
const keeperVoiceRecipe: Recipe<LighthouseParams, ChunkInput> = {
	...lighthouseRecipe,
	id: 'keeper-voice',
	prepare(params, sources, settings) {
		const prepared = lighthouseRecipe.prepare(params, sources, settings);
		const sheet = sources.sheets[params.sheetId];
		return { ...prepared, documents: { ...Object.fromEntries(sheet.chunks.map((chunk) => [`chunk:${chunk.id}`, chunk.document])), [`voice:${params.sheetId}`]: sheet.name } };
	},
	task(params, sources, settings) {
		const name = sources.sheets[params.sheetId].name;
		return async function* (input) {
			const answer = yield* ask({ messages: [{ role: 'system', content: `You are ${name}.` }, { role: 'user', content: `${ANSWER}${input.title}` }], sampling: settings.sampling });
			return { messages: [{ role: 'user', content: input.title }, { role: 'assistant', content: answer.content }], tags: [], meta: {} };
		};
	}
};

// Applies the run's limit itself while preparing (as the built-in chunked recipe does).
const selfLimitedRecipe: Recipe<LighthouseParams, ChunkInput> = {
	...lighthouseRecipe,
	id: 'lighthouse-self-limited',
	prepare(params, sources, settings) {
		const prepared = lighthouseRecipe.prepare(params, sources, settings);
		return { ...prepared, inputs: settings.limit !== undefined ? prepared.inputs.slice(0, settings.limit) : prepared.inputs };
	}
};

// Picks each record's question style with the record's seeded random, then asks twice.
const STYLES = ['curious', 'sceptical', 'wistful', 'blunt', 'formal', 'playful', 'grave', 'shy'];
const seededStyleRecipe: Recipe<LighthouseParams, ChunkInput> = {
	...lighthouseRecipe,
	id: 'seeded-style',
	task(_params, _sources, settings) {
		return async function* (input, context) {
			const style = STYLES[Math.floor(context.random() * STYLES.length)];
			const first = yield* ask({ messages: [{ role: 'user', content: `${QUESTION}(${style}) ${input.document}` }], sampling: settings.sampling });
			const second = yield* ask({ messages: [{ role: 'user', content: `${ANSWER}(${style}) ${first.content}` }], sampling: settings.sampling });
			return { messages: [{ role: 'user', content: first.content }, { role: 'assistant', content: second.content }], tags: [style], meta: {} };
		};
	}
};

const RECIPES = [lighthouseRecipe, factsRecipe, factQuestionsRecipe, poolEchoRecipe, selfJudgedRecipe, keeperVoiceRecipe, selfLimitedRecipe, seededStyleRecipe];

const SHEET: CharacterSheetRow = {
	id: 'sheet-mara',
	name: 'Mara',
	sourceKind: 'document',
	createdAt: '2026-11-01T10:00:00.000Z',
	updatedAt: 1,
	chunks: [
		['c-childhood', 'Childhood', 'Mara grew up on Skerry Island, where her mother kept the light and taught her the tide tables.'],
		['c-light', 'The light', 'Every night Mara climbs the 112 steps to trim the wick; she has not missed a night in nine years.'],
		['c-storm', 'The storm', 'In the storm of 1998 the foghorn failed and Mara rang the bell by hand until dawn.'],
		['c-visitors', 'Visitors', 'Mara distrusts the summer visitors but keeps a tin of ginger biscuits for their children.']
	].map(([id, title, document]) => ({ id, title, context: '', document, settings: { entriesPerIteration: 1, iterations: 1 }, promptTemplate: '' }))
};

const SETTINGS: RunSettings = { sampling: { temperature: 0.7, max_tokens: 256 }, seed: 7 };

function request(overrides: Partial<StartRunRequest> = {}): StartRunRequest {
	return {
		recipeId: 'lighthouse-qa',
		params: { sheetId: 'sheet-mara' },
		settings: SETTINGS,
		engine: { kind: 'test', label: 'Rehearsal' },
		concurrency: 2,
		...overrides
	};
}

// ---- harness ---------------------------------------------------------------------------------

const opened: SkeinDatabase[] = [];
const services: RunService[] = [];

afterEach(async () => {
	for (const service of services.splice(0)) service.dispose();
	for (const db of opened.splice(0)) {
		db.close();
		await db.delete();
	}
});

interface Harness {
	db: SkeinDatabase;
	data: DataService;
	service: RunService;
	/** Every test engine the service built, in order. */
	engines: TestEngine[];
	events: RunEvent[];
}

function serviceOver(db: SkeinDatabase, data: DataService, engines: TestEngine[], options: { delayMs?: number; configure?: (engine: TestEngine, n: number) => void } & RunServiceOptions = {}) {
	const { delayMs, configure, ...rest } = options;
	const service = new RunService(db, data, {
		recipes: RECIPES,
		retry: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 3 },
		progressIntervalMs: 20,
		statusTtlMs: 0,
		testEngine: (_choice, reply) => {
			const engine = new TestEngine({ defaultReply: reply, delayMs: delayMs ?? 0 });
			configure?.(engine, engines.length);
			engines.push(engine);
			return engine;
		},
		...rest
	});
	services.push(service);
	return service;
}

async function fresh(options: Parameters<typeof serviceOver>[3] = {}): Promise<Harness> {
	const db = new SkeinDatabase(`run-test-${Math.random()}`);
	opened.push(db);
	await db.characterSheets.put(structuredClone(SHEET));
	const data = new DataService(db);
	const engines: TestEngine[] = [];
	const service = serviceOver(db, data, engines, options);
	const events: RunEvent[] = [];
	service.watchRuns((event) => events.push(event));
	return { db, data, service, engines, events };
}

async function started(h: Harness, overrides: Partial<StartRunRequest> = {}): Promise<string> {
	const result = await h.service.startRun(request(overrides));
	if (!result.ok) throw new Error(result.error);
	return result.runId;
}

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 3000): Promise<void> {
	const until = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > until) throw new Error('Timed out waiting');
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
}

async function storedSteps(db: SkeinDatabase, runId: string): Promise<number> {
	const records = await db.runRecords.where('runId').equals(runId).toArray();
	return records.reduce((n, record) => n + record.steps.length, 0);
}

// ---- tests -----------------------------------------------------------------------------------

describe('RunService', () => {
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

	it('accepts reviewed samples into a new dataset as one undoable operation, with provenance', async () => {
		const h = await fresh();
		const runId = await started(h);
		await h.service.whenSettled(runId);
		await h.service.reviewSample(`${runId}:0:0`, 'accepted');
		const edited = [
			{ role: 'user' as const, content: 'What was it like growing up on Skerry Island?' },
			{ role: 'assistant' as const, content: 'Salt in everything, and the light turning over my bed.' }
		];
		const reviewed = await h.service.reviewSample(`${runId}:1:0`, 'accepted', edited);
		expect(reviewed).toMatchObject({ review: 'accepted', edited });
		await h.service.reviewSample(`${runId}:2:0`, 'rejected');

		const outcome = await h.service.acceptSamples(runId, { kind: 'new', name: 'Mara voice' });
		expect(outcome).toMatchObject({ ok: true, accepted: 2 });
		if (!outcome.ok) return;
		const dataset = await h.db.datasets.get(outcome.datasetId);
		expect(dataset).toMatchObject({ name: 'Mara voice', status: 'ready', entryCount: 2 });
		const { entries } = await h.data.getPage(outcome.datasetId, 0, 10);
		expect(entries[1].messages).toEqual(edited);
		expect(entries[0].tags).toEqual(['generated', 'rehearsal']);
		expect(entries[0].meta.review).toBe('accepted');
		const provenance = entries[0].meta.provenance as Record<string, unknown> & { steps: { request: { messages: { content: string }[] }; tokens?: unknown; timing: unknown }[] };
		expect(provenance).toMatchObject({ kind: 'generation', runId, recipeId: 'lighthouse-qa', recordId: 'c-childhood', sampleIndex: 0, engine: 'Rehearsal', model: 'rehearsal', sampling: SETTINGS.sampling });
		expect(provenance.steps).toHaveLength(2);
		expect(provenance.steps[0].request.messages[1].content).toBe(`${QUESTION}${SHEET.chunks[0].document}`);
		expect(provenance.steps[0].tokens).toBeDefined();
		expect((entries[1].meta.provenance as { edited: boolean }).edited).toBe(true);

		const items = await h.service.listReviewItems(runId, 'accepted');
		expect(items.map((item) => item.acceptedInto?.datasetId)).toEqual([outcome.datasetId, outcome.datasetId]);
		expect(await h.service.acceptSamples(runId, { kind: 'existing', datasetId: outcome.datasetId })).toEqual({ ok: false, error: 'There are no accepted samples left to add.' });

		const history = await h.data.historyState(outcome.datasetId);
		expect(history.canUndo).toBe(true);
		await h.data.undo(outcome.datasetId);
		expect((await h.db.datasets.get(outcome.datasetId))?.entryCount).toBe(0);
	});

	it('accepts into an existing dataset after its entries', async () => {
		const h = await fresh();
		const runId = await started(h);
		await h.service.whenSettled(runId);
		const first = await h.service.acceptSamples(runId, { kind: 'new', name: 'x' });
		expect(first).toEqual({ ok: false, error: 'There are no accepted samples left to add.' });
		expect(await h.service.reviewSamples([`${runId}:0:0`, `${runId}:3:0`], 'accepted')).toBe(2);
		const created = await h.service.acceptSamples(runId, { kind: 'new', name: 'Mara' });
		if (!created.ok) throw new Error(created.error);
		await h.service.reviewSample(`${runId}:1:0`, 'accepted');
		const more = await h.service.acceptSamples(runId, { kind: 'existing', datasetId: created.datasetId });
		expect(more).toEqual({ ok: true, datasetId: created.datasetId, accepted: 1 });
		const { entries } = await h.data.getPage(created.datasetId, 0, 10);
		expect(entries.map((entry) => entry.id)).toEqual(['e1', 'e2', 'e3']);
		expect(entries.map((entry) => (entry.meta.provenance as { recordId: string }).recordId)).toEqual(['c-childhood', 'c-visitors', 'c-light']);
	});

	it('does not accept facts into a dataset; a follow-up run reads the accepted (edited) facts', async () => {
		const h = await fresh();
		const factsRun = await started(h, { recipeId: 'lighthouse-facts' });
		await h.service.whenSettled(factsRun);
		await h.service.reviewSample(`${factsRun}:0:0`, 'accepted');
		await h.service.reviewSample(`${factsRun}:2:0`, 'accepted', [{ role: 'assistant', content: 'Mara rang the bell by hand in the storm of 1998.' }]);
		await h.service.reviewSample(`${factsRun}:3:0`, 'rejected');
		expect(await h.service.acceptSamples(factsRun, { kind: 'new', name: 'Facts' })).toMatchObject({ ok: false });

		const questions = await started(h, { recipeId: 'fact-questions', params: { factsRunId: factsRun } });
		await h.service.whenSettled(questions);
		const items = await h.service.listReviewItems(questions);
		expect(items.map((item) => item.sample.meta.fact)).toEqual(['Childhood is a fact.', 'Mara rang the bell by hand in the storm of 1998.']);
	});

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

	it('retries rehearsal failures and unusable answers, then finishes', async () => {
		const db = new SkeinDatabase(`run-test-${Math.random()}`);
		opened.push(db);
		await db.characterSheets.put(structuredClone(SHEET));
		const service = new RunService(db, new DataService(db), { recipes: RECIPES, retry: { baseDelayMs: 1, maxDelayMs: 5 } });
		services.push(service);
		const result = await service.startRun(request({ engine: { kind: 'test', label: 'Rehearsal', options: { failEvery: 3, badJsonEvery: 4 } } }));
		if (!result.ok) throw new Error(result.error);
		await service.whenSettled(result.runId);
		const detail = await service.getRun(result.runId);
		expect(detail?.run.counts.done).toBe(4);
		expect(detail?.log.some((line) => line.level === 'warn' && line.message.includes('HTTP 503'))).toBe(true);
		expect(detail?.run.counts.engineCalls).toBeGreaterThan(8);
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

	it('samples a prompt pool by its rating mix and reads only the chosen items', async () => {
		const h = await fresh();
		const texts: [string, number | null][] = [
			['Tell me about the tide tables.', 1],
			['What is your favourite storm?', 1],
			['Do you ever get lonely out there?', 1],
			['Write a poem about fog.', 5],
			['Describe the lamp room at midnight.', 5],
			['What would you do if the light failed?', 5],
			['hello', null],
			['test', null]
		];
		const ordinals = new Map<string, number>();
		const items: PromptPoolItemRow[] = texts.map(([text, rating], index) => {
			const key = String(rating ?? '');
			const ordinal = ordinals.get(key) ?? 0;
			ordinals.set(key, ordinal + 1);
			return { poolId: 'pool-1', index, text, rating: rating ?? -1, ordinal };
		});
		const pool: PromptPoolRow = { id: 'pool-1', name: 'Keeper prompts', sourceName: 'prompts.jsonl', count: 8, ratingCounts: { '1': 3, '5': 3, '': 2 }, createdAt: 1 };
		await h.db.promptPools.put(pool);
		await h.db.promptPoolItems.bulkPut(items);
		const mix = [
			{ min: 1, max: 1, share: 0.5 },
			{ min: 5, max: 5, share: 0.5 }
		];
		const runId = await started(h, { recipeId: 'pool-echo', params: { poolId: 'pool-1', n: 4, mix } });
		await h.service.whenSettled(runId);
		const detail = await h.service.getRun(runId);
		expect(detail?.run.counts).toMatchObject({ total: 4, done: 4 });
		const ratings = (await h.service.listReviewItems(runId)).map((item) => item.sample.meta.rating);
		expect(ratings.filter((rating) => rating === 1)).toHaveLength(2);
		expect(ratings.filter((rating) => rating === 5)).toHaveLength(2);
		// The same seed plans the same sample: the run is current.
		expect((await h.service.listRuns())[0].status).toEqual({ state: 'current' });
	});

	it('runs the built-in chunked recipe with the judge on the rehearsal engine', async () => {
		const db = new SkeinDatabase(`run-test-${Math.random()}`);
		opened.push(db);
		let next = 0;
		const sheet = documentToSheet(fixtureText('sheets/character-sheet.md'), {
			characterName: 'Queen Pédauque',
			settings: { entriesPerIteration: 2, iterations: 2 },
			newId: () => `chunk-${++next}`,
			now: () => new Date('2026-11-01T10:00:00Z')
		});
		await db.characterSheets.put({ ...sheet, id: 'queen', updatedAt: 1 });
		const data = new DataService(db);
		const service = new RunService(db, data, { retry: { baseDelayMs: 1, maxDelayMs: 5 } });
		services.push(service);
		const recordEvents: RunRecordSummary[] = [];
		service.watchRuns((event) => {
			if (event.type === 'record') recordEvents.push(event.record);
		});
		expect(service.listRecipes().map((recipe) => recipe.id)).toContain('chunked');
		const result = await service.startRun({
			recipeId: 'chunked',
			params: { sheetId: 'queen', chunkIds: ['chunk-1', 'chunk-2'], judge: { criteria: 'Stays in the queen’s voice.', threshold: 6 } },
			settings: { sampling: { temperature: 0.8, max_tokens: 1200 }, seed: 11 },
			engine: { kind: 'test', label: 'Rehearsal' },
			concurrency: 2
		});
		if (!result.ok) throw new Error(result.error);
		await service.whenSettled(result.runId);
		const detail = await service.getRun(result.runId);
		expect(detail?.run.state).toBe('done');
		expect(detail?.run.counts.done).toBe(2);
		expect(detail?.run.counts.samples).toBeGreaterThan(0);
		expect(detail?.records[0].stats?.length).toBeGreaterThan(0);
		// Each chunk expects its 2 iterations; the view saw the record advance step by step.
		expect(detail?.records[0].expectedSteps).toBe(2);
		expect(recordEvents.some((record) => record.state === 'pending' && record.stepCount === 1 && record.expectedSteps === 2)).toBe(true);
		const items = await service.listReviewItems(result.runId);
		expect(items.every((item) => item.sample.judge?.threshold === 6 && item.sample.tags.includes('rehearsal'))).toBe(true);
		expect(detail?.log.some((line) => line.message.includes('Judge:'))).toBe(true);

		await service.reviewSamples(
			items.map((item) => item.id),
			'accepted'
		);
		const accepted = await service.acceptSamples(result.runId, { kind: 'new', name: 'Queen' });
		expect(accepted).toMatchObject({ ok: true, accepted: items.length });
		expect(await service.startRun({ recipeId: 'chunked', params: { sheetId: 'queen', judge: { criteria: 'x', threshold: 0 } }, settings: SETTINGS, engine: { kind: 'test', label: 'R' } })).toMatchObject({
			ok: false,
			field: 'params.judge.threshold'
		});
	});

	it('continues chosen entries of a dataset (read by id through the data service)', async () => {
		const db = new SkeinDatabase(`run-test-${Math.random()}`);
		opened.push(db);
		const data = new DataService(db);
		const jsonl = [
			{ messages: [{ role: 'user', content: 'Is the lamp lit?' }, { role: 'assistant', content: 'Lit and trimmed.' }] },
			{ messages: [{ role: 'user', content: 'Any ships tonight?' }, { role: 'assistant', content: 'One. Late, as always.' }] },
			{ messages: [{ role: 'user', content: 'How old is the tower?' }, { role: 'assistant', content: 'Older than the village.' }] }
		]
			.map((record) => JSON.stringify(record))
			.join('\n');
		const imported = await data.importSources(data.newJobId(), [{ kind: 'text', name: 'keeper.jsonl', text: jsonl }]);
		const datasetId = imported.datasets[0].datasetId;
		const { entries } = await data.getPage(datasetId, 0, 3);
		const service = new RunService(db, data, { retry: { baseDelayMs: 1, maxDelayMs: 5 } });
		services.push(service);
		const result = await service.startRun({
			recipeId: 'continuation',
			params: { datasetId, entryIds: [entries[2].id, entries[0].id], systemPrompt: 'You are Mara, the lighthouse keeper.' },
			settings: SETTINGS,
			engine: { kind: 'test', label: 'Rehearsal' }
		});
		if (!result.ok) throw new Error(result.error);
		await service.whenSettled(result.runId);
		const detail = await service.getRun(result.runId);
		expect(detail?.run.counts).toMatchObject({ total: 2, done: 2 });
		const items = await service.listReviewItems(result.runId);
		expect(items.length).toBe(2);
		expect(items[0].sample.messages.some((message) => message.content === 'How old is the tower?')).toBe(true);
		expect(items[1].sample.messages.some((message) => message.content === 'Is the lamp lit?')).toBe(true);
		expect(items.every((item) => item.sample.messages.length > 2)).toBe(true);
	});

	it('tells a run live in another tab from one a closed tab left, by its Web Lock', async () => {
		// A lock manager shared by the "tabs" (as the browser's is, per origin).
		const held = new Set<string>();
		const locks = {
			request: async (name: string, callback: () => Promise<void>) => {
				held.add(name);
				try {
					await callback();
				} finally {
					held.delete(name);
				}
			},
			query: async () => ({ held: [...held].map((name) => ({ name })) })
		};
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
});

// ---- review fixes: races, counts, provenance, staleness ----------------------------------------

/** What the records and samples tables say a run's counts are. */
async function tableCounts(db: SkeinDatabase, runId: string) {
	const records = await db.runRecords.where('runId').equals(runId).toArray();
	return {
		total: records.length,
		done: records.filter((record) => record.state === 'done').length,
		failed: records.filter((record) => record.state === 'failed').length,
		samples: await db.runSamples.where('runId').equals(runId).count()
	};
}

async function storedCounts(db: SkeinDatabase, runId: string) {
	const counts = (await db.runs.get(runId))?.counts;
	return { total: counts?.total, done: counts?.done, failed: counts?.failed, samples: counts?.samples };
}

describe('RunService (review fixes)', () => {
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
		expect(await storedCounts(h.db, runId)).toEqual(await tableCounts(h.db, runId));
		await h.service.cancelRun(runId);
		expect((await h.db.runs.get(runId))?.state).toBe('cancelled');
		expect(await storedCounts(h.db, runId)).toEqual(await tableCounts(h.db, runId));
		expect(await h.service.resumeRun(runId)).toMatchObject({ ok: true });
		await h.service.whenSettled(runId);
		expect(await storedCounts(h.db, runId)).toEqual(await tableCounts(h.db, runId));
		expect(await h.service.retryFailed(runId)).toMatchObject({ ok: true });
		await h.service.whenSettled(runId);
		expect((await h.db.runs.get(runId))?.state).toBe('done');
		expect(await storedCounts(h.db, runId)).toEqual({ total: 4, done: 4, failed: 0, samples: 4 });
		// Resuming a finished run changes nothing.
		expect(await h.service.resumeRun(runId)).toMatchObject({ ok: true });
		expect((await h.db.runs.get(runId))?.state).toBe('done');
		expect(await h.db.runSamples.count()).toBe(4);
	});

	it('adds accepted samples once when "accept" is asked twice at once', async () => {
		const h = await fresh();
		const runId = await started(h);
		await h.service.whenSettled(runId);
		await h.service.reviewSamples([`${runId}:0:0`, `${runId}:1:0`], 'accepted');
		const target = await h.service.acceptSamples(runId, { kind: 'new', name: 'Mara voice' });
		if (!target.ok) throw new Error(target.error);
		await h.service.reviewSamples([`${runId}:2:0`, `${runId}:3:0`], 'accepted');
		const outcomes = await Promise.all([
			h.service.acceptSamples(runId, { kind: 'existing', datasetId: target.datasetId }),
			h.service.acceptSamples(runId, { kind: 'existing', datasetId: target.datasetId })
		]);
		expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(1);
		expect((await h.db.datasets.get(target.datasetId))?.entryCount).toBe(4);
		const { entries } = await h.data.getPage(target.datasetId, 0, 10);
		expect(entries.map((entry) => (entry.meta.provenance as { recordId: string }).recordId)).toEqual(['c-childhood', 'c-light', 'c-storm', 'c-visitors']);
	});

	it('gives accepted samples the sampling, seed and model that made them, not those of a later edit', async () => {
		const h = await fresh();
		const runId = await started(h);
		await h.service.whenSettled(runId);
		await h.service.reviewSample(`${runId}:0:0`, 'accepted');
		const hotter = { sampling: { temperature: 1.2, max_tokens: 512 }, seed: 99 };
		expect(await h.service.editRun(runId, { settings: hotter, engine: { kind: 'endpoint', label: 'Local', baseUrl: 'http://localhost:11434/v1', model: 'qwen2.5:7b' } })).toMatchObject({ ok: true });
		const outcome = await h.service.acceptSamples(runId, { kind: 'new', name: 'Before the edit' });
		if (!outcome.ok) throw new Error(outcome.error);
		const { entries } = await h.data.getPage(outcome.datasetId, 0, 10);
		expect(entries[0].meta.provenance).toMatchObject({ sampling: SETTINGS.sampling, seed: 7, model: 'rehearsal', engine: 'Rehearsal', engineKind: 'test' });
		const steps = (entries[0].meta.provenance as { steps: { request: { sampling: unknown } }[] }).steps;
		expect(steps.every((step) => JSON.stringify(step.request.sampling) === JSON.stringify(SETTINGS.sampling))).toBe(true);
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
		expect((await h.service.listReviewItems(runId)).map((item) => item.review)).toEqual(['pending', 'pending', 'pending', 'pending']);
		expect(await storedCounts(h.db, runId)).toEqual({ total: 4, done: 4, failed: 0, samples: 4 });
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
		expect((await h.service.listReviewItems(runId)).map((item) => item.review)).toEqual(['pending', 'pending', 'pending', 'pending']);

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
		const stored = (await h.db.runs.get(runId))!;
		const { provider, seed, ...older } = stored.manifest as typeof stored.manifest & { provider?: string; seed?: number };
		expect([provider, seed]).toEqual(['https://api.together.xyz/v1', 7]);
		await h.db.runs.update(runId, { manifest: older });
		expect((await h.service.listRuns())[0].status).toEqual({ state: 'partial', limit: 1 });
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

	it('treats an edit that empties a sample as no edit: an accepted entry never has no messages', async () => {
		const h = await fresh();
		const runId = await started(h);
		await h.service.whenSettled(runId);
		const reviewed = await h.service.reviewSample(`${runId}:0:0`, 'accepted', []);
		expect(reviewed?.edited).toBeUndefined();
		const outcome = await h.service.acceptSamples(runId, { kind: 'new', name: 'Mara' });
		if (!outcome.ok) throw new Error(outcome.error);
		const { entries } = await h.data.getPage(outcome.datasetId, 0, 10);
		expect(entries[0].messages.map((message) => message.role)).toEqual(['user', 'assistant']);
		expect((entries[0].meta.provenance as { edited: boolean }).edited).toBe(false);
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

	it('says in the log when a re-run replaces accepted samples of changed records', async () => {
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
		expect(log.some((line) => line.level === 'warn' && line.message === '1 accepted sample of a changed record was replaced by the re-run: review the new one.')).toBe(true);
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
