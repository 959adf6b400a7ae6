import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { SkeinDatabase } from '$lib/db/database';
import { listDatasets } from '$lib/db/datasets-repo';
import { ENTRY_BLOCK_SIZE } from '$lib/db/schema';
import { deleteOp } from '$lib/core/curation/operations';
import { composeDataServices } from './data-services';
import { AnalysisService, type AnalysisPart } from './analysis-service';
import type { CountTexts } from './token-pool';
import { loadTokenizer } from '$lib/core/analysis/tokenizer-loader';
import { StructureCollector } from '$lib/core/analysis/structure';
import { TokenCollector } from '$lib/core/analysis/tokens';
import { DuplicateFinder } from '$lib/core/analysis/duplicates';
import { tokenizerInfo } from '$lib/core/analysis/tokenizers';
import type { Entry } from '$lib/core/model';

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

	it('computes every figure in one read of the dataset, equal to the core algorithms and to the separate runs', async () => {
		const { db, analysis: separate, datasetId } = await importDataset(ENTRY_BLOCK_SIZE * 2 + 300);
		// Counting "workers" that answer out of order (later blocks first), as a pool may.
		const count = await loadTokenizer('o200k_base');
		let request = 0;
		const outOfOrder: CountTexts = async (_tokenizer, texts) => {
			await new Promise((r) => setTimeout(r, 30 - 10 * (request++ % 3)));
			return Int32Array.from(texts, (text) => count(text));
		};
		const analysis = new AnalysisService(db, outOfOrder);
		let reads = 0;
		const get = db.blocks.get.bind(db.blocks);
		const bulkGet = db.blocks.bulkGet.bind(db.blocks);
		db.blocks.get = ((key: unknown) => {
			reads++;
			return get(key as [string, number]);
		}) as typeof db.blocks.get;
		db.blocks.bulkGet = ((keys: [string, number][]) => {
			reads += keys.length;
			return bulkGet(keys);
		}) as typeof db.blocks.bulkGet;
		const parts: AnalysisPart[] = [];
		const progress = new Set<string>();
		const options = { scope: 'conversations', method: 'near', threshold: 0.7 } as const;
		const outcome = await analysis.all(datasetId, { tokenizer: 'o200k_base', duplicates: options, diversityThreshold: 0.8 }, (kind) => progress.add(kind), (part) => parts.push(part));
		db.blocks.get = get;
		db.blocks.bulkGet = bulkGet;
		expect(outcome.status).toBe('done');
		// Three blocks read once for every figure, then the blocks holding the shown clusters (here
		// all three: the near-copies are every 100th entry) once more for their excerpts.
		expect(reads).toBe(3 + 3);
		expect([...progress].sort()).toEqual(['duplicates', 'structure', 'tokens']);
		const part = <K extends AnalysisPart['kind']>(kind: K) => parts.find((p) => p.kind === kind) as Extract<AnalysisPart, { kind: K }>;

		// The core algorithms over the same entries, in order.
		const entries: Entry[] = [];
		for (let b = 0; b < 3; b++) entries.push(...((await db.blocks.get([datasetId, b]))?.entries ?? []));
		const structure = new StructureCollector();
		const tokens = new TokenCollector(tokenizerInfo('o200k_base'), count);
		const prompts = new DuplicateFinder({ scope: 'prompts', method: 'near', threshold: 0.8 });
		for (const [i, entry] of entries.entries()) {
			structure.add(entry);
			tokens.add(entry);
			prompts.add(entry, i);
		}
		expect(part('structure').result).toEqual(structure.finish());
		const tokenPart = part('tokens');
		expect('result' in tokenPart && tokenPart.result).toEqual(tokens.finish());
		expect(part('diversity').nearRedundantPrompts).toBe(prompts.finish().redundantEntries);
		expect(part('diversity').nearRedundantPrompts).toBeGreaterThan(0);

		// And to the page's separate runs, as before.
		const alone = await separate.duplicates(datasetId, options);
		expect(alone.status === 'done' && alone.result).toEqual(part('duplicates').result);
		const aloneStructure = await separate.structure(datasetId);
		expect(aloneStructure.status === 'done' && aloneStructure.result).toEqual(part('structure').result);
	}, 60_000);

	it('reports a tokenizer that cannot be loaded as the token part, and still delivers the rest', async () => {
		const { db, datasetId } = await importDataset(50);
		const failing: CountTexts = async () => {
			throw new Error('Token counts need the OpenAI o200k_base vocabulary (a few MB), which could not be loaded.');
		};
		const analysis = new AnalysisService(db, failing);
		const parts: AnalysisPart[] = [];
		await analysis.all(datasetId, { tokenizer: 'o200k_base', duplicates: { scope: 'conversations', method: 'exact', threshold: 0.8 }, diversityThreshold: 0.8 }, undefined, (p) => parts.push(p));
		expect(parts.map((p) => p.kind).sort()).toEqual(['diversity', 'duplicates', 'structure', 'tokens']);
		expect(parts.find((p) => p.kind === 'tokens')).toMatchObject({ error: expect.stringContaining('could not be loaded') });
	});

	it('leaves the tokens to a newer token run started meanwhile (another tokenizer)', async () => {
		const { analysis, datasetId } = await importDataset(ENTRY_BLOCK_SIZE * 2);
		const parts: AnalysisPart[] = [];
		const full = analysis.all(datasetId, { tokenizer: 'o200k_base', duplicates: { scope: 'conversations', method: 'exact', threshold: 0.8 }, diversityThreshold: 0.8 }, undefined, (p) => parts.push(p));
		const qwen = analysis.tokens(datasetId, 'qwen3');
		expect((await full).status).toBe('done');
		expect((await qwen).status).toBe('done');
		expect(parts.map((p) => p.kind).sort()).toEqual(['diversity', 'duplicates', 'structure']);
	}, 60_000);

	it('draws the same seeded sample every time', async () => {
		const { analysis, datasetId } = await importDataset(1500);
		const a = await analysis.sample(datasetId, 42, 10);
		const b = await analysis.sample(datasetId, 42, 10);
		expect(a.items.map((i) => i.position)).toEqual(b.items.map((i) => i.position));
		expect(a.items).toHaveLength(10);
		expect(a.items.every((i) => i.entry.messages.length === 3)).toBe(true);
	});
});
