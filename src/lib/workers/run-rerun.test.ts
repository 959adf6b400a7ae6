import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunStatus } from '$lib/core/runtime/manifest';
import { identityFactsRecipe } from '$lib/core/recipes/identity-facts';
import { identityQaRecipe } from '$lib/core/recipes/identity-qa';
import type { IdentityDocument } from '$lib/core/recipes/sources';
import { cleanUp, fresh, RECIPES, SETTINGS, started, waitFor, type Harness } from './run-test-harness';

afterEach(cleanUp);

/** Three narrative paragraphs of two sentences each: one passage each at 200 characters a passage. */
const PARAGRAPHS = [
	'I was built in 2026 by the Port Elin harbour office. I answer questions about tides, berths and the weather at the bar.',
	'I read the tide tables every morning at five. I post the berth list on the harbour board by six, rain or shine.',
	'I am not a general chatbot. I do not pretend to be one, and I say so when a question is outside the harbour.'
];

const TIDEWATCH: IdentityDocument = {
	id: 'idn-tidewatch',
	name: 'Tidewatch',
	iAm: 'I am Tidewatch, the harbour-master assistant of Port Elin.',
	voice: 'Brisk and plain.',
	values: 'Accuracy before speed.',
	calibration: 'I say when a tide table is a forecast.',
	notThis: 'Not a general chatbot.',
	narrative: PARAGRAPHS.join('\n\n'),
	otherIdentities: [],
	otherMakers: [],
	createdAt: 1,
	updatedAt: 1
};

/** Facts are read from every field: name, voice, values, calibration, what it is not (records 0–4), then the narrative. */
const NARRATIVE = 5;

const reasons = (status: RunStatus | undefined) => (status?.state === 'stale' ? status.changes.map((change) => change.reason) : status?.state);

async function statusOf(h: Harness, runId: string): Promise<RunStatus | undefined> {
	return (await h.service.listRuns()).find((item) => item.run.id === runId)?.status;
}

/** Every request the test engines were sent, all runs together. */
const requestCount = (h: Harness) => h.engines.reduce((sum, engine) => sum + engine.requests.length, 0);

/** A run's samples as the reviewer left them: [id, review, edited text]. */
async function reviews(h: Harness, runId: string) {
	return (await h.service.listReviewItems(runId)).map((item) => [item.id, item.sample.messages.at(-1)?.content, item.review, item.edited?.at(-1)?.content ?? null]);
}

async function editIdentity(h: Harness, changes: Partial<IdentityDocument>) {
	const doc = (await h.db.identityDocuments.get(TIDEWATCH.id)) as IdentityDocument;
	await h.db.identityDocuments.put({ ...doc, ...changes, updatedAt: doc.updatedAt + 1 });
}

