import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { CURRENT_SCHEMA_VERSION, SCHEMA_VERSIONS, SkeinDatabase } from './database';
import { completeImport, createImportingDataset, deleteAbandonedImports, deleteDataset, listDatasets, putBlock, readBlock, renameDataset, setTemplateTarget } from './datasets-repo';
import type { Entry } from '$lib/core/model';
import { getPool, poolItems, poolItemsAt } from './pools-repo';
import { deleteRun, getRun, updateRun } from './runs-repo';

/** A Dexie instance that knows only the schema versions up to `version`: "the app as it was then". */
function openAtVersion(name: string, version: number): Dexie {
	const db = new Dexie(name);
	for (let v = 1; v <= version; v++) db.version(v).stores(SCHEMA_VERSIONS[v]);
	return db;
}

function entry(id: string, text: string): Entry {
	return {
		id,
		messages: [
			{ role: 'user', content: text },
			{ role: 'assistant', content: `re: ${text}` }
		],
		tags: [],
		meta: { review: 'draft' },
		extra: {},
		hash: id
	};
}

let counter = 0;
const freshName = () => `skein-test-${++counter}-${Date.now()}`;
const opened: Dexie[] = [];
afterEach(async () => {
	for (const db of opened.splice(0)) {
		db.close();
		await Dexie.delete(db.name);
	}
});

describe('schema versions', () => {
	it('are numbered 1..CURRENT without gaps', () => {
		const versions = Object.keys(SCHEMA_VERSIONS).map(Number).sort((a, b) => a - b);
		expect(versions).toEqual(Array.from({ length: CURRENT_SCHEMA_VERSION }, (_, i) => i + 1));
	});

	// The migration test pattern: data written by each previous version must open in the current one.
	for (let previous = 1; previous < CURRENT_SCHEMA_VERSION; previous++) {
		it(`opens data written by version ${previous}`, async () => {
			const name = freshName();
			const old = openAtVersion(name, previous);
			await old.table('datasets').add({ id: 'ds-old', name: 'Old', status: 'ready', updatedAt: 1 });
			old.close();
			const db = new SkeinDatabase(name);
			opened.push(db);
			expect((await db.datasets.get('ds-old'))?.name).toBe('Old');
		});
	}

	it('version 4 moves version 3 prompt pools into blocks and a rating index, items intact', async () => {
		const name = freshName();
		const old = openAtVersion(name, 3);
		await old.table('promptPools').add({ id: 'p1', name: 'keeper', sourceName: 'k.csv', count: 3, ratingCounts: { '': 1, '2': 2 }, createdAt: 1 });
		await old.table('promptPoolItems').bulkAdd([
			{ poolId: 'p1', index: 0, text: 'Who lit the lamp?', rating: 2, ordinal: 0 },
			{ poolId: 'p1', index: 1, text: 'Tell a ghost story.', rating: -1, ordinal: 0 },
			{ poolId: 'p1', index: 2, text: 'Why the fog?', rating: 2, ordinal: 1 }
		]);
		old.close();
		const db = new SkeinDatabase(name);
		opened.push(db);
		expect(await poolItems(db, 'p1', 0, 10)).toEqual([
			{ index: 0, text: 'Who lit the lamp?', rating: 2 },
			{ index: 1, text: 'Tell a ghost story.', rating: null },
			{ index: 2, text: 'Why the fog?', rating: 2 }
		]);
		expect((await poolItemsAt(db, 'p1', [{ rating: 2, ordinal: 1 }])).map((item) => item.text)).toEqual(['Why the fog?']);
		expect(db.tables.map((table) => table.name)).not.toContain('promptPoolItems');
		expect((await getPool(db, 'p1'))?.count).toBe(3);
	});

	it('version 5 moves each run’s manifest out of its row, and the run reads as before', async () => {
		const name = freshName();
		const old = openAtVersion(name, 4);
		const manifest = { recipeId: 'continuation', definitionHash: 'd', paramsHash: 'p', documents: { 'entry:e1': 'h1' }, modelHash: 'm', modelLabel: 'qwen (endpoint)', inputHash: 'i', inputCount: 1, partial: false };
		const counts = { total: 1, done: 1, failed: 0, samples: 1, engineCalls: 1, cacheHits: 0, promptTokens: 9, completionTokens: 4, engineMs: 12 };
		await old.table('runs').add({ id: 'run-a', recipeId: 'continuation', label: 'Keeper', params: {}, settings: { sampling: {}, seed: 1 }, engine: { kind: 'test', label: 'Rehearsal' }, concurrency: 1, manifest, state: 'done', counts, createdAt: 1, updatedAt: 1 });
		old.close();
		const db = new SkeinDatabase(name);
		opened.push(db);
		expect((await db.runs.get('run-a'))?.manifest).toBeUndefined();
		expect((await db.runManifests.get('run-a'))?.manifest).toEqual(manifest);
		const run = await getRun(db, 'run-a');
		expect(run?.manifest).toEqual(manifest);
		expect(run?.counts).toEqual(counts);
		// Progress written to the row keeps the manifest where it is; deleting the run takes it.
		await updateRun(db, 'run-a', { label: 'Keeper, again' });
		expect((await getRun(db, 'run-a'))?.manifest).toEqual(manifest);
		await deleteRun(db, 'run-a');
		expect(await db.runManifests.count()).toBe(0);
	});

	it('opens a database created at the current version by a plain Dexie with the same stores', async () => {
		const name = freshName();
		const raw = openAtVersion(name, CURRENT_SCHEMA_VERSION);
		await raw.table('settings').put({ key: 'sampleSeeded', value: true });
		raw.close();
		const db = new SkeinDatabase(name);
		opened.push(db);
		expect((await db.settings.get('sampleSeeded'))?.value).toBe(true);
	});
});

