import { describe, expect, it } from 'vitest';
import { TestEngine, testReply } from '../../engines/test-engine';
import { mulberry32 } from '../random';
import { VirtualClock } from '../runtime/clock';
import { dispatch } from '../runtime/dispatcher';
import { seededRandom } from '../runtime/task';
import { identityDocumentText, newIdentityDocument } from './identity-document';
import { identityFactsRecipe, parseFacts } from './identity-facts';
import type { ResolvedSources, RunSettings } from './recipe';
import type { IdentityDocument } from './sources';

const doc: IdentityDocument = {
	...newIdentityDocument('Mara', 1_700_000_000_000, 'mara'),
	narrative:
		'# Early years\n\nI grew up on Skerry Island, where my mother kept the light for twenty years. I learned to read by the lamp.\n\nAt nineteen I moved to Aberdeen to study oceanography. I still miss the sound of the foghorn.'
};
const sources: ResolvedSources = { sheets: {}, identities: { mara: doc }, pools: {}, entries: {}, facts: {} };
const settings: RunSettings = { sampling: { max_tokens: 800, temperature: 0.3 }, seed: 11 };

async function run(engine: TestEngine, raw: unknown = { identityId: 'mara', passageChars: 200 }) {
	const params = identityFactsRecipe.params.parse(raw);
	const prepared = identityFactsRecipe.prepare(params, sources, settings);
	const result = await dispatch(prepared.inputs, {
		recipeId: identityFactsRecipe.id,
		engine,
		task: identityFactsRecipe.task(params, sources, settings),
		seed: settings.seed,
		clock: new VirtualClock(),
		random: seededRandom(1)
	});
	return { params, prepared, result };
}

describe('parseFacts', () => {
	it('reads well-formed facts and ignores stray text and thinking', () => {
		const parsed = parseFacts('<think>I will write <fact>tags</fact> now</think>Here are the facts:\n<fact>Mara grew up on Skerry Island.</fact>\nsome chatter\n<fact> Mara learned to read by the lamp. </fact>');
		expect(parsed.facts).toEqual(['Mara grew up on Skerry Island.', 'Mara learned to read by the lamp.']);
	});

	it('never takes a fact from thinking: other reasoning tags, an unclosed block, a prefilled one', () => {
		expect(parseFacts('<thinking>Maybe <fact>Mara hates the sea.</fact>? No.</thinking>\n<fact>Mara loves the sea.</fact>').facts).toEqual(['Mara loves the sea.']);
		expect(parseFacts('<Reasoning type="draft"><fact>Mara is 90.</fact></Reasoning><fact>Mara is 41.</fact>').facts).toEqual(['Mara is 41.']);
		expect(parseFacts('<fact>Mara keeps bees.</fact>\n<think>Should I add <fact>Mara is a queen.</fact>').facts).toEqual(['Mara keeps bees.']);
		expect(parseFacts('<think>Listing: <fact>Mara owns a boat.</fact>').facts).toEqual([]);
		expect(parseFacts('the model was prefilled: <fact>Mara flies.</fact></think>\n<fact>Mara rows.</fact>').facts).toEqual(['Mara rows.']);
	});

	it('tolerates a missing closing tag, keeps a complete last fact and drops a truncated one', () => {
		expect(parseFacts('<fact>Mara grew up on Skerry Island.\n<fact>Mara studied oceanography.</fact>\n<fact>Mara misses the foghorn.').facts).toEqual([
			'Mara grew up on Skerry Island.',
			'Mara studied oceanography.',
			'Mara misses the foghorn.'
		]);
		expect(parseFacts('<fact>Mara studied oceanography.</fact><fact>Mara moved to Aber').facts).toEqual(['Mara studied oceanography.']);
	});

	it('splits a nested fact into the outer and the inner one', () => {
		expect(parseFacts('<fact>Mara grew up on Skerry Island <fact>Mara has a sister named Ines.</fact> and left at nineteen.</fact>').facts).toEqual([
			'Mara grew up on Skerry Island and left at nineteen.',
			'Mara has a sister named Ines.'
		]);
	});

	it('drops duplicates ignoring case, spacing and final punctuation; strips list markers', () => {
		const parsed = parseFacts('<fact>1. Mara loves rain.</fact><fact>mara  LOVES rain</fact><fact>- Mara hates fog.</fact><fact>  </fact><fact>Mara loves rain!</fact>');
		expect(parsed.facts).toEqual(['Mara loves rain.', 'Mara hates fog.']);
		expect(parsed.duplicates).toEqual(['mara LOVES rain', 'Mara loves rain!']);
	});
});

