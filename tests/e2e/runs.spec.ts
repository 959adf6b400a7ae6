import { expect, test } from './fixtures';
import { chunkedRunFormForWren, waitForSample } from './helpers';

/**
 * The generation runs journey on the rehearsal engine (no model): start a run from the form, watch
 * it finish, review its samples with the keyboard and add the accepted ones to a new dataset.
 */
test('rehearsal run: start from the form, finish, review with the keyboard, accept into a new dataset', async ({ page }) => {
	await page.goto('/');
	await waitForSample(page);
	await page.getByRole('link', { name: 'Generate' }).click();
	await page.getByRole('navigation', { name: 'Data Generation' }).getByRole('link', { name: 'Runs' }).click();
	await expect(page.getByRole('heading', { name: 'Runs', exact: true })).toBeVisible();
	await expect(page.getByTestId('runs-empty')).toBeVisible();
	await page.getByRole('link', { name: 'Start a run' }).click();

	// Continue the sample dataset's conversations by one exchange, first 4 entries only.
	await page.getByRole('radio', { name: /Continue or regenerate/ }).check();
	await page.getByLabel('Dataset', { exact: true }).selectOption({ label: 'Sample · Mara, the lighthouse keeper (26 entries)' });
	await page.getByRole('radio', { name: /Rehearsal/ }).check();
	// A required field left empty is named beside it; nothing starts.
	await page.getByLabel('max_tokens').fill('');
	await page.getByRole('button', { name: 'Start run' }).click();
	await expect(page.locator('#run-max-tokens-error')).toHaveText('max_tokens is required.');
	await page.getByLabel('max_tokens').fill('400');
	await page.getByLabel('Only the first N records').fill('4');
	await page.getByLabel('Run name').fill('Mara continued');
	await page.getByRole('button', { name: 'Start run' }).click();

	// The run view: it finishes, is PARTIAL (limited) and lists its records.
	await expect(page.getByRole('heading', { name: 'Mara continued' })).toBeVisible();
	await expect(page.getByTestId('run-state')).toHaveText('Done');
	await expect(page.getByTestId('run-progress')).toContainText('4 of 4 records');
	await expect(page.getByTestId('run-status')).toHaveText('PARTIAL');
	await expect(page.getByTestId('run-status-reasons')).toContainText('Limited to the first 4 records.');
	await expect(page.getByTestId('run-record')).toHaveCount(4);
	await expect(page.getByTestId('run-log')).not.toContainText('Nothing logged yet.');
	// A record opens on its steps: the request sent and the reply, as text.
	await page.getByTestId('run-record').first().getByRole('button').first().click();
	await expect(page.getByTestId('record-detail')).toContainText('Step 1');
	await expect(page.getByRole('button', { name: 'Pause run' })).toHaveCount(0);

	// The list shows it with its review counts.
	await page.getByRole('link', { name: '← Runs' }).click();
	const row = page.getByTestId('run-row').filter({ hasText: 'Mara continued' });
	await expect(row.getByTestId('run-status')).toHaveText('PARTIAL');
	await expect(row.getByTestId('run-review-counts')).toContainText('0 accepted');
	await row.getByRole('link', { name: 'Review' }).click();

	// Review: A accepts (and moves on), R rejects, P goes back.
	await expect(page.getByRole('heading', { name: 'Review samples' })).toBeVisible();
	const counts = page.getByTestId('review-counts');
	await expect(page.getByTestId('review-sample')).toContainText('rehearsal');
	await expect(counts).toContainText('0 accepted');
	const pending = Number((await counts.textContent())?.match(/(\d+) pending/)?.[1]);
	expect(pending).toBeGreaterThanOrEqual(4);
	await page.keyboard.press('a');
	await expect(counts).toContainText('1 accepted');
	await page.keyboard.press('a');
	await expect(counts).toContainText('2 accepted');
	await page.keyboard.press('r');
	await expect(counts).toContainText('1 rejected');
	await expect(counts).toContainText(`${pending - 3} pending`);

	// E edits the current sample; the edit is kept and accepted with "Save and accept".
	await page.keyboard.press('e');
	await page.locator('.editor textarea').last().fill('Edited by the reviewer: the lamp is lit.');
	await page.getByRole('button', { name: 'Save and accept' }).click();
	await expect(counts).toContainText('3 accepted');
	// The "Rejected" filter shows the rejected one.
	await page.getByRole('button', { name: /^Rejected/ }).click();
	await expect(page.getByTestId('sample-review')).toHaveText('rejected');
	await page.getByRole('button', { name: /^Pending/ }).click();
	const accepted = 3;

	// The accepted ones go into a new dataset; the checklist follows.
	await page.getByTestId('accept-new-name').fill('Continued by rehearsal');
	await page.getByTestId('accept-into').click();
	await expect(page.getByTestId('accept-outcome')).toContainText(`Added ${accepted} entries to`);
	await expect(page.getByTestId('accept-checklist')).toContainText('At least 1,000 entries for identity work');
	await expect(page.getByTestId('accept-checklist')).toContainText('No rehearsal samples');
	await expect(page.getByTestId('accept-into')).toHaveText('Add 0 accepted to dataset');

	await page.getByTestId('accept-dataset-link').click();
	await expect(page.getByTestId('entry-row')).toHaveCount(accepted);
	// The reviewer's edit is what went in.
	await page.getByTestId('entry-search').fill('Edited by the reviewer');
	await expect(page.getByTestId('entry-row')).toHaveCount(1);
});

