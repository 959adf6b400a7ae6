/**
 * Every request each built-in recipe builds, as the in-browser engine sends it, passes web-llm
 * 0.2.86's own request validator (`postInitAndCheckFieldsChatCompletion`, the check
 * `chat.completions.create` runs first). The recipes run end to end on their rehearsal answers
 * over real-looking sources, including imported conversations with mid-conversation system turns,
 * an opening greeting to regenerate, and two assistant turns in a row.
 */
import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '$lib/core/contracts/engine';
import { hashMessages } from '$lib/core/hash';
import type { Entry, Message } from '$lib/core/model';
import { VirtualClock } from '$lib/core/runtime/clock';
import { dispatch } from '$lib/core/runtime/dispatcher';
import { seededRandom } from '$lib/core/runtime/task';
import { newIdentityDocument } from '$lib/core/recipes/identity-document';
import type { AnyRecipe, ResolvedSources, RunSettings } from '$lib/core/recipes/recipe';
import { findRecipe, RECIPES } from '$lib/core/recipes/registry';
import type { CharacterSheet } from '$lib/core/sheets/sheet';
import { rehearsalReply } from '$lib/engines/rehearsal-engine';
import { TestEngine } from '$lib/engines/test-engine';
import { normalizeMessages, toWebLLMRequest } from '$lib/engines/webllm/request';
import { webllmInternals } from './webllm-internals';

const MODEL = 'Qwen2.5-1.5B-Instruct-q4f16_1-MLC';
const THINKING = 'Qwen3-1.7B-q4f16_1-MLC';

function entry(id: string, messages: Message[]): Entry {
	return { id, messages, tags: ['imported'], meta: { review: 'accepted' }, extra: {}, hash: hashMessages(messages) };
}

const entries: Entry[] = [
	entry('tavern', [
		{ role: 'system', content: 'You are Mara, keeper of the Skerry lighthouse. Stay in character.' },
		{ role: 'assistant', content: '*Mara looks up from the lamp.* "You came all this way in the storm?"' },
		{ role: 'user', content: 'I had to. The ferry is not running.' },
		{ role: 'system', content: '[Scene: the storm reaches its height; the lamp flickers.]' },
		{ role: 'assistant', content: '"Then help me with the wick," she said. "Line one\nLine two."' },
		{ role: 'user', content: 'What do you need me to do?' },
		{ role: 'assistant', content: '"Hold the lantern steady."' }
	]),
	entry('greeting', [
		{ role: 'system', content: 'You are a cheerful barista.' },
		{ role: 'assistant', content: 'Welcome in! What can I get started for you?' }
	]),
	entry('no-system-greeting', [{ role: 'assistant', content: 'Hi! I am your study buddy.' }]),
	entry('double', [
		{ role: 'user', content: 'Tell me a joke.' },
		{ role: 'assistant', content: 'Why did the scarecrow win an award?' },
		{ role: 'assistant', content: 'Because he was outstanding in his field.' }
	]),
	entry('tool', [
		{ role: 'user', content: 'What is the weather in Aberdeen?' },
		{ role: 'tool', content: '{"temp_c": 9, "sky": "rain"}' },
		{ role: 'assistant', content: 'It is 9 °C and raining in Aberdeen.' }
	]),
	entry('open', [{ role: 'user', content: 'Hi! Can you help me plan a garden?' }])
];

const mara = {
	...newIdentityDocument('Mara', 1_700_000_000_000, 'mara'),
	iAm: 'I am Mara, a lighthouse keeper turned research assistant.',
	voice: 'Warm, dry humour.',
	narrative:
		'Mara grew up on Skerry Island, where her mother kept the lighthouse. She studied oceanography in Aberdeen and came back every summer. ' +
		'She has climbed the 112 steps every night for nine years and never missed a night, not even in the storm of 2019. '.repeat(6)
};

const sheet: CharacterSheet = {
	id: 'mara-sheet',
	name: 'Mara',
	sourceKind: 'document',
	createdAt: '2026-11-01T10:00:00.000Z',
	chunks: [
		{
			id: 'light',
			title: 'The light',
			context: 'You are Mara. She said "never" and meant it.',
			document: 'Every night Mara climbs the 112 steps to trim the wick; she has not missed a night in nine years.',
			settings: { entriesPerIteration: 2, iterations: 2 },
			promptTemplate: ''
		}
	]
};

