import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import type { Entry } from '$lib/core/model';
import { SkeinDatabase } from './database';
import { completeImport, createImportingDataset, putBlock } from './datasets-repo';
import { applyCuration, applyOperation, EntryConflictError, historyState, readEntryAt, redo, undo } from './entries-repo';
import { addTagsOp, deleteOp, setReviewOp } from '$lib/core/curation/operations';
import { setHistoryOrigin } from './history-origin';

function entry(id: string, text: string, review: Entry['meta']['review'] = 'draft'): Entry {
	return {
		id,
		messages: [
			{ role: 'user', content: `Keeper, ${text}?` },
			{ role: 'assistant', content: `Aye, ${text}.` }
		],
		tags: [],
		meta: { review },
		extra: {},
		hash: `h-${id}`
	};
}

let counter = 0;
const opened: SkeinDatabase[] = [];
afterEach(async () => {
	for (const db of opened.splice(0)) {
		db.close();
		await Dexie.delete(db.name);
	}
});

/** A dataset of two blocks: [e1 e2 e3] [e4 e5]. */
async function twoBlocks(name = `skein-entries-${++counter}-${Date.now()}`) {
	const db = new SkeinDatabase(name);
	opened.push(db);
	const row = await createImportingDataset(db, 'Keeper');
	await putBlock(db, row.id, 0, [entry('e1', 'one'), entry('e2', 'two'), entry('e3', 'three')]);
	await putBlock(db, row.id, 1, [entry('e4', 'four'), entry('e5', 'five')]);
	await completeImport(db, row.id, {
		contentHash: 'x',
		entryCount: 5,
		blockSizes: [3, 2],
		nextEntryNo: 6,
		sizeBytes: 1,
		report: { files: [], imported: 5, errorCount: 0, durationMs: 0, startedAt: 0 }
	});
	return { db, id: row.id };
}

async function ids(db: SkeinDatabase, id: string): Promise<string[]> {
	const blocks = await db.blocks.where('datasetId').equals(id).sortBy('blockNo');
	return blocks.flatMap((b) => b.entries.map((e) => `${e.id}:${e.meta.review}`));
}

