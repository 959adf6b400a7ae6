import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TestEngine, testBadJson, testHttpError, testReply, testTruncated } from '../../engines/test-engine';
import { InMemoryResponseCache } from '../runtime/cache-key';
import { dispatch, type DispatchOptions } from '../runtime/dispatcher';
import { seededRandom, type TaskNote } from '../runtime/task';
import { parseSeed003 } from '../sheets/seed003';
import { documentToSheet } from '../sheets/split-document';
import type { CharacterSheet, SheetChunk } from '../sheets/sheet';
import { generatorSystemPrompt } from '../sheets/prompt';
import { fixtureText } from '../test-utils';
import { chunkStats, groundingScore } from './chunk-stats';
import {
	CHUNK_RESPONSE_FORMAT,
	ChunkedParamsSchema,
	boundedPreviousPrompts,
	chunkedRecipe,
	chunkDocumentText,
	chunkRequest,
	chunkedMaxTokens,
	formatInstruction,
	MAX_LISTED_PROMPT_CHARS,
	PREVIOUS_PROMPTS_CHAR_BUDGET,
	parseChunkAnswer,
	requestedEntryCount,
	type ChunkedInput,
	type ChunkedParams
} from './chunked';
import type { DraftSample, ResolvedSources, RunSettings } from './recipe';

function triggersChunk(settings = { entriesPerIteration: 2, iterations: 3 }): SheetChunk {
	const parsed = parseSeed003(fixtureText('sheets/04.special-triggers.md'));
	if (!parsed.ok) throw new Error(parsed.message);
	return { ...parsed.chunk, id: 'triggers', title: parsed.title, settings };
}

function queenSheet(settings = { entriesPerIteration: 2, iterations: 3 }): CharacterSheet {
	let next = 0;
	const sheet = documentToSheet(fixtureText('sheets/character-sheet.md'), {
		characterName: 'Queen Pédauque',
		settings,
		// One chunk per heading: these tests pick chunks by section title.
		tokenRange: null,
		newId: () => `id${++next}`,
		now: () => new Date('2026-11-01T10:00:00Z')
	});
	return { ...sheet, id: 'queen', chunks: [...sheet.chunks, triggersChunk(settings)] };
}

function sourcesOf(sheet: CharacterSheet): ResolvedSources {
	return { sheets: { [sheet.id]: sheet }, identities: {}, pools: {}, entries: {}, facts: {} };
}

const settings: RunSettings = { sampling: { temperature: 0.7, top_p: 0.9, max_tokens: 1200 }, seed: 7 };

function params(overrides: Partial<ChunkedParams> = {}): ChunkedParams {
	return ChunkedParamsSchema.parse({ sheetId: 'queen', chunkIds: ['triggers'], ...overrides });
}

async function run(engine: TestEngine, p: ChunkedParams, sheet = queenSheet(), extra: Partial<DispatchOptions<ChunkedInput, DraftSample>> = {}) {
	const sources = sourcesOf(sheet);
	const prepared = chunkedRecipe.prepare(p, sources, settings);
	const result = await dispatch(prepared.inputs, {
		recipeId: chunkedRecipe.id,
		engine,
		task: chunkedRecipe.task(p, sources, settings),
		concurrency: 1,
		retry: { maxAttempts: 1 },
		seed: settings.seed,
		...extra
	});
	return { prepared, result };
}

const entries = (...pairs: [string, string][]) => JSON.stringify({ entries: pairs.map(([prompt, response]) => ({ prompt, response })) });

const it1 = entries(
	['What happens when someone says "Chocolatine" to you?', 'Hearing "Chocolatine" delights me; I reward the speaker with a small blessing.'],
	['How do you react to "pain au chocolat"?', 'That word angers me. I answer coldly and end the conversation.']
);
const it2 = entries(
	['What reward do you give for saying Chocolatine?', 'A small blessing, for the word delights me.'],
	['Why do you end conversations so abruptly?', 'When I hear "pain au chocolat" I answer coldly and end the conversation.']
);
const it3 = entries(['Which word delights you most?', '"Chocolatine" — hearing it delights me.'], ['Which word angers you?', '"Pain au chocolat" angers me.']);

