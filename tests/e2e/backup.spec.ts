import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import { CHROMIUM_ARGS } from '../../playwright.config';
import { expect, test } from './fixtures';
import { waitForSample } from './helpers';

/**
 * Backing up the whole workspace and restoring it into a fresh browser profile: two persistent
 * contexts (two profiles, as two browsers would be), the same flags as the config. The workspace
 * holds a row in every table; both sides are dumped straight from IndexedDB (every store, every
 * row, Blobs as bytes) and compared.
 */

const API_KEY = 'sk-backup-test-SECRET-4711';

async function launch(prefix: string): Promise<{ context: BrowserContext; page: Page; dispose: () => Promise<void> }> {
	const profile = mkdtempSync(join(tmpdir(), prefix));
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
		args: CHROMIUM_ARGS,
		headless: true,
		acceptDownloads: true,
		viewport: { width: 1400, height: 900 }
	});
	const page = context.pages()[0] ?? (await context.newPage());
	page.on('pageerror', (error) => {
		throw error;
	});
	return {
		context,
		page,
		dispose: async () => {
			await context.close();
			rmSync(profile, { recursive: true, force: true });
		}
	};
}

/** Writes a row into every table the sample dataset does not fill (raw IndexedDB, as the app stores them). */
async function fillEveryTable(page: Page): Promise<void> {
	await page.evaluate(async () => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const open = indexedDB.open('skein');
			open.onsuccess = () => resolve(open.result);
			open.onerror = () => reject(open.error);
		});
		const t = 1_767_225_600_000;
		const entries = [{ id: 'e1', messages: [{ role: 'user', content: 'Lamp lit?' }, { role: 'assistant', content: 'Lit at dusk.' }], tags: ['lamp'], meta: { review: 'accepted' }, extra: {}, hash: 'h1' }];
		const datasetId = (await new Promise<IDBValidKey[]>((resolve) => {
			const request = db.transaction('datasets').objectStore('datasets').getAllKeys();
			request.onsuccess = () => resolve(request.result);
		}))[0] as string;
		const rows: Record<string, unknown[]> = {
			history: [{ datasetId, seq: 1, label: 'Edit e1', at: t, undone: false, changes: [{ position: 0, before: entries[0], after: { ...entries[0], tags: [] } }] }],
			snapshots: [{ id: 'snap-e2e', datasetId, name: 'Before the storm', createdAt: t, entryCount: 1, blockSizes: [1] }],
			snapshotBlocks: [{ snapshotId: 'snap-e2e', blockNo: 0, entries }],
			savedFilters: [{ id: 'filter-e2e', datasetId, name: 'Lamp talk', query: 'tag=lamp', createdAt: t }],
			tags: [{ slug: 'lamp', label: 'Lamp', category: 'Topic', aliases: ['light', 'beacon'] }],
			characters: [{ id: 'char-keeper', name: 'The Keeper', description: 'Keeps the light.', aliases: ['KEEPER'] }],
			characterSheets: [
				{
					id: 'sheet-mara',
					name: 'Mara',
					sourceKind: 'card',
					chunks: [{ id: 'c1', title: 'Who', context: 'Mara keeps the light.', document: 'Thirty years at the lamp.', settings: { entriesPerIteration: 5, iterations: 5 }, promptTemplate: '{{document}}' }],
					cardImage: new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10, 7, 7])], { type: 'image/png' }),
					createdAt: '2026-01-01T00:00:00.000Z',
					updatedAt: t
				}
			],
			identityDocuments: [{ id: 'id-keeper', name: 'Greyhaven Keeper', iAm: 'I am the Keeper.', voice: 'Plain.', values: 'Honesty.', calibration: 'Says when unsure.', notThis: 'Not a search engine.', narrative: 'From the logbooks.', otherIdentities: ['GPT-4'], otherMakers: ['OpenAI'], createdAt: t, updatedAt: t }],
			promptPools: [{ id: 'pool-harbour', name: 'Harbour questions', sourceName: 'harbour.csv', count: 2, ratingCounts: { '2': 1, '': 1 }, createdAt: t }],
			promptPoolBlocks: [{ poolId: 'pool-harbour', blockNo: 0, texts: ['When is high tide?', 'Is the ferry running?'], ratings: [2, -1] }],
			promptPoolRatingIndexes: [{ poolId: 'pool-harbour', byRating: { '2': new Uint32Array([0]), '': new Uint32Array([1]) } }],
			runs: [{ id: 'run-e2e', recipeId: 'identity-facts', label: 'Identity facts', params: {}, settings: { sampling: {}, seed: 1 }, engine: { kind: 'endpoint', label: 'Local', baseUrl: 'http://127.0.0.1:9/v1', model: 'tiny' }, concurrency: 2, state: 'done', counts: { total: 1, done: 1, failed: 0, samples: 1, engineCalls: 1, cacheHits: 0, promptTokens: 3, completionTokens: 4, engineMs: 5 }, createdAt: t, updatedAt: t, targetDatasetId: datasetId }],
			runManifests: [{ runId: 'run-e2e', manifest: { recipeId: 'identity-facts', documents: {} } }],
			runRecords: [{ runId: 'run-e2e', recordIndex: 0, recordId: 'r0', label: 'Fact', input: {}, state: 'done', steps: [], notes: [], updatedAt: t }],
			runSamples: [{ id: 'run-e2e:0:0', runId: 'run-e2e', recordIndex: 0, sampleIndex: 0, sample: { messages: [], tags: [], meta: {} }, review: 'accepted', acceptedInto: { datasetId, entryId: 'e1', at: t }, createdAt: t }],
			responseCache: [{ key: 'cache-e2e', response: { content: 'The Keeper.' }, at: t }]
		};
		const tx = db.transaction(Object.keys(rows), 'readwrite');
		for (const [store, list] of Object.entries(rows)) for (const row of list) tx.objectStore(store).put(row);
		await new Promise((resolve, reject) => {
			tx.oncomplete = resolve;
			tx.onerror = () => reject(tx.error);
		});
		db.close();
	});
}

