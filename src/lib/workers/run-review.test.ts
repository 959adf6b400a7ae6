import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, fresh, QUESTION, SETTINGS, SHEET, started } from './run-test-harness';

afterEach(cleanUp);

describe('Review and accept into a dataset', () => {
	it('lists samples with their marks; a bulk decision and its undo are one write each and restore the earlier reviews exactly', async () => {
		const h = await fresh();
		const runId = await started(h);
		await h.service.whenSettled(runId);
		const all = await h.service.listReviewItems(runId);
		expect(all.length).toBeGreaterThanOrEqual(4);
		for (const item of all) expect(item.marks).toMatchObject({ length: item.sample.messages[item.sample.messages.length - 1].content.length });
		await h.service.reviewSample(all[0].id, 'rejected');
		await h.service.reviewSample(all[1].id, 'accepted');
		const before = (await h.service.listReviewItems(runId)).map((item) => [item.id, item.review]);
		const ids = all.map((item) => item.id);
		expect(await h.service.reviewSamples(ids, 'accepted')).toBe(ids.length - 1);
		expect((await h.service.listReviewItems(runId)).every((item) => item.review === 'accepted')).toBe(true);
		expect(await h.service.restoreReviews(before.map(([id, review]) => ({ id, review: review as 'pending' | 'accepted' | 'rejected' })))).toBe(ids.length - 1);
		expect((await h.service.listReviewItems(runId)).map((item) => [item.id, item.review])).toEqual(before);
		// One state asked for: only those, marks still computed over the whole run.
		expect((await h.service.listReviewItems(runId, 'rejected')).map((item) => item.id)).toEqual([all[0].id]);
	});

	it('accepts reviewed samples into a new dataset as one undoable operation, with provenance', async () => {
		const h = await fresh();
		const runId = await started(h);
		await h.service.whenSettled(runId);
		await h.service.reviewSample(`${runId}:0:0`, 'accepted');
		const edited = [
			{ role: 'user' as const, content: 'What was it like growing up on Skerry Island?' },
			{ role: 'assistant' as const, content: 'Salt in everything, and the light turning over my bed.' }
		];
		const reviewed = await h.service.reviewSample(`${runId}:1:0`, 'accepted', edited);
		expect(reviewed).toMatchObject({ review: 'accepted', edited });
		await h.service.reviewSample(`${runId}:2:0`, 'rejected');

		const outcome = await h.service.acceptSamples(runId, { kind: 'new', name: 'Mara voice' });
		expect(outcome).toMatchObject({ ok: true, accepted: 2 });
		if (!outcome.ok) return;
		const dataset = await h.db.datasets.get(outcome.datasetId);
		expect(dataset).toMatchObject({ name: 'Mara voice', status: 'ready', entryCount: 2 });
		const { entries } = await h.data.getPage(outcome.datasetId, 0, 10);
		expect(entries[1].messages).toEqual(edited);
		expect(entries[0].tags).toEqual(['generated', 'rehearsal']);
		expect(entries[0].meta.review).toBe('accepted');
		const provenance = entries[0].meta.provenance as Record<string, unknown> & { steps: { request: { messages: { content: string }[] }; tokens?: unknown; timing: unknown }[] };
		expect(provenance).toMatchObject({ kind: 'generation', runId, recipeId: 'lighthouse-qa', recordId: 'c-childhood', sampleIndex: 0, engine: 'Rehearsal', model: 'rehearsal', sampling: SETTINGS.sampling });
		expect(provenance.steps).toHaveLength(2);
		expect(provenance.steps[0].request.messages[1].content).toBe(`${QUESTION}${SHEET.chunks[0].document}`);
		expect(provenance.steps[0].tokens).toBeDefined();
		expect((entries[1].meta.provenance as { edited: boolean }).edited).toBe(true);

		const items = await h.service.listReviewItems(runId, 'accepted');
		expect(items.map((item) => item.acceptedInto?.datasetId)).toEqual([outcome.datasetId, outcome.datasetId]);
		expect(await h.service.acceptSamples(runId, { kind: 'existing', datasetId: outcome.datasetId })).toEqual({ ok: false, error: 'There are no accepted samples left to add.' });

		const history = await h.data.historyState(outcome.datasetId);
		expect(history.canUndo).toBe(true);
		await h.data.undo(outcome.datasetId);
		expect((await h.db.datasets.get(outcome.datasetId))?.entryCount).toBe(0);
	});

	it('accepts into an existing dataset after its entries', async () => {
		const h = await fresh();
		const runId = await started(h);
		await h.service.whenSettled(runId);
		const first = await h.service.acceptSamples(runId, { kind: 'new', name: 'x' });
		expect(first).toEqual({ ok: false, error: 'There are no accepted samples left to add.' });
		expect(await h.service.reviewSamples([`${runId}:0:0`, `${runId}:3:0`], 'accepted')).toBe(2);
		const created = await h.service.acceptSamples(runId, { kind: 'new', name: 'Mara' });
		if (!created.ok) throw new Error(created.error);
		await h.service.reviewSample(`${runId}:1:0`, 'accepted');
		const more = await h.service.acceptSamples(runId, { kind: 'existing', datasetId: created.datasetId });
		expect(more).toEqual({ ok: true, datasetId: created.datasetId, accepted: 1 });
		const { entries } = await h.data.getPage(created.datasetId, 0, 10);
		expect(entries.map((entry) => entry.id)).toEqual(['e1', 'e2', 'e3']);
		expect(entries.map((entry) => (entry.meta.provenance as { recordId: string }).recordId)).toEqual(['c-childhood', 'c-visitors', 'c-light']);
	});

	it('adds accepted samples once when "accept" is asked twice at once', async () => {
		const h = await fresh();
		const runId = await started(h);
		await h.service.whenSettled(runId);
		await h.service.reviewSamples([`${runId}:0:0`, `${runId}:1:0`], 'accepted');
		const target = await h.service.acceptSamples(runId, { kind: 'new', name: 'Mara voice' });
		if (!target.ok) throw new Error(target.error);
		await h.service.reviewSamples([`${runId}:2:0`, `${runId}:3:0`], 'accepted');
		const outcomes = await Promise.all([
			h.service.acceptSamples(runId, { kind: 'existing', datasetId: target.datasetId }),
			h.service.acceptSamples(runId, { kind: 'existing', datasetId: target.datasetId })
		]);
		expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(1);
		expect((await h.db.datasets.get(target.datasetId))?.entryCount).toBe(4);
		const { entries } = await h.data.getPage(target.datasetId, 0, 10);
		expect(entries.map((entry) => (entry.meta.provenance as { recordId: string }).recordId)).toEqual(['c-childhood', 'c-light', 'c-storm', 'c-visitors']);
	});

	it('gives accepted samples the sampling, seed and model that made them, not those of a later edit', async () => {
		const h = await fresh();
		const runId = await started(h);
		await h.service.whenSettled(runId);
		await h.service.reviewSample(`${runId}:0:0`, 'accepted');
		const hotter = { sampling: { temperature: 1.2, max_tokens: 512 }, seed: 99 };
		expect(await h.service.editRun(runId, { settings: hotter, engine: { kind: 'endpoint', label: 'Local', baseUrl: 'http://localhost:11434/v1', model: 'qwen2.5:7b' } })).toMatchObject({ ok: true });
		const outcome = await h.service.acceptSamples(runId, { kind: 'new', name: 'Before the edit' });
		if (!outcome.ok) throw new Error(outcome.error);
		const { entries } = await h.data.getPage(outcome.datasetId, 0, 10);
		expect(entries[0].meta.provenance).toMatchObject({ sampling: SETTINGS.sampling, seed: 7, model: 'rehearsal', engine: 'Rehearsal', engineKind: 'test' });
		const steps = (entries[0].meta.provenance as { steps: { request: { sampling: unknown } }[] }).steps;
		expect(steps.every((step) => JSON.stringify(step.request.sampling) === JSON.stringify(SETTINGS.sampling))).toBe(true);
	});

	it('treats an edit that empties a sample as no edit: an accepted entry never has no messages', async () => {
		const h = await fresh();
		const runId = await started(h);
		await h.service.whenSettled(runId);
		const reviewed = await h.service.reviewSample(`${runId}:0:0`, 'accepted', []);
		expect(reviewed?.edited).toBeUndefined();
		const outcome = await h.service.acceptSamples(runId, { kind: 'new', name: 'Mara' });
		if (!outcome.ok) throw new Error(outcome.error);
		const { entries } = await h.data.getPage(outcome.datasetId, 0, 10);
		expect(entries[0].messages.map((message) => message.role)).toEqual(['user', 'assistant']);
		expect((entries[0].meta.provenance as { edited: boolean }).edited).toBe(false);
	});
});