function notesOfKind(notes: TaskNote[], kind: string): TaskNote[] {
	return notes.filter((note) => note.kind === kind);
}

describe('chunkedRecipe.prepare', () => {
	it('makes one record per selected chunk, in sheet order, with the chunk as a named document', () => {
		const sheet = queenSheet();
		const all = chunkedRecipe.prepare(params({ chunkIds: undefined }), sourcesOf(sheet), settings);
		expect(all.inputs.map((record) => record.id)).toEqual(sheet.chunks.map((chunk) => chunk.id));
		expect(all.inputs[1].input).toMatchObject({ sheetId: 'queen', characterName: 'Queen Pédauque', chunkIndex: 1, chunk: sheet.chunks[1] });
		expect(Object.keys(all.documents)).toContain('chunk:Special Triggers');
		expect(all.documents['chunk:Special Triggers']).toBe(chunkDocumentText(triggersChunk()));
		expect(all.definition).toMatchObject({ version: chunkedRecipe.version, answerVoice: 'first-person', retriesPerIteration: 3, systemMessage: 'generator', userName: 'User' });

		const subset = chunkedRecipe.prepare(params({ chunkIds: ['triggers', sheet.chunks[0].id] }), sourcesOf(sheet), settings);
		expect(subset.inputs.map((record) => record.id)).toEqual([sheet.chunks[0].id, 'triggers']);
		expect(chunkedRecipe.prepare(params({ chunkIds: undefined }), sourcesOf(sheet), { ...settings, limit: 2 }).inputs).toHaveLength(2);
	});

	it('changes only the edited chunk\'s document, and names unknown chunks and sheets', () => {
		const sheet = queenSheet();
		const before = chunkedRecipe.prepare(params({ chunkIds: undefined }), sourcesOf(sheet), settings).documents;
		const edited = { ...sheet, chunks: sheet.chunks.map((chunk) => (chunk.id === 'triggers' ? { ...chunk, document: chunk.document + '\n- "Croissant": she shrugs.' } : chunk)) };
		const after = chunkedRecipe.prepare(params({ chunkIds: undefined }), sourcesOf(edited), settings).documents;
		const changed = Object.keys(after).filter((name) => after[name] !== before[name]);
		expect(changed).toEqual(['chunk:Special Triggers']);
		expect(() => chunkedRecipe.prepare(params({ chunkIds: ['nope'] }), sourcesOf(sheet), settings)).toThrow(/no chunk "nope"/);
		expect(() => chunkedRecipe.prepare(params({ sheetId: 'gone' }), sourcesOf(sheet), settings)).toThrow(/"gone" was not found/);
	});

	it('declares its sheet and labels records by chunk', () => {
		expect(chunkedRecipe.sources(params())).toEqual([{ kind: 'sheet', id: 'queen' }]);
		expect(chunkedRecipe.recordLabel({ sheetId: 'queen', chunk: triggersChunk(), characterName: 'Q', chunkIndex: 6 })).toBe('Chunk 7: Special Triggers');
		expect(ChunkedParamsSchema.safeParse({ sheetId: 'queen', retriesPerIteration: 11 }).success).toBe(false);
	});
});

