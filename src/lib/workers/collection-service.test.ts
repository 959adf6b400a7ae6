import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { SkeinDatabase } from '$lib/db/database';
import { listDatasets } from '$lib/db/datasets-repo';
import { ENTRY_BLOCK_SIZE } from '$lib/db/schema';
import { historyState, undo } from '$lib/db/entries-repo';
import { listSnapshots } from '$lib/db/collection-repo';
import { mergeDatasets } from '$lib/core/curation/merge';
import { addTagsOp } from '$lib/core/curation/operations';
import type { Entry } from '$lib/core/model';
import { hashMessages } from '$lib/core/hash';
import { entryToLine } from '$lib/core/export/serialize';
import type { DataService } from './data-service';
import { composeDataServices } from './data-services';
import { CollectionService } from './collection-service';

let counter = 0;
const opened: SkeinDatabase[] = [];
function fresh() {
	const db = new SkeinDatabase(`skein-collection-${++counter}-${Date.now()}`);
	opened.push(db);
	return { db, data: composeDataServices(db).data, collection: new CollectionService(db) };
}
afterEach(async () => {
	for (const db of opened.splice(0)) {
		db.close();
		await Dexie.delete(db.name);
	}
});

/** A Skein full-fidelity line (so that tags survive the import); ids follow the importer's `e<n>` form. */
function line(i: number, tags: string[] = [], id = `e${i + 1}`): string {
	const messages = [
		{ role: 'user', content: `Question ${i}: is the lamp lit?` },
		{ role: 'assistant', content: `Lit and trimmed, ${i}.` }
	];
	return entryToLine({ id, messages, tags, meta: { review: 'draft' }, extra: {}, hash: hashMessages(messages) }, 'skein');
}

async function importText(data: DataService, name: string, lines: string[]): Promise<string> {
	const result = await data.importSources(data.newJobId(), [{ kind: 'text', name, text: lines.join('\n') + '\n' }]);
	if (result.status !== 'done' || !result.datasets[0]) throw new Error(`import failed: ${result.error}`);
	return result.datasets[0].datasetId;
}

async function allEntries(db: SkeinDatabase, datasetId: string): Promise<Entry[]> {
	const dataset = await db.datasets.get(datasetId);
	const out: Entry[] = [];
	for (let blockNo = 0; blockNo < (dataset?.blockSizes.length ?? 0); blockNo++) out.push(...((await db.blocks.get([datasetId, blockNo]))?.entries ?? []));
	return out;
}

describe('CollectionService.merge', () => {
	it('streams the same result as the pure mergeDatasets across blocks, with late duplicates folded in', async () => {
		const { db, data, collection } = fresh();
		const firstLines = Array.from({ length: 2500 }, (_, i) => line(i, i % 2 ? ['odd'] : [], `x${i + 1}`));
		// The second dataset repeats entries 0..599 (tagged) and brings 900 new ones; its ids (x1…) all collide.
		const secondLines = [...Array.from({ length: 600 }, (_, i) => line(i, ['seen-twice'], `x${i + 1}`)), ...Array.from({ length: 900 }, (_, i) => line(10_000 + i, [], `x${601 + i}`))];
		const a = await importText(data, 'first.jsonl', firstLines);
		const b = await importText(data, 'second.jsonl', secondLines);
		const entriesA = await allEntries(db, a);
		const entriesB = await allEntries(db, b);

		const progress: number[] = [];
		const outcome = await collection.merge([a, b], 'Merged', (done) => progress.push(done));

		let next = Math.max((await db.datasets.get(a))!.nextEntryNo, (await db.datasets.get(b))!.nextEntryNo);
		const expected = mergeDatasets(
			[
				{ name: 'first', entries: entriesA },
				{ name: 'second', entries: entriesB }
			],
			() => `e${next++}`
		);
		const merged = await allEntries(db, outcome.datasetId);
		for (let i = 0; i < merged.length; i++) if (JSON.stringify(merged[i]) !== JSON.stringify(expected.entries[i])) expect([i, merged[i]]).toEqual([i, expected.entries[i]]);
		expect(merged).toEqual(expected.entries);
		expect(outcome.report).toEqual(expected.report);
		expect(outcome.report).toMatchObject({ input: 4000, output: 3400, duplicatesCollapsed: 600, idsReissued: 900 });
		expect(merged[0].tags).toEqual(['seen-twice']);
		expect(merged[1].tags).toEqual(['odd', 'seen-twice']);
		expect(new Set(merged.map((e) => e.id)).size).toBe(merged.length);
		expect(progress.at(-1)).toBe(5);

		const row = await db.datasets.get(outcome.datasetId);
		expect(row).toMatchObject({ status: 'ready', name: 'Merged', entryCount: 3400, blockSizes: [1000, 1000, 1000, 400] });
		// Fresh ids continue after the last one handed out.
		expect(row!.nextEntryNo).toBe(next);
	});

	it('keeps nothing when it fails, and refuses fewer than two datasets', async () => {
		const { db, data, collection } = fresh();
		const a = await importText(data, 'a.jsonl', [line(1)]);
		await expect(collection.merge([a], 'x')).rejects.toThrow(/at least two/);
		await expect(collection.merge([a, 'nope'], 'x')).rejects.toThrow(/does not exist/);
		// A block that cannot be read mid-merge.
		const b = await importText(data, 'b.jsonl', [line(2)]);
		const original = db.blocks.get.bind(db.blocks);
		let calls = 0;
		db.blocks.get = ((key: [string, number]) => {
			if (++calls === 2) return Promise.reject(new Error('disk gone'));
			return original(key);
		}) as typeof db.blocks.get;
		await expect(collection.merge([a, b], 'Merged')).rejects.toThrow('disk gone');
		db.blocks.get = original;
		expect((await db.datasets.toArray()).map((d) => d.name).sort()).toEqual(['a', 'b']);
		expect(await db.blocks.count()).toBe(2);
	});
});

