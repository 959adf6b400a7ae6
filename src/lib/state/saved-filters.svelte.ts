/**
 * A dataset's named filters in the entry browser, stored in their URL form (the same text a
 * shared link carries), so a saved filter and a bookmarked one read the same way.
 */
import { getDatabase } from '$lib/db/database';
import { deleteSavedFilter, listSavedFilters, saveNamedFilter } from '$lib/db/filters-repo';
import { decodeFilterFromUrl, encodeFilterToUrl, type EntryFilter } from '$lib/core/curation/filters';
import type { SavedFilterRow } from '$lib/core/contracts/rows';

export class SavedFiltersState {
	readonly datasetId: string;
	/** The saved filters, by name. */
	rows = $state<SavedFilterRow[]>([]);

	constructor(datasetId: string) {
		this.datasetId = datasetId;
	}

	async refresh(): Promise<void> {
		this.rows = await listSavedFilters(getDatabase(), this.datasetId);
	}

	/** Saves `filter` under `name` (an existing filter of that name is replaced). */
	async save(name: string, filter: EntryFilter): Promise<void> {
		await saveNamedFilter(getDatabase(), this.datasetId, name, encodeFilterToUrl(filter));
		await this.refresh();
	}

	async remove(id: string): Promise<void> {
		await deleteSavedFilter(getDatabase(), id);
		await this.refresh();
	}

	/** The filter a saved row stands for. */
	filterOf(row: SavedFilterRow): EntryFilter {
		return decodeFilterFromUrl(row.query).filter;
	}
}
