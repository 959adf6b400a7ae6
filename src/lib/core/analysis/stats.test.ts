import { describe, expect, it } from 'vitest';
import { binLabel, integerHistogram, niceStep, percentileOfSorted, summarize } from './stats';

describe('summaries', () => {
	it('interpolates percentiles like numpy', () => {
		expect(percentileOfSorted([1, 2, 3, 4], 50)).toBe(2.5);
		expect(percentileOfSorted([10, 20, 30, 40, 50], 10)).toBe(14);
		expect(percentileOfSorted([], 50)).toBe(0);
	});
	it('summarises counts', () => {
		const s = summarize([3, 1, 2, 10]);
		expect(s).toMatchObject({ count: 4, total: 16, min: 1, max: 10, mean: 4, median: 2.5 });
		expect(summarize([]).count).toBe(0);
	});
});

describe('integer histograms', () => {
	it('uses one bin per value for small ranges', () => {
		expect(integerHistogram([2, 2, 3, 5])).toEqual([
			{ from: 2, to: 2, count: 2 },
			{ from: 3, to: 3, count: 1 },
			{ from: 4, to: 4, count: 0 },
			{ from: 5, to: 5, count: 1 }
		]);
	});
	it('uses nice widths aligned to the width for wide ranges, and counts every value once', () => {
		const values = Array.from({ length: 1000 }, (_, i) => 37 + i);
		const bins = integerHistogram(values, { maxBins: 10 });
		expect(bins[0].from % (bins[0].to - bins[0].from + 1)).toBe(0);
		expect([1, 2, 5, 10, 20, 50, 100, 200].includes(bins[0].to - bins[0].from + 1)).toBe(true);
		expect(bins.reduce((n, b) => n + b.count, 0)).toBe(1000);
		expect(bins.at(-1)?.to).toBeGreaterThanOrEqual(1036);
		for (let i = 1; i < bins.length; i++) expect(bins[i].from).toBe(bins[i - 1].to + 1);
	});
	it('folds a long tail into one last bin', () => {
		const values = [...Array.from({ length: 500 }, (_, i) => i % 100), 1_000_000];
		const bins = integerHistogram(values, { maxBins: 12 });
		expect(bins.length).toBeLessThanOrEqual(12);
		expect(bins.at(-1)).toMatchObject({ to: 1_000_000, count: 1 });
		expect(bins.reduce((n, b) => n + b.count, 0)).toBe(501);
	});
	it('picks 1, 2, 5 steps and labels ranges', () => {
		expect([niceStep(0.5), niceStep(3), niceStep(7), niceStep(120)]).toEqual([1, 5, 10, 200]);
		expect(binLabel({ from: 1000, to: 1999 })).toBe('1,000–1,999');
		expect(binLabel({ from: 4, to: 4 })).toBe('4');
	});
});