describe('CollectionService snapshots', () => {
	it('takes, restores (after an automatic snapshot) and exports one', async () => {
		const { db, data, collection } = fresh();
		const id = await importText(data, 'mara.jsonl', Array.from({ length: ENTRY_BLOCK_SIZE + 3 }, (_, i) => line(i)));
		const before = await allEntries(db, id);
		const snapshot = await collection.takeSnapshot(id, 'Clean import');
		expect(snapshot).toMatchObject({ name: 'Clean import', entryCount: ENTRY_BLOCK_SIZE + 3, blockSizes: [ENTRY_BLOCK_SIZE, 3] });

		await data.curate(id, addTagsOp(['e1', 'e1002'], ['edited']), 'tag two');
		await data.curate(id, { kind: 'delete', ids: ['e5'] }, 'delete one');
		expect((await historyState(db, id)).canUndo).toBe(true);

		const result = await collection.restoreSnapshot(snapshot.id);
		expect(result.before.name).toBe('Before restoring “Clean import”');
		expect(await allEntries(db, id)).toEqual(before);
		expect((await db.datasets.get(id))!.entryCount).toBe(ENTRY_BLOCK_SIZE + 3);
		expect((await historyState(db, id)).canUndo).toBe(false);
		const snapshots = await listSnapshots(db, id);
		expect(snapshots).toHaveLength(2);

		// The automatic one holds the edited state: restoring it undoes the restore.
		await collection.restoreSnapshot(result.before.id);
		const edited = await allEntries(db, id);
		expect(edited).toHaveLength(ENTRY_BLOCK_SIZE + 2);
		expect(edited[0].tags).toEqual(['edited']);

		const exported = await collection.exportSnapshot(snapshot.id);
		expect(exported.entries).toBe(ENTRY_BLOCK_SIZE + 3);
		expect(exported.fileName).toMatch(/^mara\.Clean-import\.\d{4}-\d{2}-\d{2}\.skein\.jsonl$/);
		const lines = (await exported.blob.text()).trim().split('\n');
		expect(lines).toHaveLength(ENTRY_BLOCK_SIZE + 3);
		expect(JSON.parse(lines[0]).skein.id).toBe('e1');

		await collection.deleteSnapshot(snapshot.id);
		expect(await db.snapshotBlocks.where('snapshotId').equals(snapshot.id).count()).toBe(0);
		await collection.deleteDatasetExtras(id);
		expect(await db.snapshots.count()).toBe(0);
		expect(await db.snapshotBlocks.count()).toBe(0);
	});
});

