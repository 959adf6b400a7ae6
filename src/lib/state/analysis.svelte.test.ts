import 'fake-indexeddb/auto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { inProcessDataWorker, skeinLine } from './test-data-worker';

const worker = vi.hoisted(() => ({ api: null as unknown }));
vi.mock('$lib/workers/data-bridge', () => ({ dataWorker: () => worker.api }));

const { AnalysisState } = await import('./analysis.svelte');

let api: ReturnType<typeof inProcessDataWorker>;
let datasetId: string;
beforeAll(async () => {
	api = inProcessDataWorker();
	worker.api = api;
	// Entries 0 and 3 are the same conversation: one exact-duplicate cluster.
	datasetId = await api.importLines('keeper.jsonl', [
		skeinLine(0, [], { user: 'Is the lamp lit?', assistant: 'Lit and trimmed.' }),
		skeinLine(1),
		skeinLine(2),
		skeinLine(3, [], { user: 'Is the lamp lit?', assistant: 'Lit and trimmed.' }),
		skeinLine(4)
	]);
});

describe('AnalysisState', () => {
	it('runs the structure analysis in the worker and clears its progress when done', async () => {
		const analysis = new AnalysisState(datasetId);
		const running = analysis.runStructure();
		expect(analysis.progress.structure).not.toBeNull();
		expect(analysis.busy).toBe(true);
		await running;
		expect(analysis.progress.structure).toBeNull();
		expect(analysis.structure?.entries).toBe(5);
		expect(analysis.busy).toBe(false);
	});

	it('finds the exact duplicates it was asked for, resolves them as one step and undoes it', async () => {
		const analysis = new AnalysisState(datasetId);
		analysis.duplicateOptions = { scope: 'conversations', method: 'exact', threshold: 0.8 };
		await analysis.runDuplicates();
		expect(analysis.duplicates?.totalClusters).toBe(1);
		expect(analysis.duplicates?.keepFirstDeletes).toHaveLength(1);
		expect(analysis.timings.duplicates).not.toBeNull();

		const deleted = await analysis.deleteEntries([...analysis.duplicates!.keepFirstDeletes], 'Keep the first of every duplicate cluster');
		expect(deleted).toEqual({ removed: 1, canUndo: true });
		expect((await api.getPage(datasetId, 0, 10)).entries).toHaveLength(4);

		const undone = await analysis.undo();
		expect(undone.label).toBe('Keep the first of every duplicate cluster');
		expect((await api.getPage(datasetId, 0, 10)).entries).toHaveLength(5);
	});

	it('draws the same sample for the same seed and stores a review decision', async () => {
		const analysis = new AnalysisState(datasetId);
		const first = await analysis.sampleEntries(7, 3);
		const again = await analysis.sampleEntries(7, 3);
		expect(first.items).toHaveLength(3);
		expect(again.items.map((item) => item.entry.id)).toEqual(first.items.map((item) => item.entry.id));

		const picked = first.items[0];
		await analysis.reviewSampled(picked.entry.id, 'accepted');
		const [stored] = (await api.getPage(datasetId, picked.position, 1)).entries;
		expect(stored.meta.review).toBe('accepted');
	});

	it('fills every figure from one full run in the worker when the page opens', async () => {
		const analysis = new AnalysisState(datasetId);
		const calls: string[] = [];
		const spied = api as unknown as Record<string, unknown>;
		worker.api = Object.fromEntries(
			Object.entries(spied).map(([name, value]) => [
				name,
				typeof value === 'function'
					? (...args: unknown[]) => {
							calls.push(name);
							return (value as (...a: unknown[]) => unknown)(...args);
						}
					: value
			])
		);
		try {
			analysis.datasetChanged(true);
			expect(analysis.busy).toBe(true);
			await vi.waitFor(() => expect(analysis.busy).toBe(false), { timeout: 30_000, interval: 50 });
			expect(calls).toEqual(['analyzeAll']);
			expect(analysis.error).toBeNull();
			expect(analysis.structure?.entries).toBe(5);
			expect(analysis.tokens?.entries).toBe(5);
			expect(analysis.duplicates?.totalClusters).toBe(1);
			expect(analysis.nearRedundantPrompts).toBe(1);
			expect(analysis.diversity?.nearRedundant).toBe(1);
		} finally {
			worker.api = api;
		}
	}, 60_000);

	it('drops a progress report that lands after the answer', async () => {
		const analysis = new AnalysisState('ds-late');
		let late: (() => void) | null = null;
		worker.api = {
			...api,
			analyzeStructure: async (_id: string, onProgress: (p: { phase: string; done: number; total: number }) => void) => {
				late = () => onProgress({ phase: 'Reading', done: 1, total: 2 });
				return { status: 'done', result: { entries: 0 }, ms: 1 };
			}
		};
		try {
			await analysis.runStructure();
			late!();
			expect(analysis.progress.structure).toBeNull();
		} finally {
			worker.api = api;
		}
	});
});
