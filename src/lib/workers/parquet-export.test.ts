/**
 * The Parquet export and import through the data service (fake-indexeddb), checked with DuckDB:
 * a planned export with a split and metadata columns reads back as the same rows, and a Parquet
 * file dropped as a File imports like its JSONL.
 */
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { SkeinDatabase } from '$lib/db/database';
import { readBlock } from '$lib/db/datasets-repo';
import { composeDataServices } from './data-services';

let counter = 0;
const opened: SkeinDatabase[] = [];
function freshService() {
	const db = new SkeinDatabase(`skein-parquet-${++counter}-${Date.now()}`);
	opened.push(db);
	return { db, service: composeDataServices(db).data };
}
afterEach(async () => {
	for (const db of opened.splice(0)) {
		db.close();
		await Dexie.delete(db.name);
	}
});

const FIXTURES = new URL('../../../tests/fixtures/parquet/', import.meta.url);

function chatLine(i: number): string {
	return JSON.stringify({
		messages: [
			{ role: 'system', content: 'You are Mara, the lighthouse keeper.' },
			{ role: 'user', content: `Question number ${i}: how is the lamp tonight?` },
			{ role: 'assistant', content: `Burning steady, ${i} hours in.` }
		]
	});
}

async function duckRows(blob: Blob): Promise<Record<string, unknown>[]> {
	const path = join(mkdtempSync(join(tmpdir(), 'skein-pq-')), 'x.parquet');
	writeFileSync(path, new Uint8Array(await blob.arrayBuffer()));
	const instance = await DuckDBInstance.create(':memory:');
	const connection = await instance.connect();
	const rows = (await connection.runAndReadAll(`SELECT * FROM read_parquet('${path}')`)).getRowObjectsJson() as Record<string, unknown>[];
	connection.closeSync();
	return rows;
}

describe('Parquet export (data service)', () => {
	it('writes train and validation files in row groups that DuckDB reads back as the same rows', async () => {
		const { db, service } = freshService();
		const text = Array.from({ length: 2_500 }, (_, i) => chatLine(i)).join('\n');
		const imported = await service.importSources(service.newJobId(), [{ kind: 'file', file: new File([text], 'mara.jsonl') }]);
		const datasetId = imported.datasets[0].datasetId;
		const result = await service.exportPlanned(
			datasetId,
			{ format: 'openai', container: 'parquet', parquetColumns: ['id', 'tags', 'review'], split: { kind: 'ratio', validationRatio: 0.1 }, seed: 7, transforms: { systemPrompt: 'omit' } },
			new Date('2026-12-05T10:00:00Z')
		);
		expect(result.files.map((f) => [f.fileName, f.entries])).toEqual([
			['mara.train.2026-12-05.parquet', 2_250],
			['mara.validation.2026-12-05.parquet', 250]
		]);
		expect(result.report.files[0].changes).toEqual([{ text: 'system prompt omitted', count: 2_250 }]);
		const train = await duckRows(result.files[0].blob as Blob);
		const validation = await duckRows(result.files[1].blob as Blob);
		expect(train.length).toBe(2_250);
		expect(validation.length).toBe(250);
		const ids = new Set([...train, ...validation].map((row) => row.id));
		expect(ids.size).toBe(2_500);
		// Each row is its stored entry, transformed.
		const block = (await readBlock(db, datasetId, 0))?.entries ?? [];
		const first = train[0];
		const stored = block.find((entry) => entry.id === first.id);
		expect(first.messages).toEqual(stored?.messages.slice(1));
		expect(first.tags).toEqual([]);
		expect(first.review).toBe('draft');
		expect(Object.keys(first)).toEqual(['messages', 'id', 'tags', 'review']);
	});

	it('a dry run counts without building files, and checks what would be written', async () => {
		const { service } = freshService();
		const imported = await service.importSources(service.newJobId(), [{ kind: 'file', file: new File([chatLine(1) + '\n' + chatLine(2)], 'two.jsonl') }]);
		const result = await service.exportPlanned(imported.datasets[0].datasetId, { format: 'openai', container: 'parquet', dryRun: true });
		expect(result.files).toEqual([{ fileName: expect.stringMatching(/^two\.\d{4}-\d{2}-\d{2}\.parquet$/), blob: null, entries: 2 }]);
	});
});

describe('Parquet import (data service)', () => {
	it('a dropped .parquet file becomes a dataset with the entries of its JSONL', async () => {
		const { db, service } = freshService();
		const bytes = readFileSync(new URL('chat.duckdb.parquet', FIXTURES));
		const jsonl = readFileSync(new URL('chat.jsonl', FIXTURES), 'utf8');
		const result = await service.importSources(service.newJobId(), [
			{ kind: 'file', file: new File([bytes], 'harbour.parquet') },
			{ kind: 'file', file: new File([jsonl], 'harbour.jsonl') }
		]);
		expect(result.status).toBe('done');
		expect(result.datasets.map((d) => d.name)).toEqual(['harbour', 'harbour']);
		expect(result.datasets[0].report.container).toBe('parquet');
		expect(result.datasets[0].report.lines).toBe(4);
		const fromParquet = (await readBlock(db, result.datasets[0].datasetId, 0))?.entries ?? [];
		const fromJsonl = (await readBlock(db, result.datasets[1].datasetId, 0))?.entries ?? [];
		expect(fromParquet.map((e) => [e.messages, e.extra])).toEqual(fromJsonl.map((e) => [e.messages, e.extra]));
	});

	it('a broken .parquet file: nothing is kept and the report says why', async () => {
		const { service } = freshService();
		const bytes = readFileSync(new URL('chat.duckdb.parquet', FIXTURES)).subarray(0, 300);
		const result = await service.importSources(service.newJobId(), [{ kind: 'file', file: new File([bytes], 'cut.parquet') }]);
		expect(result.datasets).toEqual([]);
		expect(result.report.files[0].fatal).toMatch(/^this Parquet file could not be read/);
	});
});
