import { describe, expect, it } from 'vitest';
import type { EngineChoice, RunRecordRow, RunSampleRow } from '../contracts/rows';
import type { RunSettings } from '../recipes/recipe';
import type { InputRecord } from './dispatcher';
import { planRerun, providerOf, reaskedMessage, removedAcceptedMessage, rerunsEverything, runManifest, settingsChanges, statusAgainst, type PlannedRecord, type RunDefinition, type StoredManifest } from './staleness';

const SETTINGS: RunSettings = { sampling: { temperature: 0.7, max_tokens: 256 }, seed: 7 };
const ENDPOINT: EngineChoice = { kind: 'endpoint', label: 'Together', baseUrl: 'https://api.together.xyz/v1/', model: 'llama-3.1-8b' };
const RUN: RunDefinition = { recipeId: 'lighthouse-qa', params: { sheetId: 'sheet-mara' }, engine: { kind: 'test', label: 'Rehearsal' }, settings: SETTINGS };

const chunks = (texts: Record<string, string>): InputRecord<unknown>[] => Object.entries(texts).map(([id, text]) => ({ id, input: { text } }));
const TEXTS = { a: 'Childhood on Skerry Island.', b: 'The 112 steps.', c: 'The storm of 1998.', d: 'Ginger biscuits.' };

function manifestOf(run: Partial<RunDefinition> = {}, prepared: { texts?: Record<string, string>; documents?: Record<string, string>; definition?: unknown } = {}): StoredManifest {
	const texts = prepared.texts ?? TEXTS;
	return runManifest({ ...RUN, ...run }, { definition: prepared.definition ?? { version: 1 }, documents: prepared.documents ?? Object.fromEntries(Object.entries(texts).map(([id, text]) => [`chunk:${id}`, text])), inputs: chunks(texts) });
}

const reasons = (manifest: StoredManifest, current: StoredManifest) => {
	const status = statusAgainst(manifest, current);
	return status.state === 'stale' ? status.changes.map((change) => change.reason) : status.state;
};

