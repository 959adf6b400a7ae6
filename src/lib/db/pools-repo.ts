/**
 * Prompt pools as stored: one PromptPoolRow and one PromptPoolItemRow per prompt. A pool can hold
 * 100k prompts, so the items are written with one bulkAdd inside the transaction that adds the
 * pool (a failed import leaves nothing behind) and read back only by page or by the
 * [poolId+rating+ordinal] index a stratified sample uses.
 */
import Dexie from 'dexie';
import type { PromptPoolItem } from '$lib/core/recipes/sources';
import type { SkeinDatabase } from './database';
import type { PromptPoolItemRow, PromptPoolRow } from '$lib/core/contracts/rows';

/** -1 stands for "unrated" in the rating index (IndexedDB cannot index null). */
export const UNRATED = -1;

/** The key of `PromptPool.ratingCounts` for a rating ('' = unrated). */
export function ratingKey(rating: number | null): string {
	return rating === null ? '' : String(rating);
}

export interface NewPool {
	id: string;
	name: string;
	sourceName: string;
	ratingField?: string;
	createdAt: number;
}

/**
 * Rows for the items, in order: `ordinal` counts the items before this one with the same rating,
 * so the items of one rating are numbered 0..n-1 in pool order.
 */
export function poolItemRows(poolId: string, items: readonly { text: string; rating: number | null }[]): { rows: PromptPoolItemRow[]; ratingCounts: Record<string, number> } {
	const counts = new Map<number, number>();
	const rows: PromptPoolItemRow[] = new Array(items.length);
	for (let index = 0; index < items.length; index++) {
		const item = items[index];
		const rating = item.rating === null || !Number.isFinite(item.rating) ? UNRATED : item.rating;
		const ordinal = counts.get(rating) ?? 0;
		counts.set(rating, ordinal + 1);
		rows[index] = { poolId, index, text: item.text, rating, ordinal };
	}
	const ratingCounts: Record<string, number> = {};
	for (const [rating, count] of [...counts].sort((a, b) => a[0] - b[0])) ratingCounts[rating === UNRATED ? '' : String(rating)] = count;
	return { rows, ratingCounts };
}

/** Writes the pool and all its items in one transaction; returns the stored pool row. */
export async function storePool(db: SkeinDatabase, pool: NewPool, items: readonly { text: string; rating: number | null }[]): Promise<PromptPoolRow> {
	const { rows, ratingCounts } = poolItemRows(pool.id, items);
	const row: PromptPoolRow = {
		id: pool.id,
		name: pool.name,
		sourceName: pool.sourceName,
		count: rows.length,
		ratingCounts,
		...(pool.ratingField !== undefined ? { ratingField: pool.ratingField } : {}),
		createdAt: pool.createdAt
	};
	await db.transaction('rw', db.promptPools, db.promptPoolItems, async () => {
		await db.promptPools.add(row);
		await db.promptPoolItems.bulkAdd(rows);
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
	const rows = await db.promptPoolItems.where('[poolId+index]').between([poolId, from], [poolId, from + size], true, false).toArray();
	return rows.map((row) => ({ index: row.index, text: row.text, rating: row.rating === UNRATED ? null : row.rating }));
}

/**
 * The items at these picks (the `ordinal`-th item of a rating, as a stratified sample plans them),
 * in the order of the picks, read by the [poolId+rating+ordinal] index only; a pick the pool does
 * not have is left out.
 */
export async function poolItemsAt(db: SkeinDatabase, poolId: string, picks: readonly { rating: number | null; ordinal: number }[]): Promise<PromptPoolItem[]> {
	const keys = picks.map((pick) => [poolId, pick.rating ?? UNRATED, pick.ordinal] as [string, number, number]);
	const rows = keys.length ? await db.promptPoolItems.where('[poolId+rating+ordinal]').anyOf(keys).toArray() : [];
	const byKey = new Map(rows.map((row) => [`${row.rating}:${row.ordinal}`, row]));
	return picks.flatMap((pick) => {
		const row = byKey.get(`${pick.rating ?? UNRATED}:${pick.ordinal}`);
		return row ? [{ index: row.index, text: row.text, rating: row.rating === UNRATED ? null : row.rating }] : [];
	});
}

/** The pool and every item of it. */
export async function deletePool(db: SkeinDatabase, id: string): Promise<boolean> {
	return db.transaction('rw', db.promptPools, db.promptPoolItems, async () => {
		const exists = (await db.promptPools.get(id)) !== undefined;
		// The compound primary key's prefix finds a pool's items: no separate poolId index to keep up on import.
		await db.promptPoolItems.where('[poolId+index]').between([id, Dexie.minKey], [id, Dexie.maxKey]).delete();
		if (exists) await db.promptPools.delete(id);
		return exists;
	});
}
