/**
 * Generation-run figures for `npm run bench` (SPEC §8.2 / §10: the UI stays responsive during a
 * run): starts a rehearsal continuation run over the first `records` entries of the imported
 * dataset from the run form, waits on the run view (live events, progress, log) until it is done,
 * and reports records per second and the longest main-thread task seen meanwhile. The rehearsal
 * engine answers at once, so the figure is the runtime's own cost: dispatcher, persisting every
 * step, review rows and the page's live view.
 *
 * @param {import('@playwright/test').Page} page a page already on the app, with `window.__longest` kept by a long-task observer
 * @param {string} datasetId the imported dataset
 * @param {{ records?: number }} [options]
 * @returns {Promise<{ runRecordsPerS: number; runStartMs: number; runLongestMs: number }>}
 */
export async function benchRun(page, datasetId, { records = 500 } = {}) {
	await page.goto(new URL(`/generate/runs/new?recipe=continuation&dataset=${datasetId}`, page.url()).href);
	await page.getByRole('radio', { name: /Rehearsal/ }).check();
	await page.getByLabel('Only the first N records').fill(String(records));
	await page.getByLabel('Run name').fill('Bench run');
	await page.evaluate(() => { /** @type {any} */ (window).__longest = 0; });
	const start = Date.now();
	await page.getByRole('button', { name: 'Start run' }).click();
	await page.getByRole('heading', { name: 'Bench run' }).waitFor({ timeout: 300_000 });
	const runStartMs = Date.now() - start;
	const running = Date.now();
	await page.getByTestId('run-state').filter({ hasText: 'Done' }).waitFor({ timeout: 600_000 });
	const seconds = (Date.now() - running) / 1000;
	const runLongestMs = await page.evaluate(() => /** @type {any} */ (window).__longest);
	return { runRecordsPerS: records / seconds, runStartMs, runLongestMs };
}
