import { describe, expect, it } from 'vitest';
import { fixtureText } from '../test-utils';
import { preferenceJsonl } from '../export/preference-jsonl';
import { draftToEntry, diverge, type PreferenceDraft } from './drafts';
import { samplePreferences, type SampleForPairs } from './sample-pairs';
import { entryPairFlags, pairFlags } from './pair-check';

const fixture = JSON.parse(fixtureText('preference/run-samples.json')) as { bestOf: SampleForPairs[]; regenerated: SampleForPairs[] };
const SYSTEM = { role: 'system', content: 'You are Mara, a lighthouse keeper.' };
const TIDES = { role: 'user', content: 'How do tides work?' };
const LONELY = { role: 'user', content: 'Are you lonely?' };
const say = (content: string) => ({ role: 'assistant', content });

const jsonl = (drafts: PreferenceDraft[], kind: 'dpo' | 'kto') => preferenceJsonl(drafts.map((draft, i) => draftToEntry(draft, `p${i}`, '2026-12-05T00:00:00.000Z')), kind);
const line = (value: unknown) => JSON.stringify(value);

describe('pairs from judge scores (best vs worst of a record)', () => {
	it('pairs the best-scored sample with the worst; ties and verdictless samples never make a pair', () => {
		const { drafts, skipped } = samplePreferences('judge', fixture.bestOf, { margin: 1 });
		expect(drafts).toEqual([
			{
				kind: 'pair',
				key: 'judge:run-a:0:0:run-a:0:1',
				origin: 'judge',
				prompt: [SYSTEM, TIDES],
				chosen: [say('The moon pulls the sea toward it; twice a day the water climbs my rocks.')],
				rejected: [say('Tides are a thing.')],
				source: 'Prompt 1: How do tides work?: judge score 9 vs 2',
				provenance: { recordIndex: 0, chosenSample: 'run-a:0:0', rejectedSample: 'run-a:0:1', chosenScore: 9, rejectedScore: 2 }
			}
		]);
		expect(skipped).toEqual({ 'all judge scores of the record tie': 1 });
		expect(jsonl(drafts, 'dpo')).toBe(line({ prompt: [SYSTEM, TIDES], chosen: [say('The moon pulls the sea toward it; twice a day the water climbs my rocks.')], rejected: [say('Tides are a thing.')] }) + '\n');
	});

	it('skips a record whose best and worst are closer than the margin, and refuses a margin of 0', () => {
		expect(samplePreferences('judge', fixture.bestOf, { margin: 8 })).toEqual({ drafts: [], skipped: { 'best and worst score less than 8 apart': 1, 'all judge scores of the record tie': 1 } });
		expect(() => samplePreferences('judge', fixture.bestOf, { margin: 0 })).toThrow(/above 0/);
	});
});

describe('pairs from review decisions', () => {
	it('pairs each accepted sample of a record with each rejected one, the reviewer’s edit in place of the sample', () => {
		const { drafts, skipped } = samplePreferences('review', fixture.bestOf);
		expect(drafts.map((draft) => draft.key)).toEqual(['review:run-a:0:0:run-a:0:1', 'review:run-a:1:0:run-a:1:2', 'review:run-a:1:1:run-a:1:2']);
		expect(skipped).toEqual({});
		expect(jsonl(drafts, 'dpo')).toBe(
			[
				line({ prompt: [SYSTEM, TIDES], chosen: [say('The moon pulls the sea toward it; twice a day the water climbs my rocks.')], rejected: [say('Tides are a thing.')] }),
				line({ prompt: [SYSTEM, LONELY], chosen: [say('Sometimes, in winter, when the boats stop coming.')], rejected: [say('Sometimes, in winter.')] }),
				line({ prompt: [SYSTEM, LONELY], chosen: [say('Never; the gulls talk.')], rejected: [say('Sometimes, in winter.')] })
			].join('\n') + '\n'
		);
	});
});