describe('entry operations with undo and redo', () => {
	it('replaces an entry in its block, and undo/redo swap it back and forth', async () => {
		const { db, id } = await twoBlocks();
		const before = (await readEntryAt(db, id, 3)) as Entry;
		const after = { ...before, meta: { ...before.meta, review: 'accepted' as const } };
		const updated = await applyOperation(db, id, 'Accept entry #4', [{ position: 3, before, after }]);
		expect(updated.entryCount).toBe(5);
		expect(await ids(db, id)).toEqual(['e1:draft', 'e2:draft', 'e3:draft', 'e4:accepted', 'e5:draft']);
		expect(await historyState(db, id)).toEqual({ canUndo: true, canRedo: false, undoLabel: 'Accept entry #4', redoLabel: null });

		expect((await undo(db, id)).label).toBe('Accept entry #4');
		expect(await ids(db, id)).toEqual(['e1:draft', 'e2:draft', 'e3:draft', 'e4:draft', 'e5:draft']);
		expect(await historyState(db, id)).toMatchObject({ canUndo: false, canRedo: true, redoLabel: 'Accept entry #4' });
		expect((await undo(db, id)).label).toBeNull();

		expect((await redo(db, id)).label).toBe('Accept entry #4');
		expect(await ids(db, id)).toEqual(['e1:draft', 'e2:draft', 'e3:draft', 'e4:accepted', 'e5:draft']);
		expect((await redo(db, id)).label).toBeNull();
	});

	it('inserts and deletes across blocks, keeping counts and block sizes right, and undoes both', async () => {
		const { db, id } = await twoBlocks();
		const e2 = (await readEntryAt(db, id, 1)) as Entry;
		// A split: e2 replaced by two halves.
		const updated = await applyOperation(db, id, 'Split entry #2', [
			{ position: 1, before: e2, after: entry('e2', 'two-a') },
			{ position: 2, before: null, after: entry('e6', 'two-b') }
		]);
		expect(updated).toMatchObject({ entryCount: 6, blockSizes: [4, 2] });
		expect((await readEntryAt(db, id, 2))?.id).toBe('e6');
		// Delete the last entry, then append one at the end.
		const e5 = (await readEntryAt(db, id, 5)) as Entry;
		await applyOperation(db, id, 'Delete entry #6', [{ position: 5, before: e5, after: null }]);
		const appended = await applyOperation(db, id, 'Add entry', [{ position: 5, before: null, after: entry('e7', 'seven') }]);
		expect(appended).toMatchObject({ entryCount: 6, blockSizes: [4, 2] });
		expect(await ids(db, id)).toEqual(['e1:draft', 'e2:draft', 'e6:draft', 'e3:draft', 'e4:draft', 'e7:draft']);

		await undo(db, id);
		await undo(db, id);
		await undo(db, id);
		expect(await ids(db, id)).toEqual(['e1:draft', 'e2:draft', 'e3:draft', 'e4:draft', 'e5:draft']);
		expect((await db.datasets.get(id))?.blockSizes).toEqual([3, 2]);
		expect((await readEntryAt(db, id, 1))?.messages[0].content).toBe('Keeper, two?');
	});

	it('a new operation after an undo drops the redo stack', async () => {
		const { db, id } = await twoBlocks();
		const e1 = (await readEntryAt(db, id, 0)) as Entry;
		await applyOperation(db, id, 'Accept #1', [{ position: 0, before: e1, after: entry('e1', 'one', 'accepted') }]);
		await undo(db, id);
		await applyOperation(db, id, 'Reject #1', [{ position: 0, before: e1, after: entry('e1', 'one', 'rejected') }]);
		expect(await historyState(db, id)).toMatchObject({ canRedo: false, undoLabel: 'Reject #1' });
		await undo(db, id);
		expect(await historyState(db, id)).toMatchObject({ canUndo: false, redoLabel: 'Reject #1' });
	});

	it('refuses to overwrite an entry that changed since it was read (another tab), changing nothing', async () => {
		const { db, id } = await twoBlocks();
		const stale = (await readEntryAt(db, id, 0)) as Entry;
		await applyOperation(db, id, 'Tab A accepts', [{ position: 0, before: stale, after: entry('e1', 'one', 'accepted') }]);
		const beforeSecond = await ids(db, id);
		await expect(
			applyOperation(db, id, 'Tab B rejects', [{ position: 0, before: stale, after: entry('e1', 'one', 'rejected') }])
		).rejects.toBeInstanceOf(EntryConflictError);
		expect(await ids(db, id)).toEqual(beforeSecond);
		expect(await historyState(db, id)).toMatchObject({ undoLabel: 'Tab A accepts' });
	});

	it('keeps history across reopening the database (a reload)', async () => {
		const name = `skein-entries-reload-${Date.now()}`;
		const { db, id } = await twoBlocks(name);
		const e1 = (await readEntryAt(db, id, 0)) as Entry;
		await applyOperation(db, id, 'Accept #1', [{ position: 0, before: e1, after: entry('e1', 'one', 'accepted') }]);
		db.close();
		const reopened = new SkeinDatabase(name);
		opened.push(reopened);
		expect((await undo(reopened, id)).label).toBe('Accept #1');
		expect((await readEntryAt(reopened, id, 0))?.meta.review).toBe('draft');
	});
});

