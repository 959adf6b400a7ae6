import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { SkeinDatabase } from '$lib/db/database';
import { listDatasets } from '$lib/db/datasets-repo';
import { ENTRY_BLOCK_SIZE } from '$lib/db/schema';
import { deleteOp } from '$lib/core/curation/operations';
import { composeDataServices } from './data-services';
import { AnalysisService } from './analysis-service';

let counter = 0;
const opened: SkeinDatabase[] = [];
afterEach(async () => {
	for (const db of opened.splice(0)) {
		db.close();
		await Dexie.delete(db.name);
	}
});

const STORY = 'tell me about the night the storm took the northern light and how you kept the lamp burning until dawn came';

function line(i: number): string {
	// Every 100th entry repeats entry 0's conversation with one word changed: a near-copy.
	const user = i % 100 === 0 && i > 0 ? `${STORY} again` : `Question number ${i}: how is lamp ${i * 7} tonight, keeper ${i % 13}?`;
	const assistant = i % 100 === 0 ? 'It was a long night and the sea was loud against the rocks below the tower.' : `Burning steady, ${i} hours in, wick ${i % 17}.`;
	return JSON.stringify({
		messages: [
			{ role: 'system', content: 'You are Mara, the lighthouse keeper.' },
			{ role: 'user', content: i === 0 ? STORY : user },
			{ role: 'assistant', content: assistant }
		]
	});
}

async function importDataset(count: number) {
	const db = new SkeinDatabase(`skein-analysis-${++counter}-${Date.now()}`);
	opened.push(db);
	const data = composeDataServices(db).data;
	const text = Array.from({ length: count }, (_, i) => line(i)).join('\n');
	await data.importSources(data.newJobId(), [{ kind: 'file', file: new File([text], 'mara.jsonl') }]);
	const [dataset] = await listDatasets(db);
	return { db, data, analysis: new AnalysisService(db), datasetId: dataset.id };
}

describe('AnalysisService', () => {
	it('streams the structure over every block with progress', async () => {
		const { analysis, datasetId } = await importDataset(ENTRY_BLOCK_SIZE + 250);
		const progress: number[] = [];
		const outcome = await analysis.structure(datasetId, (p) => progress.push(p.done));
		expect(outcome.status).toBe('done');
		if (outcome.status !== 'done') return;
		expect(outcome.result.entries).toBe(ENTRY_BLOCK_SIZE + 250);
		expect(outcome.result.systemPrompts).toMatchObject({ distinct: 1, entriesWithout: 0 });
		expect(outcome.result.review.draft).toBe(ENTRY_BLOCK_SIZE + 250);
		expect(progress).toEqual([1, 2]);
	});

	it('counts tokens with the chosen tokenizer and caches the result per dataset version', async () => {
		const { analysis, datasetId } = await importDataset(300);
		const openai = await analysis.tokens(datasetId, 'o200k_base');
		const qwen = await analysis.tokens(datasetId, 'qwen3');
		if (openai.status !== 'done' || qwen.status !== 'done') throw new Error('cancelled');
		expect(openai.result.entries).toBe(300);
		expect(openai.result.cost.epochs).toBe(3);
		expect(openai.result.totalTokens).not.toBe(qwen.result.totalTokens);
		const again = await analysis.tokens(datasetId, 'o200k_base');
		expect(again.status === 'done' && again.result).toBe(openai.result);
	}, 30_000);

	it('cancels a superseded run of the same kind', async () => {
		const { analysis, datasetId } = await importDataset(ENTRY_BLOCK_SIZE * 2);
		const first = analysis.structure(datasetId);
		const second = analysis.structure(datasetId);
		expect((await first).status).toBe('cancelled');
		expect((await second).status).toBe('done');
	});

	it('finds near-duplicate clusters with positions and excerpts, and they can be resolved with deleteOp', async () => {
		const { analysis, data, datasetId } = await importDataset(ENTRY_BLOCK_SIZE + 1);
		const outcome = await analysis.duplicates(datasetId, { scope: 'conversations', method: 'near', threshold: 0.7 });
		if (outcome.status !== 'done') throw new Error('cancelled');
		const report = outcome.result;
		expect(report.totalClusters).toBe(1);
		const [cluster] = report.clusters;
		expect(cluster.members.map((m) => m.position)).toEqual(Array.from({ length: 11 }, (_, k) => k * 100));
		expect(cluster.members[0].excerpt.startsWith('tell me about the night')).toBe(true);
		expect(report.keepFirstDeletes).toHaveLength(10);
		await data.curate(datasetId, deleteOp(report.keepFirstDeletes), 'Delete near-duplicates');
		const after = await analysis.duplicates(datasetId, { scope: 'conversations', method: 'near', threshold: 0.7 });
		expect(after.status === 'done' && after.result.totalClusters).toBe(0);
		await data.undo(datasetId);
		const undone = await analysis.structure(datasetId);
		expect(undone.status === 'done' && undone.result.entries).toBe(ENTRY_BLOCK_SIZE + 1);
	});

	it('draws the same seeded sample every time', async () => {
		const { analysis, datasetId } = await importDataset(1500);
		const a = await analysis.sample(datasetId, 42, 10);
		const b = await analysis.sample(datasetId, 42, 10);
		expect(a.items.map((i) => i.position)).toEqual(b.items.map((i) => i.position));
		expect(a.items).toHaveLength(10);
		expect(a.items.every((i) => i.entry.messages.length === 3)).toBe(true);
	});
});