test('facts are reviewed like samples and feed a questions-and-answers run', async ({ page }) => {
	await page.goto('/generate/identity');
	await page.getByTestId('identity-new-name').fill('Greyhaven Keeper');
	await page.getByTestId('identity-new').click();
	await page.getByTestId('identity-narrative').fill(
		'I was built in 2026 from the logbooks of the Greyhaven lighthouse.\n\nI keep the lamp lit from dusk to dawn, and I log every ship that passes the point.\n\nI was never trained to pretend to be anyone else.'
	);
	await page.getByTestId('identity-save').click();
	await expect(page.getByTestId('identity-message')).toHaveText('Saved.');
	await page.getByTestId('identity-augment').click();

	// The form arrives with the recipe and the identity chosen.
	await expect(page.getByRole('radio', { name: /Identity facts/ })).toBeChecked();
	await expect(page.getByLabel('Identity', { exact: true })).toHaveValue(/.+/);
	await page.getByRole('radio', { name: /Rehearsal/ }).check();
	await page.getByRole('button', { name: 'Start run' }).click();
	await expect(page.getByTestId('run-state')).toHaveText('Done');
	await page.getByRole('link', { name: 'Review samples →' }).click();

	await expect(page.getByRole('heading', { name: 'Review facts' })).toBeVisible();
	await expect(page.getByTestId('review-sample')).toBeVisible();
	// No dataset for facts: the next step is a questions-and-answers run.
	await expect(page.getByTestId('accept-into')).toHaveCount(0);
	await page.keyboard.press('a');
	await expect(page.getByTestId('review-counts')).toContainText('1 accepted');
	await page.keyboard.press('a');
	await expect(page.getByTestId('review-counts')).toContainText('2 accepted');
	await expect(page.getByTestId('facts-next')).toHaveText('Generate questions and answers from 2 accepted facts');
	await page.getByTestId('facts-next').click();

	await expect(page.getByRole('radio', { name: /Identity questions and answers/ })).toBeChecked();
	await expect(page.getByLabel('Facts from run')).toHaveValue(/.+/);
	await page.getByRole('radio', { name: /Rehearsal/ }).check();
	await page.getByRole('button', { name: 'Start run' }).click();
	await expect(page.getByTestId('run-state')).toHaveText('Done');
	// Two accepted facts, one record each.
	await expect(page.getByTestId('run-record')).toHaveCount(2);
});

