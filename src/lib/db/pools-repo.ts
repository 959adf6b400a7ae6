/**
 * Prompt pools as stored: one PromptPoolRow, the items in blocks of POOL_BLOCK_SIZE
 * (promptPoolBlocks) and one rating index row (promptPoolRatingIndexes). A pool can hold 100k+
 * prompts, so it is written in one transaction (a failed import leaves nothing behind) and read back
 * only by page or by the items a stratified sample chose — never whole.
 */
import Dexie from 'dexie';
import type { PromptPoolItem } from '$lib/core/recipes/sources';
import type { SkeinDatabase } from './database';
import type { PromptPoolBlockRow, PromptPoolRow } from '$lib/core/contracts/rows';
import { POOL_BLOCK_SIZE } from './schema';
import { ratingKey } from '$lib/core/recipes/prompt-pool';
import { poolBlocksAndIndex, UNRATED } from './pool-blocks';

export interface NewPool {
	id: string;
	name: string;
	sourceName: string;
	ratingField?: string;
	createdAt: number;
}

/** Writes the pool and all its items in one transaction; returns the stored pool row. */
export async function storePool(db: SkeinDatabase, pool: NewPool, items: readonly { text: string; rating: number | null }[]): Promise<PromptPoolRow> {
	const { blocks, index, ratingCounts } = poolBlocksAndIndex(pool.id, items);
	const row: PromptPoolRow = {
		id: pool.id,
		name: pool.name,
		sourceName: pool.sourceName,
		count: items.length,
		ratingCounts,
		...(pool.ratingField !== undefined ? { ratingField: pool.ratingField } : {}),
		createdAt: pool.createdAt
	};
	await db.transaction('rw', db.promptPools, db.promptPoolBlocks, db.promptPoolRatingIndexes, async () => {
		await db.promptPools.add(row);
		await db.promptPoolBlocks.bulkAdd(blocks);
		await db.promptPoolRatingIndexes.add(index);
	});
	return row;
}

export async function listPools(db: SkeinDatabase): Promise<PromptPoolRow[]> {
	return db.promptPools.orderBy('createdAt').reverse().toArray();
}

export async function getPool(db: SkeinDatabase, id: string): Promise<PromptPoolRow | undefined> {
	return db.promptPools.get(id);
}

/** Items [start, start + count) in pool order. */
export async function poolItems(db: SkeinDatabase, poolId: string, start: number, count: number): Promise<PromptPoolItem[]> {
	const from = Math.max(0, Math.floor(start));
	const size = Math.max(0, Math.floor(count));
	if (size === 0) return [];
	const to = from + size;
	const blocks = await db.promptPoolBlocks
		.where('[poolId+blockNo]')
		.between([poolId, Math.floor(from / POOL_BLOCK_SIZE)], [poolId, Math.floor((to - 1) / POOL_BLOCK_SIZE)], true, true)
		.toArray();
	const items: PromptPoolItem[] = [];
	for (const block of blocks) {
		const base = block.blockNo * POOL_BLOCK_SIZE;
		for (let offset = Math.max(0, from - base); offset < block.texts.length && base + offset < to; offset++) items.push(itemAt(block, offset));
	}
	return items;
}

function itemAt(block: PromptPoolBlockRow, offset: number): PromptPoolItem {
	const rating = block.ratings[offset];
	return { index: block.blockNo * POOL_BLOCK_SIZE + offset, text: block.texts[offset], rating: rating === UNRATED ? null : rating };
}

/**
 * The items at these picks (the `ordinal`-th item of a rating, as a stratified sample plans them),
 * in the order of the picks, reading the rating index and only the blocks holding a pick; a pick the
 * pool does not have is left out.
 */
export async function poolItemsAt(db: SkeinDatabase, poolId: string, picks: readonly { rating: number | null; ordinal: number }[]): Promise<PromptPoolItem[]> {
	if (picks.length === 0) return [];
	const index = await db.promptPoolRatingIndexes.get(poolId);
	if (!index) return [];
	const positions = picks.flatMap((pick) => {
		const position = index.byRating[ratingKey(pick.rating)]?.[pick.ordinal];
		return position === undefined ? [] : [position];
	});
	const blockNos = [...new Set(positions.map((position) => Math.floor(position / POOL_BLOCK_SIZE)))];
	const blocks = await db.promptPoolBlocks.bulkGet(blockNos.map((blockNo) => [poolId, blockNo] as [string, number]));
	const byNo = new Map(blocks.flatMap((block) => (block ? [[block.blockNo, block] as const] : [])));
	return positions.flatMap((position) => {
		const block = byNo.get(Math.floor(position / POOL_BLOCK_SIZE));
		return block ? [itemAt(block, position % POOL_BLOCK_SIZE)] : [];
	});
}

/** The pool and every item of it. */
export async function deletePool(db: SkeinDatabase, id: string): Promise<boolean> {
	return db.transaction('rw', db.promptPools, db.promptPoolBlocks, db.promptPoolRatingIndexes, async () => {
		const exists = (await db.promptPools.get(id)) !== undefined;
		await db.promptPoolBlocks.where('[poolId+blockNo]').between([id, Dexie.minKey], [id, Dexie.maxKey]).delete();
		await db.promptPoolRatingIndexes.delete(id);
		if (exists) await db.promptPools.delete(id);
		return exists;
	});
}
