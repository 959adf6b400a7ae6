/**
 * Deterministic shuffling: the same seed gives the same order on every run, browser and machine.
 *
 * Generator: mulberry32 (32-bit state, `Math.imul` and shifts only, so every step is exact
 * integer arithmetic), seeded with `seed >>> 0`. Its output u is k / 2^32 for an integer k.
 * Shuffle: Fisher–Yates from the end, i = n−1 … 1, swapping i with j = floor(u × (i + 1)).
 * u × (i + 1) is exact in a double while n < 2^21, and IEEE-defined beyond, so the order never
 * depends on the platform. (j has a bias of at most n / 2^32, irrelevant for dataset splits.)
 */

import { mulberry32 } from '../random';

/** The generator, re-exported for callers of this module. */
export { mulberry32 };

/** A permutation of 0 … n−1, shuffled with `seed`. */
export function seededPermutation(n: number, seed: number): Uint32Array {
	const order = new Uint32Array(n);
	for (let i = 0; i < n; i++) order[i] = i;
	const random = mulberry32(seed);
	for (let i = n - 1; i > 0; i--) {
		const j = Math.floor(random() * (i + 1));
		const held = order[i];
		order[i] = order[j];
		order[j] = held;
	}
	return order;
}

/** A shuffled copy of `items`. */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
	const order = seededPermutation(items.length, seed);
	const out = new Array<T>(items.length);
	for (let i = 0; i < order.length; i++) out[i] = items[order[i]];
	return out;
}