describe('CollectionService tags', () => {
	it('counts tags across datasets and rewrites one as an undoable step per dataset', async () => {
		const { db, data, collection } = fresh();
		const a = await importText(data, 'a.jsonl', [line(1, ['slowburn']), line(2, ['slowburn', 'angst']), line(3)]);
		const b = await importText(data, 'b.jsonl', [line(4, ['slowburn'])]);
		const census = await collection.tagCensus();
		expect(census[0]).toMatchObject({ slug: 'slowburn', count: 3 });
		expect(census[0].datasets.map((d) => d.count).sort()).toEqual([1, 2]);
		expect(census[1]).toMatchObject({ slug: 'angst', count: 1 });

		const outcome = await collection.rewriteTag('slowburn', 'slow-burn');
		expect(outcome.changed).toBe(3);
		expect((await allEntries(db, a)).map((e) => e.tags)).toEqual([['slow-burn'], ['slow-burn', 'angst'], []]);
		expect((await allEntries(db, b))[0].tags).toEqual(['slow-burn']);
		expect((await undo(db, a)).label).toMatch(/Rename tag slowburn to slow-burn/);
		expect((await allEntries(db, a))[0].tags).toEqual(['slowburn']);
	});
});

describe('CollectionService characters', () => {
	it('suggests roles for custom speakers and maps them as one undoable step', async () => {
		const { db, data, collection } = fresh();
		const chat = (i: number) =>
			JSON.stringify({
				messages: [
					{ role: 'Tom', content: `Hello ${i}` },
					{ role: 'Aria', content: `Hi Tom, ${i}` }
				]
			});
		const id = await importText(data, 'rp.jsonl', [chat(1), chat(2), line(3)]);
		const suggestions = await collection.speakerSuggestions(id);
		expect(suggestions.map((s) => [s.speaker, s.suggestedRole])).toEqual([
			['Aria', 'assistant'],
			['Tom', 'user']
		]);
		const before = await allEntries(db, id);
		const outcome = await collection.applySpeakerMapping(id, [
			{ speaker: 'Tom', role: 'user' },
			{ speaker: 'Aria', role: 'assistant', character: 'Aria Vale' }
		]);
		expect(outcome.changed).toBe(2);
		const after = await allEntries(db, id);
		expect(after[0].messages.map((m) => [m.role, m.name])).toEqual([
			['user', 'Tom'],
			['assistant', 'Aria']
		]);
		expect(after[0].characters).toEqual({ Aria: 'Aria Vale' });
		expect(after[2]).toEqual(before[2]);
		await undo(db, id);
		expect(await allEntries(db, id)).toEqual(before);
	});
});

describe('CollectionService.copyEntries', () => {
	it('copies with colliding ids re-issued, and moves with an undo step on each side', async () => {
		const { db, data, collection } = fresh();
		const from = await importText(data, 'from.jsonl', [line(1, [], 'e1'), line(2, [], 'e2'), line(3, [], 'e3')]);
		const to = await importText(data, 'to.jsonl', [line(10, [], 'e1')]);

		const copy = await collection.copyEntries(from, ['e3', 'e1'], to, false);
		expect(copy).toMatchObject({ copied: 2, moved: false, missing: 0 });
		// e1 was taken in the target; e3 was not.
		expect(copy.reissued).toEqual([{ from: 'e1', to: 'e2' }]);
		expect((await allEntries(db, to)).map((e) => e.id)).toEqual(['e1', 'e2', 'e3']);
		expect((await allEntries(db, from)).map((e) => e.id)).toEqual(['e1', 'e2', 'e3']);

		const moved = await collection.copyEntries(from, ['e2'], to, true);
		expect(moved.reissued).toEqual([{ from: 'e2', to: 'e4' }]);
		expect((await allEntries(db, from)).map((e) => e.id)).toEqual(['e1', 'e3']);
		expect((await allEntries(db, to)).map((e) => e.messages[0].content)).toEqual([
			'Question 10: is the lamp lit?',
			'Question 1: is the lamp lit?',
			'Question 3: is the lamp lit?',
			'Question 2: is the lamp lit?'
		]);
		expect((await undo(db, from)).label).toMatch(/^Move 1 entry to “to”/);
		expect((await allEntries(db, from)).map((e) => e.id)).toEqual(['e1', 'e2', 'e3']);
		expect((await undo(db, to)).label).toMatch(/^Move 1 entry from “from”/);
		expect((await db.datasets.get(to))!.entryCount).toBe(3);
		await expect(collection.copyEntries(from, ['e1'], from, false)).rejects.toThrow(/different dataset/);
	});

	it('changes neither side when the move fails halfway', async () => {
		const { db, data, collection } = fresh();
		const from = await importText(data, 'from.jsonl', [line(1, [], 'e1'), line(2, [], 'e2')]);
		const to = await importText(data, 'to.jsonl', [line(10, [], 'e1')]);
		const original = db.history.add.bind(db.history);
		let calls = 0;
		db.history.add = ((row: Parameters<typeof original>[0]) => {
			// The second history write is the source's delete step.
			if (++calls === 2) return Promise.reject(new Error('quota'));
			return original(row);
		}) as typeof db.history.add;
		await expect(collection.copyEntries(from, ['e1'], to, true)).rejects.toThrow('quota');
		db.history.add = original;
		expect((await allEntries(db, to)).map((e) => e.id)).toEqual(['e1']);
		expect((await allEntries(db, from)).map((e) => e.id)).toEqual(['e1', 'e2']);
		expect(await db.history.count()).toBe(0);
		expect((await listDatasets(db)).map((d) => d.entryCount).sort()).toEqual([1, 2]);
	});
});

