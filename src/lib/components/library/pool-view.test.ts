import { describe, expect, it } from 'vitest';
import { pageWindow, ratingBars } from './pool-view';

describe('pool view', () => {
	it('orders ratings numerically with unrated last, bars relative to the largest', () => {
		const bars = ratingBars({ '': 1, '10': 2, '2': 4, '1': 1, '4.5': 0 });
		expect(bars.map((b) => b.label)).toEqual(['1', '2', '10', 'unrated']);
		expect(bars.map((b) => b.share)).toEqual([0.25, 1, 0.5, 0.25]);
		expect(bars.map((b) => b.percent)).toEqual([12.5, 50, 25, 12.5]);
		expect(ratingBars({})).toEqual([]);
	});

	it('pages the preview, clamping the page', () => {
		expect(pageWindow(120, 50, 0)).toEqual({ start: 0, end: 50, page: 0, pages: 3 });
		expect(pageWindow(120, 50, 2)).toEqual({ start: 100, end: 120, page: 2, pages: 3 });
		expect(pageWindow(120, 50, 7)).toEqual({ start: 100, end: 120, page: 2, pages: 3 });
		expect(pageWindow(0, 50, 0)).toEqual({ start: 0, end: 0, page: 0, pages: 1 });
	});
});
