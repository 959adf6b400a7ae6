import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Entry } from '$lib/core/model';
import type { CharacterSheetRow, RunSampleRow } from '$lib/core/contracts/rows';
import type { AnyRecipe, RunSettings, SourceRef } from '$lib/core/recipes/recipe';
import type { IdentityDocument } from '$lib/core/recipes/sources';
import { SkeinDatabase } from '$lib/db/database';
import { createImportingDataset } from '$lib/db/datasets-repo';
import { storePool } from '$lib/db/pools-repo';
import { createRun, emptyCounts, putSamples, type StoredRunRow } from '$lib/db/runs-repo';
import { datasetEntries } from './dataset';
import { factText } from './facts';
import { resolveSources, SOURCE_KINDS, sourceKey } from './index';
import { poolAsk } from './pool';

const opened: SkeinDatabase[] = [];
afterEach(async () => {
	for (const db of opened.splice(0)) {
		db.close();
		await db.delete();
	}
});
function freshDb(): SkeinDatabase {
	const db = new SkeinDatabase(`run-sources-test-${Math.random()}`);
	opened.push(db);
	return db;
}

const SETTINGS: RunSettings = { sampling: { max_tokens: 64 }, seed: 7 };

/** A recipe that reads whatever sources its params list. */
function reading(refs: SourceRef[]): AnyRecipe {
	return {
		id: 'reader',
		label: 'Reader',
		description: 'Reads sources.',
		version: 1,
		params: z.object({}).passthrough(),
		sources: () => refs,
		prepare: () => ({ inputs: [], documents: {}, definition: {} }),
		task: () => async function* () {},
		recordLabel: () => '',
		rehearse: () => ''
	};
}

const entry = (id: string, text: string): Entry => ({ id, messages: [{ role: 'user', content: text }], tags: [], meta: { review: 'draft' }, extra: {}, hash: id });

/** A data service's pages over these entries, counting the pages read. */
function pages(entries: Entry[]) {
	const asked: [number, number][] = [];
	return {
		asked,
		getPage: async (_datasetId: string, start: number, count: number) => {
			asked.push([start, count]);
			return { start, entries: entries.slice(start, start + count) };
		}
	};
}
const noPages = { getPage: async () => ({ start: 0, entries: [] }) };

const SHEET: CharacterSheetRow = { id: 'sheet-mara', name: 'Mara', sourceKind: 'document', createdAt: '2026-11-01T10:00:00.000Z', updatedAt: 5, chunks: [] };
const KEEPER: IdentityDocument = {
	id: 'keeper',
	name: 'Greyhaven Keeper',
	iAm: 'I am the Greyhaven Keeper.',
	voice: 'Plain.',
	values: 'Honesty.',
	calibration: 'I say "I think".',
	notThis: 'Not a search engine.',
	narrative: 'Built from the logbooks.',
	otherIdentities: [],
	otherMakers: [],
	createdAt: 1,
	updatedAt: 1
};

function factRow(index: number, meta: Record<string, unknown>, content: string, edited?: RunSampleRow['edited']): RunSampleRow {
	return { id: `facts-run:${index}:0`, runId: 'facts-run', recordIndex: index, sampleIndex: 0, sample: { messages: [{ role: 'assistant', content }], tags: [], meta }, review: 'accepted', createdAt: 1, ...(edited ? { edited } : {}) };
}

