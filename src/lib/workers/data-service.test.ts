import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SkeinDatabase } from '$lib/db/database';
import { listDatasets } from '$lib/db/datasets-repo';
import { ENTRY_BLOCK_SIZE } from '$lib/db/schema';
import type { ImportProgress } from './data-service';
import { composeDataServices } from './data-services';
import { addTagsOp, deleteOp } from '$lib/core/curation/operations';

let counter = 0;
const opened: SkeinDatabase[] = [];
/** Counts the block reads (requests and blocks) made through Dexie from now on. */
function countBlockReads(db: SkeinDatabase) {
	const counts = { requests: 0, blocks: 0 };
	const get = db.blocks.get.bind(db.blocks);
	const bulkGet = db.blocks.bulkGet.bind(db.blocks);
	db.blocks.get = ((key: [string, number]) => {
		counts.requests++;
		counts.blocks++;
		return get(key);
	}) as typeof db.blocks.get;
	db.blocks.bulkGet = ((keys: [string, number][]) => {
		counts.requests++;
		counts.blocks += keys.length;
		return bulkGet(keys);
	}) as typeof db.blocks.bulkGet;
	return counts;
}

function freshService() {
	const db = new SkeinDatabase(`skein-service-${++counter}-${Date.now()}`);
	opened.push(db);
	return { db, service: composeDataServices(db).data };
}
afterEach(async () => {
	for (const db of opened.splice(0)) {
		db.close();
		await Dexie.delete(db.name);
	}
});

function chatLine(i: number): string {
	return JSON.stringify({
		messages: [
			{ role: 'system', content: 'You are Mara, the lighthouse keeper.' },
			{ role: 'user', content: `Question number ${i}: how is the lamp tonight?` },
			{ role: 'assistant', content: `Burning steady, ${i} hours in.` }
		]
	});
}

