import { describe, expect, it } from 'vitest';
import { charsPerLine, estimateTextRow, RowHeights, wrappedLines } from './row-heights';

/** The plain O(n) answers the tree must agree with. */
function naiveOffset(sizes: number[], index: number): number {
	return sizes.slice(0, index).reduce((a, b) => a + b, 0);
}
function naiveIndexAt(sizes: number[], offset: number): number {
	let sum = 0;
	for (let i = 0; i < sizes.length; i++) {
		sum += sizes[i];
		if (sum > offset) return i;
	}
	return sizes.length - 1;
}

describe('RowHeights', () => {
	it('offsets are the sums of the estimated heights before a row', () => {
		const sizes = [40, 120, 60, 60, 300, 20, 75];
		const heights = new RowHeights(sizes.length, (i) => sizes[i]);
		expect(heights.total).toBe(675);
		for (let i = 0; i <= sizes.length; i++) expect(heights.offsetOf(i)).toBe(naiveOffset(sizes, i));
	});

	it('finds the row at an offset, clamped to the list', () => {
		const sizes = [40, 120, 60, 60, 300, 20, 75];
		const heights = new RowHeights(sizes.length, (i) => sizes[i]);
		for (const offset of [0, 1, 39, 40, 159, 160, 219, 220, 579, 580, 599, 600, 674, 675, 10_000]) {
			expect(heights.indexAt(offset), `offset ${offset}`).toBe(naiveIndexAt(sizes, offset));
		}
		expect(heights.indexAt(-50)).toBe(0);
	});

	it('a measured height replaces the estimate and moves every later offset', () => {
		const heights = new RowHeights(1000, () => 50);
		expect(heights.offsetOf(999)).toBe(49_950);
		expect(heights.set(10, 80)).toBe(30);
		expect(heights.isMeasured(10)).toBe(true);
		expect(heights.isMeasured(11)).toBe(false);
		expect(heights.offsetOf(10)).toBe(500);
		expect(heights.offsetOf(11)).toBe(580);
		expect(heights.offsetOf(999)).toBe(49_980);
		expect(heights.total).toBe(50_030);
		expect(heights.set(10, 80)).toBe(0);
		expect(heights.set(5000, 80)).toBe(0);
		expect(heights.indexAt(579)).toBe(10);
		expect(heights.indexAt(580)).toBe(11);
	});

	it('agrees with the plain sums after many random corrections (10,000 rows)', () => {
		let seed = 7;
		const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
		const sizes = Array.from({ length: 10_000 }, () => 30 + Math.floor(random() * 200));
		const heights = new RowHeights(sizes.length, (i) => sizes[i]);
		for (let k = 0; k < 500; k++) {
			const i = Math.floor(random() * sizes.length);
			sizes[i] = 20 + Math.floor(random() * 400);
			heights.set(i, sizes[i]);
		}
		for (let k = 0; k < 200; k++) {
			const i = Math.floor(random() * sizes.length);
			expect(heights.offsetOf(i)).toBe(naiveOffset(sizes, i));
			const offset = random() * heights.total;
			expect(heights.indexAt(offset)).toBe(naiveIndexAt(sizes, offset));
		}
	});

	it('the window covers the viewport plus the overscan, and never more rows than that', () => {
		const heights = new RowHeights(10_000, () => 100);
		expect(heights.window(0, 600, 200)).toEqual({ first: 0, last: 9 });
		expect(heights.window(50_000, 600, 200)).toEqual({ first: 498, last: 509 });
		// Scrolled to the end: the last row is in the window.
		expect(heights.window(heights.total - 600, 600, 200)).toEqual({ first: 9992, last: 10_000 });
		expect(new RowHeights(0, () => 10).window(0, 600, 200)).toEqual({ first: 0, last: 0 });
	});

	it('bad estimates (NaN, negative) count as zero instead of breaking every offset', () => {
		const heights = new RowHeights(3, (i) => [Number.NaN, -5, 20][i]);
		expect(heights.total).toBe(20);
		expect(heights.offsetOf(3)).toBe(20);
	});

	it('scrollFor moves the least that shows a row', () => {
		const heights = new RowHeights(100, () => 100);
		expect(heights.scrollFor(5, 1000, 400)).toBe(500);
		expect(heights.scrollFor(12, 800, 400)).toBe(900);
		expect(heights.scrollFor(9, 800, 400)).toBe(800);
	});
});

describe('wrappedLines', () => {
	it('counts line breaks and wraps long lines', () => {
		expect(wrappedLines('', 80)).toBe(1);
		expect(wrappedLines('short', 80)).toBe(1);
		expect(wrappedLines('a\nb\nc', 80)).toBe(3);
		expect(wrappedLines('x'.repeat(200), 80)).toBe(3);
		expect(wrappedLines(`${'x'.repeat(161)}\n\nend`, 80)).toBe(5);
	});

	it('stops at maxLines, so a 30 MB message is not scanned to its end', () => {
		expect(wrappedLines('The tide log, line after line.\n'.repeat(1_000_000), 80, 400)).toBe(400);
		expect(wrappedLines('y'.repeat(30_000_000), 80, 400)).toBe(400);
		expect(wrappedLines(`${'y'.repeat(100)}\n`.repeat(300_000), 80, 400)).toBe(400);
		expect(wrappedLines(`${'y'.repeat(100)}\nz`, 80, 400)).toBe(3);
	});

	it('charsPerLine never falls below a usable width', () => {
		expect(charsPerLine(800, 8)).toBe(100);
		expect(charsPerLine(0, 8)).toBe(10);
	});
});

describe('estimateTextRow', () => {
	const layout = { chrome: 50, lineHeight: 20, charWidth: 8, inset: 40, maxLines: 30, minLines: 2 };
	it('grows with the text and the narrowness of the list, up to maxLines', () => {
		expect(estimateTextRow('Hi', 840, layout)).toBe(50 + 2 * 20);
		expect(estimateTextRow('x'.repeat(500), 840, layout)).toBe(50 + 5 * 20);
		expect(estimateTextRow('x'.repeat(500), 440, layout)).toBe(50 + 10 * 20);
		expect(estimateTextRow('a\nb\nc\nd', 840, layout)).toBe(50 + 4 * 20);
		expect(estimateTextRow('x'.repeat(30_000_000), 840, layout)).toBe(50 + 30 * 20);
	});
});