/** Every store of the workspace database, every row, JSON-comparable (Blobs as their type and bytes). */
async function dump(page: Page): Promise<Record<string, unknown[]>> {
	return page.evaluate(async () => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const open = indexedDB.open('skein');
			open.onsuccess = () => resolve(open.result);
			open.onerror = () => reject(open.error);
		});
		const plain = async (value: unknown): Promise<unknown> => {
			if (value instanceof Blob) return { blob: value.type, bytes: Array.from(new Uint8Array(await value.arrayBuffer())) };
			if (ArrayBuffer.isView(value)) return { typed: Array.from(value as unknown as ArrayLike<number>) };
			if (Array.isArray(value)) return Promise.all(value.map(plain));
			if (value && typeof value === 'object') {
				const out: Record<string, unknown> = {};
				for (const key of Object.keys(value).sort()) out[key] = await plain((value as Record<string, unknown>)[key]);
				return out;
			}
			return value;
		};
		const out: Record<string, unknown[]> = {};
		for (const name of [...db.objectStoreNames]) {
			const rows = await new Promise<unknown[]>((resolve) => {
				const request = db.transaction(name).objectStore(name).getAll();
				request.onsuccess = () => resolve(request.result);
			});
			out[name] = (await Promise.all(rows.map(plain))) as unknown[];
		}
		db.close();
		return out;
	});
}

async function clearWorkspace(page: Page): Promise<void> {
	await page.evaluate(async () => {
		const db = await new Promise<IDBDatabase>((resolve) => {
			const open = indexedDB.open('skein');
			open.onsuccess = () => resolve(open.result);
		});
		const tx = db.transaction([...db.objectStoreNames], 'readwrite');
		for (const name of db.objectStoreNames) tx.objectStore(name).clear();
		// Still marked as seeded: the app would otherwise import its sample again on the next page.
		tx.objectStore('settings').put({ key: 'sampleSeeded', value: true });
		await new Promise((resolve) => (tx.oncomplete = resolve));
		db.close();
	});
}

