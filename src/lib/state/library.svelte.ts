/**
 * Live lists for the curation workshop's pages: the tag and character libraries and a dataset's
 * snapshots. Dexie's liveQuery re-runs when any tab or the data worker writes those tables, so a
 * snapshot taken in the worker or a tag renamed in another tab shows up without a reload.
 */
import { liveQuery } from 'dexie';
import { getDatabase } from '$lib/db/database';
import { listCharacters, listSnapshots, listTags } from '$lib/db/collection-repo';
import type { CharacterRow, SnapshotRow, TagRow } from '$lib/core/contracts/rows';

export class LiveList<T> {
	rows = $state<T[]>([]);
	loaded = $state(false);
	error = $state<string | null>(null);

	constructor(private readonly query: () => Promise<T[]>) {}

	/** Subscribes; returns the unsubscribe (an `$effect` can return it as its cleanup). */
	start(): () => void {
		const subscription = liveQuery(this.query).subscribe({
			next: (rows) => {
				this.rows = rows;
				this.loaded = true;
				this.error = null;
			},
			error: (error: unknown) => {
				this.error = error instanceof Error ? error.message : String(error);
				this.loaded = true;
			}
		});
		return () => subscription.unsubscribe();
	}
}

export function liveTags(): LiveList<TagRow> {
	return new LiveList(() => listTags(getDatabase()));
}

export function liveCharacters(): LiveList<CharacterRow> {
	return new LiveList(() => listCharacters(getDatabase()));
}

export function liveSnapshots(datasetId: string): LiveList<SnapshotRow> {
	return new LiveList(() => listSnapshots(getDatabase(), datasetId));
}

/** A readable message for anything thrown across the worker boundary. */
export function errorText(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
