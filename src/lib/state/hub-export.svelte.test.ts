import 'fake-indexeddb/auto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { getDatabase } from '$lib/db/database';
import { HubExporter, hubApi, type HubExportRequest } from '$lib/workers/hub-export';
import { ValidationRuns, validationForData } from '$lib/workers/validation-service';
import { inProcessDataWorker, skeinLine } from './test-data-worker';

const worker = vi.hoisted(() => ({ api: null as unknown }));
const downloads = vi.hoisted(() => [] as { name: string; size: number }[]);
vi.mock('$lib/workers/data-bridge', () => ({ dataWorker: () => worker.api }));
vi.mock('./exports.svelte', () => ({ downloadBlob: (blob: Blob, name: string) => downloads.push({ name, size: blob.size }) }));

const { HubExportState } = await import('./hub-export.svelte');

let datasetId: string;
beforeAll(async () => {
	const api = inProcessDataWorker();
	worker.api = { ...api, ...hubApi(new HubExporter(getDatabase(), validationForData(getDatabase(), new ValidationRuns()))) };
	datasetId = await api.importLines('keeper.jsonl', Array.from({ length: 10 }, (_, i) => skeinLine(i)));
});

const REQUEST: HubExportRequest = {
	fileFormat: 'parquet',
	validationPercent: 20,
	seed: 1,
	tokenizer: null,
	card: { prettyName: 'Keeper', license: 'mit', languages: ['en'], taskCategories: [], tags: [] }
};

describe('HubExportState', () => {
	it('makes the card, flags an edit that breaks it, and exports only a card that fits', async () => {
		const hub = new HubExportState(datasetId);
		await hub.makeDraft(REQUEST);
		expect(hub.error).toBeNull();
		expect(hub.draft?.files.map((f) => [f.split, f.entries])).toEqual([
			['train', 8],
			['validation', 2]
		]);
		expect(hub.card).toBe(hub.draft?.card);
		expect(hub.problems).toEqual([]);

		hub.card = hub.card.replace('license: mit\n', '');
		expect(hub.problems).toEqual(['the front matter has no license']);
		await hub.export(REQUEST);
		expect(downloads).toEqual([]);
		expect(hub.result).toBeNull();

		hub.regenerate();
		expect(hub.problems).toEqual([]);
		await hub.export(REQUEST);
		expect(hub.error).toBeNull();
		expect(hub.result?.problems).toEqual([]);
		expect(hub.result?.files.map((f) => [f.path, f.rows])).toEqual([
			['data/train-00000-of-00001.parquet', 8],
			['data/validation-00000-of-00001.parquet', 2]
		]);
		expect(downloads).toEqual([{ name: expect.stringMatching(/^keeper\.hub\.\d{4}-\d{2}-\d{2}\.zip$/), size: hub.result?.blob?.size }]);

		hub.reset();
		expect(hub.draft).toBeNull();
		expect(hub.problems).toEqual([]);
	});

	it('says so when nothing is in scope', async () => {
		const hub = new HubExportState(datasetId);
		await hub.makeDraft({ ...REQUEST, reviewStates: ['rejected'] });
		expect(hub.draft).toBeNull();
		expect(hub.error).toBe('Nothing to export: no entry is in scope (check the review states) or every one was left out by the transforms.');
	});
});
