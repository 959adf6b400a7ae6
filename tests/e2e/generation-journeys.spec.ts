import { readFileSync } from 'node:fs';
import { expect, test } from './fixtures';
import { dropFiles, waitForSample } from './helpers';
import type { Page } from '@playwright/test';

/**
 * The two long generation journeys of the issues, end to end on the rehearsal (test) engine:
 * a character card through a chunked run that is paused, reloaded and resumed, to reviewed entries
 * in a dataset; and an identity document through fact extraction, questions and answers, review,
 * a dataset checklist, and staleness after the document is edited.
 */

const card = readFileSync('tests/fixtures/sources/wren-card-v2.json', 'utf8');

/** "12 engine calls · 3 from cache · …" → [12, 3]. */
async function callCounts(page: Page): Promise<[number, number]> {
	const text = (await page.getByTestId('run-engine-counts').textContent()) ?? '';
	const match = text.match(/(\d+) engine calls · (\d+) from cache/);
	if (!match) throw new Error(`No call counts in "${text}"`);
	return [Number(match[1]), Number(match[2])];
}

test('character card → chunks → chunked run → pause → reload → resume → review → accept into a dataset', async ({ page }) => {
	test.setTimeout(120_000);
	await page.goto('/');
	await waitForSample(page);
	await page.goto('/generate/sheets');
	await expect(page.getByTestId('sheets-empty')).toBeVisible();
	await dropFiles(page, [{ name: 'wren-card-v2.json', text: card, type: 'application/json' }]);
	await expect(page.getByTestId('sheet-import-ok')).toContainText('5 chunks');
	await page.getByTestId('sheet-import-ok').getByRole('link', { name: 'Open the sheet' }).click();

	// Small settings so the run is short: 3 entries per iteration, 3 iterations, for every chunk.
	const cards = page.getByTestId('chunk-card');
	await expect(cards).toHaveCount(5);
	for (let i = 0; i < 5; i++) {
		await cards.nth(i).getByTestId('chunk-entries').fill('3');
		await cards.nth(i).getByTestId('chunk-iterations').fill('3');
	}
	await page.getByTestId('sheet-save').click();
	await expect(page.getByTestId('sheet-save-message')).toHaveText('Saved.');
	await page.getByTestId('sheet-generate').click();

	// The form arrives with the chunked recipe and this sheet.
	await expect(page.getByRole('radio', { name: /Chunked/ })).toBeChecked();
	await page.getByRole('radio', { name: /Rehearsal/ }).check();
	await page.getByText('Rehearsal pace and failures').click();
	await page.getByLabel('Answer delay (ms)').fill('1500');
	await page.getByLabel('Run name').fill('Wren chunks');
	await page.getByRole('button', { name: 'Start run' }).click();

	await expect(page.getByRole('heading', { name: 'Wren chunks' })).toBeVisible();
	await expect(page.getByTestId('run-state')).toHaveText('Running');
	// Let a few steps finish, then pause: the request in flight completes, nothing new starts.
	await expect.poll(async () => (await callCounts(page))[0], { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
	await page.getByRole('button', { name: 'Pause run' }).click();
	await expect(page.getByTestId('run-state')).toHaveText('Paused');
	// Requests already in flight (up to the concurrency) still finish and are counted.
	await page.waitForTimeout(2000);
	const [callsAtPause] = await callCounts(page);
	expect(callsAtPause).toBeLessThan(15);
	await page.waitForTimeout(2000);
	expect((await callCounts(page))[0]).toBe(callsAtPause);
	// Chunks part-way through show how far they got.
	await expect(page.getByTestId('record-progress').first()).toContainText(/[12] of 3/);

	// A reload ends the worker's dispatcher: the run shows as interrupted, its finished steps kept.
	await page.reload();
	await expect(page.getByTestId('interrupted-banner')).toBeVisible();
	await expect(page.getByTestId('run-state')).toHaveText('Interrupted');
	await page.getByRole('button', { name: 'Resume run' }).first().click();
	await expect(page.getByTestId('run-state')).toHaveText('Done', { timeout: 60_000 });
	await expect(page.getByTestId('run-progress')).toContainText('5 of 5 records');

	// 5 chunks × 3 iterations = 15 requests, each paid for once: the resumed records replayed
	// their finished steps from the response cache.
	const [calls, fromCache] = await callCounts(page);
	expect(calls).toBe(15);
	expect(fromCache).toBeGreaterThan(0);
	// Per-chunk statistics are shown on the records.
	await expect(page.getByTestId('run-record').first()).toContainText('JSON valid first try');
	await expect(page.getByTestId('run-record').first()).toContainText('Grounding');

	// Review: accept three with the keyboard, reject one.
	await page.getByRole('link', { name: 'Review samples →' }).click();
	await expect(page.getByRole('heading', { name: 'Review samples' })).toBeVisible();
	const counts = page.getByTestId('review-counts');
	await expect(counts).toContainText('45 pending');
	await page.keyboard.press('a');
	await page.keyboard.press('a');
	await page.keyboard.press('r');
	await page.keyboard.press('a');
	await expect(counts).toContainText('3 accepted');
	await expect(counts).toContainText('1 rejected');

	await page.getByTestId('accept-new-name').fill('Wren from chunks');
	await page.getByTestId('accept-into').click();
	await expect(page.getByTestId('accept-outcome')).toContainText('Added 3 entries to');
	await page.getByTestId('accept-dataset-link').click();
	await expect(page.getByTestId('entry-row')).toHaveCount(3);
	// Each entry carries its provenance: open one and look at its metadata.
	await page.getByTestId('entry-row').first().click();
	await expect(page.locator('body')).toContainText('chunked');
});

test('identity document → facts → questions and answers → review → dataset checklist; an edit makes the run stale and "re-run stale" brings it back', async ({ page }) => {
	test.setTimeout(120_000);
	await page.goto('/generate/identity');
	await page.getByTestId('identity-new-name').fill('Tidewatch');
	await page.getByTestId('identity-new').click();
	await page.getByTestId('identity-iam').fill('I am Tidewatch, the harbour-master assistant of Port Elin.');
	await page.getByTestId('identity-narrative').fill(
		'I was built in 2026 by the Port Elin harbour office to answer questions about tides and berths.\n\nI read the tide tables every morning at five and post the berth list by six.\n\nI am not a general chatbot, and I do not pretend to be one.'
	);
	await page.getByTestId('identity-save').click();
	await expect(page.getByTestId('identity-message')).toHaveText('Saved.');
	// The identity document is the system prompt of the identity model.
	await expect(page.getByTestId('identity-system-prompt')).toContainText('I am Tidewatch, the harbour-master assistant of Port Elin.');

	// Stage 1: facts, reviewed before anything else uses them.
	await page.getByTestId('identity-augment').click();
	await page.getByRole('radio', { name: /Rehearsal/ }).check();
	await page.getByLabel('Run name').fill('Tidewatch facts');
	await page.getByRole('button', { name: 'Start run' }).click();
	await expect(page.getByTestId('run-state')).toHaveText('Done');
	await page.getByRole('link', { name: 'Review samples →' }).click();
	await expect(page.getByRole('heading', { name: 'Review facts' })).toBeVisible();
	// Keys act on the sample shown: wait for the first one.
	await expect(page.getByTestId('review-sample')).toBeVisible();
	await page.keyboard.press('a');
	await page.keyboard.press('a');
	await page.keyboard.press('a');
	await expect(page.getByTestId('review-counts')).toContainText('3 accepted');

	// Stage 2: questions per fact, answered in voice.
	await page.getByTestId('facts-next').click();
	await expect(page.getByRole('radio', { name: /Identity questions and answers/ })).toBeChecked();
	await page.getByRole('radio', { name: /Rehearsal/ }).check();
	await page.getByLabel('Run name').fill('Tidewatch Q&A');
	await page.getByRole('button', { name: 'Start run' }).click();
	await expect(page.getByTestId('run-state')).toHaveText('Done');
	await expect(page.getByTestId('run-record')).toHaveCount(3);
	await page.getByRole('link', { name: 'Review samples →' }).click();
	await expect(page.getByRole('heading', { name: 'Review samples' })).toBeVisible();
	// The sample shows the identity system prompt it was answered with.
	await expect(page.getByTestId('review-sample')).toContainText('Tidewatch');
	await page.keyboard.press('a');
	await page.keyboard.press('a');
	await expect(page.getByTestId('review-counts')).toContainText('2 accepted');
	await page.getByTestId('accept-new-name').fill('Tidewatch identity');
	await page.getByTestId('accept-into').click();
	await expect(page.getByTestId('accept-outcome')).toContainText('Added 2 entries to');
	// The quality checklist says where the dataset stands (2 entries, far from 1,000).
	const checklist = page.getByTestId('accept-checklist');
	await expect(checklist).toContainText('At least 1,000 entries for identity work');
	await expect(checklist).toContainText('2');

	// The reviewer rewrites one accepted fact: the Q&A run built on them turns stale, naming the
	// facts run by its name (never its id).
	await page.goto('/generate/runs');
	const factsRunId = (await page.getByTestId('run-row').filter({ hasText: 'Tidewatch facts' }).getAttribute('data-run-id')) ?? '';
	expect(factsRunId).not.toBe('');
	// By id: the Q&A run's reasons will name "Tidewatch facts" too.
	const factsRow = page.locator(`[data-testid="run-row"][data-run-id="${factsRunId}"]`);
	await expect(page.getByTestId('run-row').filter({ hasText: 'Tidewatch Q&A' }).getByTestId('run-status')).toHaveText('CURRENT');
	await factsRow.getByRole('link', { name: 'Review' }).click();
	await expect(page.getByRole('heading', { name: 'Review facts' })).toBeVisible();
	await page.getByRole('button', { name: /^Accepted \(3\)/ }).click();
	await expect(page.getByTestId('review-sample')).toBeVisible();
	await page.keyboard.press('e');
	await page.getByLabel('assistant message 1').fill('Tidewatch was built in 2026 by the harbour office of Port Elin.');
	await page.getByRole('button', { name: 'Save edit' }).click();
	// Saving moves on to the next sample: step back to the edited one.
	await expect(page.getByTestId('review-sample')).toHaveAttribute('aria-label', 'Sample 2 of 3');
	await page.keyboard.press('p');
	await expect(page.getByTestId('review-sample')).toContainText('Tidewatch was built in 2026 by the harbour office of Port Elin.');
	await page.goto('/generate/runs');
	await expect(page.getByTestId('run-row').filter({ hasText: 'Tidewatch Q&A' })).toContainText('The accepted facts of the run "Tidewatch facts" changed.');
	await expect(factsRow.getByTestId('run-status')).toHaveText('CURRENT');
	await page.goto(`/generate/runs/${factsRunId}`);
	const factsCalls = await callCounts(page);

	// Edit the identity document outside every field facts are read from (its list of identities
	// to deny): both runs that read it turn stale, with the reason.
	await page.goto('/generate/identity');
	await page.getByTestId('identity-item').filter({ hasText: 'Tidewatch' }).click();
	await page.getByTestId('identity-others-add').click();
	await page.getByTestId('identity-others').getByRole('textbox').last().fill('Harbourbot');
	await page.getByTestId('identity-save').click();
	await expect(page.getByTestId('identity-message')).toHaveText('Saved.');
	await page.goto('/generate/runs');
	const qaRow = page.getByTestId('run-row').filter({ hasText: 'Tidewatch Q&A' });
	await expect(qaRow.getByTestId('run-status')).toHaveText('STALE');
	await expect(qaRow).toContainText('Tidewatch');
	await expect(qaRow).toContainText('changed');

	await expect(qaRow).toContainText('The identity document "Tidewatch" changed.');
	await expect(factsRow.getByTestId('run-status')).toHaveText('STALE');
	await expect(factsRow).toContainText('The identity document "Tidewatch" changed.');

	// "Re-run stale" on the facts: no passage changed, so none is asked again and every review
	// decision stays (the edited fact included).
	await factsRow.getByRole('button', { name: 'Re-run stale' }).click();
	await expect(factsRow.getByTestId('run-status')).toHaveText('CURRENT', { timeout: 30_000 });
	// (5 facts: 3 from the narrative, 2 from the name and "I am" line, which stay pending.)
	await expect(factsRow.getByTestId('run-review-counts')).toHaveText(/2 pending\s*3 accepted\s*0 rejected/);
	// The Q&A run still reads the same accepted facts: stale for the identity only, never "0 records",
	// and no reason names a run by its id.
	await expect(qaRow.getByTestId('run-status')).toHaveText('STALE');
	await expect(qaRow).not.toContainText('0 records');
	await expect(qaRow).not.toContainText(factsRunId);
	await page.goto(`/generate/runs/${factsRunId}`);
	expect(await callCounts(page)).toEqual(factsCalls);
	await page.goto(`/generate/runs/${factsRunId}/review`);
	await page.getByRole('button', { name: /^Accepted \(3\)/ }).click();
	await expect(page.getByTestId('review-sample')).toContainText('Tidewatch was built in 2026 by the harbour office of Port Elin.');
	await page.goto('/generate/runs');

	// "Re-run stale" regenerates only what the change touched, then the run is current again.
	await qaRow.getByRole('button', { name: 'Re-run stale' }).click();
	await expect(qaRow.getByTestId('run-status')).toHaveText('CURRENT', { timeout: 30_000 });
});
