import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { blockOf, blockStarts, slicesForRange } from './paging';

describe('paging over blocks', () => {
	const sizes = [1000, 1000, 3, 0, 250];

	it('finds the block of a position, skipping empty blocks', () => {
		const starts = blockStarts(sizes);
		expect(starts).toEqual([0, 1000, 2000, 2003, 2003]);
		expect(blockOf(0, starts, sizes)).toBe(0);
		expect(blockOf(999, starts, sizes)).toBe(0);
		expect(blockOf(1000, starts, sizes)).toBe(1);
		expect(blockOf(2002, starts, sizes)).toBe(2);
		expect(blockOf(2003, starts, sizes)).toBe(4);
		expect(blockOf(2253, starts, sizes)).toBe(-1);
		expect(blockOf(-1, starts, sizes)).toBe(-1);
	});

	it('cuts a range into per-block slices', () => {
		expect(slicesForRange(990, 20, sizes)).toEqual([
			{ blockNo: 0, from: 990, to: 1000 },
			{ blockNo: 1, from: 0, to: 10 }
		]);
		expect(slicesForRange(1999, 10, sizes)).toEqual([
			{ blockNo: 1, from: 999, to: 1000 },
			{ blockNo: 2, from: 0, to: 3 },
			{ blockNo: 4, from: 0, to: 6 }
		]);
		expect(slicesForRange(5000, 10, sizes)).toEqual([]);
		expect(slicesForRange(0, 10, [])).toEqual([]);
	});

	it('covers exactly the requested positions for any block layout', () => {
		fc.assert(
			fc.property(
				fc.array(fc.nat(50), { maxLength: 20 }),
				fc.nat(600),
				fc.nat(300),
				(blockSizes, start, count) => {
					const total = blockSizes.reduce((a, b) => a + b, 0);
					const slices = slicesForRange(start, count, blockSizes);
					const covered = slices.reduce((n, s) => n + (s.to - s.from), 0);
					expect(covered).toBe(Math.max(0, Math.min(total, start + count) - start));
					for (const s of slices) expect(s.to).toBeLessThanOrEqual(blockSizes[s.blockNo]);
				}
			)
		);
	});
});
