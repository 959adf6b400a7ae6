import { expect, test } from './fixtures';
import { chatLine, connectModelServer, dropFiles, waitForSample } from './helpers';
import { startModelServer } from '../model-server/server.mjs';

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

/**
 * An unlimited run over a dataset larger than its first block starts on that block and reads the
 * rest while it runs (the view says so), asks the model server once per entry, and ends current:
 * its manifest, built block by block, is the one its sources give.
 */
test('an unlimited run reads its dataset while it runs, asks once per entry, and ends current', async ({ page }) => {
	test.setTimeout(180_000);
	const ENTRIES_FED = 1_200;
	const api = await startModelServer({ model: 'keeper-1b', chunkDelayMs: 5 });
	try {
		await page.goto('/');
		await waitForSample(page);
		await dropFiles(page, [{ name: 'keeper-log.jsonl', text: Array.from({ length: ENTRIES_FED }, (_, i) => chatLine(i)).join('\n') }]);
		const report = page.getByTestId('import-report');
		await expect(report).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
		await report.getByRole('link', { name: /^Open/ }).click();
		await page.waitForURL(/\/datasets\/[^/]+$/);
		const datasetId = page.url().split('/').pop();
		await connectModelServer(page, api, 'keeper-1b');

		await page.goto(`/generate/runs/new?recipe=continuation&dataset=${datasetId}`);
		await page.getByRole('radio', { name: /Model server/ }).check();
		await page.getByLabel('Requests in flight').fill('8');
		await page.getByLabel('Run name').fill('Whole keeper log');
		await page.getByRole('button', { name: 'Start run' }).click();
		await expect(page.getByRole('heading', { name: 'Whole keeper log' })).toBeVisible();
		// Started on the first block: the rest is read while it runs.
		await expect(page.getByTestId('run-progress')).toContainText('(the rest are being read)');
		await expect(page.getByTestId('run-log')).toContainText('the rest of the inputs are read while it runs');

		await expect(page.getByTestId('run-state')).toHaveText('Done', { timeout: 150_000 });
		await expect(page.getByTestId('run-progress')).toContainText(`${ENTRIES_FED} of ${ENTRIES_FED} records`);
		await expect(page.getByTestId('run-progress')).not.toContainText('being read');
		// Each entry asked once (extending it takes two requests: the simulated user, then the answer):
		// no record asked twice, none left out.
		const asked = api.requests().filter((request) => request.path === '/v1/chat/completions');
		expect(asked).toHaveLength(2 * ENTRIES_FED);
		const questions = new Set(asked.map((request) => /question (\d+):/.exec(JSON.stringify(request.body))?.[1]));
		expect(questions.size).toBe(ENTRIES_FED);
		// Its manifest covers every entry: the run is current, not partial or stale.
		await expect(page.getByTestId('run-status')).toHaveText(/current/i);

		// The view lists a page of records and reads the next on demand, here and after a reload.
		const rows = page.getByTestId('run-record');
		await expect(rows).toHaveCount(100);
		await page.reload();
		await expect(rows).toHaveCount(100);
		const filter = page.getByRole('combobox', { name: 'Show records' });
		await expect(filter.locator('option[value="all"]')).toHaveText(`All (${ENTRIES_FED})`);
		await page.getByRole('button', { name: `Show 100 more of ${ENTRIES_FED - 100}` }).click();
		await expect(rows).toHaveCount(200);
		await expect(rows.nth(199)).toContainText('question 199:');
		await filter.selectOption('failed');
		await expect(rows).toHaveCount(0);
		await expect(page.getByText('No failed records.')).toBeVisible();
		await filter.selectOption('done');
		await expect(rows).toHaveCount(100);
		await expect(page.getByRole('button', { name: `Show 100 more of ${ENTRIES_FED - 100}` })).toBeVisible();
	} finally {
		await api.close();
	}
});
