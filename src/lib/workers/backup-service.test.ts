import 'fake-indexeddb/auto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CURRENT_SCHEMA_VERSION, SkeinDatabase } from '$lib/db/database';
import { databaseAtVersion, rowCounts } from '$lib/db/backup-repo';
import { bytesSource } from '$lib/core/backup/archive';
import { itemKey } from '$lib/core/backup/plan';
import { BackupService } from './backup-service';
import { memorySink, writeBackup, type BackupOptions } from './backup-writer';
import { dumpTables, fillWorkspace, WORKSPACE_DATASET_ID, WORKSPACE_RUN_ID } from './test-workspace';

const opened: { close(): void; delete(): Promise<void> }[] = [];
function freshDb(): SkeinDatabase {
	const db = new SkeinDatabase(`backup-test-${Math.random()}`);
	opened.push(db);
	return db;
}
afterEach(async () => {
	for (const db of opened.splice(0)) {
		db.close();
		await db.delete();
	}
});

const OPTIONS: BackupOptions = { includeResponseCache: true, endpoint: { baseUrl: 'http://127.0.0.1:11434/v1', model: 'qwen2.5:0.5b', protocols: {} }, origin: 'http://127.0.0.1:4173' };

/** A service whose files are byte arrays (Node has no FileReaderSync). */
function serviceFor(db: SkeinDatabase) {
	const files = new Map<Blob, Uint8Array>();
	const service = new BackupService(db, (blob) => {
		const bytes = files.get(blob);
		if (!bytes) throw new Error('unknown file');
		return { ...bytesSource(bytes), blobAt: (offset, size, type) => new Blob([bytes.slice(offset, offset + size)], { type }) };
	});
	const file = (bytes: Uint8Array, name = 'backup.zip') => {
		const f = new File([bytes.slice()], name);
		files.set(f, bytes);
		return f;
	};
	return { service, file };
}

async function backupOf(db: SkeinDatabase, options = OPTIONS): Promise<Uint8Array> {
	const sink = memorySink();
	await writeBackup(db, CURRENT_SCHEMA_VERSION, sink, options);
	return sink.bytes();
}