describe('staleness', () => {
	it('names the provider of an endpoint by its base URL, and of other engines by their kind', () => {
		expect(providerOf(ENDPOINT)).toBe('https://api.together.xyz/v1');
		expect(providerOf({ kind: 'webllm', label: 'x', modelId: 'm' })).toBe('webllm');
	});

	it('keeps the provider and seed in the manifest, and the limit when it limits', () => {
		const manifest = manifestOf({ engine: ENDPOINT, settings: { ...SETTINGS, limit: 2 } });
		expect(manifest).toMatchObject({ recipeId: 'lighthouse-qa', provider: 'https://api.together.xyz/v1', seed: 7, inputCount: 4, partial: true, limit: 2, modelLabel: 'llama-3.1-8b (endpoint)' });
		expect(manifestOf({ settings: { ...SETTINGS, limit: 9 } }).partial).toBe(false);
		expect(manifestOf({ settings: { ...SETTINGS, limit: 9 } })).not.toHaveProperty('limit');
	});

	it('is current for the same definition, partial under a limit, stale for each change with its reason', () => {
		const stored = manifestOf();
		expect(statusAgainst(stored, manifestOf())).toEqual({ state: 'current' });
		expect(statusAgainst(manifestOf({ settings: { ...SETTINGS, limit: 2 } }), manifestOf({ settings: { ...SETTINGS, limit: 2 } }))).toEqual({ state: 'partial', limit: 2 });
		expect(reasons(stored, manifestOf({ settings: { ...SETTINGS, seed: 99 } }))).toEqual(['The seed changed from 7 to 99.']);
		expect(reasons(stored, manifestOf({}, { texts: { ...TEXTS, b: 'The 113 steps.' } }))).toContain('Document "chunk:b" changed.');
		const together = manifestOf({ engine: ENDPOINT });
		expect(reasons(together, manifestOf({ engine: { ...ENDPOINT, label: 'OpenRouter', baseUrl: 'https://openrouter.ai/api/v1' } }))).toEqual(['The provider changed from https://api.together.xyz/v1 to https://openrouter.ai/api/v1.']);
		// Stored before the manifest said the provider and seed: not stale for them.
		const { provider, seed, ...older } = together;
		expect([provider, seed]).toEqual(['https://api.together.xyz/v1', 7]);
		expect(statusAgainst(older, manifestOf({ engine: { ...ENDPOINT, baseUrl: 'https://openrouter.ai/api/v1' }, settings: { ...SETTINGS, seed: 1 } }))).toEqual({ state: 'current' });
	});

	it('sees an edited record limit only when it changes which records the run covers', () => {
		const two = manifestOf({ settings: { ...SETTINGS, limit: 2 } });
		expect(settingsChanges(two, manifestOf({ settings: { ...SETTINGS, limit: 3 } })).changes.map((change) => change.reason)).toEqual(['The record limit changed from 2 to 3.']);
		expect(settingsChanges(manifestOf({ settings: { ...SETTINGS, limit: 3 } }), manifestOf()).changes.map((change) => change.reason)).toEqual(['The record limit changed from 3 to none.']);
		// A limit above the record count covers them all, as no limit does.
		expect(settingsChanges(manifestOf({ settings: { ...SETTINGS, limit: 9 } }), manifestOf()).changes).toEqual([]);
		expect(settingsChanges(two, manifestOf({ settings: { ...SETTINGS, limit: 3 } })).everything).toBe(false);
		expect(settingsChanges(two, manifestOf({ settings: { ...SETTINGS, limit: 2, seed: 8 } })).everything).toBe(true);
	});

	it('re-runs everything for a new model, sampling, seed, params or definition, or a document the task reads besides the inputs', () => {
		const stored = manifestOf();
		expect(rerunsEverything(stored, manifestOf())).toBe(false);
		expect(rerunsEverything(stored, manifestOf({}, { texts: { ...TEXTS, b: 'The 113 steps.' } }))).toBe(false);
		expect(rerunsEverything(stored, manifestOf({ settings: { ...SETTINGS, sampling: { ...SETTINGS.sampling, temperature: 0.2 } } }))).toBe(true);
		expect(rerunsEverything(stored, manifestOf({ engine: ENDPOINT }))).toBe(true);
		expect(rerunsEverything(stored, manifestOf({ settings: { ...SETTINGS, seed: 99 } }))).toBe(true);
		expect(rerunsEverything(stored, manifestOf({ params: { sheetId: 'other' } }))).toBe(true);
		expect(rerunsEverything(stored, manifestOf({}, { definition: { version: 2 } }))).toBe(true);
		const withIdentity = (iAm: string) => ({ ...Object.fromEntries(Object.entries(TEXTS).map(([id, text]) => [`chunk:${id}`, text])), 'identity:keeper': iAm });
		expect(rerunsEverything(manifestOf({}, { documents: withIdentity('I keep the light.') }), manifestOf({}, { documents: withIdentity('I keep the lamp.') }))).toBe(true);
		// A document no input carries changed while no input did (the task reads it): everything.
		expect(rerunsEverything(manifestOf({}, { documents: { voice: 'Mara' } }), manifestOf({}, { documents: { voice: 'Mara Quinn' } }))).toBe(true);
		// Renamed, same contents: nothing.
		expect(rerunsEverything(manifestOf({}, { documents: { 'Mara / a': 'x' } }), manifestOf({}, { documents: { 'Mara Quinn / a': 'x' } }))).toBe(false);
	});
});

// ---- the re-run plan ---------------------------------------------------------------------------

const RUN_ID = 'run-1';
const sampleId = (recordIndex: number, sampleIndex: number) => `${RUN_ID}:${recordIndex}:${sampleIndex}`;

function storedRecords(texts: Record<string, string>, states: RunRecordRow['state'][]): PlannedRecord[] {
	return chunks(texts).map((input, recordIndex) => ({ runId: RUN_ID, recordIndex, recordId: input.id, label: `old ${input.id}`, input: input.input, state: states[recordIndex], steps: [], notes: [], updatedAt: 1 }));
}

function samplesOf(records: PlannedRecord[], reviews: RunSampleRow['review'][]): RunSampleRow[] {
	return records
		.filter((record) => record.state === 'done')
		.map((record, i) => ({ id: sampleId(record.recordIndex, 0), runId: RUN_ID, recordIndex: record.recordIndex, sampleIndex: 0, sample: { messages: [], tags: [], meta: {} }, review: reviews[i] ?? 'pending', createdAt: 1 }));
}

function plan(records: PlannedRecord[], samples: RunSampleRow[], texts: Record<string, string>, current: StoredManifest = manifestOf({}, { texts })) {
	return planRerun({ runId: RUN_ID, stored: manifestOf(), current, inputs: chunks(texts), records, samples, recordLabel: (input) => `new ${(input as { text: string }).text.slice(0, 5)}`, sampleId, now: 50 });
}

