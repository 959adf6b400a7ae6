/**
 * For backup tests: a workspace with a row in every table — a dataset with two blocks, its
 * original file, undo history, a snapshot, a saved filter and per-dataset settings; tags with a
 * category and aliases, a character, registry rows, a character sheet with a card image, an
 * identity, a prompt pool in blocks with its rating index, a finished run with manifest, records
 * and samples, and a cached answer. `schemaVersion` 4 writes runs as version 4 kept them (the
 * manifest inside the run row, no runManifests table).
 */
import type Dexie from 'dexie';
import { hashMessages } from '$lib/core/hash';
import type { Entry } from '$lib/core/model';
import { poolBlocksAndIndex } from '$lib/db/pool-blocks';

function entry(n: number, tags: string[] = []): Entry {
	const messages = [
		{ role: 'user', content: `Is the lamp at Greyhaven lit tonight? (${n})` },
		{ role: 'assistant', content: `Lit and trimmed at dusk, ${n}. Fog is thick off the point.` }
	];
	return { id: `e${n}`, messages, tags, meta: { review: n % 3 === 0 ? 'accepted' : 'draft', notes: n === 2 ? 'check the tide table' : undefined }, extra: {}, hash: hashMessages(messages) };
}

function clean<T>(value: T): T {
	return JSON.parse(JSON.stringify(value)) as T;
}

export const WORKSPACE_DATASET_ID = 'ds-greyhaven';
export const WORKSPACE_RUN_ID = 'run-facts-1';

