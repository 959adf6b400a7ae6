import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../contracts/engine';
import { TestEngine, testHttpError, testReply, testTruncated } from '../../engines/test-engine';
import { mulberry32 } from '../random';
import { VirtualClock } from '../runtime/clock';
import { dispatch } from '../runtime/dispatcher';
import { seededRandom, type TaskNote } from '../runtime/task';
import { identitySystemPrompt, newIdentityDocument } from './identity-document';
import { dedupeQuestions, identityQaRecipe, nearDuplicate, parseQuestions } from './identity-qa';
import type { ResolvedSources, RunSettings } from './recipe';
import type { IdentityDocument } from './sources';

const doc: IdentityDocument = {
	...newIdentityDocument('Mara', 1_700_000_000_000, 'mara'),
	iAm: 'I am Mara, a lighthouse keeper turned research assistant.',
	voice: 'Warm, dry humour.'
};
const facts = ['Mara grew up on Skerry Island, where her mother kept the lighthouse.', 'Mara studied oceanography in Aberdeen.'];
const sources: ResolvedSources = { sheets: {}, identities: { mara: doc }, pools: {}, entries: {}, facts: { 'run-7': facts } };
const settings: RunSettings = { sampling: { max_tokens: 400, temperature: 0.5 }, seed: 3 };
const rawParams = { identityId: 'mara', factsRunId: { kind: 'facts', id: 'run-7' } };

async function run(engine: TestEngine, raw: Record<string, unknown> = rawParams) {
	const params = identityQaRecipe.params.parse(raw);
	const prepared = identityQaRecipe.prepare(params, sources, settings);
	const result = await dispatch(prepared.inputs, {
		recipeId: identityQaRecipe.id,
		engine,
		task: identityQaRecipe.task(params, sources, settings),
		seed: settings.seed,
		clock: new VirtualClock(),
		random: seededRandom(1),
		retry: { maxAttempts: 1 }
	});
	return { params, prepared, result };
}

const isWriter = (request: ChatRequest) => request.messages[0].content.startsWith('You write questions');
const isAnswer = (question: string) => (request: ChatRequest) => !isWriter(request) && request.messages[1]?.content === question;

describe('question parsing', () => {
	it('reads <question> tags, else a JSON list', () => {
		expect(parseQuestions('<think>maybe <question>x</question></think><question>1. Where did you grow up?</question> <question>"Island life?"</question>')).toEqual(['Where did you grow up?', 'Island life?']);
		expect(parseQuestions('Here: ["Where did you grow up?", {"question": "Do you miss home?"}]')).toEqual(['Where did you grow up?', 'Do you miss home?']);
		expect(parseQuestions('no questions here')).toEqual([]);
	});

	it('never takes a question from reasoning, in <think> or <thinking> tags', () => {
		expect(parseQuestions('<thinking>Draft: <question>Do you love rain?</question></thinking>\n<question>What weather do you enjoy?</question>')).toEqual(['What weather do you enjoy?']);
		expect(parseQuestions('<question>What weather do you enjoy?</question><reasoning>maybe <question>Rain?</question>')).toEqual(['What weather do you enjoy?']);
	});

	it('treats questions with the same words or 80% shared words as duplicates', () => {
		expect(nearDuplicate('Where did you grow up?', 'where did you GROW up')).toBe(true);
		expect(nearDuplicate('Where did you grow up as a child?', 'Where did you grow up as a kid child?')).toBe(true);
		expect(nearDuplicate('Where did you grow up?', 'What did you study?')).toBe(false);
		expect(dedupeQuestions(['A b c d?', 'a b c d', 'e f g h?', 'i j k l?'], 2)).toEqual({ kept: ['A b c d?', 'e f g h?'], dropped: [{ question: 'a b c d', duplicateOf: 'A b c d?' }] });
	});
});