describe('CollectionService.merge: conflicting reviews and notes', () => {
	function reviewed(i: number, id: string, review: 'draft' | 'accepted' | 'rejected', notes?: string): string {
		const messages = [
			{ role: 'user', content: `Question ${i}: is the lamp lit?` },
			{ role: 'assistant', content: `Lit and trimmed, ${i}.` }
		];
		return entryToLine({ id, messages, tags: [], meta: { review, ...(notes ? { notes } : {}) }, extra: {}, hash: hashMessages(messages) }, 'skein');
	}

	it('decides as the pure merge does, for duplicates folded in early and late (across blocks)', async () => {
		const { db, data, collection } = fresh();
		// 1,500 entries: the first block is written before the second dataset's duplicates arrive.
		const a = await importText(data, 'first.jsonl', Array.from({ length: 1500 }, (_, i) => reviewed(i, `x${i + 1}`, i % 3 === 0 ? 'accepted' : 'draft', i === 1400 ? 'late note' : undefined)));
		const b = await importText(
			data,
			'second.jsonl',
			Array.from({ length: 1500 }, (_, i) => reviewed(i, `y${i + 1}`, i % 2 === 0 ? 'rejected' : 'accepted', i % 500 === 0 ? `second note ${i}` : undefined))
		);
		const outcome = await collection.merge([a, b], 'Merged');
		const expected = mergeDatasets(
			[
				{ name: 'first', entries: await allEntries(db, a) },
				{ name: 'second', entries: await allEntries(db, b) }
			],
			() => 'unused'
		);
		const merged = await allEntries(db, outcome.datasetId);
		expect(merged).toEqual(expected.entries);
		const { decisions: gotDecisions, ...got } = outcome.report;
		const { decisions: wantDecisions, ...want } = expected.report;
		expect(got).toEqual(want);
		// Listed up to the cap (which ones differ: late duplicates are folded in at the end), each true to the entry.
		expect(gotDecisions).toHaveLength(wantDecisions.length);
		const reviewOf = new Map(merged.map((e) => [e.id, e.meta.review]));
		for (const decision of gotDecisions) expect(decision.review?.kept ?? reviewOf.get(decision.id)).toBe(reviewOf.get(decision.id));
		// i even → rejected wins (conflict when the first was accepted), every draft is raised.
		expect(merged.filter((e) => e.meta.review === 'rejected')).toHaveLength(750);
		expect(merged.filter((e) => e.meta.review === 'accepted')).toHaveLength(750);
		expect(outcome.report.reviewConflicts).toBe(250);
		expect(outcome.report.reviewsRaised).toBe(1000);
		expect(outcome.report.notesJoined).toBe(3);
		expect(merged[1400].meta.notes).toBe('late note');
		expect(merged[1000].meta.notes).toBe('second note 1000');
	});
});
