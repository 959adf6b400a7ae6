/**
 * The run service's test harness (not a test file): small recipes of the real shapes, a character
 * sheet, a service over a fresh database with scripted test engines, and helpers to wait for a
 * run and compare its stored counts with its rows. The run tests (run-service, live-run,
 * run-engines, run-status, run-review, run-sources) share it.
 */
import 'fake-indexeddb/auto';
import { z } from 'zod';
import { SkeinDatabase } from '$lib/db/database';
import { createImportingDataset } from '$lib/db/datasets-repo';
import type { Entry } from '$lib/core/model';
import type { CharacterSheetRow } from '$lib/core/contracts/rows';
import type { Recipe, RunSettings } from '$lib/core/recipes/recipe';
import { ask, RetryableAnswerError } from '$lib/core/runtime/task';
import { JudgeSettingsSchema, withJudge } from '$lib/core/recipes/judge';
import { TestEngine } from '$lib/engines/test-engine';
import type { ChatRequest } from '$lib/core/contracts/engine';
import type { RunEvent, StartRunRequest } from '$lib/core/contracts/run-api';
import type { DataService } from './data-service';
import { composeDataServices } from './data-services';
import { RunService, type RunServiceOptions } from './run-service';


// ---- a small recipe of the real shape: two steps per chunk of a character sheet ----------------

export interface ChunkInput {
	chunkId: string;
	title: string;
	document: string;
}

export const LighthouseParams = z.object({ sheetId: z.string().min(1), voice: z.enum(['first-person', 'third-person']).default('first-person') });
export type LighthouseParams = z.infer<typeof LighthouseParams>;

export const QUESTION = 'QUESTION ABOUT: ';
export const ANSWER = 'ANSWER: ';

export function lastUser(request: ChatRequest): string {
	return [...request.messages].reverse().find((message) => message.role === 'user')?.content ?? '';
}