test('a paced rehearsal run pauses and resumes; failed records are listed and retried alone', async ({ page }) => {
	await page.goto('/');
	await waitForSample(page);
	await page.goto('/generate/runs/new?recipe=continuation');
	await page.getByLabel('Dataset', { exact: true }).selectOption({ label: 'Sample · Mara, the lighthouse keeper (26 entries)' });
	await page.getByRole('radio', { name: /Rehearsal/ }).check();
	await page.getByText('Rehearsal pace and failures').click();
	await page.getByLabel('Answer delay (ms)').fill('300');
	await page.getByLabel('Only the first N records').fill('8');
	await page.getByLabel('Run name').fill('Paced');
	await page.getByRole('button', { name: 'Start run' }).click();

	await expect(page.getByTestId('run-state')).toHaveText('Running');
	await page.getByRole('button', { name: 'Pause run' }).click();
	await expect(page.getByTestId('run-state')).toHaveText('Paused');
	const progress = await page.getByTestId('run-progress').textContent();
	expect(progress).not.toContain('8 of 8');
	await page.getByRole('button', { name: 'Resume run' }).click();
	await expect(page.getByTestId('run-state')).toHaveText('Done', { timeout: 30_000 });
	await expect(page.getByTestId('run-progress')).toContainText('8 of 8 records');

	// Every request fails (a 503, retried, then given up): records fail with their steps kept; "Retry failed only" runs them again.
	await page.goto('/generate/runs/new?recipe=continuation');
	await page.getByLabel('Dataset', { exact: true }).selectOption({ label: 'Sample · Mara, the lighthouse keeper (26 entries)' });
	await page.getByRole('radio', { name: /Rehearsal/ }).check();
	await page.getByText('Rehearsal pace and failures').click();
	await page.getByLabel('Fail every Nth request').fill('1');
	await page.getByLabel('Only the first N records').fill('2');
	// Another seed: the first run's answers are in the response cache and would be served from it.
	await page.getByLabel('Seed', { exact: true }).fill('7');
	await page.getByRole('button', { name: 'Start run' }).click();
	await expect(page.getByTestId('run-state')).toHaveText('Done', { timeout: 30_000 });
	await expect(page.getByTestId('run-progress')).toContainText('2 failed');
	await page.getByRole('combobox').selectOption('failed');
	const failed = page.locator('[data-testid="run-record"][data-state="failed"]');
	await expect(failed).toHaveCount(2);
	await failed.first().getByRole('button').first().click();
	await expect(page.getByTestId('record-detail')).toContainText('Step 1');
	const logLines = await page.getByTestId('run-log').locator('li').count();
	await page.getByRole('button', { name: 'Retry failed only (2)' }).click();
	await expect.poll(() => page.getByTestId('run-log').locator('li').count()).toBeGreaterThan(logLines);
	await expect(page.getByTestId('run-log')).toContainText(/Finished: 0 done, 2 failed[\s\S]*Started on Rehearsal \(test engine\): 2 records to run/);
});

