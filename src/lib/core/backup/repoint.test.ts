import { describe, expect, it } from 'vitest';
import { hashValue } from '../runtime/manifest';
import { itemKey, type Decision } from './plan';
import { ReferenceRepointer } from './repoint';

const decisions = new Map<string, Decision>([
	[itemKey('dataset', 'ds-greyhaven'), { action: 'keep-both', newId: 'ds-copy', newLabel: 'Greyhaven logbook (restored)' }],
	[itemKey('identityDocument', 'id-keeper'), { action: 'keep-both', newId: 'id-copy', newLabel: 'Keeper (restored)' }],
	[itemKey('run', 'run-facts-1'), { action: 'keep-both', newId: 'run-facts-copy', newLabel: 'Facts (restored)' }],
	[itemKey('promptPool', 'pool-harbour'), { action: 'skip' }],
	[itemKey('characterSheet', 'sheet-mara'), { action: 'replace' }]
]);

describe('ReferenceRepointer', () => {
	it("points a continuation run's dataset, target and manifest at the dataset's copy", () => {
		const repoint = new ReferenceRepointer(decisions);
		const params = { datasetId: 'ds-greyhaven', entryIds: ['e1', 'e2'], identityId: 'id-keeper', turns: 2 };
		const run = repoint.row('runs', { id: 'run-cont', recipeId: 'continuation', params, targetDatasetId: 'ds-greyhaven', label: 'Continue' });
		expect(run).toMatchObject({ params: { datasetId: 'ds-copy', entryIds: ['e1', 'e2'], identityId: 'id-copy', turns: 2 }, targetDatasetId: 'ds-copy', label: 'Continue' });
		const manifest = repoint.row('runManifests', { runId: 'run-cont', manifest: { recipeId: 'continuation', paramsHash: hashValue(params), documents: { 'entry:e1': 'h1', 'identity:Keeper': 'h2' }, inputHash: 'i' } });
		expect(manifest.manifest).toEqual({ recipeId: 'continuation', paramsHash: hashValue(run.params), documents: { 'entry:e1': 'h1', 'identity:Keeper': 'h2' }, inputHash: 'i' });
		const sample = repoint.row('runSamples', { id: 'run-cont:0:0', runId: 'run-cont', acceptedInto: { datasetId: 'ds-greyhaven', entryId: 'e9', at: 5 } });
		expect(sample.acceptedInto).toEqual({ datasetId: 'ds-copy', entryId: 'e9', at: 5 });
	});

	it('points a questions run at the facts run kept twice, in its params and its manifest', () => {
		const repoint = new ReferenceRepointer(decisions);
		const params = { identityId: 'id-other', factsRunId: { kind: 'facts', id: 'run-facts-1' } };
		const run = repoint.row('runs', { id: 'run-qa', params });
		expect(run.params).toEqual({ identityId: 'id-other', factsRunId: { kind: 'facts', id: 'run-facts-copy' } });
		const manifest = repoint.row('runManifests', { runId: 'run-qa', manifest: { paramsHash: hashValue(params), documents: { 'facts:run-facts-1': 'h', 'identity:Other': 'h2' } } });
		expect(manifest.manifest).toEqual({ paramsHash: hashValue(run.params), documents: { 'facts:run-facts-copy': 'h', 'identity:Other': 'h2' } });
	});

	it('leaves references to things added, replaced or skipped, and rows of other tables, as they are', () => {
		const repoint = new ReferenceRepointer(decisions);
		const run = { id: 'run-pool', params: { poolId: 'pool-harbour', sheetId: 'sheet-mara' }, targetDatasetId: 'ds-other' };
		expect(repoint.row('runs', run)).toEqual(run);
		const manifest = { runId: 'run-pool', manifest: { paramsHash: 'not-the-hash-of-these-params', documents: {} } };
		expect(repoint.row('runManifests', manifest)).toEqual(manifest);
		const filter = { id: 'f1', datasetId: 'ds-greyhaven', query: 'q=lamp' };
		expect(repoint.row('savedFilters', filter)).toBe(filter);
	});

	it('keeps a manifest hash that was not the hash of the stored params (it cannot say what the new one would be)', () => {
		const repoint = new ReferenceRepointer(decisions);
		repoint.row('runs', { id: 'run-x', params: { datasetId: 'ds-greyhaven' } });
		expect(repoint.row('runManifests', { runId: 'run-x', manifest: { paramsHash: 'other', documents: {} } }).manifest).toEqual({ paramsHash: 'other', documents: {} });
	});

	it("points entries made from a kept-twice run's samples at the run's copy, in the working copy, snapshots and history", () => {
		const repoint = new ReferenceRepointer(decisions);
		const made = { id: 'e4', messages: [], tags: [], meta: { review: 'accepted', provenance: { kind: 'generation', runId: 'run-facts-1', recordIndex: 0 } } };
		const typed = { id: 'e1', messages: [], tags: [], meta: { review: 'draft' } };
		const block = repoint.row('blocks', { datasetId: 'ds-copy', blockNo: 0, entries: [typed, made] });
		expect((block.entries as (typeof made)[]).map((entry) => entry.meta.provenance?.runId)).toEqual([undefined, 'run-facts-copy']);
		expect((block.entries as unknown[])[0]).toBe(typed);
		const snapshot = repoint.row('snapshotBlocks', { snapshotId: 's1', blockNo: 0, entries: [made] });
		expect(snapshot.entries).toMatchObject([{ meta: { provenance: { runId: 'run-facts-copy', recordIndex: 0 } } }]);
		const history = repoint.row('history', { datasetId: 'ds-copy', seq: 1, changes: [{ position: 3, before: null, after: made }] });
		expect(history.changes).toMatchObject([{ position: 3, before: null, after: { meta: { provenance: { runId: 'run-facts-copy' } } } }]);
		// Without a run kept twice, blocks are passed through untouched.
		const onlyDataset = new ReferenceRepointer(new Map([[itemKey('dataset', 'ds-greyhaven'), decisions.get(itemKey('dataset', 'ds-greyhaven'))!]]));
		const untouched = { datasetId: 'ds-copy', blockNo: 0, entries: [made] };
		expect(onlyDataset.row('blocks', untouched)).toBe(untouched);
	});

	it('repoints a run row written before schema 5, whose manifest is in the row', () => {
		const repoint = new ReferenceRepointer(decisions);
		const params = { datasetId: 'ds-greyhaven' };
		const run = repoint.row('runs', { id: 'run-old', params, manifest: { paramsHash: hashValue(params), documents: {} } });
		expect(run).toEqual({ id: 'run-old', params: { datasetId: 'ds-copy' }, manifest: { paramsHash: hashValue({ datasetId: 'ds-copy' }), documents: {} } });
	});

	it("points a chunked run's records, samples and the entries made from them at the character sheet's copy", () => {
		const sheetTwice = new ReferenceRepointer(new Map([[itemKey('characterSheet', 'sheet-wren'), { action: 'keep-both', newId: 'sheet-copy', newLabel: 'Wren (restored)' }]]));
		const run = sheetTwice.row('runs', { id: 'run-chunked', recipeId: 'chunked', params: { sheetId: 'sheet-wren', entriesPerIteration: 5 } });
		expect(run.params).toEqual({ sheetId: 'sheet-copy', entriesPerIteration: 5 });
		const record = sheetTwice.row('runRecords', { runId: 'run-chunked', recordIndex: 0, input: { sheetId: 'sheet-wren', chunkIndex: 0, characterName: 'Wren' } });
		expect(record.input).toEqual({ sheetId: 'sheet-copy', chunkIndex: 0, characterName: 'Wren' });
		const meta = { recipe: 'chunked', sheetId: 'sheet-wren', chunkId: 'c1', iteration: 1 };
		const sample = sheetTwice.row('runSamples', { id: 'run-chunked:0:0', runId: 'run-chunked', sample: { messages: [], tags: ['chunked'], meta } });
		expect(sample.sample).toEqual({ messages: [], tags: ['chunked'], meta: { ...meta, sheetId: 'sheet-copy' } });
		const made = { id: 'e7', messages: [], tags: [], meta: { review: 'accepted', provenance: { kind: 'generation', runId: 'run-chunked', sample: meta } } };
		const block = sheetTwice.row('blocks', { datasetId: 'ds-1', blockNo: 0, entries: [made] });
		expect(block.entries).toMatchObject([{ meta: { provenance: { runId: 'run-chunked', sample: { sheetId: 'sheet-copy', chunkId: 'c1' } } } }]);
		// Another run's records, and a sheet restored once, are left as they are.
		const other = { runId: 'run-cont', recordIndex: 0, input: { entryId: 'e1', messages: [] } };
		expect(sheetTwice.row('runRecords', other)).toBe(other);
		const replaced = new ReferenceRepointer(decisions);
		const chunkedRecord = { runId: 'run-chunked', recordIndex: 0, input: { sheetId: 'sheet-mara' } };
		expect(replaced.row('runRecords', chunkedRecord)).toBe(chunkedRecord);
	});
});
