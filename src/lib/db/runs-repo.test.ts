import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { StepRecord } from '$lib/core/runtime/dispatcher';
import { SkeinDatabase } from './database';
import {
	appendStep,
	cacheKeysOnlyIn,
	createRun,
	deleteRun,
	emptyCounts,
	endRecord,
	flushRunUsage,
	getRecord,
	getRun,
	getSamples,
	listRecords,
	listRunRows,
	listSamples,
	markAccepted,
	putSamples,
	recordLabels,
	recordsInState,
	replaceRecords,
	resetRecords,
	reviewCounts,
	runsInStates,
	sampleId,
	trimLog,
	type StoredRunRow
} from './runs-repo';
import type { RunRecordRow, RunSampleRow } from '$lib/core/contracts/rows';

const opened: SkeinDatabase[] = [];
function freshDb() {
	const db = new SkeinDatabase(`runs-repo-test-${Math.random()}`);
	opened.push(db);
	return db;
}
afterEach(async () => {
	for (const db of opened.splice(0)) {
		db.close();
		await db.delete();
	}
});

function run(id: string, createdAt: number, total = 3): StoredRunRow {
	return {
		id,
		recipeId: 'chunked',
		label: 'Chunked generation — Mara',
		params: { sheetId: 'mara' },
		settings: { sampling: { temperature: 0.7, max_tokens: 800 }, seed: 1 },
		engine: { kind: 'test', label: 'Rehearsal' },
		concurrency: 2,
		manifest: { recipeId: 'chunked', definitionHash: 'd', paramsHash: 'p', documents: {}, modelHash: 'm', modelLabel: 'rehearsal (test)', inputHash: 'i', inputCount: total, partial: false },
		state: 'running',
		counts: emptyCounts(total),
		createdAt,
		updatedAt: createdAt,
		log: []
	};
}

function records(runId: string, n = 3): RunRecordRow[] {
	return Array.from({ length: n }, (_, recordIndex) => ({
		runId,
		recordIndex,
		recordId: `chunk-${recordIndex}`,
		label: `Chunk ${recordIndex + 1}`,
		input: { chunk: recordIndex },
		state: 'pending',
		steps: [],
		notes: [],
		updatedAt: 0
	}));
}

function step(stepIndex: number, content = `answer ${stepIndex}`): StepRecord {
	return {
		stepIndex,
		engineId: 'test',
		request: { messages: [{ role: 'user', content: `ask ${stepIndex}` }], sampling: { max_tokens: 800 } },
		response: { content, finishReason: 'stop', usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 } },
		attempts: 1,
		cached: false,
		cacheKey: `k${stepIndex}`,
		startedAt: 0,
		endedAt: 5
	};
}

function sample(runId: string, recordIndex: number, sampleIndex: number): RunSampleRow {
	return {
		id: sampleId(runId, recordIndex, sampleIndex),
		runId,
		recordIndex,
		sampleIndex,
		sample: { messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: `Hello ${sampleIndex}` }], tags: ['generated'], meta: {} },
		review: 'pending',
		createdAt: 0
	};
}

const usage = { engineCalls: 2, cacheHits: 0, promptTokens: 20, completionTokens: 10, engineMs: 40 };

