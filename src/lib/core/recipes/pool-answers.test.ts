import { describe, expect, it } from 'vitest';
import { TestEngine, testReply } from '../../engines/test-engine';
import { mulberry32 } from '../random';
import { VirtualClock } from '../runtime/clock';
import { dispatch } from '../runtime/dispatcher';
import { seededRandom } from '../runtime/task';
import { identityDocumentText, identitySystemPrompt, newIdentityDocument } from './identity-document';
import { poolAnswersRecipe } from './pool-answers';
import { DEFAULT_MIX, parsePromptPool, planPoolSample, ratingCountsOf } from './prompt-pool';
import type { ResolvedSources, RunSettings } from './recipe';
import type { IdentityDocument, PromptPoolItem, PromptPoolSample } from './sources';

const doc: IdentityDocument = { ...newIdentityDocument('Mara', 1_700_000_000_000, 'mara'), voice: 'Warm, dry humour.' };
const settings: RunSettings = { sampling: { max_tokens: 600, temperature: 0.7 }, seed: 42 };

const poolText = [
	...Array.from({ length: 12 }, (_, i) => JSON.stringify({ prompt: `What do you think about topic ${i}?`, score: 5 - (i % 2) })),
	...Array.from({ length: 12 }, (_, i) => JSON.stringify({ prompt: `Explain how mechanism ${i} works`, score: 2 + (i % 2) })),
	...Array.from({ length: 6 }, (_, i) => JSON.stringify({ prompt: `What is ${i}+${i}?`, score: 1 }))
].join('\n');

/** What the run service does: plan from the counts, then fetch only the chosen rows. */
function samplePool(n: number, seed: number): PromptPoolSample {
	const parsed = parsePromptPool(poolText, 'wildchat.jsonl');
	const plan = planPoolSample(ratingCountsOf(parsed.items), DEFAULT_MIX, n, seed);
	const byRating = new Map<string, PromptPoolItem[]>();
	parsed.items.forEach((item, index) => {
		const key = String(item.rating);
		byRating.set(key, [...(byRating.get(key) ?? []), { index, text: item.text, rating: item.rating }]);
	});
	return { poolId: 'wild', name: 'wildchat', items: plan.picks.map((pick) => (byRating.get(String(pick.rating)) ?? [])[pick.ordinal]) };
}

function sourcesWith(pool: PromptPoolSample): ResolvedSources {
	return { sheets: {}, identities: { mara: doc }, pools: { wild: pool }, entries: {}, facts: {} };
}

async function run(engine: TestEngine, raw: Record<string, unknown>, sources: ResolvedSources) {
	const params = poolAnswersRecipe.params.parse({ poolId: 'wild', ...raw });
	const prepared = poolAnswersRecipe.prepare(params, sources, settings);
	const result = await dispatch(prepared.inputs, {
		recipeId: poolAnswersRecipe.id,
		engine,
		task: poolAnswersRecipe.task(params, sources, settings),
		seed: settings.seed,
		clock: new VirtualClock(),
		random: seededRandom(1)
	});
	return { params, prepared, result };
}