describe('datasets repository', () => {
	it('keeps an importing dataset out of the list until it completes', async () => {
		const db = new SkeinDatabase(freshName());
		opened.push(db);
		const row = await createImportingDataset(db, 'Roleplay');
		await putBlock(db, row.id, 0, [entry('e1', 'hello'), entry('e2', 'hi')]);
		expect(await listDatasets(db)).toEqual([]);
		await completeImport(db, row.id, {
			contentHash: 'abc',
			entryCount: 2,
			blockSizes: [2],
			nextEntryNo: 3,
			sizeBytes: 100,
			report: { files: [], imported: 2, errorCount: 0, durationMs: 1, startedAt: 0 }
		});
		const [listed] = await listDatasets(db);
		expect(listed).toMatchObject({ id: row.id, entryCount: 2, status: 'ready' });
		expect((await readBlock(db, row.id, 0))?.entries.map((e) => e.id)).toEqual(['e1', 'e2']);
	});

	it('renames, refusing an empty name', async () => {
		const db = new SkeinDatabase(freshName());
		opened.push(db);
		const row = await createImportingDataset(db, 'A');
		await renameDataset(db, row.id, '  Better name ');
		expect((await db.datasets.get(row.id))?.name).toBe('Better name');
		await expect(renameDataset(db, row.id, '   ')).rejects.toThrow(/needs a name/);
		await expect(renameDataset(db, 'nope', 'x')).rejects.toThrow(/no longer exists/);
	});

	it('keeps the chosen training target, refusing a malformed one, and clears it', async () => {
		const db = new SkeinDatabase(freshName());
		opened.push(db);
		const row = await createImportingDataset(db, 'A');
		const target = { template: { kind: 'family', family: 'gemma3' }, maxSeqLen: 2048, lossMode: 'assistant-only' } as const;
		await setTemplateTarget(db, row.id, target);
		expect((await db.datasets.get(row.id))?.templateTarget).toEqual(target);
		await expect(setTemplateTarget(db, row.id, { ...target, maxSeqLen: 0 })).rejects.toThrow();
		expect((await db.datasets.get(row.id))?.templateTarget?.maxSeqLen).toBe(2048);
		await setTemplateTarget(db, row.id, null);
		expect((await db.datasets.get(row.id))?.templateTarget).toBeUndefined();
		await expect(setTemplateTarget(db, 'nope', target)).rejects.toThrow(/no longer exists/);
	});

	it('deletes a dataset with its blocks and originals, leaving others alone', async () => {
		const db = new SkeinDatabase(freshName());
		opened.push(db);
		const a = await createImportingDataset(db, 'A');
		const b = await createImportingDataset(db, 'B');
		await putBlock(db, a.id, 0, [entry('e1', 'a')]);
		await putBlock(db, a.id, 1, [entry('e2', 'a')]);
		await putBlock(db, b.id, 0, [entry('e1', 'b')]);
		await db.originals.add({ datasetId: a.id, fileName: 'a.jsonl', mimeType: 'text/plain', sizeBytes: 1, blob: new Blob(['x']), importedAt: 0 });
		await deleteDataset(db, a.id);
		expect(await db.datasets.get(a.id)).toBeUndefined();
		expect(await db.blocks.where('datasetId').equals(a.id).count()).toBe(0);
		expect(await db.originals.where('datasetId').equals(a.id).count()).toBe(0);
		expect((await readBlock(db, b.id, 0))?.entries[0].messages[0].content).toBe('b');
	});

	it('cleans up imports abandoned by a closed tab, but not live ones', async () => {
		const db = new SkeinDatabase(freshName());
		opened.push(db);
		const dead = await createImportingDataset(db, 'dead', 1_000);
		const live = await createImportingDataset(db, 'live', 100_000);
		await putBlock(db, dead.id, 0, [entry('e1', 'x')]);
		const removed = await deleteAbandonedImports(db, 100_500);
		expect(removed).toEqual([dead.id]);
		expect(await db.datasets.get(live.id)).toBeDefined();
		expect(await db.blocks.where('datasetId').equals(dead.id).count()).toBe(0);
	});
});
