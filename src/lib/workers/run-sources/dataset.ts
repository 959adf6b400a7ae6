/**
 * Datasets as a run source: the entries the ref names (by id, in the order asked), or all of
 * them — or, for a run that needs only the first N records (`reach`), only the first N, so a
 * limited run over a million entries reads one or two blocks; with `from`, the entries from there
 * on (a block of an unlimited run) — read page by page through the data service (its working
 * copy, edits included).
 */
import type { Entry } from '$lib/core/model';
import { getDataset } from '$lib/db/datasets-repo';
import type { SourceKind, SourceLoadContext } from './types';

const PAGE = 1000;

/** Dataset entries by id (in the order asked; ids not found are left out) or all of them. */
export async function datasetEntries(data: SourceLoadContext['data'], datasetId: string, entryCount: number, entryIds?: string[], from = 0): Promise<Entry[]> {
	const wanted = entryIds ? new Set(entryIds) : null;
	const found = new Map<string, Entry>();
	const all: Entry[] = [];
	for (let start = wanted ? 0 : from; start < entryCount; start += PAGE) {
		const page = await data.getPage(datasetId, start, Math.min(PAGE, entryCount - start));
		for (const entry of page.entries) {
			if (!wanted) all.push(entry);
			else if (wanted.has(entry.id)) found.set(entry.id, entry);
		}
		if (wanted && found.size === wanted.size) break;
	}
	if (!entryIds) return all;
	return entryIds.flatMap((id) => (found.has(id) ? [found.get(id) as Entry] : []));
}

export const datasetSource: SourceKind<'dataset', 'entries'> = {
	noun: 'dataset',
	slot: 'entries',
	async load(ref, { db, data, reach, from }) {
		const dataset = await getDataset(db, ref.id);
		// A dataset still importing (or left half-imported) is not there yet.
		if (!dataset || dataset.status !== 'ready') return null;
		// Named entries may be anywhere: they are looked for page by page (stopping when all are found).
		const upTo = reach !== undefined && !ref.entryIds ? Math.min(dataset.entryCount, Math.max(0, Math.floor(reach))) : dataset.entryCount;
		const start = ref.entryIds ? 0 : Math.min(upTo, Math.max(0, Math.floor(from ?? 0)));
		return { name: dataset.name, value: await datasetEntries(data, ref.id, upTo, ref.entryIds, start), ...(upTo < dataset.entryCount ? { more: true } : {}) };
	}
};