test('a judge step marks low-scoring samples without deleting them; review can show only those', async ({ page }) => {
	await page.goto('/');
	await waitForSample(page);
	await page.goto('/generate/runs/new?recipe=continuation');
	await page.getByLabel('Dataset', { exact: true }).selectOption({ label: 'Sample · Mara, the lighthouse keeper (26 entries)' });
	await page.getByRole('radio', { name: /Rehearsal/ }).check();
	await page.getByRole('checkbox', { name: /Score every sample with a judge prompt/ }).check();
	await page.getByLabel('Threshold (1–10)').fill('7');
	await page.getByLabel('Only the first N records').fill('6');
	await page.getByLabel('Run name').fill('Judged');
	await page.getByRole('button', { name: 'Start run' }).click();
	await expect(page.getByTestId('run-state')).toHaveText('Done');
	await page.getByRole('link', { name: 'Review samples →' }).click();

	const below = page.getByRole('button', { name: /^Below judge threshold/ });
	const count = Number((await below.textContent())?.match(/\((\d+)\)/)?.[1]);
	const total = Number((await page.getByRole('button', { name: /^All/ }).textContent())?.match(/\((\d+)\)/)?.[1]);
	// Marked, not deleted: every sample is still in the queue.
	expect(total).toBe(6);
	expect(count).toBeGreaterThan(0);
	expect(count).toBeLessThan(total);
	await below.click();
	await expect(page.getByTestId('judge')).toContainText('below 7');
	// Rejecting from this view keeps the sample in it (the filter is the score, not the state).
	await page.keyboard.press('r');
	await expect(page.getByTestId('review-counts')).toContainText('1 rejected');
	await expect(below).toHaveText(`Below judge threshold (${count})`);
});

test('a chunked rehearsal run on the ticked chunks only: the form sends the subset and every sample comes from it', async ({ page }) => {
	// Ticking chunks used to make the start fail with "could not be cloned" (the ticked ids were a
	// live $state array handed to the worker).
	test.setTimeout(90_000);
	await page.goto('/');
	await waitForSample(page);
	// A short run: 2 entries per iteration, 1 iteration, per chunk.
	await chunkedRunFormForWren(page, { entries: 2, iterations: 1 });

	// Tick the second and fourth of the five chunks.
	const chunkBoxes = page.getByRole('group', { name: /Chunks/ }).getByRole('checkbox');
	await expect(chunkBoxes).toHaveCount(5);
	const titleOf = async (i: number) => ((await page.getByRole('group', { name: /Chunks/ }).locator('label').nth(i).locator('span').first().textContent()) ?? '').replace(/^\d+\.\s*/, '').trim();
	const titles = await Promise.all([0, 1, 2, 3, 4].map(titleOf));
	const ticked = [titles[1], titles[3]];
	expect(new Set(titles).size).toBe(5);
	await chunkBoxes.nth(1).check();
	await chunkBoxes.nth(3).check();
	await expect(chunkBoxes.nth(1)).toBeChecked();
	await expect(chunkBoxes.nth(3)).toBeChecked();
	await page.getByRole('radio', { name: /Rehearsal/ }).check();
	await page.getByLabel('Run name').fill('Wren, two chunks');
	await page.getByRole('button', { name: 'Start run' }).click();

	// It starts (no error on the form) and finishes with one record per ticked chunk.
	await expect(page.getByRole('heading', { name: 'Wren, two chunks' })).toBeVisible();
	await expect(page.getByTestId('run-state')).toHaveText('Done', { timeout: 30_000 });
	await expect(page.getByTestId('run-progress')).toContainText('2 of 2 records');
	await expect(page.getByTestId('run-progress')).toContainText('4 samples');
	await expect(page.getByTestId('run-record')).toHaveCount(2);

	// Every sample names a ticked chunk as its source.
	await page.getByRole('link', { name: 'Review samples →' }).click();
	const counts = page.getByTestId('review-counts');
	await expect(counts).toContainText('4 pending');
	const sources: string[] = [];
	for (let i = 0; i < 4; i++) {
		const sample = page.getByTestId('review-sample');
		await expect(sample).toHaveAttribute('aria-label', `Sample ${i + 1} of 4`);
		const chunkTitle = sample.locator('dl.meta div').filter({ has: page.locator('dt', { hasText: /^chunkTitle$/ }) }).locator('dd');
		sources.push(((await chunkTitle.textContent()) ?? '').trim());
		await page.keyboard.press('n');
	}
	expect(sources.every((title) => ticked.includes(title))).toBe(true);
	expect(new Set(sources)).toEqual(new Set(ticked));
});
