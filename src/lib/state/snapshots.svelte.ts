/**
 * A dataset's snapshots: the live list (any tab or the worker writing them shows up), and taking,
 * restoring, exporting and deleting them, which the data worker does over the stored blocks.
 */
import type { SnapshotRow } from '$lib/core/contracts/rows';
import { dataWorker } from '$lib/workers/data-bridge';
import type { SnapshotExport } from '$lib/workers/collection-service';
import { liveSnapshots, type LiveList } from './library.svelte';

export class SnapshotsState {
	readonly datasetId: string;
	readonly list: LiveList<SnapshotRow>;

	constructor(datasetId: string) {
		this.datasetId = datasetId;
		this.list = liveSnapshots(datasetId);
	}

	/** Subscribes to the list; returns the unsubscribe (usable as an `$effect` cleanup). */
	start(): () => void {
		return this.list.start();
	}

	async take(name: string): Promise<void> {
		await dataWorker().takeSnapshot(this.datasetId, name);
	}

	/** Restores a snapshot; the working copy as it was just before is kept as a new snapshot, whose name is returned. */
	async restore(snapshotId: string): Promise<string> {
		return (await dataWorker().restoreSnapshot(snapshotId)).before.name;
	}

	/** The snapshot as a Skein JSONL file. */
	export(snapshotId: string): Promise<SnapshotExport> {
		return dataWorker().exportSnapshot(snapshotId);
	}

	async remove(snapshotId: string): Promise<void> {
		await dataWorker().deleteSnapshot(snapshotId);
	}
}