describe('identityFactsRecipe', () => {
	it('prepares one record per passage of every field, with the document in the manifest', () => {
		const params = identityFactsRecipe.params.parse({ identityId: 'mara', passageChars: 200 });
		expect(params.factsPerPassage).toBe(8);
		const prepared = identityFactsRecipe.prepare(params, sources, settings);
		expect(prepared.inputs.map((record) => record.id)).toEqual(['name-0', 'narrative-0', 'narrative-1']);
		expect(prepared.inputs.map((record) => record.input.field)).toEqual(['name', 'narrative', 'narrative']);
		expect(prepared.documents).toEqual({ 'identity:Mara': identityDocumentText(doc) });
		expect(identityFactsRecipe.prepare(params, sources, settings)).toEqual(prepared);
		expect(identityFactsRecipe.recordLabel(prepared.inputs[1].input)).toMatch(/^Narrative · passage 2: Early years/);
		expect(identityFactsRecipe.sources(params)).toEqual([{ kind: 'identity', id: 'mara' }]);
	});

	it('turns each fact into a sample that names its field, and retries an answer without facts', async () => {
		const engine = new TestEngine()
			.on('Skerry', testReply('Sure! Facts follow.'), testReply('<fact>Mara grew up on Skerry Island.</fact><fact>MARA grew up on Skerry Island</fact><fact>Mara learned to read by lamplight.'))
			.on('Aberdeen', testReply('<fact>Mara studied oceanography in Aberdeen.</fact>'))
			.on('My name is Mara', testReply('<fact>Mara is called Mara.</fact>'));
		const { result } = await run(engine);
		expect(result.counts).toMatchObject({ done: 3, failed: 0, samples: 4 });
		const first = result.samples.filter((sample) => sample.provenance.recordId === 'narrative-0');
		expect(first.map((sample) => sample.sample.meta.fact)).toEqual(['Mara grew up on Skerry Island.', 'Mara learned to read by lamplight.']);
		expect(first[0].sample).toEqual({
			messages: [{ role: 'assistant', content: 'Mara grew up on Skerry Island.' }],
			tags: ['fact', 'field:narrative'],
			meta: { recipe: 'identity-facts', fact: 'Mara grew up on Skerry Island.', field: 'narrative', passageIndex: 1 }
		});
		expect(result.samples.find((sample) => sample.provenance.recordId === 'name-0')?.sample.meta).toMatchObject({ field: 'name', fact: 'Mara is called Mara.' });
		expect(first[0].provenance.steps.filter((step) => step.rejected)).toHaveLength(1);
		expect(first[0].provenance.notes.map((note) => note.kind)).toEqual(['duplicate-fact']);
		const request = engine.requests.find((sent) => sent.messages[1].content.includes('Aberdeen'));
		expect(request?.messages[0].content).toContain('You extract facts about Mara from one field');
		expect(request?.messages[0].content).toContain('<fact></fact>');
		expect(request?.messages[1].content.startsWith("Field: Narrative (Mara's story)\n<passage>\n")).toBe(true);
		expect(request?.sampling).toEqual(settings.sampling);
		const outcome = { input: first[0].provenance.input, samples: first.map((s) => s.sample), notes: first[0].provenance.notes, stepCount: 2 };
		expect(identityFactsRecipe.summarize?.(outcome, sources, identityFactsRecipe.params.parse({ identityId: 'mara' }))).toEqual([
			{ label: 'Facts', value: '2', number: 2 },
			{ label: 'Repeats dropped', value: '1', number: 1 }
		]);
	});

	it('fails a passage whose answers never contain facts, after bounded retries', async () => {
		const engine = new TestEngine({ defaultReply: () => 'I could not find anything.' });
		const { result } = await run(engine);
		expect(result.counts.failed).toBe(3);
		expect(result.failures[0].error.type).toBe('no-facts');
	});

	it('rehearses facts built from the passage, which flow into samples', async () => {
		const engine = new TestEngine({ defaultReply: (request, r) => identityFactsRecipe.rehearse(request, mulberry32(Math.floor(r * 2 ** 32))) });
		const { result } = await run(engine);
		expect(result.counts).toMatchObject({ done: 3, failed: 0 });
		const facts = result.samples.map((sample) => String(sample.sample.meta.fact));
		expect(facts.length).toBeGreaterThanOrEqual(3);
		expect(facts.some((fact) => fact.includes('Skerry Island') && fact.includes('Mara'))).toBe(true);
		expect(facts.every((fact) => !/\bI\b/.test(fact))).toBe(true);
	});
});
