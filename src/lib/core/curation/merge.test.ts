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
