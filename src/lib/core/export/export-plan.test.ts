import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mulberry32, seededPermutation, seededShuffle } from './seeded-shuffle';
import { apportion, planExport, summarizeEntry, validationCount, type EntrySummary } from './export-plan';
import { REVIEW_STATES, type FormatId } from '../model';
import { fixtureEntry } from './test-entries';

function summaries(n: number, tagOf: (i: number) => string[] = () => [], formatOf?: (i: number) => FormatId): EntrySummary[] {
	return Array.from({ length: n }, (_, i) => ({
		id: `e${i}`,
		tags: tagOf(i),
		review: REVIEW_STATES[i % 3],
		...(formatOf !== undefined ? { sourceFormat: formatOf(i) } : {})
	}));
}

describe('seeded shuffle', () => {
	it('mulberry32 is the reference sequence (pinned, so the order is the same everywhere forever)', () => {
		const random = mulberry32(42);
		const firstFour = [random(), random(), random(), random()].map((u) => Math.round(u * 4294967296));
		expect(firstFour).toEqual([2581720956, 1925393290, 3661312704, 2876485805]);
		// Checked against the reference implementation (bryc's mulberry32 + textbook Fisher–Yates).
		expect(Array.from(seededPermutation(10, 42))).toEqual([0, 7, 3, 5, 2, 1, 8, 9, 4, 6]);
	});

	it('same seed → same order; is a permutation; different seeds → different orders for n ≥ 10', () => {
		fc.assert(
			fc.property(fc.integer({ min: 10, max: 300 }), fc.integer(), fc.integer(), (n, seedA, seedB) => {
				const a = Array.from(seededPermutation(n, seedA));
				expect(Array.from(seededPermutation(n, seedA))).toEqual(a);
				expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i));
				if (seedA >>> 0 !== seedB >>> 0) expect(Array.from(seededPermutation(n, seedB))).not.toEqual(a);
			}),
			{ numRuns: 300 }
		);
	});

	it('shuffles copies, not the input', () => {
		const items = ['a', 'b', 'c', 'd'];
		expect(seededShuffle(items, 7).sort()).toEqual(items);
		expect(items).toEqual(['a', 'b', 'c', 'd']);
		expect(seededShuffle([], 1)).toEqual([]);
	});
});

describe('scope', () => {
	const all = summaries(12, (i) => (i % 4 === 0 ? ['keep'] : []));

	it('all, in storage order, by default', () => {
		expect(planExport(all).files).toEqual([{ part: 'all', ids: all.map((s) => s.id) }]);
	});

	it('selection, review state and filter combine (all must hold)', () => {
		const plan = planExport(all, { scope: { ids: ['e0', 'e3', 'e4', 'e8', 'e9', 'missing'], reviewStates: ['draft', 'rejected'], predicate: (s) => s.tags.includes('keep') } });
		// e0 draft keep, e4 accepted keep, e8 rejected keep, e3 e9 untagged.
		expect(plan.files[0].ids).toEqual(['e0', 'e8']);
		expect(plan).toMatchObject({ considered: 12, selected: 2 });
		expect(planExport(all, { scope: { reviewStates: ['accepted'] } }).files[0].ids).toEqual(['e1', 'e4', 'e7', 'e10']);
		expect(planExport(all, { scope: { ids: new Set(['e11', 'e2']) } }).files[0].ids).toEqual(['e2', 'e11']);
	});

	it('summarizes entries from their metadata', () => {
		expect(summarizeEntry(fixtureEntry('rp-tavern'))).toEqual({ id: 'rp-tavern', tags: ['roleplay', 'fantasy'], review: 'accepted', sourceFormat: 'sillytavern-chat', sourceFile: 'hollin.jsonl' });
		expect(summarizeEntry(fixtureEntry('plain-capital'))).toEqual({ id: 'plain-capital', tags: ['general'], review: 'draft' });
	});
});