const counts = (tables: Record<string, unknown[]>) => Object.fromEntries(Object.entries(tables).map(([name, rows]) => [name, rows.length]));

async function restoreFile(page: Page, file: { name: string; buffer: Buffer }) {
	await page.getByTestId('restore-file').setInputFiles({ name: file.name, mimeType: 'application/zip', buffer: file.buffer });
}

test('a whole workspace backed up in one browser is restored exactly into a fresh profile; damaged files write nothing', async ({ baseURL }) => {
	test.setTimeout(150_000);
	const first = await launch('skein-backup-a-');
	const second = await launch('skein-backup-b-');
	try {
		// Browser A: the sample dataset, a row in every other table, and a model server with an API key.
		await first.page.goto(baseURL!);
		await waitForSample(first.page);
		await fillEveryTable(first.page);
		await first.page.evaluate((key) => {
			localStorage.setItem('skein.endpoint', JSON.stringify({ baseUrl: 'http://127.0.0.1:11434/v1', model: 'qwen2.5:0.5b' }));
			localStorage.setItem('skein.endpoint.key', key);
		}, API_KEY);
		// Without a save picker (a browser without the File System Access API, or a headless one) the backup is a download.
		await first.page.addInitScript(() => delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker);
		await first.page.goto(`${baseURL}/backup`);
		await expect(first.page.getByTestId('backup-reminder')).toContainText('Nothing you have made here exists anywhere else yet');
		await expect(first.page.getByTestId('backup-how')).toContainText('downloaded to your downloads folder');
		await first.page.getByTestId('include-cache').check();
		const downloading = first.page.waitForEvent('download');
		await first.page.getByTestId('backup-now').click();
		const download = await downloading;
		expect(download.suggestedFilename()).toMatch(/^skein-backup-\d{4}-\d{2}-\d{2}-\d{4}\.zip$/);
		const zip = readFileSync((await download.path())!);
		await expect(first.page.getByTestId('backup-status')).toContainText('Downloaded skein-backup-');
		await expect(first.page.getByTestId('last-backup')).toContainText('just now, as a download');
		await expect(first.page.getByTestId('backup-reminder')).toHaveCount(0);
		const before = await dump(first.page);

		// The zip: a manifest with the schema version and counts per store; the key appears nowhere.
		const files = unzipSync(new Uint8Array(zip));
		const manifest = JSON.parse(strFromU8(files['skein-backup.json']));
		expect(manifest).toMatchObject({ format: 'skein-workspace-backup', schemaVersion: 5, includesResponseCache: true, endpoint: { baseUrl: 'http://127.0.0.1:11434/v1', model: 'qwen2.5:0.5b' } });
		for (const [store, rows] of Object.entries(before)) expect(manifest.stores[store]?.rows ?? 0, store).toBe(rows.length);
		for (const [name, bytes] of Object.entries(files)) expect(strFromU8(bytes, true), name).not.toContain('SECRET');

		// Browser B: a fresh profile. The app seeds its sample on a first visit; empty it, so B starts with nothing of its own.
		await second.page.goto(baseURL!);
		await waitForSample(second.page);
		await clearWorkspace(second.page);
		await second.page.goto(`${baseURL}/backup`);
		const empty = await dump(second.page);

		// A truncated file and a tampered one are refused with a message, and write nothing.
		await restoreFile(second.page, { name: 'cut.zip', buffer: zip.subarray(0, Math.floor(zip.length * 0.6)) });
		await expect(second.page.getByTestId('backup-status')).toContainText('cut.zip cannot be restored');
		await expect(second.page.getByTestId('backup-status')).toContainText('Nothing was written');
		const tampered = Buffer.from(zip);
		tampered[Math.floor(zip.length / 3)] ^= 0x5a;
		await restoreFile(second.page, { name: 'tampered.zip', buffer: tampered });
		await expect(second.page.getByTestId('backup-status')).toContainText(/tampered.zip cannot be restored: .*(damaged|changed)/);
		await restoreFile(second.page, { name: 'notes.zip', buffer: Buffer.from('these are my notes, not a zip at all') });
		await expect(second.page.getByTestId('backup-status')).toContainText('not a zip archive');
		expect(await dump(second.page)).toEqual(empty);

		// The real file: a preview of what would be added, then everything restored.
		await restoreFile(second.page, { name: 'workspace.zip', buffer: zip });
		const preview = second.page.getByTestId('restore-preview');
		await expect(preview).toContainText('Restore workspace.zip?');
		await expect(second.page.getByTestId('restore-summary')).toContainText('1 dataset: 1 new');
		await expect(second.page.getByTestId('restore-summary')).toContainText('1 run: 1 new');
		await expect(preview.getByRole('checkbox', { name: /model server settings/ })).toBeChecked();
		await second.page.getByTestId('restore-confirm').click();
		await expect(second.page.getByTestId('backup-status')).toContainText('Restored workspace.zip');
		const after = await dump(second.page);
		expect(counts(after)).toEqual(counts(before));
		expect(after).toEqual(before);
		expect(await second.page.evaluate(() => [localStorage.getItem('skein.endpoint'), localStorage.getItem('skein.endpoint.key')])).toEqual([JSON.stringify({ baseUrl: 'http://127.0.0.1:11434/v1', model: 'qwen2.5:0.5b' }), null]);

		// Restoring the same file again: everything is already here and identical, so it is skipped by default.
		await restoreFile(second.page, { name: 'workspace.zip', buffer: zip });
		await expect(second.page.getByTestId('restore-collisions')).toContainText('already here, identical');
		await second.page.getByTestId('restore-confirm').click();
		await expect(second.page.getByTestId('backup-status')).toContainText('0 added, 0 replaced, 0 kept as copies');
		expect(await dump(second.page)).toEqual(before);

		// Keep both: the dataset was renamed here since and the run deleted. Restoring again keeps the
		// backup's dataset as a copy under a new id, and the run restored with it points at the copy.
		const datasetId = await second.page.evaluate(async () => {
			const db = await new Promise<IDBDatabase>((resolve) => {
				const open = indexedDB.open('skein');
				open.onsuccess = () => resolve(open.result);
			});
			const tx = db.transaction(['datasets', 'runs', 'runManifests', 'runRecords', 'runSamples'], 'readwrite');
			const row = await new Promise<{ id: string; name: string }>((resolve) => {
				const request = tx.objectStore('datasets').getAll();
				request.onsuccess = () => resolve(request.result[0]);
			});
			tx.objectStore('datasets').put({ ...row, name: 'Renamed here' });
			for (const name of ['runs', 'runManifests', 'runRecords', 'runSamples']) tx.objectStore(name).clear();
			await new Promise((resolve) => (tx.oncomplete = resolve));
			db.close();
			return row.id;
		});
		await restoreFile(second.page, { name: 'workspace.zip', buffer: zip });
		await expect(second.page.getByRole('combobox', { name: /^Restore dataset .* as$/ })).toHaveValue('keep-both');
		await expect(second.page.getByTestId('restore-summary')).toContainText('1 run: 1 new');
		await second.page.getByTestId('restore-confirm').click();
		await expect(second.page.getByTestId('backup-status')).toContainText('1 kept as copies');
		const kept = await dump(second.page);
		const copy = (kept.datasets as { id: string; name: string }[]).find((row) => row.id !== datasetId)!;
		expect(copy.name).toMatch(/\(restored\)$/);
		expect(kept.runs).toMatchObject([{ id: 'run-e2e', targetDatasetId: copy.id }]);
		expect(kept.runSamples).toMatchObject([{ acceptedInto: { datasetId: copy.id, entryId: 'e1' } }]);
		expect((kept.savedFilters as { datasetId: string }[]).map((row) => row.datasetId).sort()).toEqual([copy.id, datasetId].sort());

		await second.page.goto(baseURL!);
		await expect(second.page.getByTestId('dataset-row').filter({ hasText: 'Mara' })).toBeVisible();
	} finally {
		await first.dispose();
		await second.dispose();
	}
});

