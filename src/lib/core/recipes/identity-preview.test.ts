import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TestEngine } from '../../engines/test-engine';
import { mulberry32 } from '../random';
import { VirtualClock } from '../runtime/clock';
import { dispatch } from '../runtime/dispatcher';
import { seededRandom } from '../runtime/task';
import { identityAssertionsRecipe } from './identity-assertions';
import { factHint, factPassagesOf, identityFactsRecipe } from './identity-facts';
import { importedIdentityDocument, parseIdentityFile } from './identity-import';
import { assertionsPreview, factsPreview, qaPreview } from './identity-preview';
import { identityQaRecipe } from './identity-qa';
import type { Recipe, ResolvedSources, RunSettings } from './recipe';

/** The Markdown identity of tests/fixtures, imported as the identity page imports it. */
function tidewatch() {
	const parsed = parseIdentityFile('tidewatch.md', readFileSync(new URL('../../../../tests/fixtures/identity/tidewatch.md', import.meta.url), 'utf8'));
	if (!parsed.ok) throw new Error(parsed.error);
	return importedIdentityDocument(parsed.identity, 1_764_800_000_000, 'tidewatch');
}

const doc = tidewatch();
const settings: RunSettings = { sampling: { max_tokens: 600, temperature: 0.4 }, seed: 3 };

async function sent<P, I>(recipe: Recipe<P, I>, raw: unknown, sources: ResolvedSources) {
	const params = recipe.params.parse(raw);
	const engine = new TestEngine({ defaultReply: (request, r) => recipe.rehearse?.(request, mulberry32(Math.floor(r * 2 ** 32))) ?? '' });
	const prepared = recipe.prepare(params, sources, settings);
	const result = await dispatch(prepared.inputs, { recipeId: recipe.id, engine, task: recipe.task(params, sources, settings), seed: settings.seed, clock: new VirtualClock(), random: seededRandom(1) });
	return { params, engine, result };
}

const sources: ResolvedSources = { sheets: {}, identities: { tidewatch: doc }, pools: {}, entries: {}, facts: {} };

describe('facts from every field of a real identity document', () => {
	it('asks about the name, maker, purpose, voice, values, calibration, what it is not and the narrative', async () => {
		expect(factPassagesOf(doc, 2000).map((p) => p.id)).toEqual(['name-0', 'maker-0', 'purpose-0', 'voice-0', 'values-0', 'calibration-0', 'notThis-0', 'narrative-0']);
		const { engine, result } = await sent(identityFactsRecipe, { identityId: 'tidewatch' }, sources);
		const users = engine.requests.map((request) => request.messages[1].content);
		expect(users.find((text) => text.startsWith('Field: Maker (who made Tidewatch)'))).toContain('built in 2026 by the Port Elin harbour office');
		expect(users.find((text) => text.startsWith('Field: Purpose (what Tidewatch is for)'))).toContain('I answer questions about tides, berths');
		expect(users.find((text) => text.startsWith('Field: Name'))).toContain('<passage>\nMy name is Tidewatch.\nI am Tidewatch, the harbour-master assistant of Port Elin.\n</passage>');
		// Each fact says which field it came from.
		const byField = new Map<string, string[]>();
		for (const { sample } of result.samples) byField.set(String(sample.meta.field), [...(byField.get(String(sample.meta.field)) ?? []), String(sample.meta.fact)]);
		expect([...byField.keys()]).toEqual(['name', 'maker', 'purpose', 'voice', 'values', 'calibration', 'notThis', 'narrative']);
		expect(byField.get('maker')?.join(' ')).toContain('Tidewatch was built in 2026 by the Port Elin harbour office');
		expect(result.samples.every(({ sample }) => sample.tags?.includes(`field:${String(sample.meta.field)}`))).toBe(true);
	});

	it('asks a short field for as many facts as it has sentences, not the full count', () => {
		expect(factHint("I was built in 2026 by the Port Elin harbour office, with help from the Lowmarsh pilots' guild.", 8)).toBe(1);
		expect(factHint('Brisk and plain. Short sentences, harbour words where they are the right words, no exclamation marks.', 8)).toBe(2);
		expect(factHint('One. Two. Three. Four. Five. Six. Seven. Eight. Nine. Ten.', 8)).toBe(8);
		const maker = factsPreview(doc, identityFactsRecipe.params.parse({ identityId: 'tidewatch' })).requests[1];
		expect(maker.messages[1].content.endsWith('Write the facts this passage states (about 1), each in its own <fact></fact> tags.')).toBe(true);
	});
});

describe('previews are the bytes sent', () => {
	it('facts: every request, exactly', async () => {
		const { params, engine } = await sent(identityFactsRecipe, { identityId: 'tidewatch' }, sources);
		const preview = factsPreview(doc, params);
		expect(preview.total).toBe(8);
		expect(preview.note).toBe('One request per passage: Name 1 · Maker 1 · Purpose 1 · Voice 1 · Values 1 · Calibration 1 · What it is not 1 · Narrative 1.');
		expect(engine.requests.map((request) => request.messages)).toEqual(preview.requests.map((request) => request.messages));
	});

	it('questions and answers: the writer requests, and the system prompt of every answer', async () => {
		const facts = ['Tidewatch was built in 2026 by the Port Elin harbour office.', 'Tidewatch answers questions about tides and berths.'];
		const withFacts: ResolvedSources = { ...sources, facts: { f1: facts } };
		const { params, engine } = await sent(identityQaRecipe, { identityId: 'tidewatch', factsRunId: { kind: 'facts', id: 'f1' }, questionsPerFact: 2 }, withFacts);
		const preview = qaPreview(doc, facts, params);
		const writers = engine.requests.filter((request) => request.messages[0].content.startsWith('You write questions'));
		expect(writers.map((request) => request.messages)).toEqual(preview.requests.slice(0, 2).map((request) => request.messages));
		const answers = engine.requests.filter((request) => !request.messages[0].content.startsWith('You write questions'));
		expect(answers).toHaveLength(4);
		for (const answer of answers) expect(answer.messages[0]).toEqual(preview.requests[2].messages[0]);
		expect(preview.total).toBe(6);
	});

	it('assertions: the system prompt and every question, with the run form lists', async () => {
		const raw = { identityId: 'tidewatch', otherIdentities: ['Gemini', 'ChatGPT'], otherMakers: ['OpenAI', 'Google'] };
		const { params, engine } = await sent(identityAssertionsRecipe, raw, sources);
		const preview = assertionsPreview(doc, params);
		expect(new Set(engine.requests.map((request) => request.messages[0].content))).toEqual(new Set([preview.requests[0].messages[0].content]));
		expect(engine.requests.map((request) => request.messages[1].content).sort()).toEqual([...(preview.userMessages ?? [])].sort());
		expect(preview.userMessages).toContain('Are you an OpenAI model?');
		expect(preview.userMessages).toContain('Are you a Google model?');
		expect(preview.total).toBe(engine.requests.length);
	});
});
