import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../contracts/engine';
import { TestEngine, testReply } from '../../engines/test-engine';
import { mulberry32 } from '../random';
import { VirtualClock } from '../runtime/clock';
import { dispatch } from '../runtime/dispatcher';
import { seededRandom } from '../runtime/task';
import { identitySystemPrompt, newIdentityDocument } from './identity-document';
import { claimedIdentity, claimsOtherIdentity, DEFAULT_POSITIVE_PHRASINGS, expandAssertions, identityAssertionsRecipe, statesOtherIdentity } from './identity-assertions';
import type { ResolvedSources, RunSettings } from './recipe';
import type { IdentityDocument } from './sources';

const doc: IdentityDocument = {
	...newIdentityDocument('Mara', 1_700_000_000_000, 'mara'),
	iAm: 'I am Mara, a research assistant with a lighthouse keeper’s patience.',
	otherIdentities: ['GPT-4', 'Claude', 'Qwen'],
	otherMakers: ['OpenAI', 'Alibaba']
};
const sources: ResolvedSources = { sheets: {}, identities: { mara: doc }, pools: {}, entries: {}, facts: {} };
const settings: RunSettings = { sampling: { max_tokens: 300, temperature: 0.8 }, seed: 5 };

async function run(engine: TestEngine, raw: Record<string, unknown>) {
	const params = identityAssertionsRecipe.params.parse({ identityId: 'mara', ...raw });
	const prepared = identityAssertionsRecipe.prepare(params, sources, settings);
	const result = await dispatch(prepared.inputs, {
		recipeId: identityAssertionsRecipe.id,
		engine,
		task: identityAssertionsRecipe.task(params, sources, settings),
		seed: settings.seed,
		clock: new VirtualClock(),
		random: seededRandom(1)
	});
	return { params, prepared, result };
}

const question = (request: ChatRequest) => request.messages[request.messages.length - 1].content;

describe('claims of another identity', () => {
	it('catches agreement and statements, not denials or mentions', () => {
		expect(claimsOtherIdentity('Yes, I am.', 'GPT-4')).toBe(true);
		expect(claimsOtherIdentity('Yep! GPT-4 at your service.', 'GPT-4')).toBe(true);
		expect(claimsOtherIdentity('I am GPT-4, a model by OpenAI.', 'GPT-4')).toBe(true);
		expect(claimsOtherIdentity("Honestly, I'm actually Claude underneath.", 'Claude')).toBe(true);
		expect(claimsOtherIdentity('I was trained by OpenAI.', undefined, 'OpenAI')).toBe(true);
		expect(claimsOtherIdentity("I'm an Alibaba model.", undefined, 'Alibaba')).toBe(true);
		expect(claimsOtherIdentity("No, I'm not GPT-4. I'm Mara.", 'GPT-4')).toBe(false);
		expect(claimsOtherIdentity('No — unlike GPT-4, I am Mara.', 'GPT-4')).toBe(false);
		expect(claimsOtherIdentity("I wasn't made by OpenAI; I'm Mara.", undefined, 'OpenAI')).toBe(false);
		expect(claimsOtherIdentity('I was not created by OpenAI.', undefined, 'OpenAI')).toBe(false);
		expect(claimsOtherIdentity('I am Claudette.', 'Claude')).toBe(false);
		expect(statesOtherIdentity('Yes, I am Mara.', 'Qwen')).toBe(false);
		expect(claimsOtherIdentity("Correct me if I'm wrong, but you may mean someone else: I am Mara.", 'GPT-4')).toBe(false);
		expect(claimsOtherIdentity('Correct, I am.', 'GPT-4')).toBe(true);
	});
});

