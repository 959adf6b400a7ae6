/**
 * Chat-template figures for `npm run bench` (issue 15), on the imported 100k bench dataset with
 * the Qwen3 template as its training target:
 *
 * - template_analysis_100k_s: the Analysis page's figures under the target (every entry rendered,
 *   tokenized, its trained spans found) from opening the page until they are shown.
 * - template_render_tokenize_100k_s: Analysis → "Render speed" → Measure: every entry read,
 *   rendered under the template and tokenized on the counting workers, wall clock (the tokenizer
 *   is loaded first and not counted).
 * - template_worker_render_tokenize_s, template_worker_tokenizer_alone_s, template_render_tokenize_ratio:
 *   a second pass in the same run timing, in each worker and per chunk, render+tokenize against
 *   the tokenizer alone on the very texts it rendered (summed over workers); the ratio's goal is ≤ 2.
 * - template_longest_main_thread_task_ms: the longest main-thread task (PerformanceObserver
 *   'longtask') while the page waited for the measurement (goal < 100 ms).
 *
 * The target is written into the dataset's row in IndexedDB, as the target picker saves it.
 * `node scripts/bench/templates.mjs` runs only these (env: BENCH_LINES, BENCH_REPS, BENCH_SKIP_BUILD=1).
 */
import { pathToFileURL } from 'node:url';

export const QWEN_TARGET = { template: { kind: 'family', family: 'qwen3' }, maxSeqLen: 2048, lossMode: 'assistant-only' };

/**
 * Sets a dataset's training target in the page's database (the `skein` IndexedDB, `datasets` store).
 * @param {import('@playwright/test').Page} page
 * @param {string} datasetId
 * @param {unknown} target
 */
export async function setTargetInPage(page, datasetId, target) {
	await page.evaluate(
		([id, value]) =>
			new Promise((resolve, reject) => {
				const open = indexedDB.open('skein');
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const db = open.result;
					const tx = db.transaction('datasets', 'readwrite');
					const store = tx.objectStore('datasets');
					const get = store.get(id);
					get.onsuccess = () => store.put({ ...get.result, templateTarget: value, updatedAt: Date.now() });
					tx.oncomplete = () => {
						db.close();
						resolve(undefined);
					};
					tx.onerror = () => reject(tx.error);
				};
			}),
		[datasetId, target]
	);
}

/**
 * From any page of the app: sets the Qwen3 target, opens Analysis, waits for the figures under
 * the template, then measures the render speed.
 * @param {import('@playwright/test').Page} page
 * @param {string} baseUrl
 * @param {string} datasetId
 */
export async function benchTemplates(page, baseUrl, datasetId) {
	await setTargetInPage(page, datasetId, QWEN_TARGET);
	const start = Date.now();
	await page.goto(`${baseUrl}/datasets/${datasetId}/analysis`);
	await page.getByTestId('template-total').waitFor({ timeout: 1_800_000 });
	const analysisMs = Date.now() - start;
	await page.waitForFunction(() => document.querySelector('[data-testid=analysis-view]')?.getAttribute('data-busy') === 'false', null, { timeout: 600_000, polling: 200 });
	await page.evaluate(() => {
		const w = /** @type {any} */ (window);
		w.__templateLongest = 0;
		new PerformanceObserver((list) => {
			for (const entry of list.getEntries()) w.__templateLongest = Math.max(w.__templateLongest, entry.duration);
		}).observe({ type: 'longtask', buffered: false });
	});
	await page.locator('details.speed > summary').click();
	await page.getByTestId('template-speed-measure').click();
	const speed = page.getByTestId('template-speed');
	await speed.waitFor({ timeout: 1_800_000 });
	const attr = async (/** @type {string} */ name) => Number(await speed.getAttribute(name));
	return {
		templateAnalysisMs: analysisMs,
		renderTokenizeS: await attr('data-render-tokenize-s'),
		workerRenderTokenizeMs: await attr('data-worker-render-tokenize-ms'),
		workerTokenizerMs: await attr('data-worker-tokenizer-ms'),
		longestMs: await page.evaluate(() => /** @type {any} */ (window).__templateLongest)
	};
}

/** The bench lines of these figures. */
export function templateBenchLines(label, { templateAnalysisMs, renderTokenizeS, workerRenderTokenizeMs, workerTokenizerMs, longestMs }) {
	return [
		`template_analysis_${label}_s: ${(templateAnalysisMs / 1000).toFixed(2)}`,
		`template_render_tokenize_${label}_s: ${renderTokenizeS.toFixed(2)}`,
		`template_worker_render_tokenize_s: ${(workerRenderTokenizeMs / 1000).toFixed(2)}`,
		`template_worker_tokenizer_alone_s: ${(workerTokenizerMs / 1000).toFixed(2)}`,
		`template_render_tokenize_ratio: ${(workerRenderTokenizeMs / workerTokenizerMs).toFixed(2)}`,
		`template_longest_main_thread_task_ms: ${longestMs.toFixed(0)}`
	];
}

async function standalone() {
	const { launchBenchBrowser, importAndOpen, prepareStandaloneBench } = await import('./browser.mjs');
	const { startStaticServer } = await import('../static-server.mjs');
	const reps = Number(process.env.BENCH_REPS ?? 1);
	const { label, dataFile } = prepareStandaloneBench();
	const server = await startStaticServer({ port: 0 });
	const runs = [];
	try {
		for (let rep = 0; rep < reps; rep++) {
			const { page, close } = await launchBenchBrowser('skein-bench-templates-');
			try {
				const datasetId = await importAndOpen(page, server.url, dataFile);
				const figures = await benchTemplates(page, server.url, datasetId);
				console.log(`rep ${rep + 1}: ${JSON.stringify(figures)}`);
				runs.push(figures);
			} finally {
				await close();
			}
		}
	} finally {
		await server.close();
	}
	const median = (/** @type {number[]} */ values) => [...values].sort((a, b) => a - b)[values.length >> 1];
	const m = (/** @type {string} */ key) => median(runs.map((r) => r[key]));
	for (const line of templateBenchLines(label, { templateAnalysisMs: m('templateAnalysisMs'), renderTokenizeS: m('renderTokenizeS'), workerRenderTokenizeMs: m('workerRenderTokenizeMs'), workerTokenizerMs: m('workerTokenizerMs'), longestMs: m('longestMs') })) console.log(line);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await standalone();
