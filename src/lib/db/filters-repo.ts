/** Named filters of the entry browser, per dataset (stored as their URL form). */
import type { SkeinDatabase } from './database';
import type { SavedFilterRow } from '$lib/core/contracts/rows';

export async function listSavedFilters(db: SkeinDatabase, datasetId: string): Promise<SavedFilterRow[]> {
	const rows = await db.savedFilters.where('datasetId').equals(datasetId).toArray();
	return rows.sort((a, b) => a.name.localeCompare(b.name));
}

export async function saveNamedFilter(db: SkeinDatabase, datasetId: string, name: string, query: string, now = Date.now()): Promise<SavedFilterRow> {
	const trimmed = name.trim();
	if (!trimmed) throw new Error('A saved filter needs a name.');
	// Saving under an existing name replaces that filter.
	const existing = (await listSavedFilters(db, datasetId)).find((row) => row.name === trimmed);
	const row: SavedFilterRow = { id: existing?.id ?? `flt-${now.toString(36)}-${Math.random().toString(36).slice(2, 6)}`, datasetId, name: trimmed, query, createdAt: now };
	await db.savedFilters.put(row);
	return row;
}

export async function deleteSavedFilter(db: SkeinDatabase, id: string): Promise<void> {
	await db.savedFilters.delete(id);
}
