/**
 * Analysis and cold-search figures for `npm run bench` (SPEC §5 / §10, issue 14):
 *
 * - analysis_100k_s: from the click on "Analysis" (entry browser of the imported dataset) until
 *   every figure the page computes is shown: counts, token totals (o200k_base, the default),
 *   duplicate clusters and the near-duplicate prompt share (read from the page's DOM, not from
 *   the worker's own timers).
 * - analysis_core_node_s: the same core algorithms (structure, tokens, near-duplicate
 *   conversations and prompts) in Node over the same file, timed by
 *   src/lib/core/analysis/analysis-core.bench.test.ts in this run.
 * - analysis_100k_ratio: the first over the second (goal ≤ 2).
 * - search_100k_cold_ms: the first search typed right after the dataset opens (minus the 200 ms
 *   input debounce); search_100k_ms: a second search.
 *
 * `node scripts/bench/analysis.mjs` runs only these (it imports the bench file first; env:
 * BENCH_LINES, BENCH_REPS, BENCH_SKIP_BUILD=1 as for `npm run bench`).
 */
import { execSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

/**
 * Clicks the entry browser's "Analysis" link and waits until every figure is on the page.
 * @param {import('@playwright/test').Page} page a page on the dataset's entry browser
 * @returns {Promise<{ analysisMs: number, structureMs: number }>}
 */
export async function benchAnalysis(page) {
	// A fresh choice: the default tokenizer, remembered per browser.
	await page.evaluate(() => localStorage.removeItem('skein.analysis.tokenizer'));
	const start = Date.now();
	await page.getByTestId('open-analysis').click();
	await page.getByTestId('analysis-counts').waitFor({ timeout: 600_000 });
	const structureMs = Date.now() - start;
	await page.waitForFunction(
		() => {
			const view = document.querySelector('[data-testid=analysis-view]');
			if (!view || view.getAttribute('data-busy') !== 'false') return false;
			const tokens = document.querySelector('[data-testid=token-total]')?.textContent?.trim();
			const duplicates = document.querySelector('[data-testid=dup-summary], [data-testid=dup-none]');
			const diversity = document.querySelector('[data-testid=prompt-diversity]')?.textContent ?? '';
			return !!tokens && tokens !== '…' && !!duplicates && diversity !== '' && !diversity.includes('still measuring');
		},
		null,
		{ timeout: 600_000, polling: 100 }
	);
	return { analysisMs: Date.now() - start, structureMs };
}

/**
 * The first search after opening (the page must have just shown the dataset's first page), and a
 * second one. Each is timed from typing to the count of matches, minus the input debounce.
 * @param {import('@playwright/test').Page} page
 */
export async function benchSearch(page) {
	const searchOnce = async (/** @type {string} */ query) => {
		const t = Date.now();
		await page.getByTestId('entry-search').fill(query);
		await page.getByTestId('search-count').filter({ hasText: 'found' }).waitFor({ timeout: 120_000 });
		return Date.now() - t - 200; // minus the input debounce
	};
	const searchColdMs = await searchOnce('lighthouse keeper');
	await page.getByTestId('entry-search').fill('');
	await page.getByTestId('search-count').waitFor({ state: 'detached' });
	const searchWarmMs = await searchOnce('kettle tea');
	await page.getByTestId('entry-search').fill('');
	await page.getByTestId('search-count').waitFor({ state: 'detached' });
	return { searchColdMs, searchWarmMs };
}

/**
 * The analysis page's core algorithms in Node over `dataFile` (a child process running the
 * bench test), in ms.
 * @param {string} dataFile
 */
export function analysisCoreNodeMs(dataFile) {
	const out = execSync('npx vitest run src/lib/core/analysis/analysis-core.bench.test.ts', {
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'ignore'],
		env: { ...process.env, ANALYSIS_BENCH_FILE: dataFile },
		maxBuffer: 16 * 1024 * 1024
	});
	const line = out.match(/analysis core: (\d+) ms \(([^)]*)\)/);
	if (!line) throw new Error(`the analysis core benchmark printed no figure:\n${out.slice(-2000)}`);
	return { ms: Number(line[1]), detail: line[2] };
}

/** The bench lines of these figures. */
export function analysisBenchLines(label, { analysisMs, coreMs, searchColdMs, searchWarmMs }) {
	const lines = [];
	if (searchColdMs !== undefined) lines.push(`search_${label}_cold_ms: ${searchColdMs.toFixed(0)}`, `search_${label}_ms: ${searchWarmMs.toFixed(0)}`);
	lines.push(`analysis_${label}_s: ${(analysisMs / 1000).toFixed(2)}`, `analysis_core_node_s: ${(coreMs / 1000).toFixed(2)}`, `analysis_${label}_ratio: ${(analysisMs / coreMs).toFixed(2)}`);
	return lines;
}

async function standalone() {
	const { launchBenchBrowser, prepareStandaloneBench } = await import('./browser.mjs');
	const { startStaticServer } = await import('../static-server.mjs');
	const reps = Number(process.env.BENCH_REPS ?? 1);
	const { label, dataFile } = prepareStandaloneBench();
	const server = await startStaticServer({ port: 0 });
	const runs = [];
	try {
		for (let rep = 0; rep < reps; rep++) {
			const { page, close } = await launchBenchBrowser('skein-bench-analysis-');
			try {
				await page.goto(server.url);
				await page.getByTestId('dataset-row').first().waitFor({ timeout: 30_000 });
				await page.setInputFiles('[data-testid=file-input]', dataFile);
				const report = page.locator('[data-testid=import-report]');
				await report.waitFor({ timeout: 600_000 });
				const importMs = Number(await report.getAttribute('data-duration-ms'));
				await report.getByRole('link', { name: /^Open/ }).click();
				await page.getByTestId('entry-row').filter({ hasNotText: 'Loading' }).first().waitFor();
				const search = await benchSearch(page);
				const analysis = await benchAnalysis(page);
				const core = analysisCoreNodeMs(dataFile);
				console.log(`rep ${rep + 1}: import ${importMs} ms; search cold ${search.searchColdMs} ms, warm ${search.searchWarmMs} ms; analysis ${analysis.analysisMs} ms (structure shown at ${analysis.structureMs} ms); core ${core.ms} ms (${core.detail})`);
				runs.push({ ...search, ...analysis, coreMs: core.ms });
			} finally {
				await close();
			}
		}
	} finally {
		await server.close();
	}
	const median = (key) => [...runs.map((r) => r[key])].sort((a, b) => a - b)[Math.floor(runs.length / 2)];
	for (const line of analysisBenchLines(label, { analysisMs: median('analysisMs'), coreMs: median('coreMs'), searchColdMs: median('searchColdMs'), searchWarmMs: median('searchWarmMs') })) console.log(line);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await standalone();
