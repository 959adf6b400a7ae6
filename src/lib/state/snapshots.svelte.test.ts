import 'fake-indexeddb/auto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { getDatabase } from '$lib/db/database';
import { listSnapshots } from '$lib/db/collection-repo';
import { deleteOp } from '$lib/core/curation/operations';
import { inProcessDataWorker, skeinLine } from './test-data-worker';

const worker = vi.hoisted(() => ({ api: null as unknown }));
vi.mock('$lib/workers/data-bridge', () => ({ dataWorker: () => worker.api }));

const { SnapshotsState } = await import('./snapshots.svelte');

let api: ReturnType<typeof inProcessDataWorker>;
let datasetId: string;
beforeAll(async () => {
	api = inProcessDataWorker();
	worker.api = api;
	datasetId = await api.importLines('keeper.jsonl', [0, 1, 2, 3].map((i) => skeinLine(i, ['storm'])));
});

describe('SnapshotsState', () => {
	it('takes, restores (keeping the working copy as a snapshot), exports and deletes snapshots', async () => {
		const snapshots = new SnapshotsState(datasetId);
		const db = getDatabase();
		await snapshots.take('Before the cull');
		const [taken] = await listSnapshots(db, datasetId);
		expect(taken).toMatchObject({ name: 'Before the cull', entryCount: 4 });

		await api.curate(datasetId, deleteOp(['e1', 'e2']), 'Cull two');
		expect((await api.getPage(datasetId, 0, 10)).entries).toHaveLength(2);

		const keptAs = await snapshots.restore(taken.id);
		expect((await api.getPage(datasetId, 0, 10)).entries).toHaveLength(4);
		const names = (await listSnapshots(db, datasetId)).map((row) => row.name);
		expect(names).toContain(keptAs);
		expect(names).toHaveLength(2);

		const file = await snapshots.export(taken.id);
		expect(file.entries).toBe(4);
		expect(file.fileName).toMatch(/\.jsonl$/);
		expect((await file.blob.text()).trim().split('\n')).toHaveLength(4);

		await snapshots.remove(taken.id);
		expect((await listSnapshots(db, datasetId)).map((row) => row.name)).toEqual([keptAs]);
	});
});
