import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FORMAT_IDS, REVIEW_STATES, type Entry } from '../model';
import {
	PREFERENCE_FILTERS,
	compileFilter,
	decodeFilterFromUrl,
	encodeFilterToUrl,
	entryCharacterCount,
	EntryFilterSchema,
	matchingPositions,
	normalizeFilter,
	removeSavedFilter,
	saveFilter,
	sortKeyOf,
	sortPositions,
	SORT_KEYS,
	type EntryFilter
} from './filters';
import { SEARCH_MODES } from './search';
import { roleplayEntries } from './test-fixtures';

const entries = roleplayEntries();

function ids(filter: EntryFilter, context = {}): string[] {
	const compiled = compileFilter(filter, context);
	if (!compiled.ok) throw new Error(compiled.error.message);
	return matchingPositions(entries, compiled.matches).map((i) => entries[i].id);
}

describe('compileFilter', () => {
	it('filters by tags any / all / none and untagged', () => {
		expect(ids({ tagsAny: ['banter', 'tools'] })).toEqual(['rp-001', 'rp-004', 'rp-006']);
		expect(ids({ tagsAll: ['roleplay', 'banter'] })).toEqual(['rp-001']);
		expect(ids({ tagsNone: ['roleplay'] })).toEqual(['rp-003', 'rp-004', 'rp-005', 'rp-006']);
		expect(ids({ untagged: true })).toEqual(['rp-003']);
	});

	it('filters by review state, source format and length ranges', () => {
		expect(ids({ review: ['rejected', 'accepted'] })).toEqual(['rp-001', 'rp-004', 'rp-005']);
		expect(ids({ sources: ['sillytavern-chat'] })).toEqual(['rp-003', 'rp-004']);
		expect(ids({ messageCount: { min: 4, max: 4 } })).toEqual(['rp-003']);
		expect(ids({ characterCount: { max: 150 } })).toEqual(['rp-004']);
		expect(entryCharacterCount(entries[3])).toBe(89);
	});

	it('combines text search with the rest', () => {
		expect(ids({ text: { query: 'aria', mode: 'contains' }, review: ['draft'] })).toEqual(['rp-002', 'rp-006']);
		expect(ids({ text: { query: '', mode: 'regex' } })).toHaveLength(entries.length);
	});

	it('uses caller-provided findings and token counts, and says when they are missing', () => {
		const findings = new Set(['rp-003', 'rp-006']);
		expect(ids({ findings: { codes: ['roles.custom'] } }, { entriesWithFindings: findings })).toEqual(['rp-003', 'rp-006']);
		expect(ids({ findings: { codes: ['roles.custom'], without: true } }, { entriesWithFindings: findings })).toHaveLength(4);
		expect(compileFilter({ findings: { codes: ['x'] } })).toMatchObject({ ok: false, error: { kind: 'missing-context' } });
		const tokenCount = (entry: Entry) => entry.messages.length * 10;
		expect(ids({ tokenCount: { min: 50 } }, { tokenCount })).toEqual(['rp-001', 'rp-005', 'rp-006']);
		expect(compileFilter({ tokenCount: { min: 1 } }).ok).toBe(false);
	});

	it('returns an invalid regex as an error', () => {
		expect(compileFilter({ text: { query: '(', mode: 'regex' } })).toMatchObject({ ok: false, error: { kind: 'invalid-regex' } });
	});
});

describe('sort', () => {
	const keyed = (sort: EntryFilter['sort']) => entries.map((entry, position) => ({ position, key: sortKeyOf(entry, position, sort) }));

	it('sorts by length and review, ties in dataset order', () => {
		expect(sortPositions(keyed({ by: 'messages' }), { by: 'messages' })).toEqual([3, 1, 2, 0, 4, 5]);
		expect(sortPositions(keyed({ by: 'messages', descending: true }), { by: 'messages', descending: true })).toEqual([0, 4, 5, 2, 1, 3]);
		expect(sortPositions(keyed({ by: 'review' }), { by: 'review' })).toEqual([1, 2, 5, 0, 4, 3]);
	});

	it('shuffles reproducibly with a seed', () => {
		const a = sortPositions(keyed({ by: 'random', seed: 7 }), { by: 'random', seed: 7 });
		expect(sortPositions(keyed({ by: 'random', seed: 7 }), { by: 'random', seed: 7 })).toEqual(a);
		expect([...a].sort()).toEqual([0, 1, 2, 3, 4, 5]);
		expect(sortPositions(keyed({ by: 'random', seed: 8 }), { by: 'random', seed: 8 })).not.toEqual(a);
	});
});

