import { expect, test } from './fixtures';
import { chatLine, dropFiles, waitForSample } from './helpers';

/**
 * Review at scale: thousands of samples are accepted in one step (one write, not one per sample)
 * and that step is undone, without the page freezing; keyboard review goes on afterwards.
 */
const ENTRIES = 2_000;
/** Loose for a loaded 2-CPU machine; one write per sample took far longer. */
const DECIDE_WITHIN_MS = 8_000;

test('accept all 2,000 shown samples in one step, undo it, and keep reviewing with the keyboard', async ({ page }) => {
	test.setTimeout(240_000);
	await page.goto('/');
	await waitForSample(page);
	await dropFiles(page, [{ name: 'keeper-2k.jsonl', text: Array.from({ length: ENTRIES }, (_, i) => chatLine(i)).join('\n') }]);
	const report = page.getByTestId('import-report');
	await expect(report).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
	await report.getByRole('link', { name: /^Open/ }).click();
	await page.waitForURL(/\/datasets\/[^/]+$/);
	const datasetId = page.url().split('/').pop();

	await page.goto(`/generate/runs/new?recipe=continuation&dataset=${datasetId}`);
	await page.getByRole('radio', { name: /Rehearsal/ }).check();
	await page.getByLabel('Run name').fill('Two thousand');
	await page.getByRole('button', { name: 'Start run' }).click();
	await expect(page.getByTestId('run-state')).toHaveText('Done', { timeout: 180_000 });
	await page.getByRole('link', { name: 'Review samples →' }).click();
	const counts = page.getByTestId('review-counts');
	await expect(counts).toHaveText(`${ENTRIES} pending · 0 accepted · 0 rejected`, { timeout: 30_000 });
	// A record list of thousands is a number field, not a select of thousands.
	await expect(page.getByTestId('narrow-record-number')).toBeVisible();
	await expect(page.getByTestId('review-shown')).toHaveText(`${ENTRIES} shown`);

	const started = Date.now();
	await page.getByTestId('bulk-accept').click();
	await page.getByTestId('bulk-confirm').click();
	await expect(counts).toHaveText(`0 pending · ${ENTRIES} accepted · 0 rejected`);
	await expect(page.getByTestId('bulk-note')).toHaveText(`Accepted ${ENTRIES} samples.`);
	expect(Date.now() - started).toBeLessThan(DECIDE_WITHIN_MS);
	// Stored: a reload reads them accepted.
	await page.reload();
	await expect(counts).toHaveText(`0 pending · ${ENTRIES} accepted · 0 rejected`, { timeout: 30_000 });

	// Undo lives with the page that made the step: decide again, then undo.
	await page.getByRole('button', { name: /^Accepted/ }).click();
	await page.getByTestId('narrow-record-number').fill('7');
	await page.getByTestId('narrow-record-number').press('Enter');
	await expect(page.getByTestId('review-shown')).toHaveText('1 shown');
	await page.getByTestId('narrow-record-number').fill('');
	await page.getByTestId('narrow-record-number').press('Enter');
	await page.getByTestId('bulk-reject').click();
	await page.getByTestId('bulk-confirm').click();
	await expect(counts).toHaveText(`0 pending · 0 accepted · ${ENTRIES} rejected`);
	const undone = Date.now();
	await page.getByTestId('bulk-undo').click();
	await expect(counts).toHaveText(`0 pending · ${ENTRIES} accepted · 0 rejected`);
	// Stored once the page says so (the worker's count of rows it changed).
	await expect(page.getByTestId('bulk-note')).toHaveText(`Undone: Reject ${ENTRIES} shown samples (${ENTRIES} restored).`);
	expect(Date.now() - undone).toBeLessThan(DECIDE_WITHIN_MS);

	// Keyboard review goes on: reject the one shown.
	await page.getByRole('button', { name: /^All/ }).click();
	await page.keyboard.press('r');
	await expect(counts).toHaveText(`0 pending · ${ENTRIES - 1} accepted · 1 rejected`);
	await page.reload();
	await expect(counts).toHaveText(`0 pending · ${ENTRIES - 1} accepted · 1 rejected`, { timeout: 30_000 });
});