describe('DataService import', () => {
	it('imports good lines across several blocks, reports the bad ones, and keeps the original', async () => {
		const { db, service } = freshService();
		const lines = Array.from({ length: ENTRY_BLOCK_SIZE * 2 + 5 }, (_, i) => chatLine(i));
		lines.splice(10, 0, '{"messages": [{"role": "user", "content": "trunc');
		lines.splice(20, 0, '42');
		const text = lines.join('\n') + '\n';
		const file = new File([text], 'mara.jsonl');
		const progress: ImportProgress[] = [];
		const result = await service.importSources(service.newJobId(), [{ kind: 'file', file }], (p) => progress.push(p));

		expect(result.status).toBe('done');
		expect(result.report.imported).toBe(ENTRY_BLOCK_SIZE * 2 + 5);
		const [file0] = result.report.files;
		expect(file0.errorCount).toBe(2);
		expect(file0.errors.map((e) => e.line)).toEqual([11, 21]);
		expect(progress.at(-1)?.bytesRead).toBe(new TextEncoder().encode(text).byteLength);
		expect(progress.at(-1)?.lines).toBe(lines.length);

		const [dataset] = await listDatasets(db);
		expect(dataset).toMatchObject({ name: 'mara', entryCount: ENTRY_BLOCK_SIZE * 2 + 5, blockSizes: [ENTRY_BLOCK_SIZE, ENTRY_BLOCK_SIZE, 5] });
		const [original] = await db.originals.where('datasetId').equals(dataset.id).toArray();
		expect(await original.blob.text()).toBe(text);

		const page = await service.getPage(dataset.id, ENTRY_BLOCK_SIZE - 1, 3);
		// Positions count entries (bad lines are not entries), across the block boundary.
		expect(page.entries.map((e) => e.messages[1].content)).toEqual([
			`Question number ${ENTRY_BLOCK_SIZE - 1}: how is the lamp tonight?`,
			`Question number ${ENTRY_BLOCK_SIZE}: how is the lamp tonight?`,
			`Question number ${ENTRY_BLOCK_SIZE + 1}: how is the lamp tonight?`
		]);
	});

	it('counts only real decoding errors as invalid UTF-8, not U+FFFD characters the file contains', async () => {
		const { service } = freshService();
		const valid = [chatLine(1).replace('steady', 'steady \uFFFD'), chatLine(2)].join('\n') + '\n';
		const ok = await service.importSources(service.newJobId(), [{ kind: 'file', file: new File([valid], 'literal.jsonl') }]);
		expect(ok.report.files[0]).toMatchObject({ imported: 2, invalidUtf8Lines: 0 });
		const bad = new Uint8Array([...new TextEncoder().encode(chatLine(3).slice(0, -4)), 0xff, ...new TextEncoder().encode('"}]}\n' + valid)]);
		const broken = await service.importSources(service.newJobId(), [{ kind: 'file', file: new File([bad], 'broken.jsonl') }]);
		expect(broken.report.files[0]).toMatchObject({ imported: 3, invalidUtf8Lines: 1 });
	});

	it('makes one dataset per file and nothing for a file with no entries', async () => {
		const { db, service } = freshService();
		const result = await service.importSources(service.newJobId(), [
			{ kind: 'text', name: 'a.jsonl', text: chatLine(1) },
			{ kind: 'text', name: 'garbage.jsonl', text: 'not json at all\nstill not' },
			{ kind: 'file', file: new File([new Uint8Array([0, 1, 2, 0, 0, 255, 0, 3])], 'blob.bin') }
		]);
		expect(result.status).toBe('done');
		expect(result.datasets.map((d) => d.name)).toEqual(['a']);
		expect(result.report.files[2].fatal).toMatch(/not a dataset/i);
		expect((await listDatasets(db)).map((d) => d.name)).toEqual(['a']);
	});

	it('leaves nothing behind when cancelled mid-import', async () => {
		const { db, service } = freshService();
		const jobId = service.newJobId();
		const text = Array.from({ length: 5000 }, (_, i) => chatLine(i)).join('\n');
		const result = await service.importSources(jobId, [{ kind: 'text', name: 'big.jsonl', text }], (p) => {
			if (p.entries > 0) service.cancel(jobId);
		});
		// The progress callback may not fire before the end on fast machines; cancel late then.
		if (result.status === 'done') {
			expect(result.report.imported).toBe(5000);
			return;
		}
		expect(result.status).toBe('cancelled');
		expect(await db.datasets.count()).toBe(0);
		expect(await db.blocks.count()).toBe(0);
		expect(await db.originals.count()).toBe(0);
	});

	it('recognises a re-import of the same content and names the earlier dataset', async () => {
		const { service } = freshService();
		const text = [chatLine(1), chatLine(2)].join('\n');
		const first = await service.importSources(service.newJobId(), [{ kind: 'text', name: 'keeper.jsonl', text }]);
		expect(first.datasets[0].sameContentAs).toEqual([]);
		// Same records with CRLF line ends: different bytes, same content.
		const second = await service.importSources(service.newJobId(), [{ kind: 'text', name: 'keeper (1).jsonl', text: text.replace('\n', '\r\n') }]);
		expect(second.datasets[0].sameContentAs).toEqual([{ id: first.datasets[0].datasetId, name: 'keeper' }]);
		const different = await service.importSources(service.newJobId(), [{ kind: 'text', name: 'other.jsonl', text: chatLine(3) }]);
		expect(different.datasets[0].sameContentAs).toEqual([]);
	});

	it('cancels before the first chunk and stores nothing', async () => {
		const { db, service } = freshService();
		const jobId = service.newJobId();
		service.cancel(jobId);
		const result = await service.importSources(jobId, [{ kind: 'text', name: 'x.jsonl', text: chatLine(1) }]);
		expect(result.status).toBe('cancelled');
		expect(await db.datasets.count()).toBe(0);
		expect(await db.blocks.count()).toBe(0);
	});

	it('reports a full disk clearly and keeps no partial dataset', async () => {
		const { db, service } = freshService();
		const before = await service.importSources(service.newJobId(), [{ kind: 'text', name: 'kept.jsonl', text: chatLine(1) }]);
		expect(before.status).toBe('done');
		let writes = 0;
		const realPut = db.blocks.put.bind(db.blocks);
		vi.spyOn(db.blocks, 'put').mockImplementation((...args: Parameters<typeof realPut>) => {
			writes += 1;
			if (writes > 1) return Promise.reject(new DOMException('quota', 'QuotaExceededError')) as ReturnType<typeof realPut>;
			return realPut(...args);
		});
		const text = Array.from({ length: ENTRY_BLOCK_SIZE * 3 }, (_, i) => chatLine(i)).join('\n');
		const result = await service.importSources(service.newJobId(), [{ kind: 'text', name: 'huge.jsonl', text }]);
		vi.restoreAllMocks();
		expect(result.status).toBe('failed');
		expect(result.error).toMatch(/ran out of storage space/);
		expect((await listDatasets(db)).map((d) => d.name)).toEqual(['kept']);
		expect(await db.datasets.count()).toBe(1);
		expect(await db.blocks.count()).toBe(1);
	});
});