describe('workspace backup and restore', () => {
	it('restores every table of a full workspace into an empty database exactly', async () => {
		const source = freshDb();
		await fillWorkspace(source);
		const zip = await backupOf(source);
		const target = freshDb();
		const { service, file } = serviceFor(target);
		const preview = await service.inspectBackup(file(zip));
		expect(preview.items.every((item) => item.status === 'new' && item.choice === 'add')).toBe(true);
		expect(preview.rows).toMatchObject({ datasets: 1, blocks: 2, originals: 1, history: 2, snapshots: 1, snapshotBlocks: 1, savedFilters: 1, settings: 3, runManifests: 1, responseCache: 1 });
		await service.restoreBackup(preview.token, {});
		expect(await rowCounts(target)).toEqual(await rowCounts(source));
		expect(await dumpTables(target)).toEqual(await dumpTables(source));
	});

	it('leaves out an import still running, and its rows on restore', async () => {
		const source = freshDb();
		await fillWorkspace(source);
		await source.datasets.put({ ...(await source.datasets.get(WORKSPACE_DATASET_ID))!, id: 'ds-half', name: 'Half imported', status: 'importing' });
		await source.blocks.put({ datasetId: 'ds-half', blockNo: 0, entries: [] });
		const target = freshDb();
		const { service, file } = serviceFor(target);
		const preview = await service.inspectBackup(file(await backupOf(source)));
		expect(preview.items.filter((item) => item.kind === 'dataset').map((item) => item.id)).toEqual([WORKSPACE_DATASET_ID]);
		expect(preview.orphans).toEqual({ blocks: 1 });
		await service.restoreBackup(preview.token, {});
		expect(await target.datasets.toCollection().primaryKeys()).toEqual([WORKSPACE_DATASET_ID]);
		expect(await target.blocks.count()).toBe(2);
	});

	it('leaves the response cache out unless asked, and never holds an API key', async () => {
		const db = freshDb();
		await fillWorkspace(db);
		const zip = await backupOf(db, { ...OPTIONS, includeResponseCache: false });
		const text = new TextDecoder('latin1').decode(zip);
		expect(text).not.toContain('responseCache');
		expect(text).not.toMatch(/apiKey|skein\.endpoint\.key/);
	});

	it('refuses a truncated, a tampered and a foreign file with a clear message, writing nothing', async () => {
		const source = freshDb();
		await fillWorkspace(source);
		const zip = await backupOf(source);
		const target = freshDb();
		const { service, file } = serviceFor(target);
		await expect(service.inspectBackup(file(zip.slice(0, zip.length - 200)))).rejects.toThrow(/truncated|cut short|end is missing|damaged/);
		const tampered = zip.slice();
		// Flip a byte inside the first stored file's data (after its 30-byte header and name).
		tampered[80] ^= 0xff;
		await expect(service.inspectBackup(file(tampered))).rejects.toThrow(/damaged|changed/);
		await expect(service.inspectBackup(file(new TextEncoder().encode('{"messages": [{"role": "user", "content": "hi"}]}\n')))).rejects.toThrow(/not a zip archive/);
		expect(Object.values(await rowCounts(target)).every((n) => n === 0)).toBe(true);
	});

	it('plans collisions: identical rows are skipped, changed ones kept twice or replaced as chosen', async () => {
		const db = freshDb();
		await fillWorkspace(db);
		const zip = await backupOf(db);
		await db.datasets.update(WORKSPACE_DATASET_ID, { name: 'Greyhaven logbook (edited here)', updatedAt: 1 });
		await db.characters.update('char-keeper', { description: 'Changed here.' });
		const { service, file } = serviceFor(db);
		const preview = await service.inspectBackup(file(zip));
		const dataset = preview.items.find((item) => item.kind === 'dataset')!;
		expect(dataset).toMatchObject({ status: 'conflict', choice: 'keep-both', existing: { label: 'Greyhaven logbook (edited here)' } });
		expect(preview.items.find((item) => item.kind === 'tag')).toMatchObject({ status: 'identical', choice: 'skip' });
		const outcome = await service.restoreBackup(preview.token, { [itemKey('character', 'char-keeper')]: 'replace' });
		expect(outcome.keptBoth).toBe(1);
		expect(outcome.replaced).toBe(1);
		const datasets = await db.datasets.toArray();
		expect(datasets.map((row) => row.name).sort()).toEqual(['Greyhaven logbook (edited here)', 'Greyhaven logbook (restored)']);
		const copy = datasets.find((row) => row.id !== WORKSPACE_DATASET_ID)!;
		expect(await db.blocks.where('datasetId').equals(copy.id).count()).toBe(2);
		expect(await db.snapshots.where('datasetId').equals(copy.id).count()).toBe(1);
		expect(await db.history.where('datasetId').equals(copy.id).count()).toBe(2);
		expect(await db.settings.get(`names:${copy.id}`)).toBeTruthy();
		expect((await db.characters.get('char-keeper'))!.description).toBe('Keeps the Greyhaven light.');
		// The run was identical: skipped, not doubled.
		expect(await db.runs.count()).toBe(1);
		expect(await db.runSamples.where('runId').equals(WORKSPACE_RUN_ID).count()).toBe(1);
	});

	it('keeps a dataset twice with every row restored alongside pointing at the copy', async () => {
		const db = freshDb();
		await fillWorkspace(db);
		const zip = await backupOf(db);
		// Here the dataset was edited since, and the run deleted: restoring brings the run back next to a copy of the dataset.
		await db.datasets.update(WORKSPACE_DATASET_ID, { name: 'Greyhaven logbook (edited here)', updatedAt: 1 });
		for (const table of [db.runs, db.runManifests, db.runRecords, db.runSamples]) await table.clear();
		const { service, file } = serviceFor(db);
		const preview = await service.inspectBackup(file(zip));
		expect(preview.items.find((item) => item.kind === 'run')).toMatchObject({ status: 'new', choice: 'add' });
		await service.restoreBackup(preview.token, { [itemKey('dataset', WORKSPACE_DATASET_ID)]: 'keep-both' });
		const copy = (await db.datasets.toArray()).find((row) => row.id !== WORKSPACE_DATASET_ID)!;
		expect(copy.name).toBe('Greyhaven logbook (restored)');
		const run = (await db.runs.get(WORKSPACE_RUN_ID))!;
		expect(run.targetDatasetId).toBe(copy.id);
		const [sample] = await db.runSamples.where('runId').equals(WORKSPACE_RUN_ID).toArray();
		expect(sample.acceptedInto).toMatchObject({ datasetId: copy.id, entryId: 'e4' });
		// The rows that belong to the dataset went with the copy; the dataset here kept its own.
		expect((await db.savedFilters.where('datasetId').equals(copy.id).toArray()).length).toBe(1);
		expect((await db.snapshots.where('datasetId').equals(copy.id).toArray()).length).toBe(1);
		expect(await db.history.where('datasetId').equals(copy.id).count()).toBe(2);
		const keys = (await db.settings.toCollection().primaryKeys()).map(String);
		expect(keys.filter((key) => key.endsWith(copy.id)).sort()).toEqual(keys.filter((key) => key.endsWith(WORKSPACE_DATASET_ID)).map((key) => key.replace(WORKSPACE_DATASET_ID, copy.id)).sort());
		expect(keys.some((key) => key.endsWith(copy.id))).toBe(true);
	});

	it('writes all or nothing: a failing write leaves the workspace as it was', async () => {
		const source = freshDb();
		await fillWorkspace(source);
		const zip = await backupOf(source);
		const target = freshDb();
		await target.tags.put({ slug: 'existing', label: 'Existing', aliases: [] });
		const before = await dumpTables(target);
		const { service, file } = serviceFor(target);
		const preview = await service.inspectBackup(file(zip));
		// Break the table the last batch goes to, so the failure comes after many rows were put.
		const refuse = () => {
			throw new Error('QuotaExceededError: the disk is full');
		};
		target.responseCache.hook('creating', refuse);
		await expect(service.restoreBackup(preview.token, {})).rejects.toThrow(/Quota/);
		target.responseCache.hook('creating').unsubscribe(refuse);
		expect(await dumpTables(target)).toEqual(before);
	});

	it('restores a backup made by schema version 4 through the database migrations', async () => {
		const path = 'tests/fixtures/backup/skein-backup-schema-4.zip';
		if (process.env.WRITE_BACKUP_FIXTURE || !existsSync(path)) {
			const old = databaseAtVersion(`backup-v4-${Math.random()}`, 4);
			opened.push(old);
			await old.open();
			await fillWorkspace(old, { schemaVersion: 4 });
			const sink = memorySink();
			await writeBackup(old, 4, sink, { ...OPTIONS, origin: 'http://localhost:4173' });
			writeFileSync(path, sink.bytes());
		}
		const zip = new Uint8Array(readFileSync(path));
		const target = freshDb();
		const { service, file } = serviceFor(target);
		const preview = await service.inspectBackup(file(zip, 'skein-backup-schema-4.zip'));
		expect(preview).toMatchObject({ schemaVersion: 4, migrated: true });
		await service.restoreBackup(preview.token, {});
		const run = await target.runs.get(WORKSPACE_RUN_ID);
		expect(run && 'manifest' in run).toBe(false);
		expect((await target.runManifests.get(WORKSPACE_RUN_ID))?.manifest.recipeId).toBe('identity-facts');
		const reference = freshDb();
		await fillWorkspace(reference);
		expect(await dumpTables(target)).toEqual(await dumpTables(reference));
	});
});
