import { expect, test } from './fixtures';
import { chatLine, dropFiles, waitForSample } from './helpers';

/**
 * Runs start at once at any scale: a run limited to the first N records of a large dataset reads
 * only those (not every entry before the limit is applied), so its view appears within seconds
 * whatever the dataset's size; it runs exactly N records and is marked partial.
 */
const ENTRIES = 40_000;
/** Loose for a loaded 2-CPU machine: reading and preparing all 40k entries first took far longer. */
const START_WITHIN_MS = 4_000;

test('a run limited to 30 records of a 40k-entry dataset starts within seconds and runs only those', async ({ page }) => {
	test.setTimeout(180_000);
	await page.goto('/');
	await waitForSample(page);
	const lines = Array.from({ length: ENTRIES }, (_, i) => chatLine(i)).join('\n');
	await dropFiles(page, [{ name: 'keeper-big.jsonl', text: lines }]);
	const report = page.getByTestId('import-report');
	await expect(report).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
	await expect(report).toContainText(`Imported ${ENTRIES.toLocaleString('en')} entries`);
	await report.getByRole('link', { name: /^Open/ }).click();
	await page.getByTestId('entry-row').filter({ hasNotText: 'Loading' }).first().waitFor();
	const datasetId = page.url().split('/').pop();

	await page.goto(`/generate/runs/new?recipe=continuation&dataset=${datasetId}`);
	await page.getByRole('radio', { name: /Rehearsal/ }).check();
	await page.getByLabel('Only the first N records').fill('30');
	await page.getByLabel('Run name').fill('Big dataset, first 30');
	const start = Date.now();
	await page.getByRole('button', { name: 'Start run' }).click();
	await expect(page.getByRole('heading', { name: 'Big dataset, first 30' })).toBeVisible({ timeout: 60_000 });
	expect(Date.now() - start).toBeLessThan(START_WITHIN_MS);

	await expect(page.getByTestId('run-state')).toHaveText('Done', { timeout: 60_000 });
	await expect(page.getByTestId('run-progress')).toContainText('30 of 30 records');
	// The run covers its first 30 records and says it is partial.
	await expect(page.getByTestId('run-status')).toHaveText(/partial/i);
	await expect(page.getByTestId('run-status-reasons')).toContainText('Limited to the first 30 records.');
});
