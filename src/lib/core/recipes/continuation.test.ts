import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../contracts/engine';
import { TestEngine, testReply } from '../../engines/test-engine';
import { hashMessages } from '../hash';
import type { Entry, Message } from '../model';
import { mulberry32 } from '../random';
import { VirtualClock } from '../runtime/clock';
import { dispatch } from '../runtime/dispatcher';
import { seededRandom } from '../runtime/task';
import { chatMessageOf, cleanUserTurn, continuationRecipe, DEFAULT_USER_SIMULATOR_PROMPT, transcriptOf } from './continuation';
import { identitySystemPrompt, newIdentityDocument } from './identity-document';
import type { ResolvedSources, RunSettings } from './recipe';

function entry(id: string, messages: Message[]): Entry {
	return { id, messages, tags: [], meta: { review: 'accepted' }, extra: {}, hash: hashMessages(messages) };
}

const tide = entry('e-tide', [
	{ role: 'system', content: 'You are a patient tutor.' },
	{ role: 'user', content: 'Why are there two tides a day?' },
	{ role: 'assistant', content: '<think>bulges</think>Because the Moon pulls two bulges of water around the Earth.' },
	{ role: 'user', content: 'Two bulges? Why not one?' },
	{ role: 'assistant', content: 'The far side is pulled less than the Earth itself, so it lags behind.' }
]);
const open = entry('e-open', [{ role: 'user', content: 'Hi! Can you help me plan a garden?' }]);
const mara = { ...newIdentityDocument('Mara', 1_700_000_000_000, 'mara'), voice: 'Warm, dry humour.' };
const sources: ResolvedSources = { sheets: {}, identities: { mara }, pools: {}, entries: { ds1: [tide, open, entry('e-other', [{ role: 'user', content: 'x' }])] }, facts: {} };
const settings: RunSettings = { sampling: { max_tokens: 500, temperature: 0.9 }, seed: 9 };

async function run(engine: TestEngine, raw: Record<string, unknown>) {
	const params = continuationRecipe.params.parse({ datasetId: 'ds1', ...raw });
	const prepared = continuationRecipe.prepare(params, sources, settings);
	const result = await dispatch(prepared.inputs, {
		recipeId: continuationRecipe.id,
		engine,
		task: continuationRecipe.task(params, sources, settings),
		seed: settings.seed,
		clock: new VirtualClock(),
		random: seededRandom(1),
		concurrency: 1
	});
	return { params, prepared, result };
}

const isSimulator = (request: ChatRequest) => request.messages.length === 2 && request.messages[1].content.endsWith('Write the next user message.');