describe('DataService reading and export', () => {
	async function imported() {
		const ctx = freshService();
		const lines = Array.from({ length: 1500 }, (_, i) => chatLine(i));
		lines.push(JSON.stringify({ conversations: [{ from: 'human', value: 'Ghost ship?' }, { from: 'gpt', value: 'The Grey Wren. Never docks.' }] }));
		const result = await ctx.service.importSources(ctx.service.newJobId(), [{ kind: 'text', name: 'Mixed set.jsonl', text: lines.join('\n') }]);
		return { ...ctx, datasetId: result.datasets[0].datasetId };
	}

	it('searches message text case-insensitively and returns positions', async () => {
		const { service, datasetId } = await imported();
		expect((await service.search(datasetId, 'GREY WREN')).positions).toEqual([1500]);
		expect((await service.search(datasetId, 'question number 1499')).positions).toEqual([1499]);
		expect((await service.search(datasetId, '   ')).positions).toEqual([]);
		const [hit] = await service.getAt(datasetId, [1500]);
		expect(hit.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
	});

	it('exports minimal OpenAI JSONL and full-fidelity JSONL that re-imports identically', async () => {
		const { service, datasetId } = await imported();
		const openai = await service.exportDataset(datasetId, 'openai', new Date('2026-11-22T10:00:00Z'));
		expect(openai.fileName).toMatch(/^Mixed-set\.openai\.2026-11-2[12]\.jsonl$/);
		const openaiLines = (await openai.blob.text()).trimEnd().split('\n');
		expect(openaiLines).toHaveLength(1501);
		expect(JSON.parse(openaiLines[1500])).toEqual({
			messages: [
				{ role: 'user', content: 'Ghost ship?' },
				{ role: 'assistant', content: 'The Grey Wren. Never docks.' }
			]
		});

		const full = await service.exportDataset(datasetId, 'skein');
		const again = await service.importSources(service.newJobId(), [{ kind: 'file', file: new File([full.blob], full.fileName) }]);
		const copyId = again.datasets[0].datasetId;
		const original = await service.getPage(datasetId, 0, 2000);
		const copy = await service.getPage(copyId, 0, 2000);
		expect(copy.entries).toEqual(original.entries);
	});

	it('exports with scope, seeded shuffle, a validation split and transforms', async () => {
		const { service, datasetId } = await imported();
		const request = {
			format: 'alpaca' as const,
			positions: Array.from({ length: 100 }, (_, i) => i * 10),
			shuffle: true,
			seed: 7,
			split: { kind: 'ratio' as const, validationRatio: 0.1 },
			transforms: { systemPrompt: 'omit' as const }
		};
		const dry = await service.exportPlanned(datasetId, { ...request, dryRun: true }, new Date('2026-11-22T10:00:00Z'));
		expect(dry.selected).toBe(100);
		expect(dry.files.map((f) => [f.fileName, f.entries, f.blob])).toEqual([
			['Mixed-set.train.alpaca.2026-11-22.jsonl', 90, null],
			['Mixed-set.validation.alpaca.2026-11-22.jsonl', 10, null]
		]);
		const real = await service.exportPlanned(datasetId, request, new Date('2026-11-22T10:00:00Z'));
		const train = (await real.files[0].blob!.text()).trimEnd().split('\n').map((l) => JSON.parse(l));
		const validation = (await real.files[1].blob!.text()).trimEnd().split('\n').map((l) => JSON.parse(l));
		expect(train).toHaveLength(90);
		expect(validation).toHaveLength(10);
		expect(train[0]).not.toHaveProperty('system');
		expect(train[0].instruction).toMatch(/^Question number \d+0: how is the lamp tonight\?$/);
		// Deterministic: the same seed gives the same files; shuffled, not in storage order.
		const again = await service.exportPlanned(datasetId, request, new Date('2026-11-22T10:00:00Z'));
		expect(await again.files[0].blob!.text()).toBe(await real.files[0].blob!.text());
		expect(train.map((r) => r.instruction)).not.toEqual([...train.map((r) => r.instruction)].sort());
	});

	it('answers the first search after an import from the text kept while importing, and a later one after an edit', async () => {
		const { db, service, datasetId } = await imported();
		const reads = countBlockReads(db);
		expect((await service.search(datasetId, 'GREY WREN')).positions).toEqual([1500]);
		expect(reads.blocks).toBe(0);
		expect(await service.idsAt(datasetId, [0, 1500])).toEqual(['e1', 'e1501']);
		expect(reads.blocks).toBe(0);
		await service.curate(datasetId, deleteOp(['e1']), 'Delete one');
		expect((await service.search(datasetId, 'GREY WREN')).positions).toEqual([1499]);
		expect(reads.blocks).toBeGreaterThan(0);
	});

	it('reads the blocks of a dataset opened later in batches, not one request per block', async () => {
		const { db, datasetId } = await imported();
		const reopened = composeDataServices(db).data;
		const reads = countBlockReads(db);
		expect((await reopened.search(datasetId, 'question number 1499')).positions).toEqual([1499]);
		expect(reads).toEqual({ requests: 1, blocks: 2 });
	});

	it('maps positions to ids correctly across bulk changes, splits and joins', async () => {
		const { service, datasetId } = await imported();
		await service.warmSearch(datasetId);
		expect(await service.idsAt(datasetId, [0, 999, 1000, 1500])).toEqual(['e1', 'e1000', 'e1001', 'e1501']);
		const tagged = await service.curate(datasetId, addTagsOp(['e1', 'e1001'], ['lamp']), 'Tag two');
		expect(tagged.changed).toBe(2);
		expect(await service.idsAt(datasetId, [999, 1000])).toEqual(['e1000', 'e1001']);
		const split = await service.splitAt(datasetId, 0, 2);
		expect('error' in split ? split.error : split.inserted).toBe(1);
		// The new half sits at position 1; everything after moved by one.
		expect(await service.idsAt(datasetId, [0, 1, 2, 1001])).toEqual(['e1', 'e1502', 'e2', 'e1001']);
		const joined = await service.joinAt(datasetId, [0, 1]);
		expect('error' in joined ? joined.error : joined.removed).toBe(1);
		expect(await service.idsAt(datasetId, [0, 1])).toEqual(['e1', 'e2']);
		const [first] = (await service.getPage(datasetId, 0, 1)).entries;
		expect(first.tags).toEqual(['lamp']);
		expect(first.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant']);
	});

	it('refuses to read a dataset that does not exist', async () => {
		const { service } = freshService();
		await expect(service.getPage('ds-missing', 0, 10)).rejects.toThrow(/does not exist/);
	});
});