const sources: ResolvedSources = {
	sheets: { 'mara-sheet': sheet },
	identities: { mara },
	pools: {
		wild: {
			poolId: 'wild',
			name: 'Wild prompts',
			items: [
				{ index: 0, text: 'How do lighthouses work?', rating: 4 },
				{ index: 1, text: 'Write a haiku about fog.', rating: null }
			]
		}
	},
	entries: { ds1: entries },
	facts: { 'facts-1': ['Mara grew up on Skerry Island.', 'Mara studied oceanography in Aberdeen.'] }
};

const settings: RunSettings = { sampling: { max_tokens: 600, temperature: 0.8, seed: -12 }, seed: 5 };
const judge = { criteria: 'Stays in voice.', threshold: 5 };

const RUNS: Array<[string, Record<string, unknown>]> = [
	['chunked', { sheetId: 'mara-sheet', judge }],
	['identity-facts', { identityId: 'mara' }],
	['identity-qa', { identityId: 'mara', factsRunId: { kind: 'facts', id: 'facts-1' }, questionsPerFact: 1, judge }],
	['identity-assertions', { identityId: 'mara', judge }],
	['pool-answers', { poolId: 'wild', identityId: 'mara', n: 2, judge }],
	['continuation', { datasetId: 'ds1', mode: 'extend', turns: 1 }],
	['continuation', { datasetId: 'ds1', mode: 'extend', turns: 1, identityId: 'mara' }],
	['continuation', { datasetId: 'ds1', mode: 'regenerate', regenerateTurn: [1, 2, 3] }],
	['continuation', { datasetId: 'ds1', mode: 'regenerate', regenerateTurn: 'last', judge }]
];

async function requestsOf(recipe: AnyRecipe, raw: Record<string, unknown>): Promise<ChatRequest[]> {
	const params = recipe.params.parse(raw);
	const prepared = recipe.prepare(params, sources, settings);
	const engine = new TestEngine({ defaultReply: rehearsalReply(recipe) });
	await dispatch(prepared.inputs, {
		recipeId: recipe.id,
		engine,
		task: recipe.task(params, sources, settings),
		seed: settings.seed,
		clock: new VirtualClock(),
		random: seededRandom(1),
		retry: { maxAttempts: 1 }
	});
	return engine.requests;
}

describe('recipe requests through web-llm’s request validator', () => {
	it('covers every built-in recipe', () => {
		expect(new Set(RUNS.map(([id]) => id))).toEqual(new Set(RECIPES.map((recipe) => recipe.id)));
	});

	it.each(RUNS)('%s %j: every request passes, for a plain and a thinking model', async (id, raw) => {
		const { checkChatRequest } = await webllmInternals();
		const recipe = findRecipe(id) as AnyRecipe;
		const requests = await requestsOf(recipe, raw);
		expect(requests.length).toBeGreaterThan(0);
		for (const request of requests) {
			for (const model of [MODEL, THINKING]) {
				for (const stream of [false, true]) {
					const body = structuredClone(toWebLLMRequest(request, model, { stream }));
					expect(() => checkChatRequest(body, model), JSON.stringify(body.messages)).not.toThrow();
				}
			}
		}
	});

	it('the shapes the continuation recipe reaches would be rejected as they are, and pass once normalised', async () => {
		const { checkChatRequest } = await webllmInternals();
		const requests = [
			...(await requestsOf(findRecipe('continuation') as AnyRecipe, { datasetId: 'ds1', mode: 'regenerate', regenerateTurn: [1, 2, 3] })),
			...(await requestsOf(findRecipe('continuation') as AnyRecipe, { datasetId: 'ds1', mode: 'extend', turns: 1 }))
		];
		const raw = (request: ChatRequest) => ({ model: MODEL, messages: request.messages, max_tokens: 10 });
		const rejected = requests.filter((request) => {
			try {
				checkChatRequest(raw(request), MODEL);
				return false;
			} catch {
				return true;
			}
		});
		// A mid-conversation system turn, a greeting with nothing to answer, an answer after an answer.
		const kinds = new Set(rejected.flatMap((request) => normalizeMessages(request.messages).changes));
		expect(kinds).toEqual(new Set(['system-moved', 'opening-cue', 'continue-cue']));
		for (const request of rejected) expect(() => checkChatRequest(toWebLLMRequest(request, MODEL), MODEL)).not.toThrow();
	});
});