describe('continuation helpers', () => {
	it('converts stored messages and writes a transcript without thinking', () => {
		expect(chatMessageOf({ role: 'gpt', content: 'hi' })).toEqual({ role: 'assistant', content: 'hi' });
		expect(chatMessageOf({ role: 'human', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] })).toEqual({ role: 'user', content: 'a\nb' });
		expect(chatMessageOf({ role: 'assistant', content: null })).toEqual({ role: 'assistant', content: '' });
		expect(transcriptOf(tide.messages.map(chatMessageOf))).toBe(
			'USER: Why are there two tides a day?\n\nASSISTANT: Because the Moon pulls two bulges of water around the Earth.\n\nUSER: Two bulges? Why not one?\n\nASSISTANT: The far side is pulled less than the Earth itself, so it lags behind.'
		);
		expect(cleanUserTurn('<think>be curious</think>User: "So what about spring tides?"')).toBe('So what about spring tides?');
	});

	it('keeps only the user turn of a simulator that carries on the transcript', () => {
		expect(cleanUserTurn('USER: And spring tides?\n\nASSISTANT: Spring tides happen when the Sun and Moon line up.')).toBe('And spring tides?');
		expect(cleanUserTurn('And spring tides?\n**Assistant:** They happen at new and full moon.')).toBe('And spring tides?');
		expect(cleanUserTurn('ASSISTANT: Spring tides happen when the Sun and Moon line up.')).toBe('');
		expect(cleanUserTurn('Is my assistant: the Moon, right?')).toBe('Is my assistant: the Moon, right?');
	});

	it('prepares the ticked entries in the order given, once each', () => {
		const params = continuationRecipe.params.parse({ datasetId: 'ds1', entryIds: ['e-open', 'missing', 'e-tide', 'e-open'] });
		expect(params).toMatchObject({ mode: 'extend', turns: 1, regenerateTurn: 'last', userSimulatorPrompt: DEFAULT_USER_SIMULATOR_PROMPT });
		const prepared = continuationRecipe.prepare(params, sources, settings);
		expect(prepared.inputs.map((record) => record.id)).toEqual(['entry-e-open', 'entry-e-tide']);
		expect(Object.keys(prepared.documents)).toEqual(['entry:e-open', 'entry:e-tide']);
		expect(continuationRecipe.sources(params)).toEqual([{ kind: 'dataset', id: 'ds1', entryIds: ['e-open', 'missing', 'e-tide', 'e-open'] }]);
		expect(() => continuationRecipe.params.parse({ datasetId: 'ds1', entryIds: ['x'], turns: 21 })).toThrow();
		expect(continuationRecipe.recordLabel(prepared.inputs[0].input)).toBe('Entry e-open: Hi! Can you help me plan a garden?');
	});

	it('without entry ids takes every entry of the dataset, narrowed by a tag', () => {
		const tagged: ResolvedSources = { ...sources, entries: { ds1: [{ ...tide, tags: ['keeper'] }, open, { ...open, id: 'e-open-2', tags: ['Keeper', 'x'] }] } };
		const all = continuationRecipe.params.parse({ datasetId: 'ds1' });
		expect(continuationRecipe.sources(all)).toEqual([{ kind: 'dataset', id: 'ds1' }]);
		expect(continuationRecipe.prepare(all, tagged, settings).inputs.map((record) => record.id)).toEqual(['entry-e-tide', 'entry-e-open', 'entry-e-open-2']);
		const keeper = continuationRecipe.params.parse({ datasetId: 'ds1', tag: 'keeper' });
		expect(continuationRecipe.prepare(keeper, tagged, settings).inputs.map((record) => record.id)).toEqual(['entry-e-tide', 'entry-e-open-2']);
		const both = continuationRecipe.params.parse({ datasetId: 'ds1', tag: 'keeper', entryIds: ['e-open', 'e-open-2'] });
		expect(continuationRecipe.prepare(both, tagged, settings).inputs.map((record) => record.id)).toEqual(['entry-e-open-2']);
	});
});