describe('run sources', () => {
	it('has one module for every kind of source', () => {
		expect(Object.keys(SOURCE_KINDS).sort()).toEqual(['dataset', 'facts', 'identity', 'pool', 'sheet']);
		expect(Object.values(SOURCE_KINDS).map((kind) => [kind.slot, kind.noun])).toEqual([
			['sheets', 'character sheet'],
			['identities', 'identity document'],
			['pools', 'prompt pool'],
			['entries', 'dataset'],
			['facts', 'fact run']
		]);
		expect(sourceKey({ kind: 'dataset', id: 'd1', entryIds: ['e1'] })).toBe('dataset:d1');
	});

	it('loads sheets (without their row’s updatedAt) and identity documents, by name', async () => {
		const db = freshDb();
		await db.characterSheets.put(SHEET);
		await db.identityDocuments.put(KEEPER);
		const resolved = await resolveSources(reading([{ kind: 'sheet', id: 'sheet-mara' }, { kind: 'identity', id: 'keeper' }]), {}, SETTINGS, { db, data: noPages });
		expect(resolved.sources.sheets['sheet-mara']).not.toHaveProperty('updatedAt');
		expect(resolved.sources.sheets['sheet-mara']).toMatchObject({ id: 'sheet-mara', name: 'Mara' });
		expect(resolved.sources.identities.keeper).toEqual(KEEPER);
		expect(resolved.names).toEqual({ 'sheet:sheet-mara': 'Mara', 'identity:keeper': 'Greyhaven Keeper' });
		expect(resolved.missing).toEqual([]);
	});

	it('lists sources that are gone by the name the run knew them by, in order, and loads the rest', async () => {
		const db = freshDb();
		await db.characterSheets.put(SHEET);
		const importing = await createImportingDataset(db, 'Half imported');
		const refs: SourceRef[] = [
			{ kind: 'identity', id: 'keeper' },
			{ kind: 'sheet', id: 'sheet-mara' },
			{ kind: 'pool', id: 'pool-x' },
			{ kind: 'dataset', id: importing.id },
			{ kind: 'facts', id: 'run-gone' }
		];
		const resolved = await resolveSources(reading(refs), {}, SETTINGS, { db, data: noPages }, { 'identity:keeper': 'Greyhaven Keeper', 'facts:run-gone': 'Facts of Mara' });
		expect(resolved.missing.map((change) => [change.kind, change.reason])).toEqual([
			['document-removed', 'The identity document "Greyhaven Keeper" was deleted.'],
			['document-removed', 'The prompt pool "pool-x" was deleted.'],
			['document-removed', `The dataset "${importing.id}" was deleted.`],
			['document-removed', 'The fact run "Facts of Mara" was deleted.']
		]);
		expect(Object.keys(resolved.sources.sheets)).toEqual(['sheet-mara']);
	});

	it('samples a pool by the params’ size and mix with the run seed, noting what differs from the mix', async () => {
		const db = freshDb();
		const items = Array.from({ length: 6 }, (_, i) => ({ text: `Prompt ${i}`, rating: i < 4 ? 1 : 5 }));
		await storePool(db, { id: 'pool-1', name: 'Keeper prompts', sourceName: 'p.txt', createdAt: 1 }, items);
		const mix = [
			{ min: 1, max: 1, share: 0.5 },
			{ min: 5, max: 5, share: 0.5 }
		];
		const recipe = reading([{ kind: 'pool', id: 'pool-1' }]);
		const resolved = await resolveSources(recipe, { n: 6, mix }, SETTINGS, { db, data: noPages });
		const sample = resolved.sources.pools['pool-1'];
		expect(sample).toMatchObject({ poolId: 'pool-1', name: 'Keeper prompts' });
		expect(sample.items.map((item) => item.rating).sort()).toEqual([1, 1, 1, 1, 5, 5]);
		expect(resolved.notes.length).toBeGreaterThan(0);
		expect(resolved.notes.every((note) => note.startsWith('Prompt pool "Keeper prompts": '))).toBe(true);
		// The same seed plans the same sample.
		expect((await resolveSources(recipe, { n: 6, mix }, SETTINGS, { db, data: noPages })).sources.pools['pool-1']).toEqual(sample);
		expect(poolAsk({}, 6)).toEqual({ n: 6, mix: [] });
		expect(poolAsk({ n: 0, mix: 'x' }, 9)).toEqual({ n: 9, mix: [] });
		expect(poolAsk({ n: 2, mix }, 9)).toEqual({ n: 2, mix });
	});

	it('reads a dataset’s entries page by page: all of them, or those named, in the order named', async () => {
		const entries = Array.from({ length: 2500 }, (_, i) => entry(`e${i}`, `text ${i}`));
		const all = pages(entries);
		expect(await datasetEntries(all, 'd', 2500)).toHaveLength(2500);
		expect(all.asked).toEqual([
			[0, 1000],
			[1000, 1000],
			[2000, 500]
		]);
		const some = pages(entries);
		expect((await datasetEntries(some, 'd', 2500, ['e5', 'e1', 'missing'])).map((found) => found.id)).toEqual(['e5', 'e1']);
		const early = pages(entries);
		expect((await datasetEntries(early, 'd', 2500, ['e7', 'e3'])).map((found) => found.id)).toEqual(['e7', 'e3']);
		// All named entries were on the first page: no more pages are read.
		expect(early.asked).toHaveLength(1);

		const db = freshDb();
		const dataset = await createImportingDataset(db, 'Keeper chats');
		await db.datasets.update(dataset.id, { status: 'ready', entryCount: 3 });
		const resolved = await resolveSources(reading([{ kind: 'dataset', id: dataset.id, entryIds: ['e2', 'e0'] }]), {}, SETTINGS, { db, data: pages(entries.slice(0, 3)) });
		expect(resolved.sources.entries[dataset.id].map((found) => found.id)).toEqual(['e2', 'e0']);
		expect(resolved.names).toEqual({ [`dataset:${dataset.id}`]: 'Keeper chats' });
	});

	it('reads the accepted facts of a facts run (the reviewer’s edit first), leaving out empty ones', async () => {
		const db = freshDb();
		const run: StoredRunRow = {
			id: 'facts-run',
			recipeId: 'identity-facts',
			label: 'Facts of Mara',
			params: {},
			settings: SETTINGS,
			engine: { kind: 'test', label: 'Rehearsal' },
			concurrency: 1,
			manifest: { recipeId: 'identity-facts', definitionHash: 'd', paramsHash: 'p', documents: {}, modelHash: 'm', modelLabel: 'rehearsal (test)', inputHash: 'i', inputCount: 4, partial: false },
			state: 'done',
			counts: emptyCounts(4),
			createdAt: 1,
			updatedAt: 1
		};
		await createRun(db, run, []);
		const rows = [
			factRow(0, { fact: 'Mara keeps the light.' }, 'ignored'),
			factRow(1, {}, 'The tower is older than the village.'),
			factRow(2, { fact: 'Mara rang the bell.' }, 'x', [{ role: 'assistant', content: '  Mara rang the bell by hand in 1998.  ' }]),
			factRow(3, { fact: '' }, 'x')
		];
		await putSamples(db, [...rows, { ...factRow(4, { fact: 'Rejected.' }, 'x'), review: 'rejected' }]);
		expect(rows.map(factText)).toEqual(['Mara keeps the light.', 'The tower is older than the village.', 'Mara rang the bell by hand in 1998.', '']);
		const resolved = await resolveSources(reading([{ kind: 'facts', id: 'facts-run' }]), {}, SETTINGS, { db, data: noPages });
		expect(resolved.sources.facts['facts-run']).toEqual(['Mara keeps the light.', 'The tower is older than the village.', 'Mara rang the bell by hand in 1998.']);
		expect(resolved.names).toEqual({ 'facts:facts-run': 'Facts of Mara' });
	});
});