export const lighthouseRecipe: Recipe<LighthouseParams, ChunkInput> = {
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

export const factsRecipe: Recipe<{ sheetId: string }, ChunkInput> = {
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
export const factQuestionsRecipe: Recipe<{ factsRunId: string }, { fact: string }> = {
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
export const poolEchoRecipe: Recipe<{ poolId: string; n: number; mix: { min: number; max: number; share: number }[] }, { text: string; rating: number | null }> = {
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
export const selfJudgedRecipe: Recipe<LighthouseParams, ChunkInput> = {
	...lighthouseRecipe,
	id: 'lighthouse-judged',
	task: (params, sources, settings) => withJudge(lighthouseRecipe.task(params, sources, settings), JudgeSettingsSchema.parse({ enabled: true, threshold: 2 }), settings.sampling)
};

// Speaks as the sheet's character: the sheet's name is read by the task, in no record's input.
export const keeperVoiceRecipe: Recipe<LighthouseParams, ChunkInput> = {
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
export const selfLimitedRecipe: Recipe<LighthouseParams, ChunkInput> = {
	...lighthouseRecipe,
	id: 'lighthouse-self-limited',
	prepare(params, sources, settings) {
		const prepared = lighthouseRecipe.prepare(params, sources, settings);
		return { ...prepared, inputs: settings.limit !== undefined ? prepared.inputs.slice(0, settings.limit) : prepared.inputs };
	}
};

// Picks each record's question style with the record's seeded random, then asks twice.
export const STYLES = ['curious', 'sceptical', 'wistful', 'blunt', 'formal', 'playful', 'grave', 'shy'];
export const seededStyleRecipe: Recipe<LighthouseParams, ChunkInput> = {
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

export const RECIPES = [lighthouseRecipe, factsRecipe, factQuestionsRecipe, poolEchoRecipe, selfJudgedRecipe, keeperVoiceRecipe, selfLimitedRecipe, seededStyleRecipe];

export const SHEET: CharacterSheetRow = {
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

export const SETTINGS: RunSettings = { sampling: { temperature: 0.7, max_tokens: 256 }, seed: 7 };

export function request(overrides: Partial<StartRunRequest> = {}): StartRunRequest {
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

export const opened: SkeinDatabase[] = [];
export const services: RunService[] = [];

/** Disposes the services and deletes the databases of a test (each test file: `afterEach(cleanUp)`). */
export async function cleanUp(): Promise<void> {
	for (const service of services.splice(0)) service.dispose();
	for (const db of opened.splice(0)) {
		db.close();
		await db.delete();
	}
}

export interface Harness {
	db: SkeinDatabase;
	data: DataService;
	service: RunService;
	/** Every test engine the service built, in order. */
	engines: TestEngine[];
	events: RunEvent[];
}

export function serviceOver(db: SkeinDatabase, data: DataService, engines: TestEngine[], options: { delayMs?: number; configure?: (engine: TestEngine, n: number) => void } & RunServiceOptions = {}) {
	const { delayMs, configure, ...rest } = options;
	const service = new RunService(db, data, {
		recipes: RECIPES,
		retry: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 3 },
		progressIntervalMs: 20,
		statusTtlMs: 0,
		eventFlushMs: 0,
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

export async function fresh(options: Parameters<typeof serviceOver>[3] = {}): Promise<Harness> {
	const db = new SkeinDatabase(`run-test-${Math.random()}`);
	opened.push(db);
	await db.characterSheets.put(structuredClone(SHEET));
	const data = composeDataServices(db).data;
	const engines: TestEngine[] = [];
	const service = serviceOver(db, data, engines, options);
	const events: RunEvent[] = [];
	service.watchRuns((batch) => events.push(...batch));
	return { db, data, service, engines, events };
}

export async function started(h: Harness, overrides: Partial<StartRunRequest> = {}): Promise<string> {
	const result = await h.service.startRun(request(overrides));
	if (!result.ok) throw new Error(result.error);
	return result.runId;
}

export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 3000): Promise<void> {
	const until = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > until) throw new Error('Timed out waiting');
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
}

export async function storedSteps(db: SkeinDatabase, runId: string): Promise<number> {
	const records = await db.runRecords.where('runId').equals(runId).toArray();
	return records.reduce((n, record) => n + record.steps.length, 0);
}

// ---- counts ----------------------------------------------------------------------------------

/** What the records and samples tables say a run's counts are. */
export async function tableCounts(db: SkeinDatabase, runId: string) {
	const records = await db.runRecords.where('runId').equals(runId).toArray();
	return {
		total: records.length,
		done: records.filter((record) => record.state === 'done').length,
		failed: records.filter((record) => record.state === 'failed').length,
		samples: await db.runSamples.where('runId').equals(runId).count()
	};
}

export async function storedCounts(db: SkeinDatabase, runId: string) {
	const counts = (await db.runs.get(runId))?.counts;
	return { total: counts?.total, done: counts?.done, failed: counts?.failed, samples: counts?.samples };
}

/**
 * The run's stored counts and what its rows say, read in one transaction: a record that ends
 * (its own transaction) between two separate reads would make them differ for no fault of theirs.
 */
export async function countsSnapshot(db: SkeinDatabase, runId: string) {
	return db.transaction('r', [db.runs, db.runRecords, db.runSamples], async () => ({ stored: await storedCounts(db, runId), table: await tableCounts(db, runId) }));
}

/** A Web Locks manager shared by the "tabs" of a test, as the browser's is per origin; `held` names the locks held now. */
export function fakeLockManager() {
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
	return { held, locks };
}

/** A keeper's log entry, as large-dataset tests use them. */
export const keeperEntry = (i: number, tags: string[] = []): Entry => ({ id: `e${i}`, messages: [{ role: 'user', content: `Keeper log, night ${i}: the lamp was trimmed.` }], tags, meta: { review: 'draft' }, extra: {}, hash: `h${i}` });

/**
 * A ready dataset of `count` keeper entries (every `tagEvery`th tagged "storm") behind a data
 * service that counts the pages and entries it hands out.
 */
export async function countedDataset(count: number, tagEvery = 0) {
	const db = new SkeinDatabase(`run-dataset-test-${Math.random()}`);
	opened.push(db);
	const entries = Array.from({ length: count }, (_, i) => keeperEntry(i, tagEvery && i % tagEvery === 0 ? ['storm'] : []));
	const dataset = await createImportingDataset(db, 'Keeper logs');
	await db.datasets.update(dataset.id, { status: 'ready', entryCount: count });
	const read = { pages: 0, entries: 0 };
	const data = {
		getPage: async (_datasetId: string, start: number, n: number) => {
			read.pages++;
			read.entries += Math.min(n, count - start);
			return { start, entries: entries.slice(start, start + n) };
		}
	};
	return { db, data: data as unknown as DataService, entries, datasetId: dataset.id, read };
}