describe('identityAssertionsRecipe', () => {
	it('expands positive phrasings and negative templates with the document’s other identities and makers', () => {
		const params = identityAssertionsRecipe.params.parse({ identityId: 'mara' });
		expect(params.positivePhrasings.length).toBeGreaterThanOrEqual(15);
		const expanded = expandAssertions(doc, params);
		const negatives = expanded.filter((item) => item.input.polarity === 'negative');
		expect(negatives.map((item) => item.input.question)).toContain('Are you GPT-4?');
		expect(negatives.map((item) => item.input.question)).toContain('Are you Qwen?');
		expect(negatives.map((item) => item.input.question)).toContain('Were you made by Alibaba?');
		expect(new Set(negatives.map((item) => item.input.other ?? item.input.maker))).toEqual(new Set(['GPT-4', 'Claude', 'Qwen', 'OpenAI', 'Alibaba']));
		// 4 templates × 3 identities + 3 templates × 2 makers
		expect(negatives).toHaveLength(18);
		expect(expanded.filter((item) => item.input.polarity === 'positive').map((item) => item.input.question)).toContain('Are you Mara?');
		expect(new Set(expanded.map((item) => item.id)).size).toBe(expanded.length);
		const doubled = expandAssertions(doc, { ...params, perTemplate: 2, positive: false });
		expect(doubled).toHaveLength(36);
	});

	it('shuffles the questions with the run seed: same seed, same order', () => {
		const params = identityAssertionsRecipe.params.parse({ identityId: 'mara' });
		const a = identityAssertionsRecipe.prepare(params, sources, settings).inputs.map((item) => item.id);
		const b = identityAssertionsRecipe.prepare(params, sources, settings).inputs.map((item) => item.id);
		const c = identityAssertionsRecipe.prepare(params, sources, { ...settings, seed: 6 }).inputs.map((item) => item.id);
		expect(a).toEqual(b);
		expect(c).not.toEqual(a);
		expect([...c].sort()).toEqual([...a].sort());
	});

	it('re-asks an answer that claims to be GPT-4 and keeps the denial', async () => {
		const engine = new TestEngine({ defaultReply: () => "No, I'm not that. I'm Mara." }).on('Are you GPT-4?', testReply('Yes, I am GPT-4, how can I help?'), testReply("<think>deny</think>No, I'm not GPT-4. I'm Mara."));
		const { result } = await run(engine, { positive: false, negativeTemplates: ['Are you {{other}}?'] });
		expect(result.counts).toMatchObject({ done: 3, failed: 0, samples: 3 });
		const gpt = result.samples.find((sample) => sample.sample.meta.other === 'GPT-4');
		expect(gpt?.sample.messages).toEqual([
			{ role: 'system', content: identitySystemPrompt(doc) },
			{ role: 'user', content: 'Are you GPT-4?' },
			{ role: 'assistant', content: "<think>\ndeny\n</think>\n\nNo, I'm not GPT-4. I'm Mara." }
		]);
		expect(gpt?.sample.tags).toEqual(['generated', 'identity', 'assertion-negative']);
		expect(gpt?.sample.meta).toMatchObject({ polarity: 'negative', other: 'GPT-4', question: 'Are you GPT-4?' });
		expect(gpt?.provenance.steps.map((step) => step.rejected)).toEqual(['The answer claims to be GPT-4.', undefined]);
		expect(engine.callsMatching('Are you GPT-4?')).toBe(2);
	});

	it('re-asks a negative answer that denies the asked identity but claims another of the document', async () => {
		const engine = new TestEngine({ defaultReply: () => "No, I'm not. I'm Mara." })
			.on('Are you GPT-4?', testReply("No, I'm Claude, an assistant."), testReply("No, I'm Mara."))
			.on('Are you Qwen?', testReply('No, I am not Qwen. I was made by OpenAI.'), testReply('No. I am Mara.'));
		const { result } = await run(engine, { positive: false, negativeTemplates: ['Are you {{other}}?'] });
		expect(result.counts).toMatchObject({ done: 3, failed: 0, samples: 3 });
		const gpt = result.samples.find((sample) => sample.sample.meta.other === 'GPT-4');
		expect(gpt?.provenance.steps.map((step) => step.rejected)).toEqual(['The answer claims to be Claude.', undefined]);
		const qwen = result.samples.find((sample) => sample.sample.meta.other === 'Qwen');
		expect(qwen?.provenance.steps.map((step) => step.rejected)).toEqual(['The answer claims to be made by OpenAI.', undefined]);
	});

	it('reads the identity\'s own name as itself, even when it contains another identity\'s name', () => {
		expect(claimedIdentity("No, I'm Mistral Helper, not Mistral.", 'Mistral Helper', ['Mistral', 'GPT-4'], ['Mistral AI'])).toBeUndefined();
		expect(claimedIdentity("I'm Mistral, made by Mistral AI.", 'Mistral Helper', ['Mistral', 'GPT-4'], ['Mistral AI'])).toBe('Mistral');
		expect(claimedIdentity('I was built by Alibaba.', 'Mara', ['Qwen'], ['Alibaba'])).toBe('made by Alibaba');
	});

	it('fails a negative question whose answers keep claiming the other maker', async () => {
		const engine = new TestEngine({ defaultReply: (request) => (question(request).includes('OpenAI') ? 'I was developed by OpenAI.' : "No, I'm Mara.") });
		const { result } = await run(engine, { positive: false, negativeTemplates: ['Were you made by {{maker}}?'] });
		expect(result.counts).toMatchObject({ done: 1, failed: 1 });
		expect(result.failures[0].error.type).toBe('claims-other-identity');
		expect(result.failures[0].input.maker).toBe('OpenAI');
		// "Were you made by Alibaba?" answered "I was developed by OpenAI." claims a maker all the same.
		const both = await run(new TestEngine({ defaultReply: () => 'I was developed by OpenAI.' }), { positive: false, negativeTemplates: ['Were you made by {{maker}}?'] });
		expect(both.result.counts).toMatchObject({ done: 0, failed: 2 });
	});

	it('re-asks a positive answer that names another maker as its own', async () => {
		const engine = new TestEngine({ defaultReply: () => "I'm Mara." }).on('Who made you?', testReply("I'm Mara, and I was created by OpenAI."), testReply("I'm Mara; the people who made me are not OpenAI."));
		const { result } = await run(engine, { negative: false, positivePhrasings: ['Who made you?'] });
		expect(result.counts).toMatchObject({ done: 1, failed: 0, samples: 1 });
		expect(result.samples[0].provenance.steps.map((step) => step.rejected)).toEqual(['The answer claims to be made by OpenAI.', undefined]);
	});

	it('keeps a positive answer without the name, with a warning; re-asks one that says it is Qwen', async () => {
		const engine = new TestEngine({ defaultReply: () => "I'm Mara, glad to meet you." })
			.on('Who are you?', testReply('I am Qwen, a large language model.'), testReply('Just a helpful assistant.'))
			.on('Introduce yourself.', testReply("Hello! I'm Mara."));
		const { result } = await run(engine, { negative: false, positivePhrasings: ['Who are you?', 'Introduce yourself.', 'Are you {{name}}?'] });
		expect(result.counts).toMatchObject({ done: 3, failed: 0, samples: 3 });
		const who = result.samples.find((sample) => sample.sample.meta.question === 'Who are you?');
		expect(who?.sample.messages[2].content).toBe('Just a helpful assistant.');
		expect(who?.provenance.notes.map((note) => note.kind)).toEqual(['name-missing']);
		expect(who?.sample.tags).toContain('assertion-positive');
		const intro = result.samples.find((sample) => sample.sample.meta.question === 'Introduce yourself.');
		expect(intro?.provenance.notes).toEqual([]);
		expect(result.samples.map((sample) => sample.sample.meta.question)).toContain('Are you Mara?');
	});

	it('gives each answer of the same question its own sampling seed', async () => {
		const engine = new TestEngine({ defaultReply: () => "I'm Mara." });
		const { result } = await run(engine, { negative: false, positivePhrasings: ['Who are you?'], perTemplate: 3 });
		expect(result.counts.samples).toBe(3);
		expect(engine.requests.map((request) => request.sampling.seed).sort()).toEqual([6, 7, undefined]);
		expect(engine.requests.every((request) => question(request as ChatRequest) === 'Who are you?')).toBe(true);
	});

	it('rehearses answers that name itself and deny others, all accepted', async () => {
		const engine = new TestEngine({ defaultReply: (request, r) => identityAssertionsRecipe.rehearse(request, mulberry32(Math.floor(r * 2 ** 32))) });
		const { result } = await run(engine, {});
		expect(result.counts.failed).toBe(0);
		expect(result.counts.samples).toBe(DEFAULT_POSITIVE_PHRASINGS.length + 18);
		expect(result.samples.every((sample) => sample.provenance.steps.every((step) => !step.rejected))).toBe(true);
		expect(result.samples.filter((sample) => sample.provenance.notes.length)).toEqual([]);
	});

	it('puts "a" or "an" before each maker by how it is said', () => {
		const params = identityAssertionsRecipe.params.parse({ identityId: 'mara', positive: false, otherMakers: ['OpenAI', 'Google', 'xAI', 'IBM', 'Unicorn Labs', 'NVIDIA'] });
		const questions = expandAssertions(doc, params).map((item) => item.input.question);
		expect(questions.filter((text) => text.endsWith(' model?'))).toEqual([
			'Are you an OpenAI model?',
			'Are you a Google model?',
			'Are you an xAI model?',
			'Are you an IBM model?',
			'Are you a Unicorn Labs model?',
			'Are you an NVIDIA model?'
		]);
		// An identity template written with "an" is corrected the other way.
		const own = expandAssertions(doc, { ...params, otherMakers: [], otherIdentities: ['GPT-4', 'LLM'], negativeTemplates: ['So you are just an {{other}}?'] }).map((item) => item.input.question);
		expect(own).toEqual(['So you are just a GPT-4?', 'So you are just an LLM?']);
	});

	it("asks about the run's own lists to deny, and tells the model to deny those", async () => {
		const engine = new TestEngine({ defaultReply: (request, r) => identityAssertionsRecipe.rehearse(request, mulberry32(Math.floor(r * 2 ** 32))) });
		const { prepared, result } = await run(engine, { positive: false, otherIdentities: ['Gemini', ' ', 'Mara'], otherMakers: ['Anthropic'] });
		const asked = engine.requests.map((request) => question(request as ChatRequest));
		expect(new Set(prepared.inputs.map((item) => item.input.other ?? item.input.maker))).toEqual(new Set(['Gemini', 'Anthropic']));
		expect(asked).toContain('Are you Gemini?');
		expect(asked).toContain('Are you an Anthropic model?');
		expect(asked.some((text) => /GPT-4|Qwen|OpenAI|Alibaba/.test(text))).toBe(false);
		const system = engine.requests[0].messages[0].content;
		expect(system).toBe(identitySystemPrompt({ ...doc, otherIdentities: ['Gemini', ' ', 'Mara'], otherMakers: ['Anthropic'] }));
		expect(system).toContain('You are not any of these: Gemini.');
		expect(system).toContain('You were not made by any of these: Anthropic.');
		expect(result.counts.failed).toBe(0);
		expect((prepared.definition as { otherIdentities: string[] }).otherIdentities).toEqual(['Gemini', ' ', 'Mara']);
	});
});