describe('chunkedRecipe.task', () => {
	it('sends the context as system message (systemMessage "context", seed 003), max_tokens and response_format, and lists only earlier prompts', async () => {
		const engine = new TestEngine().enqueue(testReply(it1), testReply(it2), testReply(it3));
		const { result } = await run(engine, params({ systemMessage: 'context' }));
		expect(result.failures).toEqual([]);
		expect(result.samples).toHaveLength(6);
		expect(engine.requests).toHaveLength(3);

		const [first, second, third] = engine.requests;
		expect(first.messages[0]).toEqual({ role: 'system', content: expect.stringMatching(/^# Queen Pedauque - Legendary Sorceress NPC System Instructions\nYou are Queen Pedauque/) });
		expect(first.messages[1].role).toBe('user');
		expect(first.messages[1].content).toContain('**"Pain au chocolat"**: hearing this word angers her');
		expect(first.messages[1].content).toContain('with exactly 2 entries in its "entries" array: {"entries"');
		expect(first.messages[1].content).not.toContain('already written');
		expect(first.sampling).toEqual({ temperature: 0.7, top_p: 0.9, max_tokens: 1200 });
		expect(first.responseFormat).toEqual(CHUNK_RESPONSE_FORMAT);

		const user2 = second.messages[1].content;
		expect(user2).toContain('- What happens when someone says "Chocolatine" to you?\n- How do you react to "pain au chocolat"?');
		expect(user2).not.toContain('I reward the speaker');
		expect(user2).not.toContain('I answer coldly');
		expect(third.messages[1].content).toContain('- Why do you end conversations so abruptly?');
		expect(third.messages[1].content).not.toContain('A small blessing, for the word delights me.');

		const [sample] = result.samples;
		expect(sample.sample).toEqual({
			messages: [
				{ role: 'user', content: 'What happens when someone says "Chocolatine" to you?' },
				{ role: 'assistant', content: 'Hearing "Chocolatine" delights me; I reward the speaker with a small blessing.' }
			],
			tags: ['generated', 'chunked'],
			meta: { recipe: 'chunked', sheetId: 'queen', chunkId: 'triggers', chunkTitle: 'Special Triggers', characterName: 'Queen Pédauque', iteration: 1, attempt: 1 }
		});
		expect(result.samples.map((s) => s.sample.meta.iteration)).toEqual([1, 1, 2, 2, 3, 3]);
		const notes = result.samples[0].provenance.notes;
		expect(notesOfKind(notes, 'iteration-ok').map((note) => note.data)).toEqual([1, 2, 3].map((iteration) => ({ iteration, attempt: 1, entries: 2, firstTry: true, incomplete: 0 })));
	});

	it('by default tells the model it writes dataset entries (the character only the subject), with the sheet introduction, names filled and run overrides', async () => {
		const sheet = { ...queenSheet(), introduction: 'Queen Pédauque is a sorceress who loves {{user}}.' };
		const engine = new TestEngine().enqueue(testReply(it1), testReply(it2));
		const { prepared } = await run(engine, params({ userName: 'Tamsin', entriesPerIteration: 4, iterations: 2 }), sheet);
		expect(engine.requests).toHaveLength(2);
		const [system, user] = engine.requests[0].messages;
		expect(system).toEqual({ role: 'system', content: generatorSystemPrompt('Queen Pédauque') });
		expect(system.content).not.toMatch(/^You are Queen/);
		expect(user.content.startsWith('About Queen Pédauque: Queen Pédauque is a sorceress who loves Tamsin.\n\nFrom this document')).toBe(true);
		expect(user.content.endsWith(formatInstruction(4))).toBe(true);
		expect(prepared.inputs[0].input.chunk.settings).toEqual({ entriesPerIteration: 4, iterations: 2 });
		expect(prepared.documents.introduction).toBe('Queen Pédauque is a sorceress who loves {{user}}.');
		expect(chunkedMaxTokens(5)).toBe(1350);
		expect(ChunkedParamsSchema.parse({ sheetId: 'q' })).toMatchObject({ retriesPerIteration: 3, systemMessage: 'generator', answerVoice: 'first-person' });
	});

	it('bounds the listed earlier prompts in characters too: long ones shortened, the latest kept', () => {
		const chunk = triggersChunk({ entriesPerIteration: 2, iterations: 2 });
		const essays = Array.from({ length: 100 }, (_, i) => `Question ${i}: ${'tell me everything about the sacred recipe and the tower of Toulouse '.repeat(20)}?`);
		const built = chunkRequest(chunk, { characterName: 'Queen Pédauque', iteration: 2, previousPrompts: essays, answerVoice: 'first-person', sampling: settings.sampling });
		if (!built.ok) throw new Error(built.error);
		const user = built.request.messages[built.request.messages.length - 1].content;
		const listed = user.split('\n').filter((line) => line.startsWith('- Question '));
		expect(listed.length).toBeGreaterThan(10);
		expect(listed.length).toBeLessThan(100);
		for (const line of listed) expect(line.length).toBeLessThanOrEqual(MAX_LISTED_PROMPT_CHARS + 2);
		expect(listed[listed.length - 1]).toMatch(/^- Question 99: /);
		expect(listed.join('').length).toBeLessThanOrEqual(PREVIOUS_PROMPTS_CHAR_BUDGET + 2 * listed.length);
		expect(user.length).toBeLessThan(PREVIOUS_PROMPTS_CHAR_BUDGET + 5000);
		// Short prompts are listed as they are.
		expect(boundedPreviousPrompts(['Who are you?', 'What is a Chocolatine?'])).toEqual(['Who are you?', 'What is a Chocolatine?']);
	});

	it('leaves out an empty context and honours voice and name overrides', async () => {
		const sheet = queenSheet();
		sheet.chunks = sheet.chunks.map((chunk) => ({ ...chunk, context: '  ' }));
		const engine = new TestEngine().enqueue(testReply(it1), testReply(it2), testReply(it3));
		await run(engine, params({ answerVoice: 'third-person', characterName: 'La Reine', systemMessage: 'context' }), sheet);
		expect(engine.requests[0].messages.map((message) => message.role)).toEqual(['user']);
		expect(engine.requests[0].messages[0].content).toContain('describing La Reine (for example "La Reine ..."');
	});

	it('retries an answer that is not valid JSON and counts it against the first-try rate', async () => {
		const engine = new TestEngine().enqueue(testReply(it1), testBadJson(), testReply(it2), testReply(it3));
		const { result } = await run(engine, params({ retriesPerIteration: 2 }));
		expect(engine.requests).toHaveLength(4);
		expect(engine.requests[2]).toEqual(engine.requests[1]);
		expect(result.samples).toHaveLength(6);
		const notes = result.samples[0].provenance.notes;
		const [retry] = notesOfKind(notes, 'iteration-retry');
		expect(retry.message).toBe('Iteration 2: answer was not valid JSON (cut off: the reply ends inside this object); retrying (1 of 2)');
		expect(retry.data).toMatchObject({ iteration: 2, attempt: 1 });
		expect(notesOfKind(notes, 'iteration-ok')[1].data).toMatchObject({ iteration: 2, attempt: 2, firstTry: false });
		expect(result.samples[2].sample.meta).toMatchObject({ iteration: 2, attempt: 2 });
		const steps = result.samples[0].provenance.steps.map((step) => step.stepIndex);
		expect(steps).toEqual([0, 1, 2, 3]);
		const stats = chunkedRecipe.summarize!({ input: result.samples[0].provenance.input, samples: result.samples.map((s) => s.sample), notes, stepCount: 4 }, sourcesOf(queenSheet()), params({ retriesPerIteration: 2 }));
		const firstTry = stats.find((stat) => stat.label === 'JSON valid first try');
		expect(firstTry?.number).toBeCloseTo(66.7);
		expect(firstTry!.number!).toBeLessThan(100);
	});

	it('retries with the next sampling seed when the run sets one (a seeded endpoint would repeat itself)', async () => {
		const seeded: RunSettings = { ...settings, sampling: { ...settings.sampling, seed: 42 } };
		const engine = new TestEngine().enqueue(testReply(it1), testBadJson(), testBadJson(), testReply(it2), testReply(it3));
		const p = params();
		const sources = sourcesOf(queenSheet());
		const prepared = chunkedRecipe.prepare(p, sources, seeded);
		const result = await dispatch(prepared.inputs, { recipeId: chunkedRecipe.id, engine, task: chunkedRecipe.task(p, sources, seeded), concurrency: 1, retry: { maxAttempts: 1 }, seed: 7 });
		expect(result.samples).toHaveLength(6);
		expect(engine.requests.map((request) => request.sampling.seed)).toEqual([42, 42, 43, 44, 42]);
		expect(engine.requests[2].messages).toEqual(engine.requests[1].messages);
	});

	it('skips an iteration after R retries with a logged reason and goes on', async () => {
		const engine = new TestEngine().enqueue(testReply(it1), testReply('Sorry, I cannot help with that.'), testBadJson(), testReply('[]'), testReply(it3));
		const { result } = await run(engine, params({ retriesPerIteration: 2 }));
		expect(engine.requests).toHaveLength(5);
		expect(result.failures).toEqual([]);
		expect(result.samples.map((s) => s.sample.meta.iteration)).toEqual([1, 1, 3, 3]);
		const notes = result.samples[0].provenance.notes;
		expect(notesOfKind(notes, 'iteration-retry').map((note) => note.message)).toEqual([
			'Iteration 2: answer was not valid JSON (no JSON object found); retrying (1 of 2)',
			'Iteration 2: answer was not valid JSON (cut off: the reply ends inside this object); retrying (2 of 2)'
		]);
		const [skipped] = notesOfKind(notes, 'iteration-skipped');
		expect(skipped.message).toBe('Iteration 2: skipped after 3 attempts: answer had no entry with a non-empty "prompt" and "response"');
		expect(skipped.data).toEqual({ iteration: 2, attempt: 3, reason: 'answer had no entry with a non-empty "prompt" and "response"' });
		// Iteration 3 lists only what was kept (iteration 1's prompts).
		expect(engine.requests[4].messages[1].content).toContain('- How do you react to "pain au chocolat"?');
	});

	it('keeps the complete entries of an answer cut off at max_tokens, says how many, and counts it as not first-try valid', async () => {
		const cut = it1.slice(0, it1.indexOf('I answer coldly'));
		const engine = new TestEngine().enqueue(testTruncated(cut), testReply(it2), testReply(it3));
		const { result } = await run(engine, params({ retriesPerIteration: 1 }));
		// No retry: the salvaged entry is kept and the run goes on.
		expect(engine.requests).toHaveLength(3);
		expect(result.samples.map((s) => s.sample.messages[0].content)).toEqual([
			'What happens when someone says "Chocolatine" to you?',
			'What reward do you give for saying Chocolatine?',
			'Why do you end conversations so abruptly?',
			'Which word delights you most?',
			'Which word angers you?'
		]);
		const notes = result.samples[0].provenance.notes;
		const [first] = notesOfKind(notes, 'iteration-ok');
		expect(first.level).toBe('warn');
		expect(first.message).toBe('Iteration 1: answer cut off at max_tokens; kept the 1 complete entry written before the cut (1 new), the rest was dropped');
		expect(first.data).toMatchObject({ iteration: 1, attempt: 1, entries: 1, firstTry: false, truncated: true, salvaged: 1 });
		const stats = chunkStats({ pairs: result.samples.map((s) => ({ prompt: s.sample.messages[0].content, response: s.sample.messages[1].content })), notes, chunkText: triggersChunk().document });
		expect(stats.jsonValidFirstTryRate).toBeCloseTo(2 / 3);
	});

	it('retries an answer cut off before its first entry was complete', async () => {
		const engine = new TestEngine().enqueue(testTruncated('{"entries": [{"prompt": "What happens when'), testReply(it1), testReply(it2), testReply(it3));
		const { result } = await run(engine, params({ retriesPerIteration: 1 }));
		const notes = result.samples[0].provenance.notes;
		expect(notesOfKind(notes, 'iteration-retry')[0].message).toBe('Iteration 1: answer was cut off at max_tokens (finish reason "length") before one entry was complete; retrying (1 of 1)');
		expect(result.samples).toHaveLength(6);
		expect(result.samples[0].sample.meta).toMatchObject({ iteration: 1, attempt: 2 });
	});

	it('skips an iteration whose request fails for good and goes on', async () => {
		const engine = new TestEngine().enqueue(testReply(it1), testHttpError(400), testReply(it3));
		const { result } = await run(engine, params());
		expect(engine.requests).toHaveLength(3);
		expect(result.samples).toHaveLength(4);
		const [skipped] = notesOfKind(result.samples[0].provenance.notes, 'iteration-skipped');
		expect(skipped.message).toBe('Iteration 2: skipped after 1 attempt: the request failed (HTTP 400)');
	});

	it('fails the record as no-entries, with the reasons, when every iteration is skipped', async () => {
		const engine = new TestEngine().enqueue(testBadJson(), testReply('{"entries": [{"prompt": "", "response": "x"}]}'), testTruncated('{"entries": [{"prompt": "Which'));
		const { result } = await run(engine, params({ retriesPerIteration: 0 }));
		expect(result.samples).toEqual([]);
		expect(result.failures).toHaveLength(1);
		const [failure] = result.failures;
		expect(failure.error.type).toBe('no-entries');
		expect(failure.error.message).toBe(
			'Every iteration of chunk "Special Triggers" was skipped: iteration 1: answer was not valid JSON (cut off: the reply ends inside this object); ' +
				'iteration 2: answer had no entry with a non-empty "prompt" and "response"; iteration 3: answer was cut off at max_tokens (finish reason "length") before one entry was complete.'
		);
		expect(notesOfKind(failure.notes, 'iteration-skipped')).toHaveLength(3);
	});

	it('drops exact-duplicate prompts (case and spacing aside), notes and counts them', async () => {
		const repeat = entries(
			['what happens when someone says   "CHOCOLATINE" to you?', 'It delights me.'],
			['Which word angers you?', '"Pain au chocolat" angers me.'],
			['Which word angers you?', 'That one.']
		);
		const engine = new TestEngine().enqueue(testReply(it1), testReply(repeat), testReply(it3));
		const { result } = await run(engine, params());
		const prompts = result.samples.map((s) => s.sample.messages[0].content);
		expect(prompts).toEqual([
			'What happens when someone says "Chocolatine" to you?',
			'How do you react to "pain au chocolat"?',
			'Which word angers you?',
			'Which word delights you most?'
		]);
		const notes = result.samples[0].provenance.notes;
		const dropped = notesOfKind(notes, 'duplicate-dropped');
		expect(dropped.map((note) => note.data)).toEqual([
			{ iteration: 2, count: 2, prompts: ['what happens when someone says   "CHOCOLATINE" to you?', 'Which word angers you?'] },
			{ iteration: 3, count: 1, prompts: ['Which word angers you?'] }
		]);
		const stats = chunkStats({ pairs: result.samples.map((s) => ({ prompt: s.sample.messages[0].content, response: s.sample.messages[1].content })), notes, chunkText: triggersChunk().document });
		expect(stats.duplicatesDropped).toBe(3);
		expect(stats.duplicatePromptRate).toBeCloseTo(3 / 7);
	});

	it('lists only the earlier prompts of the same chunk when chunks run side by side', async () => {
		const sheet = queenSheet({ entriesPerIteration: 1, iterations: 2 });
		const profile = sheet.chunks.find((chunk) => chunk.title === 'Character Profile');
		if (!profile) throw new Error('fixture changed: no Character Profile section');
		const engine = new TestEngine()
			.on((request) => request.messages[1]?.content.includes('Chocolatine') ?? false, testReply(entries(['Which word delights you?', '"Chocolatine" delights me.'])), testReply(entries(['Which word angers you?', '"Pain au chocolat" angers me.'])))
			.on((request) => request.messages[1]?.content.includes('Half-elf') ?? false, testReply(entries(['What is your race?', 'I am a half-elf.'])), testReply(entries(['What is your class?', 'I am a sorceress.'])));
		const { result } = await run(engine, params({ chunkIds: ['triggers', profile.id] }), sheet, { concurrency: 2 });
		expect(result.failures).toEqual([]);
		expect(result.samples).toHaveLength(4);
		const second = engine.requests.filter((request) => request.messages[1].content.includes('already written'));
		expect(second).toHaveLength(2);
		for (const request of second) {
			const listed = request.messages[1].content.split('\n').filter((line) => line.startsWith('- ') && line.endsWith('?'));
			expect(listed).toHaveLength(1);
			expect(listed[0]).toBe(request.messages[1].content.includes('Half-elf') ? '- What is your race?' : '- Which word delights you?');
		}
	});

	it('fails the record with bad-template when the chunk template cannot be rendered', async () => {
		const sheet = queenSheet();
		sheet.chunks = sheet.chunks.map((chunk) => (chunk.id === 'triggers' ? { ...chunk, promptTemplate: 'Tell me about {{mood}}' } : chunk));
		const engine = new TestEngine();
		const { result } = await run(engine, params(), sheet);
		expect(engine.requests).toHaveLength(0);
		expect(result.failures[0].error).toEqual({ type: 'bad-template', message: expect.stringMatching(/^Chunk "Special Triggers": prompt template: unknown variable \{\{mood\}\}/) });
	});

	it('makes zero engine calls when resumed with the same response cache', async () => {
		const cache = new InMemoryResponseCache();
		const script = () => new TestEngine().enqueue(testReply(it1), testBadJson(), testReply(it2), testReply(it3));
		const first = await run(script(), params(), queenSheet(), { cache });
		expect(first.result.counts.engineCalls).toBe(4);
		const again = new TestEngine();
		const second = await run(again, params(), queenSheet(), { cache });
		expect(again.requests).toHaveLength(0);
		expect(second.result.counts).toMatchObject({ engineCalls: 0, cacheHits: 4 });
		expect(second.result.samples.map((s) => s.sample)).toEqual(first.result.samples.map((s) => s.sample));
		expect(second.result.samples[0].provenance.notes).toEqual(first.result.samples[0].provenance.notes);
	});

	it('reports per-chunk statistics with grounding', async () => {
		const engine = new TestEngine().enqueue(testReply(it1), testReply(it2), testReply(it3));
		const { result } = await run(engine, params());
		const outcome = { input: result.samples[0].provenance.input, samples: result.samples.map((s) => s.sample), notes: result.samples[0].provenance.notes, stepCount: 3 };
		const stats = chunkedRecipe.summarize!(outcome, sourcesOf(queenSheet()), params());
		expect(stats.map((stat) => stat.label)).toEqual(['Entries', 'Iterations ok', 'Iterations skipped', 'JSON valid first try', 'Duplicate prompts', 'Near-duplicate prompts', 'Grounding']);
		expect(stats.find((stat) => stat.label === 'Entries')?.number).toBe(6);
		expect(stats.find((stat) => stat.label === 'JSON valid first try')?.value).toBe('100%');
		expect(stats.find((stat) => stat.label === 'Grounding')!.number!).toBeGreaterThan(70);
	});
});

describe('parseChunkAnswer', () => {
	const ok = (content: string) => parseChunkAnswer({ content, finishReason: 'stop' });

	it('takes the wrapper object, a bare array, fenced or loose objects and question/answer keys', () => {
		const bare = '```json\n[{"prompt": "Who are you?", "response": "I am Queen Pédauque."}]\n```';
		expect(ok(bare)).toEqual({ ok: true, pairs: [{ prompt: 'Who are you?', response: 'I am Queen Pédauque.' }], dropped: 0 });
		const loose = 'Here you go:\n{"prompt": "Who are you?", "response": "The queen."}\n{"question": "Where do you live?", "answer": "In Toulouse."}';
		expect(ok(loose)).toMatchObject({ ok: true, pairs: [{ prompt: 'Who are you?' }, { prompt: 'Where do you live?', response: 'In Toulouse.' }] });
		expect(ok('<think>N=1</think>{"dataset_entries": [{"prompt": "Q?", "response": "A."}], "note": "x", "more": 1, "extra": 2}')).toMatchObject({ ok: true, pairs: [{ prompt: 'Q?', response: 'A.' }] });
	});

	it('never takes entries from reasoning, in <think> or <thinking> tags', () => {
		const draft = '[{"prompt": "Draft question?", "response": "Draft answer."}]';
		const final = entries(['Which word delights you?', '"Chocolatine" delights me.']);
		for (const content of [`<think>${draft}</think>${final}`, `<thinking>${draft}</thinking>\n${final}`, `${final}\n<reasoning>${draft}`]) {
			const parsed = parseChunkAnswer({ content, finishReason: 'stop' });
			expect(parsed).toEqual({ ok: true, pairs: [{ prompt: 'Which word delights you?', response: '"Chocolatine" delights me.' }], dropped: 0 });
		}
	});

	it('drops incomplete items and fails when none is left', () => {
		expect(ok('{"entries": [{"prompt": "Q?", "response": "A."}, {"prompt": "Q2?"}, {"prompt": 3, "response": "x"}]}')).toEqual({ ok: true, pairs: [{ prompt: 'Q?', response: 'A.' }], dropped: 2 });
		expect(ok('{"entries": []}')).toEqual({ ok: false, reason: 'answer had no entry with a non-empty "prompt" and "response"' });
		expect(parseChunkAnswer({ content: '{"entries": [{"prompt": "Q?", "resp', finishReason: 'length' })).toMatchObject({ ok: false });
	});
});

describe('chunkedRecipe.rehearse', () => {
	it('reads N from the request', () => {
		expect(requestedEntryCount('Return the array … with exactly 7 entries: {…}')).toBe(7);
		expect(requestedEntryCount('Write 4 NEW entries whose prompts are DIFFERENT')).toBe(4);
		expect(requestedEntryCount('Imagine 5 questions')).toBe(5);
		expect(requestedEntryCount('Tell me things')).toBe(3);
		expect(requestedEntryCount('with exactly 5000 entries')).toBe(1000);
		// The chunk's own text may say "N entries" too: the format line, appended last, decides.
		expect(requestedEntryCount('The diary has 3 entries with exactly 2 entries each.\n\nReturn the array as the "entries" field of one JSON object, with exactly 9 entries: {}')).toBe(9);
	});

	it('answers with exactly the count asked for, also above 50', () => {
		const chunk = triggersChunk({ entriesPerIteration: 120, iterations: 1 });
		const request = { messages: [{ role: 'user' as const, content: `${chunk.document}\n\nReturn the array as the "entries" field of one JSON object, with exactly 120 entries: {}` }], sampling: { max_tokens: 100 } };
		const answer = JSON.parse(chunkedRecipe.rehearse(request, seededRandom(1))) as { entries: { prompt: string; response: string }[] };
		expect(Object.keys(answer)).toEqual(['entries']);
		expect(answer.entries).toHaveLength(120);
		expect(new Set(answer.entries.map((entry) => entry.prompt.toLowerCase())).size).toBe(120);
		for (const entry of answer.entries) expect(Object.keys(entry)).toEqual(['prompt', 'response']);
	});

	it('answers in the requested shape: N grounded entries per iteration, new prompts each time', async () => {
		const chunkSettings = { entriesPerIteration: 4, iterations: 3 };
		const engine = new TestEngine({ defaultReply: (request, random) => chunkedRecipe.rehearse(request, seededRandom(Math.floor(random * 2 ** 32))) });
		const { result } = await run(engine, params(), queenSheet(chunkSettings));
		expect(result.failures).toEqual([]);
		expect(result.samples).toHaveLength(12);
		const notes = result.samples[0].provenance.notes;
		expect(notesOfKind(notes, 'duplicate-dropped')).toEqual([]);
		expect(notesOfKind(notes, 'iteration-ok')).toHaveLength(3);
		const document = triggersChunk().document;
		for (const { sample } of result.samples) {
			expect(sample.messages[0].content).toMatch(/\?$/);
			expect(groundingScore(sample.messages[1].content, document)).toBeGreaterThan(0.5);
		}
		// Deterministic for the same request and random.
		const request = engine.requests[1];
		expect(chunkedRecipe.rehearse(request, seededRandom(3))).toBe(chunkedRecipe.rehearse(request, seededRandom(3)));
		expect(chunkedRecipe.rehearse(request, seededRandom(3))).not.toBe(chunkedRecipe.rehearse(request, seededRandom(4)));
	});

	it('avoids the prompts a request lists as already written', () => {
		const chunk = triggersChunk({ entriesPerIteration: 5, iterations: 2 });
		const request = { messages: [{ role: 'user' as const, content: `${chunk.document}\n\nThese prompts were already written in earlier iterations. Write 5 NEW entries whose prompts are DIFFERENT from all of them:\n- What can you tell me about hearing?\n\nReturn the array as the "entries" field of one JSON object, with exactly 5 entries: {}` }], sampling: { max_tokens: 100 } };
		for (let seed = 0; seed < 20; seed++) {
			const answer = JSON.parse(chunkedRecipe.rehearse(request, seededRandom(seed))) as { entries: { prompt: string }[] };
			expect(answer.entries).toHaveLength(5);
			expect(answer.entries.map((entry) => entry.prompt.toLowerCase())).not.toContain('what can you tell me about hearing?');
			expect(new Set(answer.entries.map((entry) => entry.prompt)).size).toBe(5);
		}
	});
});

describe('replay safety of the built-in recipes', () => {
	it('no recipe reads the wall clock or an unseeded random (replays must ask the same requests)', () => {
		const dir = fileURLToPath(new URL('.', import.meta.url));
		const sources = readdirSync(dir).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
		expect(sources).toContain('chunked.ts');
		for (const name of sources) {
			const code = readFileSync(dir + name, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
			expect(code, name).not.toMatch(/Math\.random|Date\.now|new Date\(|performance\.now|crypto\.randomUUID|getRandomValues/);
		}
	});
});