describe('KTO labels from review decisions', () => {
	it('labels accepted samples wanted and rejected ones unwanted; samples not reviewed are left out', () => {
		const { drafts, skipped } = samplePreferences('kto', fixture.bestOf);
		expect(skipped).toEqual({ 'sample not reviewed yet': 1 });
		expect(jsonl(drafts, 'kto')).toBe(
			[
				line({ prompt: [SYSTEM, TIDES], completion: [say('The moon pulls the sea toward it; twice a day the water climbs my rocks.')], label: true }),
				line({ prompt: [SYSTEM, TIDES], completion: [say('Tides are a thing.')], label: false }),
				line({ prompt: [SYSTEM, LONELY], completion: [say('Sometimes, in winter, when the boats stop coming.')], label: true }),
				line({ prompt: [SYSTEM, LONELY], completion: [say('Never; the gulls talk.')], label: true }),
				line({ prompt: [SYSTEM, LONELY], completion: [say('Sometimes, in winter.')], label: false })
			].join('\n') + '\n'
		);
		const entry = draftToEntry(drafts[1], 'k1', '2026-12-05T00:00:00.000Z');
		expect(entry.messages).toEqual([SYSTEM, TIDES, say('Tides are a thing.')]);
		expect(entry.preference).toEqual({ kind: 'label', label: false, origin: 'review' });
	});
});

describe('pairs from regenerated turns', () => {
	it('an accepted regeneration is chosen over the turn it replaced; a rejected one loses to it; unreviewed and unchanged ones are skipped', () => {
		const { drafts, skipped } = samplePreferences('regeneration', fixture.regenerated);
		expect(skipped).toEqual({ 'regenerated sample not reviewed yet': 1, 'the two answers are identical': 1 });
		expect(drafts.map((draft) => draft.source)).toEqual([
			'Entry e7: Can you fix my bike?, assistant turn 1: accepted regeneration vs the replaced turn',
			'Entry e8: Tell me a joke., assistant turn 2: replaced turn vs the rejected regeneration'
		]);
		expect(jsonl(drafts, 'dpo')).toBe(
			[
				line({ prompt: [{ role: 'user', content: 'Can you fix my bike?' }], chosen: [say("Bring it round; I'll look at the chain first.")], rejected: [say('no')] }),
				line({
					prompt: [{ role: 'user', content: 'Tell me a joke.' }, say('Why did the sea wave? It was shore.'), { role: 'user', content: 'Another one.' }],
					chosen: [say('What do you call a fish with no eyes? A fsh.')],
					rejected: [say('Jokes are not funny.')]
				})
			].join('\n') + '\n'
		);
	});
});

describe('the shared prompt of two samples, and the pair check', () => {
	it('cuts at the last user turn before the samples differ; answers to different user turns are refused', () => {
		const a = [TIDES, say('One.'), { role: 'user', content: 'More?' }, say('Two.')];
		const b = [TIDES, say('Uno.'), { role: 'user', content: 'More?' }, say('Dos.')];
		expect(diverge(a, b)).toEqual({ ok: true, prompt: [TIDES], a: a.slice(1), b: b.slice(1) });
		const c = [TIDES, say('One.'), { role: 'user', content: 'Why?' }, say('Two.')];
		expect(diverge(a, c)).toEqual({ ok: false, reason: 'the answers follow different user turns (prompts differ)' });
		expect(diverge(a, a)).toEqual({ ok: false, reason: 'the two answers are identical' });
	});

	it('flags identical answers, answers to different prompts, prompts not ending on a user turn, empty sides', () => {
		expect(pairFlags([TIDES], [say('Same.')], [say(' Same. ')])).toEqual(['identical']);
		expect(pairFlags([TIDES], [say('A'), { role: 'user', content: 'x' }, say('B')], [say('A'), { role: 'user', content: 'y' }, say('B')])).toEqual(['prompts-differ']);
		expect(pairFlags([TIDES, say('hi')], [say('A')], [say('B')])).toEqual(['prompt-end']);
		expect(pairFlags([TIDES], [], [say('B')])).toEqual(['empty']);
		expect(pairFlags([TIDES], [say('A')], [say('B')])).toEqual([]);
		expect(entryPairFlags({ messages: [TIDES], preference: { kind: 'pair', chosen: [say('A')], rejected: [say('A')] } })).toEqual(['identical']);
		expect(entryPairFlags({ messages: [TIDES, say('A')], preference: { kind: 'label', label: true } })).toEqual([]);
	});
});