describe('poolAnswersRecipe', () => {
	it('validates params: identity or system prompt, not both; default mix and n', () => {
		const params = poolAnswersRecipe.params.parse({ poolId: 'wild', identityId: 'mara' });
		expect(params.mix).toEqual(DEFAULT_MIX);
		expect(params.n).toBe(200);
		expect(() => poolAnswersRecipe.params.parse({ poolId: 'wild', identityId: 'mara', systemPrompt: 'Be terse.' })).toThrow(/not both/);
		expect(poolAnswersRecipe.sources(params)).toEqual([
			{ kind: 'identity', id: 'mara' },
			{ kind: 'pool', id: 'wild' }
		]);
		expect(poolAnswersRecipe.sources(poolAnswersRecipe.params.parse({ poolId: 'wild' }))).toEqual([{ kind: 'pool', id: 'wild' }]);
	});

	it('answers each sampled item in voice, with rating and pool index in meta', async () => {
		const pool = samplePool(10, 7);
		const sources = sourcesWith(pool);
		const engine = new TestEngine({ defaultReply: () => '<think>consider</think>Here is my take, as Mara.' });
		const { result, prepared } = await run(engine, { identityId: 'mara', n: 10 }, sources);
		expect(prepared.inputs).toHaveLength(10);
		expect(prepared.documents['identity:Mara']).toBe(identityDocumentText(doc));
		expect(prepared.documents['pool:wildchat'].split('\n')).toHaveLength(10);
		expect(result.counts).toMatchObject({ done: 10, failed: 0, samples: 10 });
		const ratings = result.samples.map((sample) => sample.sample.meta.rating as number);
		expect(ratings.filter((rating) => rating >= 4)).toHaveLength(4);
		expect(ratings.filter((rating) => rating === 1)).toHaveLength(2);
		const first = result.samples[0].sample;
		const item = pool.items[0];
		expect(first.messages).toEqual([
			{ role: 'system', content: identitySystemPrompt(doc) },
			{ role: 'user', content: item.text },
			{ role: 'assistant', content: '<think>\nconsider\n</think>\n\nHere is my take, as Mara.' }
		]);
		expect(first.meta).toEqual({ recipe: 'pool-answers', poolId: 'wild', rating: item.rating, poolIndex: item.index });
		expect(first.tags).toEqual(['generated', 'pool-answer']);
		expect(poolAnswersRecipe.recordLabel(prepared.inputs[0].input)).toContain(`Prompt ${item.index + 1} (${item.rating})`);
	});

	it('uses a custom system prompt or none, strips thinking on request, flags an identity leak', async () => {
		const sources = sourcesWith({ poolId: 'wild', name: 'wildchat', items: [{ index: 3, text: 'Who made you?', rating: null }] });
		const custom = await run(new TestEngine().enqueue(testReply('<think>hm</think>Nobody you know.')), { systemPrompt: ' Be terse. ', thinking: 'strip' }, sources);
		expect(custom.result.samples[0].sample.messages).toEqual([
			{ role: 'system', content: 'Be terse.' },
			{ role: 'user', content: 'Who made you?' },
			{ role: 'assistant', content: 'Nobody you know.' }
		]);
		expect(custom.prepared.documents['system-prompt']).toBe('Be terse.');
		const bare = await run(new TestEngine().enqueue(testReply('A team.')), {}, sources);
		expect(bare.result.samples[0].sample.messages.map((message) => message.role)).toEqual(['user', 'assistant']);
		const leak = await run(new TestEngine().enqueue(testReply('I am Qwen, made by Alibaba.')), { identityId: 'mara' }, sources);
		expect(leak.result.samples[0].provenance.notes.map((note) => note.kind)).toEqual(['identity-leak']);
		const maker = await run(new TestEngine().enqueue(testReply('I am Mara, and I was built by OpenAI.')), { identityId: 'mara' }, sources);
		expect(maker.result.samples[0].provenance.notes.map((note) => note.message)).toEqual(['The answer says it is made by OpenAI.']);
	});

	it('re-asks a truncated answer', async () => {
		const sources = sourcesWith({ poolId: 'wild', name: 'wildchat', items: [{ index: 0, text: 'Tell me a long story', rating: 5 }] });
		const engine = new TestEngine().enqueue({ type: 'reply', content: 'Once upon a', finishReason: 'length' }, testReply('Once upon a time, the end.'));
		const { result } = await run(engine, { identityId: 'mara' }, sources);
		expect(result.samples[0].sample.messages[2].content).toBe('Once upon a time, the end.');
		expect(result.samples[0].provenance.steps[0].rejected).toContain('cut off');
	});

	it('rehearses in-voice answers end to end', async () => {
		const sources = sourcesWith(samplePool(5, 1));
		const engine = new TestEngine({ defaultReply: (request, r) => poolAnswersRecipe.rehearse(request, mulberry32(Math.floor(r * 2 ** 32))) });
		const { result } = await run(engine, { identityId: 'mara', n: 5 }, sources);
		expect(result.counts).toMatchObject({ done: 5, samples: 5 });
		expect(result.samples.every((sample) => sample.sample.messages[2].content.includes('Mara'))).toBe(true);
	});
});
