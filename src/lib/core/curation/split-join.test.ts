import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hashMessages } from '../hash';
import { joinEntries, leadingSystemCount, splitEntry, splitPoints, turnBoundaries } from './split-join';
import { makeEntry, msg, roleplayEntries } from './test-fixtures';

const [aria, storm, tavern, coffee, identity] = roleplayEntries();

describe('splitEntry', () => {
	it('copies the system prompt to both halves; the first keeps the id', () => {
		const result = splitEntry(aria, 3, 'rp-001b');
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		const { first, second } = result;
		expect(first.id).toBe('rp-001');
		expect(second.id).toBe('rp-001b');
		expect(first.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant']);
		expect(second.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant']);
		expect(second.messages[0]).toEqual(aria.messages[0]);
		expect(second.messages[1].content).toBe("And if he doesn't?");
		expect(first.tags).toEqual(aria.tags);
		expect(second.meta).toMatchObject({ review: 'accepted', source: aria.meta.source, derivedFrom: { op: 'split', ids: ['rp-001'], at: 3, part: 2 } });
		expect(first.hash).toBe(hashMessages(first.messages));
		expect(second.hash).toBe(hashMessages(second.messages));
	});

	it('rejects boundaries that leave a half without conversation', () => {
		expect(splitEntry(aria, 1, 'x').ok).toBe(false);
		expect(splitEntry(aria, 5, 'x').ok).toBe(false);
		expect(splitEntry(aria, 0, 'x').ok).toBe(false);
		expect(splitEntry(aria, 2.5, 'x').ok).toBe(false);
		expect(splitEntry(aria, 3, aria.id).ok).toBe(false);
		const tiny = makeEntry('t', [msg('system', 'S'), msg('user', 'only')]);
		expect(splitEntry(tiny, 1, 'x')).toMatchObject({ ok: false, error: expect.stringMatching(/two non-system/) });
	});

	it('lists split points and turn boundaries', () => {
		expect(splitPoints(aria)).toEqual([2, 3, 4]);
		expect(turnBoundaries(aria)).toEqual([3]);
		expect(splitPoints(tavern)).toEqual([1, 2, 3]);
	});

	it('keeps character mappings with the half that uses the speaker', () => {
		const mapped = { ...identity, characters: { Mara: 'Mara Okafor', assistant: 'Aria' } };
		const result = splitEntry(mapped, 3, 'b');
		expect(result.ok && result.second.characters).toEqual({ Mara: 'Mara Okafor', assistant: 'Aria' });
		const onlyFirst = { ...aria, characters: { Narrator: 'The ship' } };
		const split = splitEntry(onlyFirst, 3, 'b');
		expect(split.ok && 'characters' in split.first).toBe(false);
	});
});

describe('joinEntries', () => {
	it('keeps one system prompt, concatenates turns and unions tags', () => {
		const result = joinEntries([aria, storm], 'joined');
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		expect(result.warnings).toEqual([]);
		expect(result.entry.id).toBe('joined');
		expect(result.entry.messages).toEqual([...aria.messages, ...storm.messages.slice(1)]);
		expect(result.entry.tags).toEqual(['roleplay', 'banter']);
		expect(result.entry.meta).toMatchObject({ review: 'draft', notes: 'check the stage directions', derivedFrom: { op: 'join', ids: ['rp-001', 'rp-002'] } });
	});

	it('warns when system prompts differ, keeping the first', () => {
		const result = joinEntries([aria, identity]);
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		expect(result.entry.id).toBe('rp-001');
		expect(result.entry.messages.filter((m) => m.role === 'system')).toEqual([aria.messages[0]]);
		expect(result.warnings[0]).toMatch(/kept the one of rp-001 and dropped those of rp-005/);
	});

	it('takes the first system prompt found when the first entry has none', () => {
		const result = joinEntries([tavern, coffee, storm]);
		expect(result.ok && result.entry.messages[0]).toEqual(storm.messages[0]);
		expect(result.ok && result.entry.meta.review).toBe('draft');
	});

	it('needs two distinct entries', () => {
		expect(joinEntries([aria]).ok).toBe(false);
		expect(joinEntries([aria, aria]).ok).toBe(false);
	});

	it('warns on conflicting character mappings, keeping the earlier', () => {
		const a = { ...tavern, characters: { Aria: 'Aria Voss' } };
		const b = { ...coffee, characters: { Aria: 'Aria the Second', Mara: 'Mara' } };
		const result = joinEntries([a, b]);
		expect(result.ok && result.entry.characters).toEqual({ Aria: 'Aria Voss', Mara: 'Mara' });
		expect(result.ok && result.warnings[0]).toMatch(/kept Aria Voss/);
	});
});

describe('split → join round trip', () => {
	const entryArb = fc
		.tuple(
			fc.array(fc.record({ role: fc.constant('system'), content: fc.string() }), { maxLength: 2 }),
			fc.array(fc.record({ role: fc.constantFrom('user', 'assistant', 'Mara'), content: fc.oneof(fc.string(), fc.constant(null)) }), { maxLength: 8 })
		)
		.map(([system, turns]) => makeEntry('e', [...system, ...turns], { tags: ['a'] }));

	it('join(split(e)) has the same messages as e', () => {
		fc.assert(
			fc.property(entryArb, fc.nat(), (entry, pick) => {
				const points = splitPoints(entry);
				if (points.length === 0) {
					expect(splitEntry(entry, leadingSystemCount(entry.messages) + 1, 'b').ok).toBe(false);
					return;
				}
				const split = splitEntry(entry, points[pick % points.length], 'b');
				expect(split.ok).toBe(true);
				if (!split.ok) return;
				const joined = joinEntries([split.first, split.second], entry.id);
				expect(joined.ok).toBe(true);
				if (!joined.ok) return;
				expect(joined.warnings).toEqual([]);
				expect(joined.entry.messages).toEqual(entry.messages);
				expect(joined.entry.hash).toBe(entry.hash);
				expect(joined.entry.tags).toEqual(entry.tags);
			})
		);
	});

	it('never throws on any index', () => {
		fc.assert(
			fc.property(entryArb, fc.integer({ min: -3, max: 12 }), (entry, at) => {
				expect(() => splitEntry(entry, at, 'b')).not.toThrow();
			})
		);
	});
});
