import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { SkeinDatabase } from './database';
import { deletePool, getPool, listPools, poolItems, poolItemsAt, storePool } from './pools-repo';
import { poolBlocksAndIndex } from './pool-blocks';
import { POOL_BLOCK_SIZE } from './schema';

const opened: SkeinDatabase[] = [];
function freshDb(): SkeinDatabase {
	const db = new SkeinDatabase(`pools-repo-test-${Math.random()}`);
	opened.push(db);
	return db;
}
afterEach(async () => {
	for (const db of opened.splice(0)) {
		db.close();
		await db.delete();
	}
});

const items = [
	{ text: 'How do you trim the lamp?', rating: 3 },
	{ text: 'What is the storm of 89?', rating: null },
	{ text: 'Who built the lighthouse?', rating: 3 },
	{ text: 'Do you like ships from the south?', rating: 1 },
	{ text: 'Tell me a ghost story.', rating: null }
];

describe('pools repository', () => {
	it('lays items out in blocks in pool order and indexes them per rating (unrated = -1, key "")', () => {
		const { blocks, index, ratingCounts } = poolBlocksAndIndex('p', items);
		expect(blocks).toEqual([{ poolId: 'p', blockNo: 0, texts: items.map((i) => i.text), ratings: [3, -1, 3, 1, -1] }]);
		expect(Object.fromEntries(Object.entries(index.byRating).map(([key, list]) => [key, [...list]]))).toEqual({ '': [1, 4], '1': [3], '3': [0, 2] });
		expect(ratingCounts).toEqual({ '': 2, '1': 1, '3': 2 });
		const many = Array.from({ length: POOL_BLOCK_SIZE * 2 + 5 }, (_, i) => ({ text: `q${i}`, rating: i % 2 }));
		const layout = poolBlocksAndIndex('m', many);
		expect(layout.blocks.map((b) => [b.blockNo, b.texts.length, b.texts[0]])).toEqual([
			[0, POOL_BLOCK_SIZE, 'q0'],
			[1, POOL_BLOCK_SIZE, `q${POOL_BLOCK_SIZE}`],
			[2, 5, `q${POOL_BLOCK_SIZE * 2}`]
		]);
		expect(layout.index.byRating['1'][3]).toBe(7);
	});

	it('stores a pool with its items, pages them, finds them by rating and deletes both', async () => {
		const db = freshDb();
		const pool = await storePool(db, { id: 'p1', name: 'keeper questions', sourceName: 'keeper.csv', ratingField: 'score', createdAt: 10 }, items);
		expect(pool).toMatchObject({ count: 5, ratingCounts: { '': 2, '1': 1, '3': 2 }, ratingField: 'score' });
		await storePool(db, { id: 'p2', name: 'other', sourceName: 'pasted', createdAt: 20 }, [{ text: 'x', rating: null }]);
		expect((await listPools(db)).map((p) => p.id)).toEqual(['p2', 'p1']);
		expect(await poolItems(db, 'p1', 1, 2)).toEqual([
			{ index: 1, text: 'What is the storm of 89?', rating: null },
			{ index: 2, text: 'Who built the lighthouse?', rating: 3 }
		]);
		expect(await poolItems(db, 'p1', 4, 10)).toHaveLength(1);
		expect(await poolItemsAt(db, 'p1', [{ rating: 3, ordinal: 0 }, { rating: 3, ordinal: 1 }])).toEqual([
			{ index: 0, text: 'How do you trim the lamp?', rating: 3 },
			{ index: 2, text: 'Who built the lighthouse?', rating: 3 }
		]);
		expect(await deletePool(db, 'p1')).toBe(true);
		expect(await getPool(db, 'p1')).toBeUndefined();
		expect(await poolItems(db, 'p1', 0, 10)).toEqual([]);
		expect(await db.promptPoolRatingIndexes.get('p1')).toBeUndefined();
		expect(await poolItems(db, 'p2', 0, 10)).toEqual([{ index: 0, text: 'x', rating: null }]);
	});

	it('reads the items a sample picks, by rating and ordinal, in the order of the picks', async () => {
		const db = freshDb();
		await storePool(db, { id: 'p1', name: 'keeper questions', sourceName: 'keeper.csv', createdAt: 10 }, items);
		await storePool(db, { id: 'p2', name: 'other', sourceName: 'pasted', createdAt: 20 }, [{ text: 'x', rating: 3 }]);
		const picks = [
			{ rating: null, ordinal: 1 },
			{ rating: 3, ordinal: 1 },
			{ rating: 1, ordinal: 0 },
			{ rating: 3, ordinal: 7 },
			{ rating: 3, ordinal: 0 }
		];
		expect(await poolItemsAt(db, 'p1', picks)).toEqual([
			{ index: 4, text: 'Tell me a ghost story.', rating: null },
			{ index: 2, text: 'Who built the lighthouse?', rating: 3 },
			{ index: 3, text: 'Do you like ships from the south?', rating: 1 },
			{ index: 0, text: 'How do you trim the lamp?', rating: 3 }
		]);
		expect(await poolItemsAt(db, 'p1', [])).toEqual([]);
		expect(await poolItemsAt(db, 'gone', picks)).toEqual([]);
	});

	it('writes nothing when the pool id is taken (one transaction)', async () => {
		const db = freshDb();
		await storePool(db, { id: 'p1', name: 'a', sourceName: 'a.txt', createdAt: 1 }, items);
		await expect(storePool(db, { id: 'p1', name: 'b', sourceName: 'b.txt', createdAt: 2 }, [{ text: 'new', rating: 9 }])).rejects.toThrow();
		expect(await poolItems(db, 'p1', 0, 10)).toHaveLength(5);
		expect(await db.promptPoolBlocks.count()).toBe(1);
		expect((await getPool(db, 'p1'))?.name).toBe('a');
	});

	// fake-indexeddb is ~10× slower than a browser's IndexedDB; the 100k case is measured in e2e.
	it('stores 20k items in one go, in order, and pages and picks across blocks', async () => {
		const db = freshDb();
		const many = Array.from({ length: 20_000 }, (_, i) => ({ text: `Question number ${i} about the lamp?`, rating: i % 7 === 0 ? null : i % 5 }));
		const pool = await storePool(db, { id: 'big', name: 'big', sourceName: 'big.txt', createdAt: 1 }, many);
		expect(pool.count).toBe(20_000);
		expect(await db.promptPoolBlocks.count()).toBe(20_000 / POOL_BLOCK_SIZE);
		expect((await poolItems(db, 'big', 19_998, 5)).map((i) => i.index)).toEqual([19_998, 19_999]);
		const page = await poolItems(db, 'big', POOL_BLOCK_SIZE - 2, 4);
		expect(page.map((i) => [i.index, i.text, i.rating])).toEqual([998, 999, 1000, 1001].map((i) => [i, `Question number ${i} about the lamp?`, i % 7 === 0 ? null : i % 5]));
		// Items rated 4 are those with i % 5 === 4 and i % 7 !== 0: 4, 9, 19, 24, …
		const fours = many.flatMap((item, i) => (item.rating === 4 ? [i] : []));
		const picked = await poolItemsAt(db, 'big', [{ rating: 4, ordinal: fours.length - 1 }, { rating: 4, ordinal: 0 }, { rating: null, ordinal: 2 }]);
		expect(picked.map((i) => i.index)).toEqual([fours[fours.length - 1], fours[0], 14]);
	}, 60_000);
});
