/**
 * A prompt pool's items laid out as stored: blocks of POOL_BLOCK_SIZE in pool order plus one rating
 * index row. Pure, so the import and the version 4 upgrade build exactly the same rows.
 */
import type { PromptPoolBlockRow, PromptPoolRatingIndexRow } from '$lib/core/contracts/rows';
import { ratingKey } from '$lib/core/recipes/prompt-pool';
import { POOL_BLOCK_SIZE } from './schema';

/** -1 stands for "unrated" in a block's ratings (kept from version 3's index, which could not hold null). */
export const UNRATED = -1;

export interface PoolLayout {
	blocks: PromptPoolBlockRow[];
	index: PromptPoolRatingIndexRow;
	/** Items per rating key, keys in rating order with '' (unrated) first. */
	ratingCounts: Record<string, number>;
}

export function poolBlocksAndIndex(poolId: string, items: readonly { text: string; rating: number | null }[]): PoolLayout {
	const blocks: PromptPoolBlockRow[] = [];
	const positions = new Map<number, number[]>();
	for (let start = 0; start < items.length; start += POOL_BLOCK_SIZE) {
		const end = Math.min(items.length, start + POOL_BLOCK_SIZE);
		const texts: string[] = new Array(end - start);
		const ratings: number[] = new Array(end - start);
		for (let index = start; index < end; index++) {
			const { text, rating } = items[index];
			const stored = rating === null || !Number.isFinite(rating) ? UNRATED : rating;
			texts[index - start] = text;
			ratings[index - start] = stored;
			let list = positions.get(stored);
			if (!list) positions.set(stored, (list = []));
			list.push(index);
		}
		blocks.push({ poolId, blockNo: blocks.length, texts, ratings });
	}
	const byRating: Record<string, Uint32Array> = {};
	const ratingCounts: Record<string, number> = {};
	for (const [rating, list] of [...positions].sort((a, b) => a[0] - b[0])) {
		const key = ratingKey(rating === UNRATED ? null : rating);
		byRating[key] = Uint32Array.from(list);
		ratingCounts[key] = list.length;
	}
	return { blocks, index: { poolId, byRating }, ratingCounts };
}