describe('runs repo', () => {
	it('writes a run with its records and lists runs newest first', async () => {
		const db = freshDb();
		await createRun(db, run('run-a', 1), records('run-a'));
		await createRun(db, run('run-b', 2, 2), records('run-b', 2));
		expect((await listRunRows(db)).map((row) => row.id)).toEqual(['run-b', 'run-a']);
		expect((await listRecords(db, 'run-a')).map((record) => record.recordIndex)).toEqual([0, 1, 2]);
		expect(await listRecords(db, 'run-b')).toHaveLength(2);
	});

	it('appends steps as they complete, and a restart replaces the earlier attempt', async () => {
		const db = freshDb();
		await createRun(db, run('r', 1), records('r'));
		await appendStep(db, 'r', 1, step(0), false);
		await appendStep(db, 'r', 1, step(1), false);
		expect((await getRecord(db, 'r', 1))?.steps.map((s) => s.stepIndex)).toEqual([0, 1]);
		await appendStep(db, 'r', 1, step(0, 'replayed'), true);
		expect((await getRecord(db, 'r', 1))?.steps.map((s) => s.response?.content)).toEqual(['replayed']);
	});

	it('ends records with their samples and counts in one go, replacing earlier samples', async () => {
		const db = freshDb();
		await createRun(db, run('r', 1), records('r'));
		const counts = await endRecord(db, { runId: 'r', recordIndex: 0, state: 'done', steps: [step(0)], notes: [], samples: [sample('r', 0, 0), sample('r', 0, 1)], usage, run: { log: [{ at: 1, level: 'info', message: 'ok' }] } });
		expect(counts).toMatchObject({ total: 3, done: 1, failed: 0, samples: 2, engineCalls: 2, promptTokens: 20 });
		await endRecord(db, { runId: 'r', recordIndex: 1, state: 'failed', steps: [step(0)], notes: [], samples: [], error: { type: 'http-400', message: 'HTTP 400' }, usage });
		expect((await getRun(db, 'r'))?.counts).toMatchObject({ done: 1, failed: 1, samples: 2 });
		expect((await getRun(db, 'r'))?.log).toEqual([{ at: 1, level: 'info', message: 'ok' }]);
		expect((await recordsInState(db, 'r', 'failed')).map((record) => record.error?.type)).toEqual(['http-400']);

		// The failed record is retried and now gives one sample: failed → done.
		await resetRecords(db, 'r', [1]);
		expect((await getRun(db, 'r'))?.counts).toMatchObject({ done: 1, failed: 0 });
		expect((await getRecord(db, 'r', 1))?.error).toBeUndefined();
		await endRecord(db, { runId: 'r', recordIndex: 1, state: 'done', steps: [step(0)], notes: [], samples: [sample('r', 1, 0)] });
		// A re-run of record 0 with one sample: the two earlier ones go.
		await endRecord(db, { runId: 'r', recordIndex: 0, state: 'done', steps: [step(0)], notes: [], samples: [sample('r', 0, 0)] });
		expect((await getRun(db, 'r'))?.counts).toMatchObject({ done: 2, failed: 0, samples: 2 });
		expect((await listSamples(db, 'r')).map((row) => row.id)).toEqual(['r:0:0', 'r:1:0']);
		expect(await reviewCounts(db, 'r')).toEqual({ pending: 2, accepted: 0, rejected: 0 });
	});

	it('keeps on an ended record the engine and settings it ran with', async () => {
		const db = freshDb();
		await createRun(db, run('r', 1), records('r'));
		const generatedWith = { engine: { kind: 'endpoint' as const, label: 'Local', baseUrl: 'http://localhost:11434/v1', model: 'qwen2.5:7b' }, settings: { sampling: { temperature: 0.3, max_tokens: 400 }, seed: 5 } };
		await endRecord(db, { runId: 'r', recordIndex: 0, state: 'done', steps: [step(0)], notes: [], samples: [sample('r', 0, 0)], generatedWith });
		generatedWith.settings.seed = 6; // the caller's object is not stored by reference
		expect((await getRecord(db, 'r', 0))?.generatedWith).toEqual({ ...generatedWith, settings: { ...generatedWith.settings, seed: 5 } });
		expect((await getRecord(db, 'r', 1))?.generatedWith).toBeUndefined();
	});

	it('replaces the record set, and deletes a run with everything of it', async () => {
		const db = freshDb();
		await createRun(db, run('r', 1), records('r'));
		await createRun(db, run('other', 2), records('other'));
		await endRecord(db, { runId: 'r', recordIndex: 2, state: 'done', steps: [], notes: [], samples: [sample('r', 2, 0)] });
		const moved = { ...sample('r', 2, 0), id: sampleId('r', 0, 0), recordIndex: 0 };
		await replaceRecords(db, { ...run('r', 1, 1) }, [{ ...records('r', 3)[2], recordIndex: 0, state: 'done' }], { remove: ['r:2:0'], put: [moved] });
		expect((await listRecords(db, 'r')).map((record) => [record.recordIndex, record.recordId])).toEqual([[0, 'chunk-2']]);
		expect((await listSamples(db, 'r')).map((row) => row.id)).toEqual(['r:0:0']);

		await deleteRun(db, 'r');
		expect(await getRun(db, 'r')).toBeUndefined();
		expect(await listRecords(db, 'r')).toEqual([]);
		expect(await listSamples(db, 'r')).toEqual([]);
		expect(await listRecords(db, 'other')).toHaveLength(3);
	});

	it('marks accepted samples on their current rows', async () => {
		const db = freshDb();
		await createRun(db, run('r', 1), records('r'));
		await putSamples(db, [{ ...sample('r', 0, 0), review: 'accepted' }, { ...sample('r', 1, 0), review: 'accepted' }]);
		// Saved while the entries were being added: an edit of one, the other deleted (its record re-run).
		const edited = [{ role: 'user' as const, content: 'Hi' }, { role: 'assistant' as const, content: 'Evening. The lamp is lit.' }];
		await putSamples(db, [{ ...sample('r', 0, 0), review: 'accepted', edited }]);
		await db.runSamples.delete('r:1:0');
		await markAccepted(db, [
			{ id: 'r:0:0', acceptedInto: { datasetId: 'ds-1', entryId: 'e1', at: 5 } },
			{ id: 'r:1:0', acceptedInto: { datasetId: 'ds-1', entryId: 'e2', at: 5 } }
		]);
		expect(await listSamples(db, 'r')).toEqual([{ ...sample('r', 0, 0), review: 'accepted', edited, acceptedInto: { datasetId: 'ds-1', entryId: 'e1', at: 5 } }]);
	});

	it('returns the record as stored with each appended step, nothing for a record that is gone', async () => {
		const db = freshDb();
		await createRun(db, run('r', 1), records('r'));
		const stored = await appendStep(db, 'r', 2, step(0), true, 77);
		expect(stored).toMatchObject({ recordIndex: 2, label: 'Chunk 3', updatedAt: 77 });
		expect(stored?.steps.map((s) => s.stepIndex)).toEqual([0]);
		expect(await getRecord(db, 'r', 2)).toEqual(stored);
		expect(await appendStep(db, 'r', 9, step(0), true)).toBeUndefined();
	});

	it('finds runs by state, labels records by position, and reads samples by id', async () => {
		const db = freshDb();
		await createRun(db, run('a', 1), records('a'));
		await createRun(db, { ...run('b', 2), state: 'paused' }, records('b', 2));
		await createRun(db, { ...run('c', 3), state: 'done' }, records('c', 1));
		expect((await runsInStates(db, ['running', 'paused', 'queued'])).map((row) => row.id).sort()).toEqual(['a', 'b']);
		expect(await runsInStates(db, ['interrupted'])).toEqual([]);
		expect(await recordLabels(db, 'b')).toEqual(new Map([[0, 'Chunk 1'], [1, 'Chunk 2']]));
		expect(await recordLabels(db, 'none')).toEqual(new Map());
		await putSamples(db, [sample('a', 0, 0), sample('a', 1, 0)]);
		expect((await getSamples(db, ['a:1:0', 'a:9:9', 'a:0:0'])).map((row) => row.id)).toEqual(['a:1:0', 'a:0:0']);
	});

	it('writes a live run’s usage, log and heartbeat over the stored counts, and never brings a deleted run back', async () => {
		const db = freshDb();
		await createRun(db, run('r', 1), records('r'));
		await endRecord(db, { runId: 'r', recordIndex: 0, state: 'done', steps: [], notes: [], samples: [sample('r', 0, 0)] });
		const log = [{ at: 3, level: 'info' as const, message: 'Started.' }];
		await flushRunUsage(db, 'r', usage, log, 99);
		expect(await getRun(db, 'r')).toMatchObject({ counts: { total: 3, done: 1, samples: 1, ...usage }, log, heartbeatAt: 99, updatedAt: 99 });
		await deleteRun(db, 'r');
		await flushRunUsage(db, 'r', usage, log, 100);
		expect(await getRun(db, 'r')).toBeUndefined();
	});

	it('lists the cache keys of the answers only this run used', async () => {
		const db = freshDb();
		await createRun(db, run('a', 1), records('a'));
		await createRun(db, run('b', 2), records('b'));
		await appendStep(db, 'a', 0, step(0), true);
		await appendStep(db, 'a', 0, step(1), false);
		await appendStep(db, 'a', 1, { ...step(2), response: undefined, error: { kind: 'http', message: 'HTTP 500', status: 500 } }, true);
		await appendStep(db, 'b', 0, step(1), true);
		// k1 is shared with run b; k2 was never answered.
		expect(await cacheKeysOnlyIn(db, 'a')).toEqual(['k0']);
		expect(await cacheKeysOnlyIn(db, 'b')).toEqual([]);
		expect(await cacheKeysOnlyIn(db, 'none')).toEqual([]);
	});

	it('keeps the newest log lines', () => {
		const log = Array.from({ length: 7 }, (_, i) => ({ at: i, level: 'info' as const, message: `line ${i}` }));
		expect(trimLog(log, 3).map((line) => line.message)).toEqual(['line 4', 'line 5', 'line 6']);
		expect(trimLog(log.slice(0, 2), 3)).toHaveLength(2);
	});
});
