import { describe, expect, it } from 'vitest';
import { seededSample } from './sampling';

describe('seeded samples', () => {
	it('is deterministic per seed, distinct and in range', () => {
		const a = seededSample(100_000, 50, 7);
		expect(seededSample(100_000, 50, 7)).toEqual(a);
		expect(seededSample(100_000, 50, 8)).not.toEqual(a);
		expect(new Set(a).size).toBe(50);
		expect(a.every((p) => p >= 0 && p < 100_000)).toBe(true);
	});
	it('returns everything (shuffled) when the sample is larger than the dataset', () => {
		expect([...seededSample(5, 20, 1)].sort()).toEqual([0, 1, 2, 3, 4]);
		expect(seededSample(0, 20, 1)).toEqual([]);
	});
});