describe('planRerun', () => {
	it('runs only the record whose input changed, keeping the others with their samples and reviews', () => {
		const records = storedRecords(TEXTS, ['done', 'done', 'done', 'done']);
		const samples = samplesOf(records, ['accepted', 'accepted', 'pending', 'rejected']);
		const result = plan(records, samples, { ...TEXTS, b: 'The 113 steps.' });
		expect(result.toRun).toEqual([1]);
		expect(result.records.map((record) => [record.recordId, record.state, record.label])).toEqual([
			['a', 'done', 'new Child'],
			['b', 'pending', 'new The 1'],
			['c', 'done', 'new The s'],
			['d', 'done', 'new Ginge']
		]);
		// The changed record takes its new input and a fresh random; its sample stays (with its
		// review) until the record's new samples replace it, so nothing reading the run's accepted
		// samples sees it vanish while the re-run goes on.
		expect(result.records[1]).toMatchObject({ input: { text: 'The 113 steps.' }, updatedAt: 50 });
		expect(result.records[1]).not.toHaveProperty('seedIndex');
		expect(result.samples).toEqual({ remove: [], put: [] });
		expect(result.counts).toEqual({ total: 4, done: 3, failed: 0, samples: 4 });
		expect(result.reasked).toBe(1);
		expect(result.reaskedAccepted).toBe(1);
		expect(result.removedAccepted).toBe(0);
	});

	it('moves kept records (and their samples) to their new positions, each keeping the random of the one it first ran at', () => {
		const records = storedRecords(TEXTS, ['done', 'failed', 'done', 'done']);
		const samples = samplesOf(records, ['accepted', 'pending', 'pending']);
		const result = plan(records, samples, { z: 'Arrival on the mail boat.', ...TEXTS });
		expect(result.records.map((record) => [record.recordId, record.recordIndex, record.state, (record as PlannedRecord).seedIndex])).toEqual([
			['z', 0, 'pending', undefined],
			['a', 1, 'done', 0],
			['b', 2, 'failed', 1],
			['c', 3, 'done', 2],
			['d', 4, 'done', 3]
		]);
		expect(result.toRun).toEqual([0, 2]);
		expect(result.samples.put.map((sample) => [sample.id, sample.recordIndex, sample.review])).toEqual([
			['run-1:1:0', 1, 'accepted'],
			['run-1:3:0', 3, 'pending'],
			['run-1:4:0', 4, 'pending']
		]);
		// The old ids that no kept sample took over go.
		expect(result.samples.remove).toEqual(['run-1:0:0', 'run-1:2:0']);
		expect(result.counts).toEqual({ total: 5, done: 3, failed: 1, samples: 3 });
		expect(result.removedAccepted).toBe(0);
		expect(result.reasked).toBe(0);
		// Moved once more, a record keeps the position it first ran at.
		const again = plan(result.records as PlannedRecord[], [], { y: 'Another.', z: 'Arrival on the mail boat.', ...TEXTS });
		expect(again.records.map((record) => (record as PlannedRecord).seedIndex)).toEqual([undefined, 0, 0, 1, 2, 3]);
	});

	it('recognises a record by what its requests depend on (recordKey), not by its position', () => {
		// Facts asked about by position: the first was rejected upstream, the others moved up.
		const facts = (list: string[]) => list.map((fact, factIndex) => ({ id: `fact-${factIndex}`, input: { factIndex, fact } }));
		const before = facts(['Mara keeps the light.', 'Mara rang the bell.', 'Mara bakes ginger biscuits.']);
		const records: PlannedRecord[] = before.map((input, recordIndex) => ({ runId: RUN_ID, recordIndex, recordId: input.id, label: input.input.fact, input: input.input, state: 'done', steps: [], notes: [], updatedAt: 1 }));
		const samples = samplesOf(records, ['accepted', 'rejected', 'accepted']);
		const after = facts(['Mara rang the bell.', 'Mara bakes ginger biscuits.']);
		const request = { runId: RUN_ID, stored: manifestOf(), current: manifestOf(), inputs: after, records, samples, recordLabel: (input: unknown) => (input as { fact: string }).fact, sampleId, now: 50 };
		const byFact = planRerun({ ...request, recordKey: (input) => (input as { fact: string }).fact });
		expect(byFact.toRun).toEqual([]);
		expect(byFact.records.map((record) => [record.recordId, record.state, record.input, (record as PlannedRecord).seedIndex])).toEqual([
			['fact-0', 'done', { factIndex: 0, fact: 'Mara rang the bell.' }, 1],
			['fact-1', 'done', { factIndex: 1, fact: 'Mara bakes ginger biscuits.' }, 2]
		]);
		expect(byFact.samples.put.map((sample) => [sample.id, sample.review])).toEqual([
			['run-1:0:0', 'rejected'],
			['run-1:1:0', 'accepted']
		]);
		expect(byFact.samples.remove).toEqual(['run-1:2:0']);
		expect(byFact.removedAccepted).toBe(1);
		// By the whole input (the position is in it), both look changed and are asked again.
		const whole = planRerun(request);
		expect(whole.toRun).toEqual([0, 1]);
		expect(whole.reasked).toBe(2);
	});

	it('drops removed records with their samples, and runs everything when the run must, keeping samples until they are replaced', () => {
		const records = storedRecords(TEXTS, ['done', 'done', 'done', 'done']);
		const samples = samplesOf(records, ['accepted', 'accepted', 'accepted', 'pending']);
		const fewer = plan(records, samples, { a: TEXTS.a, b: TEXTS.b });
		expect(fewer.records.map((record) => record.recordId)).toEqual(['a', 'b']);
		expect(fewer.samples.remove).toEqual(['run-1:2:0', 'run-1:3:0']);
		expect(fewer.toRun).toEqual([]);
		expect(fewer.removedAccepted).toBe(1);

		const reseeded = plan(records, samples, TEXTS, manifestOf({ settings: { ...SETTINGS, seed: 99 } }));
		expect(reseeded.toRun).toEqual([0, 1, 2, 3]);
		expect(reseeded.records.map((record) => [record.state, (record as PlannedRecord).seedIndex])).toEqual([
			['pending', 0],
			['pending', 1],
			['pending', 2],
			['pending', 3]
		]);
		expect(reseeded.samples).toEqual({ remove: [], put: [] });
		expect(reseeded.counts).toEqual({ total: 4, done: 0, failed: 0, samples: 4 });
		expect(reseeded.reasked).toBe(4);
		expect(reseeded.reaskedAccepted).toBe(3);
		expect(reseeded.removedAccepted).toBe(0);
	});

	it('re-asks no passage of a fact run when its identity document changes outside the passages', () => {
		const identity = (iAm: string) => ({ 'identity:Tidewatch': `[i-am]\n${iAm}\n\n[narrative]\n${Object.values(TEXTS).join('\n\n')}` });
		const facts = (iAm: string, shared?: string[]) =>
			runManifest({ ...RUN, recipeId: 'identity-facts' }, { definition: { version: 1 }, documents: identity(iAm), inputs: chunks(TEXTS), ...(shared ? { sharedDocuments: shared } : {}) });
		const stored = facts('I am Tidewatch.', []);
		// Stale (the document changed), but the recipe says no record reads it besides its input.
		expect(reasons(stored, facts('I am Tidewatch of Port Elin.', []))).toEqual(['Document "identity:Tidewatch" changed.']);
		expect(rerunsEverything(stored, facts('I am Tidewatch of Port Elin.', []))).toBe(false);
		const records = storedRecords(TEXTS, ['done', 'done', 'done', 'done']);
		const samples = samplesOf(records, ['accepted', 'rejected', 'accepted', 'accepted']);
		const result = planRerun({ runId: RUN_ID, stored, current: facts('I am Tidewatch of Port Elin.', []), inputs: chunks(TEXTS), records, samples, recordLabel: () => 'x', sampleId, now: 50 });
		expect(result.toRun).toEqual([]);
		expect(result.samples).toEqual({ remove: [], put: [] });
		// A recipe that declares the identity document shared (the Q&A system prompt) re-asks all.
		expect(rerunsEverything(facts('I am Tidewatch.', ['identity:Tidewatch']), facts('I am Tidewatch of Port Elin.', ['identity:Tidewatch']))).toBe(true);
		// Undeclared, an identity document is taken to be read by every record.
		expect(rerunsEverything(facts('I am Tidewatch.'), facts('I am Tidewatch of Port Elin.'))).toBe(true);
	});

	it('says what a re-run does to reviews', () => {
		expect(removedAcceptedMessage(0)).toBeNull();
		expect(removedAcceptedMessage(1)).toBe('1 accepted sample went with its record, which is no longer in the input.');
		expect(removedAcceptedMessage(3)).toBe('3 accepted samples went with their records, which are no longer in the input.');
		expect(reaskedMessage(0, 0)).toBeNull();
		expect(reaskedMessage(2, 0)).toBe('2 records with samples are asked again: a sample that comes back the same keeps its review; a different one replaces it and needs a review.');
		expect(reaskedMessage(1, 1)).toBe('1 record with samples is asked again (1 accepted sample among them): a sample that comes back the same keeps its review; a different one replaces it and needs a review.');
		expect(reaskedMessage(3, 2)).toContain('(2 accepted samples among them)');
	});
});
