/**
 * The dataset list, live: Dexie's liveQuery re-runs when any tab or the data worker changes the
 * `datasets` table. Counts come from the rows themselves, never from count().
 */
import { liveQuery, type Subscription } from 'dexie';
import { getDatabase } from '$lib/db/database';
import {
	deleteAbandonedImports,
	deleteDataset,
	getOriginal,
	getSetting,
	listDatasets,
	listOriginals,
	renameDataset,
	setSetting
} from '$lib/db/datasets-repo';
import type { DatasetRow } from '$lib/core/contracts/rows';

export class DatasetsState {
	list = $state<DatasetRow[]>([]);
	loaded = $state(false);
	error = $state<string | null>(null);
	#subscription: Subscription | null = null;

	start(): void {
		if (this.#subscription) return;
		const db = getDatabase();
		void deleteAbandonedImports(db).catch(() => undefined);
		this.#subscription = liveQuery(() => listDatasets(db)).subscribe({
			next: (rows) => {
				this.list = rows;
				this.loaded = true;
			},
			error: (error: unknown) => {
				this.error = `Could not read your datasets: ${error instanceof Error ? error.message : String(error)}`;
				this.loaded = true;
			}
		});
	}

	byId(id: string): DatasetRow | undefined {
		return this.list.find((row) => row.id === id);
	}

	rename(id: string, name: string): Promise<void> {
		return renameDataset(getDatabase(), id, name);
	}

	remove(id: string): Promise<void> {
		return deleteDataset(getDatabase(), id);
	}

	/** The imported files kept untouched for a dataset (without their bytes). */
	originals(id: string) {
		return listOriginals(getDatabase(), id);
	}

	async originalBlob(originalId: number): Promise<{ blob: Blob; fileName: string } | null> {
		const row = await getOriginal(getDatabase(), originalId);
		return row ? { blob: row.blob, fileName: row.fileName } : null;
	}
}

export const datasets = new DatasetsState();

const SAMPLE_SEEDED = 'sampleSeeded';
export const SAMPLE_URL = '/sample/mara-lighthouse-keeper.jsonl';
export const SAMPLE_NAME = 'Sample · Mara, the lighthouse keeper.jsonl';

/**
 * On the very first run, imports the built-in sample through the normal import path. Deleting it
 * later is respected: it is seeded once per browser profile.
 */
export async function seedSampleOnce(
	importText: (name: string, text: string) => Promise<{ datasets: unknown[] }>
): Promise<void> {
	const db = getDatabase();
	if (await getSetting<boolean>(db, SAMPLE_SEEDED)) return;
	// Marked first so that a second tab opening at the same moment does not seed it twice.
	await setSetting(db, SAMPLE_SEEDED, true);
	try {
		const response = await fetch(SAMPLE_URL);
		if (!response.ok) throw new Error(`HTTP ${response.status}`);
		const result = await importText(SAMPLE_NAME, await response.text());
		if (result.datasets.length === 0) throw new Error('the sample imported nothing');
	} catch {
		await setSetting(db, SAMPLE_SEEDED, false);
	}
}
