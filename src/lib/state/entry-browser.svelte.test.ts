import 'fake-indexeddb/auto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { addTagsOp } from '$lib/core/curation/operations';
import { inProcessDataWorker, skeinLine } from './test-data-worker';

const worker = vi.hoisted(() => ({ api: null as unknown }));
vi.mock('$lib/workers/data-bridge', () => ({ dataWorker: () => worker.api }));

const { EntryBrowserState } = await import('./entry-browser.svelte');

let api: ReturnType<typeof inProcessDataWorker>;
let datasetId: string;
beforeAll(async () => {
	api = inProcessDataWorker();
	worker.api = api;
	datasetId = await api.importLines('keeper.jsonl', [
		skeinLine(0),
		skeinLine(1, [], { assistant: 'Fog on the point.   ' }),
		skeinLine(2),
		skeinLine(3)
	]);
});

describe('EntryBrowserState', () => {
	it('resolves the ticked positions to ids in dataset order', async () => {
		const browser = new EntryBrowserState(datasetId);
		browser.toggleSelected(3);
		browser.toggleSelected(0);
		expect(await browser.selectedIds()).toEqual(['e1', 'e4']);
	});

	it('runs a bulk operation on the selection with its progress, as one undoable step', async () => {
		const browser = new EntryBrowserState(datasetId);
		browser.toggleSelected(1);
		browser.toggleSelected(2);
		const outcome = await browser.bulk('Add storm to 2 entries', (ids) => addTagsOp(ids, ['storm']));
		expect(outcome?.changed).toBe(2);
		expect(browser.bulkProgress).toBeNull();
		expect(browser.status).toBe('Add storm to 2 entries — 2 changed');
		expect(browser.history.undoLabel).toBe('Add storm to 2 entries');
		const { entries } = await api.getPage(datasetId, 0, 4);
		expect(entries.map((entry) => entry.tags)).toEqual([[], ['storm'], ['storm'], []]);
	});

	it('reads the findings of one entry and repairs just that entry', async () => {
		const browser = new EntryBrowserState(datasetId);
		const findings = await browser.findingsAt(1);
		const whitespace = findings.find((finding) => finding.rule === 'surrounding-whitespace');
		expect(whitespace?.repairTitle).toBeTruthy();
		await browser.repairEntry('trim-whitespace', 'e2');
		expect(browser.status).toBeTruthy();
		expect(browser.history.canUndo).toBe(true);
		expect((await browser.findingsAt(1)).some((finding) => finding.rule === 'surrounding-whitespace')).toBe(false);
		expect((await api.getPage(datasetId, 1, 1)).entries[0].messages[1].content).toBe('Fog on the point.');
	});
});