describe('curation operations in the history', () => {
	it('bulk-tags across blocks, undoes and redoes it, and keeps the inverse compact', async () => {
		const { db, id } = await twoBlocks();
		const e2 = (await readEntryAt(db, id, 1)) as Entry;
		await applyOperation(db, id, 'Tag e2', [{ position: 1, before: e2, after: { ...e2, tags: ['storm'] } }]);
		const progress: number[] = [];
		const result = await applyCuration(db, id, addTagsOp(['e1', 'e2', 'e4', 'e5'], ['storm']), 'Add tag storm', (done) => progress.push(done));
		expect(progress).toEqual([1, 2]);
		expect(result.summary.changedCount).toBe(3);
		const row = (await db.history.toArray()).at(-1);
		// Only the entries that lacked the tag are in the inverse.
		expect(row?.operation?.inverse).toEqual({ kind: 'remove-tags', ids: ['e1', 'e4', 'e5'], tags: ['storm'] });
		const tagged = async () => (await db.blocks.where('datasetId').equals(id).sortBy('blockNo')).flatMap((b) => b.entries.map((e) => `${e.id}:${e.tags.join('+')}`));
		expect(await tagged()).toEqual(['e1:storm', 'e2:storm', 'e3:', 'e4:storm', 'e5:storm']);
		expect((await undo(db, id)).label).toBe('Add tag storm');
		expect(await tagged()).toEqual(['e1:', 'e2:storm', 'e3:', 'e4:', 'e5:']);
		expect((await redo(db, id)).label).toBe('Add tag storm');
		expect(await tagged()).toEqual(['e1:storm', 'e2:storm', 'e3:', 'e4:storm', 'e5:storm']);
		// Both kinds of history undo in stack order.
		await undo(db, id);
		expect((await undo(db, id)).label).toBe('Tag e2');
		expect(await tagged()).toEqual(['e1:', 'e2:', 'e3:', 'e4:', 'e5:']);
	});

	it('deletes across blocks and brings the entries back where they were', async () => {
		const { db, id } = await twoBlocks();
		const result = await applyCuration(db, id, deleteOp(['e3', 'e4']), 'Delete 2 entries');
		expect(result.dataset).toMatchObject({ entryCount: 3, blockSizes: [2, 1] });
		await undo(db, id);
		expect(await ids(db, id)).toEqual(['e1:draft', 'e2:draft', 'e3:draft', 'e4:draft', 'e5:draft']);
		expect((await db.datasets.get(id))?.entryCount).toBe(5);
	});

	it('records nothing for an operation that changes nothing', async () => {
		const { db, id } = await twoBlocks();
		await applyCuration(db, id, setReviewOp(['e1'], 'draft'), 'Mark draft');
		expect(await historyState(db, id)).toMatchObject({ canUndo: false });
	});
});

describe('undo across tabs', () => {
	afterEach(() => setHistoryOrigin(undefined));

	it('reverts this tab’s change, and asks before reverting or re-applying one another tab made', async () => {
		const { db, id } = await twoBlocks();
		setHistoryOrigin('tab-a');
		const before = await readEntryAt(db, id, 0);
		if (!before) throw new Error('no entry');
		await applyOperation(db, id, 'Accept #1 in tab A', [{ position: 0, before, after: { ...before, meta: { review: 'accepted' } } }]);
		expect((await historyState(db, id)).undoElsewhere).toBeUndefined();

		// Tab B sees tab A's change as the one Undo would revert: nothing happens without a yes.
		setHistoryOrigin('tab-b');
		expect(await historyState(db, id)).toMatchObject({ canUndo: true, undoLabel: 'Accept #1 in tab A', undoElsewhere: true });
		expect(await undo(db, id)).toEqual({ label: null, elsewhere: 'Accept #1 in tab A' });
		expect((await readEntryAt(db, id, 0))?.meta.review).toBe('accepted');
		expect(await undo(db, id, Date.now(), { anyTab: true })).toEqual({ label: 'Accept #1 in tab A' });
		expect((await readEntryAt(db, id, 0))?.meta.review).toBe('draft');

		// Redo of that change is tab A's too; back in tab A it goes without asking.
		expect(await redo(db, id)).toEqual({ label: null, elsewhere: 'Accept #1 in tab A' });
		setHistoryOrigin('tab-a');
		expect(await historyState(db, id)).toEqual({ canUndo: false, canRedo: true, undoLabel: null, redoLabel: 'Accept #1 in tab A' });
		expect(await redo(db, id)).toEqual({ label: 'Accept #1 in tab A' });
		expect((await readEntryAt(db, id, 0))?.meta.review).toBe('accepted');
	});

	it('counts rows from before origins were kept, and rows written without a tab, as this tab’s', async () => {
		const { db, id } = await twoBlocks();
		await applyCuration(db, id, setReviewOp(['e2'], 'rejected'), 'Reject e2');
		setHistoryOrigin('tab-b');
		expect((await historyState(db, id)).undoElsewhere).toBeUndefined();
		expect(await undo(db, id)).toEqual({ label: 'Reject e2' });
	});
});
