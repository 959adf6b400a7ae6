import { describe, expect, it } from 'vitest';
import { importFixture } from '../test-utils';
import { preferenceJsonl } from '../export/preference-jsonl';
import { draftToEntry, swapped, type PairDraft } from './drafts';
import { swipePairs } from './swipe-pairs';

const GREETING = { role: 'assistant', content: '*The airship lurches.* Hold on to something, passenger!' };
const ASK = { role: 'user', content: 'Where are we headed?' };
const KEPT = "North, to the ice harbour of Skarn. We'll be there by dawn if the wind holds.";

describe('pairs from SillyTavern swipes', () => {
	const { entries } = importFixture('preference/sillytavern-swipes.jsonl');

	it('pairs the kept swipe (chosen) with each other swipe (rejected), the conversation before it as the prompt', () => {
		const { drafts, skipped } = swipePairs(entries);
		expect(drafts).toEqual([
			{
				kind: 'pair',
				key: `swipes:${entries[0].id}:2:0`,
				origin: 'swipes',
				prompt: [GREETING, ASK],
				chosen: [{ role: 'assistant', content: KEPT }],
				rejected: [{ role: 'assistant', content: 'Somewhere. Stop asking questions.' }],
				source: `Entry ${entries[0].id}, reply 2: kept swipe 2 vs swipe 1 of 3`,
				provenance: { entryId: entries[0].id, messageIndex: 2, keptSwipe: 1, rejectedSwipe: 0 }
			},
			{
				kind: 'pair',
				key: `swipes:${entries[0].id}:2:2`,
				origin: 'swipes',
				prompt: [GREETING, ASK],
				chosen: [{ role: 'assistant', content: KEPT }],
				rejected: [{ role: 'assistant', content: 'To Skarn! Or possibly the bottom of the sea, ha!' }],
				source: `Entry ${entries[0].id}, reply 2: kept swipe 2 vs swipe 3 of 3`,
				provenance: { entryId: entries[0].id, messageIndex: 2, keptSwipe: 1, rejectedSwipe: 2 }
			},
			{
				kind: 'pair',
				key: `swipes:${entries[0].id}:4:1`,
				origin: 'swipes',
				prompt: [GREETING, ASK, { role: 'assistant', content: KEPT }, { role: 'user', content: 'Is the wind going to hold?' }],
				chosen: [{ role: 'assistant', content: 'It always has for me. Trust the Kestrel.' }],
				rejected: [{ role: 'assistant', content: 'No idea.' }],
				source: `Entry ${entries[0].id}, reply 3: kept swipe 1 vs swipe 2 of 3`,
				provenance: { entryId: entries[0].id, messageIndex: 4, keptSwipe: 0, rejectedSwipe: 1 }
			}
		]);
		expect(skipped).toEqual({ 'reply with swipes not after a user turn (a greeting)': 1, 'swipe repeats another swipe or the kept reply': 1 });
	});

	it('writes exactly these DPO records (TRL conversational), a swapped pair with chosen and rejected exchanged', () => {
		const { drafts } = swipePairs(entries);
		const confirmed = [drafts[0], swapped(drafts[1] as PairDraft)];
		const jsonl = preferenceJsonl(
			confirmed.map((draft, i) => draftToEntry(draft, `p${i}`, '2026-12-05T00:00:00.000Z')),
			'dpo'
		);
		expect(jsonl).toBe(
			[
				JSON.stringify({ prompt: [GREETING, ASK], chosen: [{ role: 'assistant', content: KEPT }], rejected: [{ role: 'assistant', content: 'Somewhere. Stop asking questions.' }] }),
				JSON.stringify({ prompt: [GREETING, ASK], chosen: [{ role: 'assistant', content: 'To Skarn! Or possibly the bottom of the sea, ha!' }], rejected: [{ role: 'assistant', content: KEPT }] })
			].join('\n') + '\n'
		);
	});

	it('makes entries with the pair kept as preference data and its origin, tagged and hashed with the answers', () => {
		const { drafts } = swipePairs(entries);
		const [a, b] = drafts.map((draft, i) => draftToEntry(draft, `p${i}`, '2026-12-05T00:00:00.000Z'));
		expect(a.preference).toEqual({ kind: 'pair', chosen: [{ role: 'assistant', content: KEPT }], rejected: [{ role: 'assistant', content: 'Somewhere. Stop asking questions.' }], origin: 'swipes' });
		expect(a.messages).toEqual([GREETING, ASK]);
		expect(a.tags).toEqual(['preference', 'dpo', 'from-swipes']);
		expect(a.meta.provenance).toMatchObject({ preference: { origin: 'swipes', entryId: entries[0].id, keptSwipe: 1, rejectedSwipe: 0 } });
		// Same prompt, other rejected answer: not a duplicate.
		expect(a.hash).not.toBe(b.hash);
	});

	it('uses the message text when it was edited after the swipes (no swipe index matches), and skips chats without swipes', () => {
		const edited = { id: 'e1', messages: [ASK, { role: 'assistant', content: 'Edited reply.', swipe_id: 0, swipes: ['First.', 'Second.'] }] };
		const plain = { id: 'e2', messages: [ASK, { role: 'assistant', content: 'Hi.' }] };
		const { drafts } = swipePairs([edited, plain]);
		expect(drafts.map((draft) => [draft.kind === 'pair' && draft.chosen[0].content, draft.kind === 'pair' && draft.rejected[0].content, draft.source])).toEqual([
			['Edited reply.', 'First.', 'Entry e1, reply 1: kept swipe (edited) vs swipe 1 of 2'],
			['Edited reply.', 'Second.', 'Entry e1, reply 1: kept swipe (edited) vs swipe 2 of 2']
		]);
	});
});
