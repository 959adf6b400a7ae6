/**
 * The Hub export end to end in Node: draft (figures + card), export (shards + zip), the zip
 * unpacked with fflate, its card's YAML parsed, its shards read with DuckDB, and the card's
 * figures compared with figures worked out here from the dataset itself.
 */
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { unzipSync, strFromU8 } from 'fflate';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { SkeinDatabase } from '$lib/db/database';
import { readBlock } from '$lib/db/datasets-repo';
import { loadTokenizer } from '$lib/core/analysis/tokenizer-loader';
import { TokenCollector } from '$lib/core/analysis/tokens';
import { tokenizerInfo } from '$lib/core/analysis/tokenizers';
import { parseCard } from '$lib/core/hub/card';
import type { Entry } from '$lib/core/model';
import { composeDataServices } from './data-services';
import { validationForData } from './validation-service';
import { HubExporter, type HubExportRequest } from './hub-export';

let counter = 0;
const opened: SkeinDatabase[] = [];
afterEach(async () => {
	for (const db of opened.splice(0)) {
		db.close();
		await Dexie.delete(db.name);
	}
});

/** 30 entries: 10 accepted, 15 draft, 5 rejected; 6 made by pool-answers (qwen3-4b), 2 by continuation; 12 imported from harbour.jsonl. */
function skeinLines(): string {
	const lines: string[] = [];
	for (let i = 0; i < 30; i++) {
		const review = i < 10 ? 'accepted' : i < 25 ? 'draft' : 'rejected';
		const provenance = i < 6 ? { kind: 'generation', recipeId: 'pool-answers', model: 'qwen3-4b' } : i < 8 ? { kind: 'generation', recipeId: 'continuation', model: 'llama-3.1-8b' } : undefined;
		const messages = [
			{ role: 'user', content: `Keeper, what did the log say on night ${i}?` },
			{ role: 'assistant', content: `Night ${i}: ${'fog and calm water, '.repeat(1 + (i % 4))}lamp steady.` }
		];
		lines.push(JSON.stringify({ messages, skein: { v: 1, id: `k${i}`, tags: i % 2 ? ['night'] : [], meta: { review, ...(provenance ? { provenance } : {}), ...(i < 12 ? { source: { format: 'sharegpt', file: 'harbour.jsonl', line: i + 1 } } : {}) }, hash: '' } }));
	}
	return lines.join('\n');
}

async function setUp() {
	const db = new SkeinDatabase(`skein-hub-${++counter}-${Date.now()}`);
	opened.push(db);
	const { data, validationRuns } = composeDataServices(db);
	const imported = await data.importSources(data.newJobId(), [{ kind: 'file', file: new File([skeinLines()], 'greyhaven-log.jsonl') }]);
	const datasetId = imported.datasets[0].datasetId;
	const exporter = new HubExporter(db, validationForData(db, validationRuns));
	const entries = (await readBlock(db, datasetId, 0))?.entries ?? [];
	return { db, datasetId, exporter, entries };
}

const REQUEST: HubExportRequest = {
	fileFormat: 'parquet',
	validationPercent: 20,
	seed: 3,
	reviewStates: ['accepted', 'draft'],
	columns: ['id', 'tags', 'review'],
	tokenizer: 'o200k_base',
	checkProfile: 'openai-chat',
	maxShardRows: 8,
	card: { prettyName: 'Greyhaven keeper log', license: 'cc-by-4.0', languages: ['en'], taskCategories: ['text-generation'], tags: ['roleplay', 'sft'] }
};

async function duckRows(bytes: Uint8Array): Promise<Record<string, unknown>[]> {
	const path = join(mkdtempSync(join(tmpdir(), 'skein-hub-')), 'x.parquet');
	writeFileSync(path, bytes);
	const instance = await DuckDBInstance.create(':memory:');
	const connection = await instance.connect();
	const rows = (await connection.runAndReadAll(`SELECT * FROM read_parquet('${path}')`)).getRowObjectsJson() as Record<string, unknown>[];
	connection.closeSync();
	return rows;
}

