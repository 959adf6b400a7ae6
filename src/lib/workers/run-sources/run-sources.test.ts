import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { SkeinDatabase } from '$lib/db/database';
import { documentToSheet } from '$lib/core/sheets/split-document';
import { fixtureText } from '$lib/core/test-utils';
import type { PromptPoolRow } from '$lib/core/contracts/rows';
import { poolBlocksAndIndex } from '$lib/db/pool-blocks';
import type { RunRecordSummary } from '$lib/core/contracts/run-api';
import { composeDataServices } from '../data-services';
import { RunService } from '../run-service';
import { cleanUp, fresh, opened, services, SETTINGS, started } from '../run-test-harness';

afterEach(cleanUp);

describe('Run sources through the service: facts, pools, sheets, datasets', () => {
	it('does not accept facts into a dataset; a follow-up run reads the accepted (edited) facts', async () => {
		const h = await fresh();
		const factsRun = await started(h, { recipeId: 'lighthouse-facts' });
		await h.service.whenSettled(factsRun);
		await h.service.reviewSample(`${factsRun}:0:0`, 'accepted');
		await h.service.reviewSample(`${factsRun}:2:0`, 'accepted', [{ role: 'assistant', content: 'Mara rang the bell by hand in the storm of 1998.' }]);
		await h.service.reviewSample(`${factsRun}:3:0`, 'rejected');
		expect(await h.service.acceptSamples(factsRun, { kind: 'new', name: 'Facts' })).toMatchObject({ ok: false });

		const questions = await started(h, { recipeId: 'fact-questions', params: { factsRunId: factsRun } });
		await h.service.whenSettled(questions);
		const items = await h.service.listReviewItems(questions);
		expect(items.map((item) => item.sample.meta.fact)).toEqual(['Childhood is a fact.', 'Mara rang the bell by hand in the storm of 1998.']);
	});

	it('samples a prompt pool by its rating mix and reads only the chosen items', async () => {
		const h = await fresh();
		const texts: [string, number | null][] = [
			['Tell me about the tide tables.', 1],
			['What is your favourite storm?', 1],
			['Do you ever get lonely out there?', 1],
			['Write a poem about fog.', 5],
			['Describe the lamp room at midnight.', 5],
			['What would you do if the light failed?', 5],
			['hello', null],
			['test', null]
		];
		const pool: PromptPoolRow = { id: 'pool-1', name: 'Keeper prompts', sourceName: 'prompts.jsonl', count: 8, ratingCounts: { '1': 3, '5': 3, '': 2 }, createdAt: 1 };
		const layout = poolBlocksAndIndex(pool.id, texts.map(([text, rating]) => ({ text, rating })));
		await h.db.promptPools.put(pool);
		await h.db.promptPoolBlocks.bulkPut(layout.blocks);
		await h.db.promptPoolRatingIndexes.put(layout.index);
		const mix = [
			{ min: 1, max: 1, share: 0.5 },
			{ min: 5, max: 5, share: 0.5 }
		];
		const runId = await started(h, { recipeId: 'pool-echo', params: { poolId: 'pool-1', n: 4, mix } });
		await h.service.whenSettled(runId);
		const detail = await h.service.getRun(runId);
		expect(detail?.run.counts).toMatchObject({ total: 4, done: 4 });
		const ratings = (await h.service.listReviewItems(runId)).map((item) => item.sample.meta.rating);
		expect(ratings.filter((rating) => rating === 1)).toHaveLength(2);
		expect(ratings.filter((rating) => rating === 5)).toHaveLength(2);
		// The same seed plans the same sample: the run is current.
		expect((await h.service.listRuns())[0].status).toEqual({ state: 'current' });
	});

	it('runs the built-in chunked recipe with the judge on the rehearsal engine', async () => {
		const db = new SkeinDatabase(`run-test-${Math.random()}`);
		opened.push(db);
		let next = 0;
		const sheet = documentToSheet(fixtureText('sheets/character-sheet.md'), {
			characterName: 'Queen Pédauque',
			settings: { entriesPerIteration: 2, iterations: 2 },
			// One chunk per heading: the test picks chunks by id.
			tokenRange: null,
			newId: () => `chunk-${++next}`,
			now: () => new Date('2026-11-01T10:00:00Z')
		});
		await db.characterSheets.put({ ...sheet, id: 'queen', updatedAt: 1 });
		const data = composeDataServices(db).data;
		const service = new RunService(db, data, { retry: { baseDelayMs: 1, maxDelayMs: 5 }, eventFlushMs: 0 });
		services.push(service);
		const recordEvents: RunRecordSummary[] = [];
		service.watchRuns((events) => {
			for (const event of events) if (event.type === 'record') recordEvents.push(event.record);
		});
		expect(service.listRecipes().map((recipe) => recipe.id)).toContain('chunked');
		const result = await service.startRun({
			recipeId: 'chunked',
			params: { sheetId: 'queen', chunkIds: ['chunk-1', 'chunk-2'], judge: { criteria: 'Stays in the queen’s voice.', threshold: 6 } },
			settings: { sampling: { temperature: 0.8, max_tokens: 1200 }, seed: 11 },
			engine: { kind: 'test', label: 'Rehearsal' },
			concurrency: 2
		});
		if (!result.ok) throw new Error(result.error);
		await service.whenSettled(result.runId);
		const detail = await service.getRun(result.runId);
		expect(detail?.run.state).toBe('done');
		expect(detail?.run.counts.done).toBe(2);
		expect(detail?.run.counts.samples).toBeGreaterThan(0);
		expect(detail?.records[0].stats?.length).toBeGreaterThan(0);
		// Each chunk expects its 2 iterations; the view saw the record advance step by step.
		expect(detail?.records[0].expectedSteps).toBe(2);
		expect(recordEvents.some((record) => record.state === 'pending' && record.stepCount === 1 && record.expectedSteps === 2)).toBe(true);
		const items = await service.listReviewItems(result.runId);
		expect(items.every((item) => item.sample.judge?.threshold === 6 && item.sample.tags.includes('rehearsal'))).toBe(true);
		expect(detail?.log.some((line) => line.message.includes('Judge:'))).toBe(true);

		await service.reviewSamples(
			items.map((item) => item.id),
			'accepted'
		);
		const accepted = await service.acceptSamples(result.runId, { kind: 'new', name: 'Queen' });
		expect(accepted).toMatchObject({ ok: true, accepted: items.length });
		expect(await service.startRun({ recipeId: 'chunked', params: { sheetId: 'queen', judge: { criteria: 'x', threshold: 0 } }, settings: SETTINGS, engine: { kind: 'test', label: 'R' } })).toMatchObject({
			ok: false,
			field: 'params.judge.threshold'
		});
	});

	it('continues chosen entries of a dataset (read by id through the data service)', async () => {
		const db = new SkeinDatabase(`run-test-${Math.random()}`);
		opened.push(db);
		const data = composeDataServices(db).data;
		const jsonl = [
			{ messages: [{ role: 'user', content: 'Is the lamp lit?' }, { role: 'assistant', content: 'Lit and trimmed.' }] },
			{ messages: [{ role: 'user', content: 'Any ships tonight?' }, { role: 'assistant', content: 'One. Late, as always.' }] },
			{ messages: [{ role: 'user', content: 'How old is the tower?' }, { role: 'assistant', content: 'Older than the village.' }] }
		]
			.map((record) => JSON.stringify(record))
			.join('\n');
		const imported = await data.importSources(data.newJobId(), [{ kind: 'text', name: 'keeper.jsonl', text: jsonl }]);
		const datasetId = imported.datasets[0].datasetId;
		const { entries } = await data.getPage(datasetId, 0, 3);
		const service = new RunService(db, data, { retry: { baseDelayMs: 1, maxDelayMs: 5 } });
		services.push(service);
		const result = await service.startRun({
			recipeId: 'continuation',
			params: { datasetId, entryIds: [entries[2].id, entries[0].id], systemPrompt: 'You are Mara, the lighthouse keeper.' },
			settings: SETTINGS,
			engine: { kind: 'test', label: 'Rehearsal' }
		});
		if (!result.ok) throw new Error(result.error);
		await service.whenSettled(result.runId);
		const detail = await service.getRun(result.runId);
		expect(detail?.run.counts).toMatchObject({ total: 2, done: 2 });
		const items = await service.listReviewItems(result.runId);
		expect(items.length).toBe(2);
		expect(items[0].sample.messages.some((message) => message.content === 'How old is the tower?')).toBe(true);
		expect(items[1].sample.messages.some((message) => message.content === 'Is the lamp lit?')).toBe(true);
		expect(items.every((item) => item.sample.messages.length > 2)).toBe(true);
	});
});
