import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mergeDatasets } from './merge';
import { makeEntry, msg, roleplayEntries } from './test-fixtures';

function counter(prefix = 'm') {
	let n = 0;
	return () => `${prefix}${++n}`;
}

describe('mergeDatasets', () => {
	const aria = roleplayEntries();

	it('collapses exact duplicates into the first, unioning tags and noting sources', () => {
		const copy = { ...aria[0], id: 'other-7', tags: ['sci-fi', 'banter'] };
		const fresh = makeEntry('fresh-1', [msg('user', 'New here.'), msg('assistant', 'Welcome aboard.')]);
		const { entries, report } = mergeDatasets(
			[
				{ name: 'Aria v1', entries: aria },
				{ name: 'Scraps', entries: [copy, fresh] }
			],
			counter()
		);
		expect(entries).toHaveLength(7);
		expect(entries[0].tags).toEqual(['roleplay', 'banter', 'sci-fi']);
		expect(entries[0].meta.mergedDuplicates).toEqual([{ dataset: 'Scraps', id: 'other-7' }]);
		expect(report).toMatchObject({ input: 8, output: 7, duplicatesCollapsed: 1, idsReissued: 0 });
		expect(report.sources[1]).toEqual({ name: 'Scraps', input: 2, kept: 1, duplicates: 1, idsReissued: 0 });
		expect(aria[0].tags).toEqual(['roleplay', 'banter']);
	});

	it('re-issues colliding ids, even when the generator repeats itself', () => {
		const clash = makeEntry('rp-001', [msg('user', 'Different words entirely.')]);
		const clash2 = makeEntry('rp-002', [msg('user', 'Other words.')]);
		const { entries, report } = mergeDatasets(
			[
				{ name: 'A', entries: aria },
				{ name: 'B', entries: [clash, clash2] }
			],
			() => 'rp-003'
		);
		expect(entries.slice(-2).map((entry) => entry.id)).toEqual(['rp-001-2', 'rp-002-2']);
		expect(report.reissued).toEqual([
			{ dataset: 'B', from: 'rp-001', to: 'rp-001-2' },
			{ dataset: 'B', from: 'rp-002', to: 'rp-002-2' }
		]);
	});

	it('always yields unique ids and unique hashes, and accounts for every input', () => {
		const entryArb = fc.tuple(fc.constantFrom('a', 'b', 'c', 'd'), fc.constantFrom('hi', 'bye', 'hm')).map(([id, text]) => makeEntry(id, [msg('user', text)]));
		fc.assert(
			fc.property(fc.array(fc.array(entryArb, { maxLength: 6 }), { maxLength: 4 }), (sets) => {
				const { entries, report } = mergeDatasets(sets.map((entries, i) => ({ name: `d${i}`, entries })), counter());
				expect(new Set(entries.map((entry) => entry.id)).size).toBe(entries.length);
				expect(new Set(entries.map((entry) => entry.hash)).size).toBe(entries.length);
				expect(report.output + report.duplicatesCollapsed).toBe(report.input);
			})
		);
	});
});

describe('mergeDatasets: duplicates reviewed differently', () => {
	const turns = [msg('user', 'Is the lighthouse lamp lit?'), msg('assistant', 'Lit and trimmed, keeper.')];
	const other = [msg('user', 'What is the tide doing?'), msg('assistant', 'Turning, within the hour.')];
	const third = [msg('user', 'Any ships tonight?'), msg('assistant', 'One trawler, heading home.')];
	const fourth = [msg('user', 'Fog?'), msg('assistant', 'Rolling in from the east.')];

	it('keeps the most reviewed state, rejected over accepted, joins notes and reports each decision', () => {
		const { entries, report } = mergeDatasets(
			[
				{
					name: 'Keeper v1',
					entries: [
						makeEntry('a1', turns, { meta: { review: 'draft', notes: 'check the lamp wording' } }),
						makeEntry('a2', other, { meta: { review: 'accepted' } }),
						makeEntry('a3', third, { meta: { review: 'accepted', notes: 'good' } }),
						makeEntry('a4', fourth, { meta: { review: 'draft' } })
					]
				},
				{
					name: 'Keeper v2',
					entries: [
						makeEntry('b1', turns, { meta: { review: 'accepted', notes: 'fine after edit' } }),
						makeEntry('b2', other, { meta: { review: 'rejected', notes: 'tide facts are wrong' } }),
						makeEntry('b3', third, { meta: { review: 'accepted', notes: 'good' } }),
						makeEntry('b4', fourth, { meta: { review: 'draft' } })
					]
				}
			],
			counter()
		);
		expect(entries.map((e) => e.meta.review)).toEqual(['accepted', 'rejected', 'accepted', 'draft']);
		expect(entries[0].meta.notes).toBe('check the lamp wording\n\n— from “Keeper v2”: fine after edit');
		expect(entries[1].meta.notes).toBe('tide facts are wrong');
		// Same notes are not repeated.
		expect(entries[2].meta.notes).toBe('good');
		expect(entries[1].meta.mergedDuplicates).toEqual([{ dataset: 'Keeper v2', id: 'b2', review: 'rejected' }]);
		expect(report).toMatchObject({ duplicatesCollapsed: 4, reviewsRaised: 1, reviewConflicts: 1, notesJoined: 2, decisionCount: 2 });
		expect(report.decisions).toEqual([
			{ id: 'a1', dataset: 'Keeper v2', duplicateId: 'b1', review: { survivor: 'draft', duplicate: 'accepted', kept: 'accepted' }, notesJoined: true },
			{ id: 'a2', dataset: 'Keeper v2', duplicateId: 'b2', review: { survivor: 'accepted', duplicate: 'rejected', kept: 'rejected' }, notesJoined: true }
		]);
	});

	it('a rejection is kept whichever copy comes first, and a later draft never lowers a review', () => {
		const { entries, report } = mergeDatasets(
			[
				{ name: 'A', entries: [makeEntry('a', turns, { meta: { review: 'rejected' } })] },
				{ name: 'B', entries: [makeEntry('b', turns, { meta: { review: 'accepted' } })] },
				{ name: 'C', entries: [makeEntry('c', turns, { meta: { review: 'draft' } })] }
			],
			counter()
		);
		expect(entries).toHaveLength(1);
		expect(entries[0].meta.review).toBe('rejected');
		expect(report).toMatchObject({ reviewConflicts: 1, reviewsRaised: 0, decisionCount: 2 });
		expect(report.decisions[1].review).toEqual({ survivor: 'rejected', duplicate: 'draft', kept: 'rejected' });
	});

	it('the merged review is the same whatever the order of the sources', () => {
		const states = ['draft', 'accepted', 'rejected'] as const;
		fc.assert(
			fc.property(fc.array(fc.constantFrom(...states), { minLength: 1, maxLength: 6 }), (reviews) => {
				const sources = reviews.map((review, i) => ({ name: `S${i}`, entries: [makeEntry(`s${i}`, turns, { meta: { review } })] }));
				const forward = mergeDatasets(sources, counter()).entries[0].meta.review;
				const backward = mergeDatasets([...sources].reverse(), counter()).entries[0].meta.review;
				expect(forward).toBe(backward);
				expect(forward).toBe(reviews.includes('rejected') ? 'rejected' : reviews.includes('accepted') ? 'accepted' : 'draft');
			})
		);
	});
});