export async function fillWorkspace(db: Dexie, options: { schemaVersion?: number; prefix?: string } = {}): Promise<void> {
	const p = options.prefix ?? '';
	const datasetId = p + WORKSPACE_DATASET_ID;
	const runId = p + WORKSPACE_RUN_ID;
	const first = Array.from({ length: 3 }, (_, i) => clean(entry(i + 1, i === 0 ? ['lamp', 'weather'] : ['lamp'])));
	const second = [clean(entry(4, ['tide']))];
	const t = 1_767_225_600_000;
	await db.table('datasets').put({
		id: datasetId,
		name: 'Greyhaven logbook',
		createdAt: t,
		updatedAt: t + 5_000,
		status: 'ready',
		heartbeatAt: t,
		entryCount: 4,
		blockSizes: [3, 1],
		nextEntryNo: 5,
		sizeBytes: 812,
		report: { files: [], totalLines: 4 },
		contentHash: 'c0ffee'
	});
	await db.table('blocks').bulkPut([
		{ datasetId, blockNo: 0, entries: first },
		{ datasetId, blockNo: 1, entries: second }
	]);
	await db.table('originals').put({ datasetId, fileName: 'greyhaven.jsonl', mimeType: 'application/jsonl', sizeBytes: 24, blob: new Blob(['{"messages":[]}\n{"x":1}\n'], { type: 'application/jsonl' }), importedAt: t });
	await db.table('history').bulkPut([
		{ datasetId, seq: 1, label: 'Edit e2', at: t + 1_000, undone: false, changes: [{ position: 1, before: first[1], after: { ...first[1], tags: ['lamp'] } }] },
		{ datasetId, seq: 2, label: 'Tag 1 entry', at: t + 2_000, undone: true, changes: [], operation: { kind: 'tag', ids: ['e1'] } }
	]);
	await db.table('snapshots').put({ id: p + 'snap-1', datasetId, name: 'Before the storm', createdAt: t + 3_000, entryCount: 3, blockSizes: [3] });
	await db.table('snapshotBlocks').put({ snapshotId: p + 'snap-1', blockNo: 0, entries: first });
	await db.table('savedFilters').put({ id: p + 'filter-1', datasetId, name: 'Tide talk', query: 'tag=tide', createdAt: t + 4_000 });
	await db.table('settings').bulkPut([
		{ key: `validationProfile:${datasetId}`, value: 'openai-chat' },
		{ key: `names:${datasetId}`, value: { char: 'Keeper', user: 'Visitor' } },
		{ key: p + 'repairOnImport', value: true }
	]);
	await db.table('tags').bulkPut([
		{ slug: p + 'lamp', label: 'Lamp', category: 'Topic', aliases: ['light', 'beacon'] },
		{ slug: p + 'tide', label: 'Tide', aliases: [] }
	]);
	await db.table('characters').put({ id: p + 'char-keeper', name: 'The Keeper', description: 'Keeps the Greyhaven light.', aliases: ['keeper', 'KEEPER'] });
	await db.table('promptChunks').put({ id: p + 'chunk-tone', value: { text: 'Answer plainly.' }, edited: true, updatedAt: t });
	await db.table('promptTemplates').put({ id: p + 'tpl-facts', value: { chunks: ['chunk-tone'] }, builtInHash: 'abc', edited: false, updatedAt: t });
	await db.table('characterSheets').put({
		id: p + 'sheet-mara',
		name: 'Mara',
		sourceKind: 'card',
		chunks: [{ id: 'c1', title: 'Who', context: 'Mara keeps the light.', document: 'Mara has kept the light for 30 years.', settings: { entriesPerIteration: 5, iterations: 5 }, promptTemplate: '{{document}}' }],
		introduction: 'Mara is the keeper.',
		createdAt: '2026-01-01T00:00:00.000Z',
		card: { spec: 'chara_card_v2', data: { name: 'Mara' } },
		cardImage: new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3])], { type: 'image/png' }),
		updatedAt: t
	});
	await db.table('identityDocuments').put({
		id: p + 'id-keeper',
		name: 'Greyhaven Keeper',
		iAm: 'I am the Greyhaven Keeper.',
		voice: 'Plain.',
		values: 'Honesty.',
		calibration: 'I say when I am not sure.',
		notThis: 'Not a search engine.',
		narrative: 'Built from the logbooks.',
		otherIdentities: ['GPT-4'],
		otherMakers: ['OpenAI'],
		createdAt: t,
		updatedAt: t
	});
	const poolId = p + 'pool-harbour';
	const items = [
		{ text: 'When is high tide?', rating: 2 },
		{ text: 'Is the ferry running?', rating: null },
		{ text: 'Where is berth 4?', rating: 2 }
	];
	await db.table('promptPools').put({ id: poolId, name: 'Harbour questions', sourceName: 'harbour.csv', count: 3, ratingCounts: { '2': 2, '': 1 }, ratingField: 'rating', createdAt: t });
	if ((options.schemaVersion ?? 5) >= 4) {
		const { blocks, index } = poolBlocksAndIndex(poolId, items);
		await db.table('promptPoolBlocks').bulkPut(blocks);
		await db.table('promptPoolRatingIndexes').put(index);
	}
	const manifest = { recipeId: 'identity-facts', definitionHash: 'd1', paramsHash: 'p1', documents: { [p + 'id-keeper']: 'h1' }, modelHash: 'm1', modelLabel: 'rehearsal', inputHash: 'i1', inputCount: 1 };
	const run = {
		id: runId,
		recipeId: 'identity-facts',
		label: 'Identity facts — Greyhaven Keeper',
		params: { identityId: p + 'id-keeper' },
		settings: { sampling: { temperature: 0.7 }, seed: 7 },
		engine: { kind: 'endpoint', label: 'Local', baseUrl: 'http://127.0.0.1:11434/v1', model: 'qwen2.5:0.5b' },
		concurrency: 4,
		state: 'done',
		counts: { total: 1, done: 1, failed: 0, samples: 1, engineCalls: 1, cacheHits: 0, promptTokens: 40, completionTokens: 12, engineMs: 300 },
		createdAt: t,
		updatedAt: t + 9_000,
		targetDatasetId: datasetId
	};
	if ((options.schemaVersion ?? 5) >= 5) {
		await db.table('runs').put(run);
		await db.table('runManifests').put({ runId, manifest });
	} else {
		await db.table('runs').put({ ...run, manifest });
	}
	await db.table('runRecords').put({ runId, recordIndex: 0, recordId: 'r0', label: 'Fact 1', input: { fact: 1 }, state: 'done', steps: [{ key: 'k1', request: { messages: [] } }], notes: [], updatedAt: t + 8_000 });
	await db.table('runSamples').put({
		id: `${runId}:0:0`,
		runId,
		recordIndex: 0,
		sampleIndex: 0,
		sample: { messages: [{ role: 'user', content: 'Who are you?' }, { role: 'assistant', content: 'The Greyhaven Keeper.' }], tags: ['identity'], meta: {} },
		review: 'accepted',
		acceptedInto: { datasetId, entryId: 'e4', at: t + 9_500 },
		createdAt: t + 8_500
	});
	await db.table('responseCache').put({ key: p + 'cache-k1', response: { content: 'The Greyhaven Keeper.', usage: { promptTokens: 40, completionTokens: 12 } }, at: t + 8_000 });
}

/** Every table's rows, JSON-comparable (Blobs as their type and text, typed arrays as arrays), keyed by table. */
export async function dumpTables(db: Dexie, skip: string[] = []): Promise<Record<string, unknown[]>> {
	const out: Record<string, unknown[]> = {};
	for (const table of db.tables) {
		if (skip.includes(table.name)) continue;
		const rows = await table.toArray();
		out[table.name] = await Promise.all(rows.map((row) => plainValue(row)));
	}
	return out;
}

async function plainValue(value: unknown): Promise<unknown> {
	if (value instanceof Blob) return { blob: value.type, bytes: Array.from(new Uint8Array(await value.arrayBuffer())) };
	if (ArrayBuffer.isView(value)) return { [value.constructor.name]: Array.from(value as unknown as ArrayLike<number>) };
	if (Array.isArray(value)) return Promise.all(value.map(plainValue));
	if (value && typeof value === 'object') {
		const out: Record<string, unknown> = {};
		for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = await plainValue(item);
		return out;
	}
	return value;
}
