/**
 * The project's one seeded generator: mulberry32 (32-bit state, `Math.imul` and shifts only, so
 * every step is exact integer arithmetic and the sequence is the same on every platform), seeded
 * with `seed >>> 0`. Its output is k / 2^32 for an integer k, in [0, 1). Used by seeded shuffles
 * and splits, sample reviews, and the generation runtime.
 */
export function mulberry32(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}