describe('identityQaRecipe', () => {
	it('prepares one record per accepted fact, with the facts and document in the manifest', () => {
		const params = identityQaRecipe.params.parse(rawParams);
		expect(params.questionsPerFact).toBe(3);
		expect(params.thinking).toBe('keep');
		expect(() => identityQaRecipe.params.parse({ ...rawParams, questionsPerFact: 11 })).toThrow();
		const prepared = identityQaRecipe.prepare(params, sources, settings);
		expect(prepared.inputs).toEqual([
			{ id: 'fact-0', input: { factIndex: 0, fact: facts[0] } },
			{ id: 'fact-1', input: { factIndex: 1, fact: facts[1] } }
		]);
		expect(Object.keys(prepared.documents)).toEqual(['identity:Mara', 'facts:run-7']);
		expect(identityQaRecipe.sources(params)).toEqual([
			{ kind: 'identity', id: 'mara' },
			{ kind: 'facts', id: 'run-7' }
		]);
		expect(identityQaRecipe.recordLabel(prepared.inputs[1].input)).toBe('Fact 2: Mara studied oceanography in Aberdeen.');
	});

	it('drops near-duplicate questions, answers the rest in voice in parallel', async () => {
		const engine = new TestEngine()
			.on(
				(request) => isWriter(request) && request.messages[1].content.includes('Skerry'),
				testReply('<question>Where did you grow up?</question><question>where did you grow up</question><question>Do you miss the sea?</question><question>What was your mum’s job?</question>')
			)
			.on((request) => isWriter(request) && request.messages[1].content.includes('Aberdeen'), testReply('<question>What did you study?</question>'))
			.on(isAnswer('Where did you grow up?'), testReply('<think>island</think>On Skerry Island, by the light.'));
		const { result, params } = await run(engine);
		expect(result.counts).toMatchObject({ done: 2, failed: 0 });
		const first = result.samples.filter((sample) => sample.provenance.recordId === 'fact-0');
		expect(first.map((sample) => sample.sample.meta.question)).toEqual(['Where did you grow up?', 'Do you miss the sea?', 'What was your mum’s job?']);
		expect(first[0].sample.messages).toEqual([
			{ role: 'system', content: identitySystemPrompt(doc) },
			{ role: 'user', content: 'Where did you grow up?' },
			{ role: 'assistant', content: '<think>\nisland\n</think>\n\nOn Skerry Island, by the light.' }
		]);
		expect(first[0].sample.tags).toEqual(['generated', 'identity']);
		expect(first[0].sample.meta).toEqual({ recipe: 'identity-qa', fact: facts[0], question: 'Where did you grow up?', factIndex: 0 });
		const notes = first[0].provenance.notes;
		expect(notes.filter((note) => note.kind === 'duplicate-question').map((note) => note.data)).toEqual([{ question: 'where did you grow up', duplicateOf: 'Where did you grow up?' }]);
		// The three answers of fact 0 were one parallel yield: steps 1, 2, 3.
		expect(first[0].provenance.steps.map((step) => step.stepIndex)).toEqual([0, 1, 2, 3]);
		const writer = engine.requests.find(isWriter);
		expect(writer?.messages[1].content).toContain('Write 3 different questions');
		const outcome = { input: first[0].provenance.input, samples: first.map((sample) => sample.sample), notes, stepCount: 4 };
		expect(identityQaRecipe.summarize?.(outcome, sources, params)).toEqual([
			{ label: 'Questions asked', value: '3', number: 3 },
			{ label: 'Answers kept', value: '3', number: 3 },
			{ label: 'Duplicates dropped', value: '1', number: 1 },
			{ label: 'Produced nothing', value: 'no', number: 0 }
		]);
	});

	it('keeps the other answers when one question fails, and notes a fact that produced nothing without failing it', async () => {
		const engine = new TestEngine()
			.on((request) => isWriter(request) && request.messages[1].content.includes('Skerry'), testReply('<question>Where did you grow up?</question><question>Do you miss the sea?</question>'))
			.on(isAnswer('Where did you grow up?'), testHttpError(400), testHttpError(400))
			.on((request) => isWriter(request) && request.messages[1].content.includes('Aberdeen'), testReply('<question>What did you study?</question><question>Any favourite lecturers?</question>'))
			.on(isAnswer('What did you study?'), testHttpError(400), testHttpError(400))
			.on(isAnswer('Any favourite lecturers?'), testTruncated('Well, there was one who'), testTruncated('Well, there was one who'));
		const { result, params } = await run(engine);
		expect(result.counts).toMatchObject({ done: 2, failed: 0, samples: 1 });
		expect(result.samples[0].sample.meta.question).toBe('Do you miss the sea?');
		const second = await run(
			new TestEngine()
				.on(isWriter, testReply('<question>What did you study?</question>'), testReply('<question>What did you study?</question>'))
				.on(isAnswer('What did you study?'), testHttpError(400), testHttpError(400), testHttpError(400), testHttpError(400))
		);
		expect(second.result.counts).toMatchObject({ done: 2, failed: 0, samples: 0 });
		expect(second.result.failures).toEqual([]);
		// A done record with zero samples has its notes in the record-done event.
		const notes: TaskNote[] = [];
		await dispatch(second.prepared.inputs.slice(0, 1), {
			recipeId: 'identity-qa',
			engine: new TestEngine().on(isWriter, testReply('<question>What did you study?</question>')).on(isAnswer('What did you study?'), testHttpError(400), testHttpError(400)),
			task: identityQaRecipe.task(params, sources, settings),
			clock: new VirtualClock(),
			retry: { maxAttempts: 1 },
			onEvent: (event) => {
				if (event.type === 'record-done') notes.push(...event.notes);
			}
		});
		expect(notes.map((note) => note.kind)).toEqual(['questions', 'answer-failed', 'fact-empty']);
		const stats = identityQaRecipe.summarize?.({ input: second.prepared.inputs[0].input, samples: [], notes, stepCount: 3 }, sources, params);
		expect(stats?.find((stat) => stat.label === 'Produced nothing')?.value).toBe('yes');
	});

	it('asks again with a reminder when the writer gave no questions', async () => {
		const engine = new TestEngine().on((request) => isWriter(request) && request.messages[1].content.includes('Skerry'), testReply('Sure, happy to help!'), testReply('<question>Where did you grow up?</question>'));
		const { result } = await run(engine, { ...rawParams, questionsPerFact: 1 });
		const first = result.samples.filter((sample) => sample.provenance.recordId === 'fact-0');
		expect(first.map((sample) => sample.sample.meta.question)).toEqual(['Where did you grow up?']);
		const reminder = engine.requests.find((request) => request.messages.length === 4);
		expect(reminder?.messages[2]).toEqual({ role: 'assistant', content: 'Sure, happy to help!' });
		expect(first[0].provenance.notes[0].kind).toBe('questions-retry');
	});

	it('rehearses questions and in-voice answers that flow into samples', async () => {
		const engine = new TestEngine({ defaultReply: (request, r) => identityQaRecipe.rehearse(request, mulberry32(Math.floor(r * 2 ** 32))) });
		const { result } = await run(engine, { ...rawParams, questionsPerFact: 4, thinking: 'strip' });
		expect(result.counts).toMatchObject({ done: 2, failed: 0, samples: 8 });
		for (const { sample } of result.samples) {
			expect(sample.messages).toHaveLength(3);
			expect(sample.messages[2].content).toContain('Mara');
		}
	});
});
