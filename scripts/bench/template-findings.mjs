/**
 * Template findings figures (issue 15): validating a dataset whose training target is set, in the
 * app's data worker, read from the validation panel's own timer (`data-duration-ms`, the worker's
 * validate call from the first block read to the stored report).
 *
 * - template_findings_validate_{label}_cold_ms: the first validation under the target (Qwen3,
 *   max_seq_len 1,024): the Qwen tokenizer's vocabulary is loaded in the worker first.
 * - template_findings_validate_{label}_ms: validating again, nothing changed (the findings are
 *   remembered by conversation content: what the panel does after a repair).
 * - template_findings_validate_{label}_8k_ms: the first validation with max_seq_len 8,192
 *   (vocabulary already loaded): renders shorter in bytes than that are never tokenized (most of
 *   this file's), so this is mostly rendering and comparing.
 * - validate_{label}_without_target_ms: the same profile on the same dataset with no target (the
 *   template rules say nothing and load nothing).
 * - template_findings_longest_task_ms: the longest main-thread task meanwhile (the work is in the worker).
 *
 * Run alone with `node scripts/bench/template-findings.mjs` (BENCH_LINES=10000 by default here;
 * BENCH_SKIP_BUILD=1 reuses a build), or from scripts/bench.mjs with a page on the dataset.
 */
import { fileURLToPath } from 'node:url';

/**
 * Writes the dataset row's training target as the app stores it (raw IndexedDB) and reloads.
 * @param {import('@playwright/test').Page} page
 * @param {string} datasetId
 * @param {unknown} target
 */
async function setTarget(page, datasetId, target) {
	await page.evaluate(
		async ({ datasetId, target }) => {
			const db = await new Promise((resolve, reject) => {
				const open = indexedDB.open('skein');
				open.onsuccess = () => resolve(open.result);
				open.onerror = () => reject(open.error);
			});
			await new Promise((resolve, reject) => {
				const store = db.transaction('datasets', 'readwrite').objectStore('datasets');
				const read = store.get(datasetId);
				read.onsuccess = () => {
					const row = { ...read.result, updatedAt: Date.now() };
					if (target === null) delete row.templateTarget;
					else row.templateTarget = target;
					const write = store.put(row);
					write.onsuccess = () => resolve(undefined);
					write.onerror = () => reject(write.error);
				};
				read.onerror = () => reject(read.error);
			});
			db.close();
		},
		{ datasetId, target }
	);
	await page.reload();
	await page.getByTestId('entry-row').filter({ hasNotText: 'Loading' }).first().waitFor();
}

/** Runs validation from the panel; returns the worker's duration. */
async function validateOnce(page) {
	const panel = page.getByTestId('validation-panel');
	if (!(await panel.isVisible())) await page.getByTestId('validation-toggle').click();
	const before = await panel.getByTestId('validation-summary').getAttribute('data-duration-ms').catch(() => null);
	await panel.getByTestId('validation-run').click();
	await page.waitForFunction(
		(previous) => {
			const summary = document.querySelector('[data-testid=validation-summary]');
			const run = document.querySelector('[data-testid=validation-run]');
			return summary && run && !run.hasAttribute('disabled') && summary.getAttribute('data-duration-ms') !== previous;
		},
		before,
		{ timeout: 600_000 }
	);
	return Number(await panel.getByTestId('validation-summary').getAttribute('data-duration-ms'));
}

/**
 * @param {import('@playwright/test').Page} page on the dataset's entry browser, `window.__longest` kept by a long-task observer
 * @param {string} datasetId
 */
export async function benchTemplateFindings(page, datasetId) {
	await setTarget(page, datasetId, null);
	const withoutTargetMs = await validateOnce(page);
	await setTarget(page, datasetId, { template: { kind: 'family', family: 'qwen3' }, maxSeqLen: 1024, lossMode: 'assistant-only' });
	await page.evaluate(() => (/** @type {any} */ (window).__longest = 0));
	const coldMs = await validateOnce(page);
	const warmMs = await validateOnce(page);
	const overRow = await page.getByTestId('entries-template-over-max-seq-len').textContent().catch(() => '0');
	await setTarget(page, datasetId, { template: { kind: 'family', family: 'qwen3' }, maxSeqLen: 8192, lossMode: 'assistant-only' });
	const wideMs = await validateOnce(page);
	const longestMs = await page.evaluate(() => /** @type {any} */ (window).__longest ?? 0);
	await setTarget(page, datasetId, null);
	return { coldMs, warmMs, wideMs, withoutTargetMs, longestMs, entriesOver: Number((overRow ?? '0').replace(/,/g, '')) };
}

/** The lines printed for these figures. */
export function templateFindingsBenchLines(/** @type {Awaited<ReturnType<typeof benchTemplateFindings>>} */ t, label) {
	return [
		`template_findings_validate_${label}_cold_ms: ${t.coldMs.toFixed(0)}`,
		`template_findings_validate_${label}_ms: ${t.warmMs.toFixed(0)}`,
		`template_findings_validate_${label}_8k_ms: ${t.wideMs.toFixed(0)}`,
		`validate_${label}_without_target_ms: ${t.withoutTargetMs.toFixed(0)}`,
		`template_findings_longest_task_ms: ${t.longestMs.toFixed(0)}`,
		`template_findings_entries_over_1024: ${t.entriesOver}`
	];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	process.env.BENCH_LINES ??= '10000';
	const { prepareStandaloneBench, launchBenchBrowser, importAndOpen } = await import('./browser.mjs');
	const { startStaticServer } = await import('../static-server.mjs');
	const { watchLongTasks } = await import('./run.mjs');
	const { label, dataFile } = prepareStandaloneBench();
	const server = await startStaticServer({ port: 0 });
	const { page, close } = await launchBenchBrowser('skein-bench-template-findings-');
	try {
		await watchLongTasks(page);
		const datasetId = await importAndOpen(page, server.url, dataFile);
		for (const line of templateFindingsBenchLines(await benchTemplateFindings(page, datasetId), label)) console.log(line);
	} finally {
		await close();
		await server.close();
	}
}
