/**
 * Seeded random samples of positions for the sample review: the same seed over the same dataset
 * size gives the same entries, so a review can be resumed or repeated by someone else.
 */
import { mulberry32 } from '../random';

/**
 * `size` distinct positions from 0 … total−1, in sampled order. Partial Fisher–Yates over a
 * sparse swap map: O(size) time and memory whatever the dataset size.
 */
export function seededSample(total: number, size: number, seed: number): number[] {
	const n = Math.max(0, Math.floor(total));
	const k = Math.min(n, Math.max(0, Math.floor(size)));
	const random = mulberry32(seed);
	const swapped = new Map<number, number>();
	const at = (i: number) => swapped.get(i) ?? i;
	const picked: number[] = [];
	for (let i = 0; i < k; i++) {
		const j = i + Math.floor(random() * (n - i));
		const value = at(j);
		swapped.set(j, at(i));
		picked.push(value);
	}
	return picked;
}