describe('URLs', () => {
	it('encodes a readable query string', () => {
		const url = encodeFilterToUrl({ text: { query: 'star chart', mode: 'phrase', roles: ['assistant'] }, tagsAny: ['banter'], messageCount: { min: 3 }, sort: { by: 'random', seed: 4 } });
		expect(url).toBe('q=star+chart&mode=phrase&role=assistant&tag=banter&messages=3..&sort=random&seed=4');
		expect(encodeFilterToUrl({})).toBe('');
	});

	it('decodes leniently, listing what it dropped', () => {
		const { filter, errors } = decodeFilterFromUrl('?q=aria&mode=fuzzy&review=accepted&review=meh&messages=x..2&sort=sideways&untagged=1');
		expect(filter).toEqual({ text: { query: 'aria', mode: 'contains' }, review: ['accepted'], untagged: true });
		expect(errors).toHaveLength(4);
	});

	const rangeArb = fc.record({ min: fc.option(fc.nat(), { nil: undefined }), max: fc.option(fc.nat(), { nil: undefined }) }, { requiredKeys: [] });
	const filterArb: fc.Arbitrary<EntryFilter> = fc.record(
		{
			text: fc.record({ query: fc.string(), mode: fc.constantFrom(...SEARCH_MODES), roles: fc.array(fc.string()), caseSensitive: fc.boolean() }, { requiredKeys: ['query', 'mode'] }),
			tagsAny: fc.array(fc.string()),
			tagsAll: fc.array(fc.string()),
			tagsNone: fc.array(fc.string()),
			untagged: fc.boolean(),
			review: fc.subarray([...REVIEW_STATES]),
			sources: fc.subarray([...FORMAT_IDS]),
			preference: fc.subarray([...PREFERENCE_FILTERS]),
			messageCount: rangeArb,
			characterCount: rangeArb,
			tokenCount: rangeArb,
			findings: fc.record({ codes: fc.array(fc.string()), without: fc.boolean() }, { requiredKeys: ['codes'] }),
			sort: fc.record({ by: fc.constantFrom(...SORT_KEYS), descending: fc.boolean(), seed: fc.integer() }, { requiredKeys: ['by'] })
		},
		{ requiredKeys: [] }
	);

	it('round-trips every filter (in its normal form)', () => {
		fc.assert(
			fc.property(filterArb, (filter) => {
				expect(EntryFilterSchema.safeParse(filter).success).toBe(true);
				const url = encodeFilterToUrl(filter);
				const decoded = decodeFilterFromUrl(url);
				expect(decoded.errors).toEqual([]);
				expect(decoded.filter).toEqual(normalizeFilter(filter));
				expect(encodeFilterToUrl(decoded.filter)).toBe(url);
			}),
			{ numRuns: 1000 }
		);
	});

	it('never throws on any query string', () => {
		fc.assert(
			fc.property(fc.string(), (text) => {
				const { filter } = decodeFilterFromUrl(text);
				expect(EntryFilterSchema.safeParse(filter).success).toBe(true);
			})
		);
	});
});

describe('saved filters', () => {
	it('adds, replaces by name and removes', () => {
		let saved = saveFilter([], { id: 'f1', name: 'Needs review', filter: { review: ['draft'], tagsAny: [] }, createdAt: 1 });
		expect(saved).toEqual([{ id: 'f1', name: 'Needs review', filter: { review: ['draft'] }, createdAt: 1 }]);
		saved = saveFilter(saved, { id: 'f2', name: ' needs REVIEW ', filter: { untagged: true }, createdAt: 2 });
		expect(saved).toEqual([{ id: 'f1', name: 'needs REVIEW', filter: { untagged: true }, createdAt: 1 }]);
		saved = saveFilter(saved, { id: 'f3', name: 'Tools', filter: { tagsAny: ['tools'] }, createdAt: 3 });
		expect(removeSavedFilter(saved, 'f1').map((item) => item.id)).toEqual(['f3']);
	});
});