describe('Hub export', () => {
	it('zips README.md and sharded train / validation Parquet whose card declares exactly those files', async () => {
		const { datasetId, exporter, entries } = await setUp();
		const now = new Date('2026-12-05T09:00:00Z');
		const draft = await exporter.draft(datasetId, REQUEST, undefined, now);
		expect(draft.files).toEqual([
			{ split: 'train', entries: 20, paths: ['data/train-00000-of-00003.parquet', 'data/train-00001-of-00003.parquet', 'data/train-00002-of-00003.parquet'] },
			{ split: 'validation', entries: 5, paths: ['data/validation-00000-of-00001.parquet'] }
		]);
		const result = await exporter.export(datasetId, REQUEST, draft.card, undefined, now);
		expect(result.problems).toEqual([]);
		expect(result.fileName).toBe('greyhaven-log.hub.2026-12-05.zip');
		const zip = unzipSync(new Uint8Array(await (result.blob as Blob).arrayBuffer()));
		expect(Object.keys(zip).sort()).toEqual(['README.md', ...draft.files.flatMap((f) => f.paths)].sort());
		expect(strFromU8(zip['README.md'])).toBe(draft.card);

		const card = parseCard(draft.card);
		if (!card.ok) throw new Error(card.error);
		expect(card.metadata).toMatchObject({
			pretty_name: 'Greyhaven keeper log',
			license: 'cc-by-4.0',
			language: ['en'],
			task_categories: ['text-generation'],
			tags: ['roleplay', 'sft'],
			size_categories: ['n<1K'],
			configs: [{ config_name: 'default', data_files: [{ split: 'train', path: 'data/train-*' }, { split: 'validation', path: 'data/validation-*' }] }],
			dataset_info: {
				features: [
					{ name: 'messages', list: [{ name: 'role', dtype: 'string' }, { name: 'content', dtype: 'string' }] },
					{ name: 'id', dtype: 'string' },
					{ name: 'tags', sequence: 'string' },
					{ name: 'review', dtype: 'string' }
				],
				splits: [{ name: 'train', num_examples: 20 }, { name: 'validation', num_examples: 5 }]
			}
		});

		// The shards hold exactly the accepted and draft entries, each once, with their messages.
		const rows: Record<string, unknown>[] = [];
		const validationIds: unknown[] = [];
		for (const file of draft.files)
			for (const path of file.paths) {
				const shard = await duckRows(zip[path]);
				rows.push(...shard);
				if (file.split === 'validation') validationIds.push(...shard.map((r) => r.id));
			}
		const inScope = entries.filter((e) => e.meta.review !== 'rejected');
		expect(rows.map((r) => r.id).sort()).toEqual(inScope.map((e) => e.id).sort());
		for (const row of rows) expect(row.messages).toEqual(inScope.find((e) => e.id === row.id)?.messages);
		expect(validationIds.length).toBe(5);

		// Seeded: the same seed picks the same validation entries, another seed others.
		const again = await exporter.draft(datasetId, REQUEST, undefined, now);
		expect(again.card).toBe(draft.card);
		const other = await exporter.export(datasetId, { ...REQUEST, seed: 4 }, (await exporter.draft(datasetId, { ...REQUEST, seed: 4 }, undefined, now)).card, undefined, now);
		const otherZip = unzipSync(new Uint8Array(await (other.blob as Blob).arrayBuffer()));
		const otherValidation = (await duckRows(otherZip['data/validation-00000-of-00001.parquet'])).map((r) => r.id);
		expect(otherValidation.sort()).not.toEqual([...validationIds].sort());
	});

	it("states the dataset's true figures: counts, review states, recipes and models, tokens, the check", async () => {
		const { datasetId, exporter, entries } = await setUp();
		const { card, figures } = await exporter.draft(datasetId, REQUEST);
		const inScope: Entry[] = entries.filter((e) => e.meta.review !== 'rejected');
		// Counted here, independently of the exporter.
		const count = await loadTokenizer('o200k_base');
		const tokens = new TokenCollector(tokenizerInfo('o200k_base'), count);
		for (const entry of inScope) tokens.add(entry);
		const expected = tokens.finish();
		expect(figures.entries).toBe(25);
		expect(figures.reviewStates).toEqual({ accepted: 10, draft: 15, rejected: 0 });
		expect(figures.recipes).toEqual([
			{ recipe: 'pool-answers', models: ['qwen3-4b'], entries: 6 },
			{ recipe: 'continuation', models: ['llama-3.1-8b'], entries: 2 }
		]);
		expect(figures.tokens).toMatchObject({ tokenizer: 'o200k_base', total: expected.totalTokens, perEntry: expected.tokensPerEntry.summary });
		expect(figures.check).toMatchObject({ profileId: 'openai-chat', entries: 25, entriesWithErrors: 0 });
		expect(figures.messages).toMatchObject({ min: 2, max: 2, total: 50 });
		expect(card).toContain('- Conversations: 25');
		expect(card).toContain(`- Tokens (OpenAI o200k_base, including the chat template's per-turn tokens): ${expected.totalTokens.toLocaleString('en-US')} in all`);
		expect(card).toContain('| accepted | 10 | 40.0% |');
		expect(card).toContain('| draft | 15 | 60.0% |');
		expect(card).toContain('| pool-answers | qwen3-4b | 6 |');
		expect(card).toContain('| continuation | llama-3.1-8b | 2 |');
		expect(figures.sources).toEqual([{ format: 'sharegpt', file: 'harbour.jsonl', entries: 12 }]);
		expect(card).toContain('| harbour.jsonl | sharegpt | 12 |');
		expect(card).toContain('| train | 20 | `data/train-00000-of-00003.parquet`, `data/train-00001-of-00003.parquet`, `data/train-00002-of-00003.parquet` |');
	});

	it('refuses a card edited so that it no longer fits the files, and writes JSONL shards on request', async () => {
		const { datasetId, exporter } = await setUp();
		const request: HubExportRequest = { ...REQUEST, fileFormat: 'jsonl', maxShardRows: 100, card: { ...REQUEST.card, license: 'other', licenseName: 'greyhaven-1.0', licenseLink: 'LICENSE.md' } };
		const draft = await exporter.draft(datasetId, request);
		expect(parseCard(draft.card)).toMatchObject({ ok: true, metadata: { license: 'other', license_name: 'greyhaven-1.0', license_link: 'LICENSE.md' } });
		const broken = draft.card.replace('path: data/validation-*', 'path: data/valid-*');
		const refused = await exporter.export(datasetId, request, broken);
		expect(refused.blob).toBeNull();
		expect(refused.problems).toEqual(['the data_files of split "validation" (data/valid-*) do not match its files (data/validation-00000-of-00001.jsonl)']);
		const unparsable = await exporter.export(datasetId, request, draft.card.replace('license: other', 'license: [other'));
		expect(unparsable.problems[0]).toMatch(/^the card's YAML front matter does not parse/);
		const ok = await exporter.export(datasetId, request, draft.card);
		const zip = unzipSync(new Uint8Array(await (ok.blob as Blob).arrayBuffer()));
		const train = strFromU8(zip['data/train-00000-of-00001.jsonl']).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
		expect(train.length).toBe(20);
		expect(Object.keys(train[0])).toEqual(['messages', 'id', 'tags', 'review']);
	});
});