describe('ratio split', () => {
	it('validation count is round(n × ratio), at least 1 in each file when n ≥ 2', () => {
		expect(validationCount(100, 0.1)).toBe(10);
		expect(validationCount(10, 0.25)).toBe(3);
		expect(validationCount(10, 0.01)).toBe(1);
		expect(validationCount(10, 0.99)).toBe(9);
		expect(validationCount(2, 0.5)).toBe(1);
		expect(validationCount(1, 0.5)).toBe(0);
		expect(validationCount(5, 0)).toBe(0);
		expect(validationCount(5, 1)).toBe(5);
		expect(() => validationCount(5, 1.5)).toThrow(RangeError);
		expect(() => validationCount(5, Number.NaN)).toThrow(RangeError);
	});

	it('gives exact counts, covers every entry once, and is reproducible with the seed', () => {
		fc.assert(
			fc.property(fc.integer({ min: 0, max: 200 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer(), fc.boolean(), (n, ratio, seed, shuffle) => {
				const all = summaries(n);
				const plan = planExport(all, { seed, shuffle, split: { kind: 'ratio', validationRatio: ratio } });
				const [train, validation] = plan.files;
				expect([train.part, validation.part]).toEqual(['train', 'validation']);
				expect(validation.ids.length).toBe(validationCount(n, ratio));
				expect([...train.ids, ...validation.ids].sort()).toEqual(all.map((s) => s.id).sort());
				expect(planExport(all, { seed, shuffle, split: { kind: 'ratio', validationRatio: ratio } })).toEqual(plan);
				if (!shuffle) {
					// Storage order within each file.
					const index = (id: string) => Number(id.slice(1));
					expect(train.ids.map(index)).toEqual(train.ids.map(index).sort((a, b) => a - b));
				}
			}),
			{ numRuns: 300 }
		);
	});

	it('picks the same validation entries with or without shuffling', () => {
		const all = summaries(50);
		const plain = planExport(all, { seed: 9, split: { kind: 'ratio', validationRatio: 0.2 } });
		const shuffled = planExport(all, { seed: 9, shuffle: true, split: { kind: 'ratio', validationRatio: 0.2 } });
		expect([...shuffled.files[1].ids].sort()).toEqual([...plain.files[1].ids].sort());
		expect(shuffled.files[1].ids).not.toEqual(plain.files[1].ids);
	});

	it('shuffle with no split orders by the seeded permutation', () => {
		const all = summaries(20);
		const plan = planExport(all, { seed: 3, shuffle: true });
		expect(plan.files[0].ids).toEqual(seededShuffle(all, 3).map((s) => s.id));
	});
});

describe('tag split', () => {
	it('sends entries with the tag to validation', () => {
		const all = summaries(10, (i) => (i % 3 === 0 ? ['held-out', 'x'] : ['x']));
		const plan = planExport(all, { split: { kind: 'tag', tag: 'held-out' } });
		expect(plan.files[1].ids).toEqual(['e0', 'e3', 'e6', 'e9']);
		expect(plan.files[0].ids).toEqual(['e1', 'e2', 'e4', 'e5', 'e7', 'e8']);
		expect(planExport(all, { split: { kind: 'tag', tag: 'absent' } }).files[1].ids).toEqual([]);
	});
});

describe('stratified split', () => {
	it('apportions by largest remainder with deterministic ties', () => {
		expect(apportion([{ key: 'a', size: 50 }, { key: 'b', size: 30 }, { key: 'c', size: 20 }], 10)).toEqual([5, 3, 2]);
		// 7 × 3/10 = 2.1 each → one extra, to the smallest key among equal remainders and sizes.
		expect(apportion([{ key: 'b', size: 3 }, { key: 'a', size: 3 }, { key: 'c', size: 4 }], 7)).toEqual([2, 2, 3]);
		expect(apportion([{ key: 'b', size: 3 }, { key: 'a', size: 3 }, { key: 'c', size: 3 }], 7)).toEqual([2, 3, 2]);
		expect(apportion([], 0)).toEqual([]);
	});

	it('keeps tag proportions per stratum and the exact total', () => {
		const all = summaries(1000, (i) => (i % 10 < 6 ? ['roleplay'] : i % 10 < 9 ? ['identity'] : []));
		const plan = planExport(all, { seed: 5, split: { kind: 'ratio', validationRatio: 0.1, stratify: { by: 'tag' } } });
		expect(plan.files[1].ids.length).toBe(100);
		expect(plan.strata).toEqual([
			{ key: null, size: 100, validation: 10 },
			{ key: 'identity', size: 300, validation: 30 },
			{ key: 'roleplay', size: 600, validation: 60 }
		]);
		const byId = new Map(all.map((s) => [s.id, s]));
		const count = (tag: string | null) => plan.files[1].ids.filter((id) => (byId.get(id)?.tags[0] ?? null) === tag).length;
		expect([count('roleplay'), count('identity'), count(null)]).toEqual([60, 30, 10]);
	});

	it('uses the first listed tag an entry carries when tags are given', () => {
		const all = summaries(9, (i) => (i < 3 ? ['a', 'b'] : i < 6 ? ['b'] : ['c']));
		const plan = planExport(all, { split: { kind: 'ratio', validationRatio: 1 / 3, stratify: { by: 'tag', tags: ['b', 'a'] } } });
		expect(plan.strata).toEqual([
			{ key: null, size: 3, validation: 1 },
			{ key: 'b', size: 6, validation: 2 }
		]);
	});

	it('stratifies by source format, remainders distributed deterministically', () => {
		fc.assert(
			fc.property(fc.array(fc.constantFrom<FormatId>('openai', 'sharegpt', 'alpaca'), { minLength: 2, maxLength: 120 }), fc.double({ min: 0.01, max: 0.99, noNaN: true }), fc.integer(), (formats, ratio, seed) => {
				const all = summaries(formats.length, () => [], (i) => formats[i]);
				const options = { seed, split: { kind: 'ratio' as const, validationRatio: ratio, stratify: { by: 'source-format' as const } } };
				const plan = planExport(all, options);
				const k = validationCount(all.length, ratio);
				expect(plan.files[1].ids.length).toBe(k);
				for (const stratum of plan.strata ?? []) {
					const exact = (stratum.size * k) / all.length;
					expect(Math.abs(stratum.validation - exact)).toBeLessThan(1);
					const inFile = plan.files[1].ids.filter((id) => formats[Number(id.slice(1))] === stratum.key).length;
					expect(inFile).toBe(stratum.validation);
				}
				expect(planExport(all, options)).toEqual(plan);
			}),
			{ numRuns: 200 }
		);
	});
});

describe('performance', () => {
	it('plans 100k summaries well under a second', () => {
		const tags = ['roleplay', 'identity', 'tools', 'general', 'fantasy'];
		const formats: FormatId[] = ['openai', 'sharegpt', 'sillytavern-chat'];
		const all = summaries(100_000, (i) => [tags[i % 5], tags[(i * 7) % 5]], (i) => formats[i % 3]);
		const selection = new Set(all.filter((_, i) => i % 2 === 0).map((s) => s.id));
		const runs: [string, () => unknown][] = [
			['shuffle + stratified ratio split', () => planExport(all, { seed: 1, shuffle: true, split: { kind: 'ratio', validationRatio: 0.1, stratify: { by: 'tag' } } })],
			['selection + review + shuffle + split', () => planExport(all, { seed: 1, shuffle: true, scope: { ids: selection, reviewStates: ['accepted', 'draft'] }, split: { kind: 'ratio', validationRatio: 0.05 } })],
			['tag split', () => planExport(all, { split: { kind: 'tag', tag: 'tools' } })]
		];
		for (const [label, run] of runs) {
			run();
			const t0 = performance.now();
			run();
			const ms = performance.now() - t0;
			console.log(`planExport, 100k summaries, ${label}: ${ms.toFixed(1)} ms`);
			expect(ms).toBeLessThan(500);
		}
	});
});
