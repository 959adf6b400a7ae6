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
	setTemplateTarget,
	setSetting
} from '$lib/db/datasets-repo';
import { validationSummaryKey } from '$lib/db/settings-keys';
import type { DatasetRow } from '$lib/core/contracts/rows';
import type { TemplateTarget } from '$lib/core/templates/target-schema';
import type { StoredValidationSummary } from '$lib/core/contracts/settings';
import { dataWorker } from '$lib/workers/data-bridge';
import type { CopyOutcome, MergeOutcome } from '$lib/workers/collection-service';

/** Blocks done of total, reported while the worker streams over a dataset. */
export type BlockProgress = (done: number, total: number) => void;

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

	/** Chooses the model a dataset is for (null: none); every view reading the row sees it live. */
	setTemplateTarget(id: string, target: TemplateTarget | null): Promise<void> {
		return setTemplateTarget(getDatabase(), id, target === null ? null : $state.snapshot(target));
	}

	remove(id: string): Promise<void> {
		return deleteDataset(getDatabase(), id);
	}

	/** Merges datasets into a new one, in the order given (the first of two same entries is kept). */
	merge(ids: string[], name: string, onProgress: BlockProgress): Promise<MergeOutcome> {
		return dataWorker().mergeDatasets(ids, name, onProgress);
	}

	/** Copies (or moves) entries to another dataset; each side gets one undoable step. */
	copyEntries(fromId: string, ids: string[], toId: string, move: boolean, onProgress: BlockProgress): Promise<CopyOutcome> {
		return dataWorker().copyEntries(fromId, ids, toId, move, onProgress);
	}

	/** The imported files kept untouched for a dataset (without their bytes). */
	originals(id: string) {
		return listOriginals(getDatabase(), id);
	}

	/** The last validation counts of each dataset that has been checked (stored by the validation service). */
	async validationSummaries(ids: string[]): Promise<Record<string, StoredValidationSummary>> {
		const db = getDatabase();
		const pairs = await Promise.all(ids.map(async (id) => [id, await getSetting<StoredValidationSummary>(db, validationSummaryKey(id))] as const));
		const found: Record<string, StoredValidationSummary> = {};
		for (const [id, summary] of pairs) if (summary) found[id] = summary;
		return found;
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
