/**
 * Analysis figures for `npm run bench` (SPEC §5 / §10): opens the analysis page of an imported
 * dataset and reads how long the worker took to count tokens (o200k_base, the default) and to
 * find near-duplicate conversations (MinHash/LSH at 0.8), from the page's data attributes, which
 * carry the worker's own durations (block reads included, page rendering excluded).
 *
 * @param {import('@playwright/test').Page} page a page already on the app, with the dataset imported
 * @param {string} datasetId
 * @returns {Promise<{ nearDup100kMs: number, tokenize100kMs: number }>}
 */
export async function benchAnalysis(page, datasetId) {
	// A fresh choice: the default tokenizer, remembered per browser.
	await page.evaluate(() => localStorage.removeItem('skein.analysis.tokenizer'));
	await page.goto(new URL(`/datasets/${datasetId}/analysis`, page.url()).href);
	const view = page.getByTestId('analysis-view');
	await view.waitFor({ timeout: 120_000 });
	const read = async (/** @type {string} */ name) => {
		const handle = await page.waitForFunction(
			(attribute) => {
				const value = document.querySelector('[data-testid=analysis-view]')?.getAttribute(attribute);
				return value ? Number(value) : null;
			},
			name,
			{ timeout: 600_000, polling: 250 }
		);
		return /** @type {number} */ (await handle.jsonValue());
	};
	const [tokenize100kMs, nearDup100kMs] = await Promise.all([read('data-tokens-ms'), read('data-duplicates-ms')]);
	return { nearDup100kMs, tokenize100kMs };
}
