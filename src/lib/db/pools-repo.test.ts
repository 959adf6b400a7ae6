import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { SkeinDatabase } from './database';
import { deletePool, getPool, listPools, poolItemRows, poolItems, poolItemsAt, storePool } from './pools-repo';

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
	it('numbers items per rating and counts them (unrated = -1, key "")', () => {
		const { rows, ratingCounts } = poolItemRows('p', items);
		expect(rows.map((r) => [r.index, r.rating, r.ordinal])).toEqual([
			[0, 3, 0],
			[1, -1, 0],
			[2, 3, 1],
			[3, 1, 0],
			[4, -1, 1]
		]);
		expect(ratingCounts).toEqual({ '': 2, '1': 1, '3': 2 });
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
		const threes = await db.promptPoolItems.where('[poolId+rating+ordinal]').between(['p1', 3, 0], ['p1', 3, 99]).toArray();
		expect(threes.map((r) => r.text)).toEqual(['How do you trim the lamp?', 'Who built the lighthouse?']);
		expect(await deletePool(db, 'p1')).toBe(true);
		expect(await getPool(db, 'p1')).toBeUndefined();
		expect(await db.promptPoolItems.where('poolId').equals('p1').count()).toBe(0);
		expect(await db.promptPoolItems.where('poolId').equals('p2').count()).toBe(1);
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
		expect(await db.promptPoolItems.count()).toBe(5);
		expect((await getPool(db, 'p1'))?.name).toBe('a');
	});

	// fake-indexeddb is ~10× slower than a browser's IndexedDB; the 100k case is measured in e2e.
	it('stores 20k items in one go, in order', async () => {
		const db = freshDb();
		const many = Array.from({ length: 20_000 }, (_, i) => ({ text: `Question number ${i} about the lamp?`, rating: i % 7 === 0 ? null : i % 5 }));
		const started = performance.now();
		const pool = await storePool(db, { id: 'big', name: 'big', sourceName: 'big.txt', createdAt: 1 }, many);
		expect(performance.now() - started).toBeLessThan(15_000);
		expect(pool.count).toBe(20_000);
		expect((await poolItems(db, 'big', 19_998, 5)).map((i) => i.index)).toEqual([19_998, 19_999]);
	}, 60_000);
});