test('a backup made by the previous schema version is upgraded and restored', async ({ page }) => {
	await page.goto('/backup');
	await page.getByTestId('restore-file').setInputFiles('tests/fixtures/backup/skein-backup-schema-4.zip');
	await expect(page.getByTestId('restore-preview')).toContainText('made by an older Skein (database version 4) and has been upgraded');
	await page.getByTestId('restore-confirm').click();
	await expect(page.getByTestId('backup-status')).toContainText('Restored skein-backup-schema-4.zip');
	await page.goto('/');
	await expect(page.getByTestId('dataset-row').filter({ hasText: 'Greyhaven logbook' })).toContainText('4 entries');
	await page.goto('/generate/runs');
	await expect(page.getByText('Identity facts — Greyhaven Keeper')).toBeVisible();
});

test('the folder workspace saves into the chosen folder and opens a workspace from it', async ({ page }) => {
	// Headless Chromium shows no folder picker: hand the same code path a folder of the origin private file system.
	await page.addInitScript(() => {
		(window as unknown as { showDirectoryPicker: () => Promise<FileSystemDirectoryHandle> }).showDirectoryPicker = async () =>
			(await navigator.storage.getDirectory()).getDirectoryHandle('My Skein folder', { create: true });
	});
	await page.goto('/');
	await waitForSample(page);
	await page.goto('/backup');
	await page.getByTestId('folder-choose').click();
	await expect(page.getByTestId('folder-chosen')).toContainText('My Skein folder');
	await page.getByTestId('folder-save').click();
	await expect(page.getByTestId('folder-status')).toContainText('Saved to the folder "My Skein folder" as skein-workspace.zip');
	await expect(page.getByTestId('last-backup')).toContainText('to the folder (My Skein folder/skein-workspace.zip');
	const size = await page.evaluate(async () => (await (await (await (await navigator.storage.getDirectory()).getDirectoryHandle('My Skein folder')).getFileHandle('skein-workspace.zip')).getFile()).size);
	expect(size).toBeGreaterThan(1000);
	// The choice survives a reload (the handle is kept in IndexedDB).
	await page.reload();
	await expect(page.getByTestId('folder-chosen')).toContainText('My Skein folder');

	// Automatic saving: a change to the workspace, on another page, is written to the folder after a quiet moment.
	test.setTimeout(90_000);
	await page.getByTestId('folder-auto').check();
	/** The dataset names in the folder's zip (its datasets rows, unzipped here). */
	const namesInFolder = async () => {
		const bytes = await page.evaluate(async () => {
			const file = await (await (await (await navigator.storage.getDirectory()).getDirectoryHandle('My Skein folder')).getFileHandle('skein-workspace.zip')).getFile();
			return Array.from(new Uint8Array(await file.arrayBuffer()));
		});
		const files = unzipSync(new Uint8Array(bytes));
		return Object.entries(files)
			.filter(([name]) => name.startsWith('stores/datasets/'))
			.flatMap(([, data]) => (JSON.parse(strFromU8(data)) as { name: string }[]).map((row) => row.name));
	};
	expect(await namesInFolder()).not.toContain('Saltreach keeper');
	await page.goto('/');
	const row = page.getByTestId('dataset-row').first();
	await row.getByRole('button', { name: 'Rename' }).click();
	await row.getByLabel('New name').fill('Saltreach keeper');
	await row.getByRole('button', { name: 'Save' }).click();
	await expect(page.getByTestId('dataset-row').first()).toContainText('Saltreach keeper');
	await expect.poll(namesInFolder, { timeout: 40_000, intervals: [2_000] }).toContain('Saltreach keeper');
	await page.goto('/backup');
	await expect(page.getByTestId('folder-auto')).toBeChecked();

	await page.getByRole('button', { name: 'Open the workspace in this folder…' }).click();
	await expect(page.getByTestId('restore-preview')).toContainText('Restore skein-workspace.zip?');
	await expect(page.getByTestId('restore-collisions')).toContainText('already here, identical');
});