describe('Re-run stale keeps reviews (identity facts → questions and answers)', () => {
	it('re-asks only the passages that changed, keeps every decision on the others, and names sources by their labels', async () => {
		const h = await fresh({ recipes: [...RECIPES, identityFactsRecipe, identityQaRecipe] });
		await h.db.identityDocuments.put(TIDEWATCH);

		// Stage 1: facts, reviewed: accepted, rejected, edited.
		const factsRunId = await started(h, { recipeId: 'identity-facts', label: 'Tidewatch facts', params: { identityId: TIDEWATCH.id, factsPerPassage: 2, passageChars: 200 }, settings: SETTINGS });
		await h.service.whenSettled(factsRunId);
		const facts = await h.service.listReviewItems(factsRunId);
		expect(new Set(facts.map((item) => item.recordIndex))).toEqual(new Set([0, 1, 2, 3, 4, NARRATIVE, NARRATIVE + 1, NARRATIVE + 2]));
		for (const item of facts) await h.service.reviewSample(item.id, 'accepted');
		const [rejected, edited] = facts.filter((item) => item.recordIndex === NARRATIVE);
		await h.service.reviewSample(rejected.id, 'rejected');
		await h.service.reviewSample(edited.id, 'accepted', [{ role: 'assistant', content: 'Tidewatch was built by the Port Elin harbour office in 2026.' }]);
		const reviewed = await reviews(h, factsRunId);
		expect(reviewed.filter(([, , review]) => review === 'accepted')).toHaveLength(facts.length - 1);

		// Stage 2: questions and answers about the accepted facts, some accepted.
		const qaRunId = await started(h, { recipeId: 'identity-qa', label: 'Tidewatch Q&A', params: { identityId: TIDEWATCH.id, factsRunId: { kind: 'facts', id: factsRunId }, questionsPerFact: 2 }, settings: SETTINGS });
		await h.service.whenSettled(qaRunId);
		expect(await statusOf(h, qaRunId)).toEqual({ state: 'current' });
		const qa = await h.service.listReviewItems(qaRunId);
		await h.service.reviewSamples([qa[0].id, qa[1].id], 'accepted');

		// One accepted fact's text is edited: the Q&A run is stale, saying so by the run's name.
		const factOfPassage2 = facts.find((item) => item.recordIndex === NARRATIVE + 1) as (typeof facts)[number];
		await h.service.reviewSample(factOfPassage2.id, 'accepted', [{ role: 'assistant', content: 'Tidewatch reads the Port Elin tide tables at five every morning.' }]);
		expect(await statusOf(h, factsRunId)).toEqual({ state: 'current' });
		expect(reasons(await statusOf(h, qaRunId))).toEqual(['The accepted facts of the run "Tidewatch facts" changed.', 'The input records changed.']);
		// Re-run: only that fact is asked about again (one question request, then its answers).
		let before = requestCount(h);
		expect(await h.service.rerunStale(qaRunId)).toMatchObject({ ok: true });
		await h.service.whenSettled(qaRunId);
		const asked = h.engines.flatMap((engine) => engine.requests).slice(before);
		expect(asked.filter((sent) => sent.messages[0].content.startsWith('You write questions'))).toHaveLength(1);
		expect(asked[0].messages[1].content).toContain('Tidewatch reads the Port Elin tide tables at five every morning.');
		expect(await statusOf(h, qaRunId)).toEqual({ state: 'current' });
		const qaReviews = await reviews(h, qaRunId);
		expect(qaReviews.filter(([, , review]) => review === 'accepted').length).toBeGreaterThanOrEqual(1);
		const factsReviewed = await reviews(h, factsRunId);

		// The identity document is edited outside every field facts are read from (its list of
		// identities to deny): both runs are stale for it, by name.
		await editIdentity(h, { otherIdentities: ['GPT-4'] });
		expect(reasons(await statusOf(h, factsRunId))).toEqual(['The identity document "Tidewatch" changed.']);
		expect(reasons(await statusOf(h, qaRunId))).toEqual(['The identity document "Tidewatch" changed.']);
		// Re-run stale on the facts: no passage changed, none is asked again, every decision stays.
		before = requestCount(h);
		expect(await h.service.rerunStale(factsRunId)).toMatchObject({ ok: true });
		await h.service.whenSettled(factsRunId);
		expect(requestCount(h)).toBe(before);
		// Not even from the cache: every record keeps the steps it first ran.
		for (const recordIndex of [0, 1, 2, 3, 4, NARRATIVE, NARRATIVE + 1, NARRATIVE + 2]) expect((await h.service.getRunRecord(factsRunId, recordIndex))?.steps.map((step) => step.cached)).toEqual([false]);
		expect((await h.service.getRun(factsRunId))?.run.counts.cacheHits).toBe(0);
		expect(await reviews(h, factsRunId)).toEqual(factsReviewed);
		expect(await statusOf(h, factsRunId)).toEqual({ state: 'current' });
		// The Q&A run reads the same accepted facts: stale for the identity only, never "0 records".
		expect(reasons(await statusOf(h, qaRunId))).toEqual(['The identity document "Tidewatch" changed.']);
		expect(await h.service.rerunStale(qaRunId)).toMatchObject({ ok: true });
		await h.service.whenSettled(qaRunId);
		expect(await statusOf(h, qaRunId)).toEqual({ state: 'current' });

		// The last paragraph is rewritten: only its passage is asked again.
		await editIdentity(h, { narrative: [PARAGRAPHS[0], PARAGRAPHS[1], 'I keep a log of every ship that crosses the bar. I never guess a draught I have not been told.'].join('\n\n') });
		expect(reasons(await statusOf(h, factsRunId))).toEqual(['The identity document "Tidewatch" changed.', 'The input records changed.']);
		const keptBefore = (await reviews(h, factsRunId)).filter(([id]) => !String(id).startsWith(`${factsRunId}:${NARRATIVE + 2}:`));
		before = requestCount(h);
		expect(await h.service.rerunStale(factsRunId)).toMatchObject({ ok: true });
		await h.service.whenSettled(factsRunId);
		const reasked = h.engines.flatMap((engine) => engine.requests).slice(before);
		expect(reasked).toHaveLength(1);
		expect(reasked[0].messages[1].content).toContain('I keep a log of every ship');
		const after = await reviews(h, factsRunId);
		expect(after.filter(([id]) => !String(id).startsWith(`${factsRunId}:${NARRATIVE + 2}:`))).toEqual(keptBefore);
		// The new facts of that passage wait for a review; the old accepted ones are gone.
		const third = after.filter(([id]) => String(id).startsWith(`${factsRunId}:${NARRATIVE + 2}:`));
		expect(third.length).toBeGreaterThan(0);
		expect(third.every(([, , review]) => review === 'pending')).toBe(true);
		// The Q&A run's accepted facts really changed: it says so, by the facts run's name, not its id.
		const qaReasons = reasons(await statusOf(h, qaRunId)) as string[];
		expect(qaReasons).toContain('The accepted facts of the run "Tidewatch facts" changed.');
		expect(qaReasons.join(' ')).not.toContain(factsRunId);
		expect(qaReasons.some((reason) => / → 0 records/.test(reason))).toBe(false);
	});

	it('facts come from every field, and a changed maker re-asks only the maker passage', async () => {
		const h = await fresh({ recipes: [...RECIPES, identityFactsRecipe] });
		await h.db.identityDocuments.put({ ...TIDEWATCH, maker: 'I was built in 2026 by the Port Elin harbour office.', purpose: 'I answer questions about tides and berths.' });
		const runId = await started(h, { recipeId: 'identity-facts', label: 'Tidewatch facts', params: { identityId: TIDEWATCH.id, passageChars: 200 }, settings: SETTINGS });
		await h.service.whenSettled(runId);
		const fields = async () => (await h.service.listReviewItems(runId)).map((item) => item.sample.meta.field);
		expect(new Set(await fields())).toEqual(new Set(['name', 'maker', 'purpose', 'voice', 'values', 'calibration', 'notThis', 'narrative']));
		const before = requestCount(h);
		await editIdentity(h, { maker: 'I was built in 2026 by the Port Elin harbour office and the Lowmarsh pilots.' });
		expect(await h.service.rerunStale(runId)).toMatchObject({ ok: true });
		await h.service.whenSettled(runId);
		const reasked = h.engines.flatMap((engine) => engine.requests).slice(before);
		expect(reasked).toHaveLength(1);
		expect(reasked[0].messages[1].content).toContain('Field: Maker (who made Tidewatch)\n<passage>\nI was built in 2026 by the Port Elin harbour office and the Lowmarsh pilots.\n</passage>');
	});

	it('keeps a downstream run current while its upstream run is re-run, and after, when the accepted facts come back the same', async () => {
		const h = await fresh({ delayMs: 20 });
		const factsRunId = await started(h, { recipeId: 'lighthouse-facts', label: 'Mara facts', concurrency: 1 });
		await h.service.whenSettled(factsRunId);
		const facts = await h.service.listReviewItems(factsRunId);
		await h.service.reviewSamples([facts[0].id, facts[2].id, facts[3].id], 'accepted');
		await h.service.reviewSample(facts[1].id, 'rejected');
		await h.service.reviewSample(facts[3].id, 'accepted', [{ role: 'assistant', content: 'Mara keeps ginger biscuits for the visitors’ children.' }]);
		const reviewed = await reviews(h, factsRunId);
		const questionsRunId = await started(h, { recipeId: 'fact-questions', label: 'Mara questions', params: { factsRunId } });
		await h.service.whenSettled(questionsRunId);
		expect(await statusOf(h, questionsRunId)).toEqual({ state: 'current' });

		// A new seed re-asks every fact record; the answers come back the same.
		await h.service.editRun(factsRunId, { settings: { ...SETTINGS, seed: 99 } });
		expect(reasons(await statusOf(h, factsRunId))).toEqual(['The seed changed from 7 to 99.']);
		expect(await h.service.rerunStale(factsRunId)).toMatchObject({ ok: true });
		// While it runs, the run built on its accepted facts still reads them all.
		const seen: RunStatus[] = [];
		await waitFor(async () => {
			const running = (await h.service.listRuns()).find((item) => item.run.id === factsRunId);
			if (running?.run.state === 'running') seen.push((await statusOf(h, questionsRunId)) as RunStatus);
			return running?.run.state === 'done';
		}, 5000);
		expect(seen.length).toBeGreaterThan(0);
		expect(seen.every((status) => status.state === 'current')).toBe(true);
		expect(await reviews(h, factsRunId)).toEqual(reviewed);
		expect(await statusOf(h, questionsRunId)).toEqual({ state: 'current' });
	});
});
