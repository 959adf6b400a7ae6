/**
 * Adding new entries to a dataset as one undoable step: the one implementation behind "import a
 * pasted reply into this dataset" and "add the accepted samples". Ids come from the dataset's own
 * allocator, the entries go in with one curation operation (one history row, one Undo), and a
 * dataset made for them is removed again when the insert fails.
 */
import type { Entry } from '$lib/core/model';
import { insertOp } from '$lib/core/curation/operations';
import type { SkeinDatabase } from '$lib/db/database';
import { allocateEntryIds, createImportingDataset, deleteDataset } from '$lib/db/datasets-repo';
import type { DataService } from './data-service';

/** Where new entries go: an existing dataset or a new one with this name. */
export type EntryTarget = { kind: 'existing'; datasetId: string } | { kind: 'new'; name: string };

export type AddEntriesOutcome = { ok: true; datasetId: string; ids: string[]; entries: Entry[] } | { ok: false; error: string };

/** What adding needs of the data service: its curate (history, caches, undo). */
export type Curator = Pick<DataService, 'curate'>;

export async function addEntriesAsOneStep(
	db: SkeinDatabase,
	data: Curator,
	target: EntryTarget,
	count: number,
	build: (ids: string[]) => Entry[],
	label: string,
	now = Date.now()
): Promise<AddEntriesOutcome> {
	let datasetId: string;
	let created = false;
	if (target.kind === 'existing') {
		const dataset = await db.datasets.get(target.datasetId);
		if (!dataset || dataset.status !== 'ready') return { ok: false, error: 'That dataset no longer exists.' };
		datasetId = dataset.id;
	} else {
		const row = await createImportingDataset(db, target.name, now);
		await db.datasets.update(row.id, { status: 'ready', heartbeatAt: now, updatedAt: now });
		datasetId = row.id;
		created = true;
	}
	try {
		const ids = await allocateEntryIds(db, datasetId, count);
		const entries = build(ids);
		await data.curate(datasetId, insertOp(entries, 'end'), label);
		return { ok: true, datasetId, ids, entries };
	} catch (error) {
		if (created) await deleteDataset(db, datasetId).catch(() => undefined);
		throw error;
	}
}