describe('continuationRecipe', () => {
	it('extend adds exactly k user/assistant pairs, the user turns by the simulator, the answers with the conversation so far', async () => {
		let n = 0;
		const engine = new TestEngine({ defaultReply: (request) => (isSimulator(request) ? `User question ${++n}?` : `Answer after ${request.messages.length} messages.`) });
		const { result } = await run(engine, { entryIds: ['e-tide'], turns: 3 });
		expect(result.counts).toMatchObject({ done: 1, samples: 1 });
		const sample = result.samples[0].sample;
		expect(sample.messages).toHaveLength(5 + 6);
		expect(sample.messages.slice(0, 5)).toEqual(tide.messages);
		expect(sample.messages.slice(5).map((message) => message.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant']);
		expect(sample.messages.slice(5).map((message) => message.content)).toEqual(['User question 1?', 'Answer after 6 messages.', 'User question 2?', 'Answer after 8 messages.', 'User question 3?', 'Answer after 10 messages.']);
		expect(sample.meta).toEqual({ recipe: 'continuation', sourceEntryId: 'e-tide', mode: 'extend', addedTurns: 6 });
		expect(sample.tags).toEqual(['generated', 'continuation']);
		const simulator = engine.requests.filter((request) => isSimulator(request as ChatRequest));
		expect(simulator).toHaveLength(3);
		expect(simulator[0].messages[0].content).toBe(DEFAULT_USER_SIMULATOR_PROMPT);
		expect(simulator[1].messages[1].content).toContain('USER: User question 1?\n\nASSISTANT: Answer after 6 messages.');
		// The voice sees the entry's system prompt and earlier turns without their thinking.
		const answer = engine.requests.find((request) => !isSimulator(request as ChatRequest));
		expect(answer?.messages[0]).toEqual({ role: 'system', content: 'You are a patient tutor.' });
		expect(answer?.messages[2].content).toBe('Because the Moon pulls two bulges of water around the Earth.');
		expect(answer?.messages.at(-1)).toEqual({ role: 'user', content: 'User question 1?' });
	});

	it('extend with an identity swaps in its system prompt and answers an open user turn first', async () => {
		const engine = new TestEngine({ defaultReply: (request) => (isSimulator(request) ? 'And the soil?' : "Mara here: let's plan it.") });
		const { result } = await run(engine, { entryIds: ['e-open'], turns: 1, identityId: 'mara' });
		const sample = result.samples[0].sample;
		expect(sample.messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant']);
		expect(sample.messages[0].content).toBe(identitySystemPrompt(mara));
		expect(sample.meta.addedTurns).toBe(3);
		expect(result.samples[0].provenance.notes.map((note) => note.kind)).toEqual(['answered-open-turn']);
	});

	it('re-asks an empty simulated user turn', async () => {
		const engine = new TestEngine({ defaultReply: () => 'A fine answer.' }).on((request) => isSimulator(request), testReply('User: ""'), testReply('What about neap tides?'));
		const { result } = await run(engine, { entryIds: ['e-tide'] });
		expect(result.samples[0].sample.messages[5]).toEqual({ role: 'user', content: 'What about neap tides?' });
		expect(result.samples[0].provenance.steps[0].rejected).toContain('empty message');
	});

	it('regenerate replaces the chosen assistant turns from the conversation up to them', async () => {
		const engine = new TestEngine({ defaultReply: (request) => `New reply after ${request.messages.length} messages.` });
		const { result } = await run(engine, { entryIds: ['e-tide', 'e-open'], mode: 'regenerate', regenerateTurn: [2, 1, 5], thinking: 'strip' });
		expect(result.counts).toMatchObject({ done: 2, failed: 0, samples: 1 });
		const sample = result.samples[0].sample;
		expect(sample.messages.map((message) => message.content)).toEqual([
			'You are a patient tutor.',
			'Why are there two tides a day?',
			'New reply after 2 messages.',
			'Two bulges? Why not one?',
			'New reply after 4 messages.'
		]);
		expect(sample.meta).toMatchObject({ mode: 'regenerate', addedTurns: 0, regeneratedTurns: [1, 2] });
		expect((sample.meta.replaced as { before: string }[])[0].before).toContain('two bulges');
		expect(result.samples[0].provenance.notes.map((note) => note.kind)).toEqual(['turn-missing']);
		// The second answer saw the first regenerated one.
		expect(engine.requests[1].messages[2].content).toBe('New reply after 2 messages.');
	});

	it('regenerate "last" replaces only the last assistant turn', async () => {
		const engine = new TestEngine().enqueue(testReply('A fresh last reply.'));
		const { result } = await run(engine, { entryIds: ['e-tide'], mode: 'regenerate' });
		const sample = result.samples[0].sample;
		expect(sample.messages.slice(0, 4)).toEqual(tide.messages.slice(0, 4));
		expect(sample.messages[4]).toEqual({ role: 'assistant', content: 'A fresh last reply.' });
		expect(engine.requests[0].messages).toHaveLength(4);
	});

	it('best-of-N regenerates the last turn N times, each with its own seed, one sample per candidate', async () => {
		const engine = new TestEngine({ defaultReply: (request) => `Take with seed ${request.sampling.seed}.` });
		const { result } = await run(engine, { entryIds: ['e-tide'], mode: 'regenerate', bestOf: 3 });
		expect(result.counts).toMatchObject({ done: 1, failed: 0, samples: 3 });
		expect(engine.requests.map((request) => request.sampling.seed)).toEqual([9, 10, 11]);
		expect(result.samples.map((found) => [found.sample.messages[4].content, found.sample.meta.candidate, found.sample.meta.of, (found.sample.meta.replaced as { before: string }[])[0].before])).toEqual([
			['Take with seed 9.', 1, 3, tide.messages[4].content],
			['Take with seed 10.', 2, 3, tide.messages[4].content],
			['Take with seed 11.', 3, 3, tide.messages[4].content]
		]);
	});

	it('rehearses user turns and answers end to end', async () => {
		const engine = new TestEngine({ defaultReply: (request, r) => continuationRecipe.rehearse(request, mulberry32(Math.floor(r * 2 ** 32))) });
		const { result } = await run(engine, { entryIds: ['e-tide', 'e-open'], turns: 2, identityId: 'mara' });
		expect(result.counts).toMatchObject({ done: 2, failed: 0, samples: 2 });
		const tideSample = result.samples.find((sample) => sample.sample.meta.sourceEntryId === 'e-tide')?.sample;
		expect(tideSample?.messages).toHaveLength(5 + 4);
		expect(tideSample?.messages[5].role).toBe('user');
		expect(tideSample?.messages[5].content).toMatch(/"[^"]+"/);
		expect(tideSample?.messages[6].content).toContain('Mara');
	});
});
