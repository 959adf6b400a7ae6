import 'fake-indexeddb/auto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { getDatabase } from '$lib/db/database';
import { setSetting } from '$lib/db/datasets-repo';
import { validationSummaryKey } from '$lib/db/settings-keys';
import type { StoredValidationSummary } from '$lib/core/contracts/settings';
import { inProcessDataWorker, skeinLine } from './test-data-worker';

const worker = vi.hoisted(() => ({ api: null as unknown }));
vi.mock('$lib/workers/data-bridge', () => ({ dataWorker: () => worker.api }));

const { datasets } = await import('./datasets.svelte');

let api: ReturnType<typeof inProcessDataWorker>;
let keeper: string;
let relief: string;
beforeAll(async () => {
	api = inProcessDataWorker();
	worker.api = api;
	keeper = await api.importLines('keeper.jsonl', [0, 1, 2].map((i) => skeinLine(i)));
	// Entry 0 is the same conversation as keeper's entry 0: a merge collapses it.
	relief = await api.importLines('relief.jsonl', [skeinLine(0), skeinLine(10), skeinLine(11)]);
});

describe('DatasetsState', () => {
	it('reads the stored validation summaries of the datasets that have one', async () => {
		const summary: StoredValidationSummary = { profileId: 'openai-chat', errors: 2, warnings: 5, datasetUpdatedAt: 1_700_000_000_000, at: 1_700_000_100_000 };
		await setSetting(getDatabase(), validationSummaryKey(keeper), summary);
		expect(await datasets.validationSummaries([keeper, relief])).toEqual({ [keeper]: summary });
		expect(await datasets.validationSummaries([])).toEqual({});
	});

	it('merges datasets in the order given, with progress', async () => {
		const progress: [number, number][] = [];
		const outcome = await datasets.merge([keeper, relief], 'Merged · keeper + relief', (done, total) => progress.push([done, total]));
		expect(outcome.name).toBe('Merged · keeper + relief');
		expect(outcome.report.input).toBe(6);
		expect(outcome.report.duplicatesCollapsed).toBe(1);
		expect(outcome.report.output).toBe(5);
		expect(progress.length).toBeGreaterThan(0);
	});

	it('copies and moves entries to another dataset, re-issuing ids taken there', async () => {
		const copied = await datasets.copyEntries(keeper, ['e1'], relief, false, () => {});
		expect(copied).toMatchObject({ copied: 1, moved: false, missing: 0 });
		// relief already has an entry e1 (its first line), so the copy gets a new id.
		expect(copied.reissued).toHaveLength(1);
		expect((await api.getPage(keeper, 0, 10)).entries).toHaveLength(3);

		const moved = await datasets.copyEntries(keeper, ['e3', 'gone'], relief, true, () => {});
		expect(moved).toMatchObject({ copied: 1, moved: true, missing: 1 });
		expect((await api.getPage(keeper, 0, 10)).entries.map((entry) => entry.id)).toEqual(['e1', 'e2']);
	});
});
