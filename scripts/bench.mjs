/**
 * `npm run bench`: the SPEC §10 figures, measured in headless Chromium against the production
 * build, each beside a baseline run in the same browser session. Prints `name: value` lines.
 *
 * - import_100k: the app's real import (drop a 205 MB / 100k-line file on the file input; worker
 *   parse + convert + validate + store) vs. "parse the lines in a worker and store blocks of
 *   1,000 raw lines per row" (scripts/bench/baseline-import.worker.js).
 * - export_100k: the app's OpenAI JSONL export (click → download) vs. reading the stored blocks
 *   and joining them into a Blob (scripts/bench/baseline-export.worker.js).
 * - longest_main_thread_block_ms: the longest main-thread task (PerformanceObserver 'longtask')
 *   during the app's import and export.
 * - open_100k_first_page_ms: opening the imported dataset.
 * - search_100k_cold_ms, search_100k_ms: the first search right after opening, and a second one.
 * - open_entry_editor_ms, edit_save_ms: opening an entry in the editor and saving it (one block).
 * - validate_100k_ratio: validating every entry (openai-chat) vs. a bare JSON.parse loop over the file.
 * - analysis_100k_s, analysis_core_node_s, analysis_100k_ratio: the Analysis page from click to every
 *   figure shown vs. its core algorithms in Node on the same file (`node scripts/bench/analysis.mjs`
 *   runs only these and the search figures).
 * - bulk_tag_100k_s: tagging all 100k entries (and its undo), one undoable step.
 * - compile_ms: one compile of a built-in generation template, in the worker.
 * - dispatch_rps: generation dispatcher overhead at concurrency 50 against an instant engine (Node).
 * - run_records_per_s (and its ratio to run_fetch_ceiling_per_s), run_start_ms,
 *   run_longest_main_thread_block_ms, run_peak_worker_heap_mb, run_unlimited_start_ms:
 *   continuation runs over the imported dataset on the committed test model server (concurrency 50), started from the run form and watched
 *   live (scripts/bench/run.mjs says how each is measured; `node scripts/bench-run.mjs` runs only these).
 * - first_load_js_gzip_kb: the JavaScript the first page loads (gzip).
 * - long_conversation_open_ms, long_conversation_longest_task_ms, huge_message_open_longest_task_ms,
 *   huge_message_open_ms: opening a 10,000-message entry (view + editor) and a 30 MB message
 *   (scripts/bench/views.mjs; `node scripts/bench/views.mjs` runs only these).
 * - backup_100k_s, restore_100k_s: a workspace holding the bench dataset (a fresh profile) backed
 *   up (download) and restored into another fresh profile, as ratios to the full-fidelity export
 *   and import of the same dataset; workspace_all_*: this bench's own fuller workspace (runs,
 *   the views' datasets, history) backed up and restored, in MB/s beside that export and import
 *   (scripts/bench/backup.mjs; `node scripts/bench/backup.mjs` runs only the first two).
 * - parquet_export_100k_ratio, parquet_export_100k_peak_heap_mb: the export dialog's Parquet export
 *   vs its JSONL export of the same dataset, and the data worker's peak heap during it
 *   (scripts/bench/parquet.mjs; `node scripts/bench/parquet.mjs` runs only these).
 *
 * - template_render_tokenize_100k_s and its ratio to the tokenizer alone, template_analysis_100k_s,
 *   template_longest_main_thread_task_ms: the dataset under the Qwen3 chat template
 *   (scripts/bench/templates.mjs; `node scripts/bench/templates.mjs` runs only these).
 *
 * Options (env): BENCH_LINES (default 100000), BENCH_REPS (default 1), BENCH_SKIP_BUILD=1.
 */
import { execSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startStaticServer } from './static-server.mjs';
import { analysisBenchLines, analysisCoreNodeMs, benchAnalysis, benchSearch } from './bench/analysis.mjs';
import { benchCompile } from './bench/compile.mjs';
import { benchRun, benchRunHeap } from './bench/run.mjs';
import { importAndOpen, launchBenchBrowser } from './bench/browser.mjs';
import { benchViews, VIEW_FIGURES, viewsBenchLines } from './bench/views.mjs';
import { BACKUP_FIGURES, benchBackup, benchWholeWorkspace, backupBenchLines } from './bench/backup.mjs';
import { benchParquet, PARQUET_FIGURES, parquetBenchLines } from './bench/parquet.mjs';
import { benchTemplates, templateBenchLines } from './bench/templates.mjs';

const LINES = Number(process.env.BENCH_LINES ?? 100_000);
const benchStart = Date.now();
/** Progress on stderr, so a long or stuck bench says where it is. @param {string} name */
const stage = (name) => console.error(`[bench ${((Date.now() - benchStart) / 1000).toFixed(0)} s] ${name}`);
const REPS = Number(process.env.BENCH_REPS ?? 1);
const label = LINES === 100_000 ? '100k' : `${Math.round(LINES / 1000)}k`;
const dataFile = `bench-data/chat${label}.jsonl`;

function newestMtime(dir) {
	let newest = 0;
	for (const name of readdirSync(dir)) {
		const path = join(dir, name);
		const stat = statSync(path);
		newest = Math.max(newest, stat.isDirectory() ? newestMtime(path) : stat.mtimeMs);
	}
	return newest;
}

if (!existsSync(dataFile)) {
	execSync(`mkdir -p bench-data && node scripts/gen-bench-data.mjs ${dataFile} ${LINES}`, { stdio: 'inherit' });
}
const buildStale = !existsSync('build/index.html') || statSync('build/index.html').mtimeMs < Math.max(newestMtime('src'), newestMtime('static'));
if (!process.env.BENCH_SKIP_BUILD && buildStale) execSync('npx vite build', { stdio: ['ignore', 'ignore', 'inherit'] });

const benchScripts = {
	'/__bench/baseline-import.js': readFileSync('scripts/bench/baseline-import.worker.js'),
	'/__bench/baseline-export.js': readFileSync('scripts/bench/baseline-export.worker.js')
};
const server = await startStaticServer({
	port: 0,
	extra: (req, res) => {
		const body = benchScripts[new URL(req.url ?? '/', 'http://x').pathname];
		if (!body) return false;
		res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' });
		res.end(body);
		return true;
	}
});

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Runs one of the benchmark's own baseline workers in the page and returns its answer. With
 * `withFile`, the file picked into the hidden #bench-file input is sent along.
 * @param {import('@playwright/test').Page} page
 * @param {string} script
 * @param {Record<string, unknown>} message
 * @param {boolean} withFile
 */
function runBaselineWorker(page, script, message, withFile) {
	return page.evaluate(
		({ script, message, withFile }) =>
			new Promise((resolve, reject) => {
				const input = /** @type {HTMLInputElement | null} */ (document.getElementById('bench-file'));
				const worker = new Worker(script);
				worker.onmessage = (e) => {
					worker.terminate();
					resolve(e.data);
				};
				worker.onerror = (e) => reject(new Error(e.message));
				worker.postMessage(withFile ? { ...message, file: input?.files?.[0] } : message);
			}),
		{ script, message, withFile }
	);
}
const runs = [];

for (let rep = 0; rep < REPS; rep++) {
	const { page, profile, close } = await launchBenchBrowser('skein-bench-', { acceptDownloads: true });
	try {
		await page.addInitScript(() => {
			const w = /** @type {any} */ (window);
			w.__longest = 0;
			new PerformanceObserver((list) => {
				for (const entry of list.getEntries()) w.__longest = Math.max(w.__longest, entry.duration);
			}).observe({ type: 'longtask', buffered: false });
		});
		const firstLoadScripts = new Set();
		const onResponse = (response) => {
			const url = new URL(response.url());
			if (url.pathname.endsWith('.js') && !url.pathname.includes('/workers/') && response.request().resourceType() === 'script') firstLoadScripts.add(url.pathname);
		};
		page.on('response', onResponse);
		await page.goto(server.url);
		// Let the first-run sample import finish so it does not overlap the measurement.
		await page.getByTestId('dataset-row').first().waitFor({ timeout: 30_000 });
		page.off('response', onResponse);
		const firstLoadGzipBytes = [...firstLoadScripts].reduce((sum, path) => sum + gzipSync(readFileSync(join('build', path))).length, 0);

		// The long-task probe must be able to see a block: make one and check it is caught.
		await page.evaluate(() => {
			// A task of the page's own (a DevTools evaluation is not attributed as a long task).
			setTimeout(() => {
				const end = performance.now() + 200;
				while (performance.now() < end);
			}, 0);
		});
		await page.waitForFunction(() => /** @type {any} */ (window).__longest >= 150, null, { timeout: 5_000 }).catch(() => {
			throw new Error('the long-task observer did not see a 200 ms block: longest_main_thread_block_ms would be meaningless');
		});

		// Baseline import, in a worker of this page.
		await page.evaluate(() => {
			const input = document.createElement('input');
			input.type = 'file';
			input.id = 'bench-file';
			input.style.display = 'none';
			document.body.append(input);
		});
		await page.setInputFiles('#bench-file', dataFile);
		const baselineImport = await runBaselineWorker(page, '/__bench/baseline-import.js', {}, true);
		await page.evaluate(() => new Promise((r) => { const q = indexedDB.deleteDatabase('bench-baseline'); q.onsuccess = q.onerror = q.onblocked = () => r(null); }));

		// The app's import, through its own file input.
		await page.evaluate(() => { /** @type {any} */ (window).__longest = 0; });
		const wallStart = Date.now();
		await page.setInputFiles('[data-testid=file-input]', dataFile);
		const report = page.locator('[data-testid=import-report]');
		await report.waitFor({ timeout: 300_000 });
		const wallImportMs = Date.now() - wallStart;
		const importMs = Number(await report.getAttribute('data-duration-ms'));
		const imported = Number(await report.getAttribute('data-imported'));
		const longestImport = await page.evaluate(() => /** @type {any} */ (window).__longest);

		// Open the dataset: time to the first rendered page of entries.
		const openStart = Date.now();
		await report.getByRole('link', { name: /^Open/ }).click();
		await page.getByTestId('entry-row').filter({ hasNotText: 'Loading' }).first().waitFor();
		const openMs = Date.now() - openStart;
		const datasetId = page.url().split('/').pop();

		// Search: the first one right after opening, then a second (scripts/bench/analysis.mjs).
		stage('search');
		const { searchColdMs, searchWarmMs } = await benchSearch(page);

		// Open an entry in the middle of the list in the editor, change it, save (one block rewritten).
		await page.getByTestId('entry-list').evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
		await page.getByTestId('entry-row').filter({ hasNotText: 'Loading' }).nth(3).click();
		const openEntryStart = Date.now();
		await page.getByTestId('entry-edit').click();
		await page.getByTestId('entry-editor').waitFor();
		const openEntryMs = Date.now() - openEntryStart;
		await page.getByTestId('editor-content').first().fill('Edited during the benchmark.');
		const saveStart = Date.now();
		await page.getByTestId('editor-save').click();
		await page.getByTestId('entry-view').filter({ hasText: 'Edited during the benchmark.' }).waitFor();
		await page.getByTestId('status').filter({ hasText: 'Edit entry' }).waitFor();
		const editSaveWallMs = Date.now() - saveStart;
		const editSaveMs = Number(await page.getByTestId('status').getAttribute('data-save-ms'));

		// Validation of every entry (openai-chat, with duplicate checks) vs. a bare parse loop over the same file.
		stage('validation');
		const parseOnly = await runBaselineWorker(page, '/__bench/baseline-import.js', { mode: 'parse-only' }, true);
		await page.getByTestId('validation-toggle').click();
		await page.getByTestId('validation-profile').selectOption('openai-chat');
		await page.getByTestId('validation-run').click();
		const summary = page.getByTestId('validation-summary');
		await summary.waitFor({ timeout: 300_000 });
		const validateMs = Number(await summary.getAttribute('data-duration-ms'));
		await page.getByTestId('validation-toggle').click();

		// Bulk: tag every entry (100 blocks read, changed and written, one undo record).
		await page.getByTestId('entry-tick').first().click();
		await page.getByTestId('select-all').click();
		await page.getByTestId('bulk-add-tag').click();
		await page.getByTestId('bulk-tag-input').fill('bench');
		const bulkStart = Date.now();
		await page.getByTestId('bulk-apply').click();
		await page.getByTestId('status').filter({ hasText: 'changed' }).waitFor({ timeout: 120_000 });
		const bulkTagMs = Date.now() - bulkStart;
		const undoStart = Date.now();
		await page.getByTestId('undo').click();
		await page.getByTestId('status').filter({ hasText: 'Undid' }).waitFor({ timeout: 120_000 });
		const bulkUndoMs = Date.now() - undoStart;

		// Baseline export, then the app's export.
		stage('export');
		const baselineExport = await runBaselineWorker(page, '/__bench/baseline-export.js', { datasetId }, false);
		await page.evaluate(() => { /** @type {any} */ (window).__longest = 0; });
		await page.getByTestId('export-menu').click();
		const exportStart = Date.now();
		const [download] = await Promise.all([page.waitForEvent('download', { timeout: 300_000 }), page.getByTestId('export-openai').click()]);
		const exportMs = Date.now() - exportStart;
		const longestExport = await page.evaluate(() => /** @type {any} */ (window).__longest);
		const exportPath = join(profile, 'export.jsonl');
		await download.saveAs(exportPath);
		const exportBytes = statSync(exportPath).size;

		// Analysis: click → every figure shown, vs. the same core algorithms in Node on the same file.
		await page.goto(new URL(`/datasets/${datasetId}`, page.url()).href);
		await page.getByTestId('entry-row').filter({ hasNotText: 'Loading' }).first().waitFor();
		stage('analysis');
		const { analysisMs } = await benchAnalysis(page);
		const analysisCore = analysisCoreNodeMs(dataFile);
		// Prompt compiler: one compile of a built-in template, timed in the worker.
		stage('compile');
		const { compileMs } = await benchCompile(page);
		// A generation run watched live: throughput of the runtime and the page's responsiveness.
		stage('run');
		const { runRecordsPerS, runRequestsPerS, runStartMs, runLongestMs, fetchCeilingPerS } = await benchRun(page, datasetId);
		stage('run heap');
		const { peakHeapMb, heapStartMs } = await benchRunHeap(page, datasetId);
		// Views (issue 14): a 10,000-message conversation and a 30 MB message (scripts/bench/views.mjs).
		stage('views');
		const views = await benchViews(page);
		// Parquet vs JSONL export from the export dialog, with the worker's peak heap (issue 16).
		await page.goto(`${server.url}/datasets/${datasetId}`);
		await page.getByTestId('entry-row').filter({ hasNotText: 'Loading' }).first().waitFor();
		stage('parquet');
		const parquet = await benchParquet(page, profile);
		// Chat templates (issue 15): the dataset under the Qwen3 template (scripts/bench/templates.mjs).
		stage('templates');
		const templates = await benchTemplates(page, server.url, datasetId);
		// Workspace backup and restore (issue 18; scripts/bench/backup.mjs), last as they leave the
		// dataset page: this bench's whole workspace (throughput), then a fresh profile holding the
		// bench dataset only, against the full-fidelity export/import of that dataset.
		stage('backup (whole bench workspace)');
		const wholeWorkspace = await benchWholeWorkspace(page, profile, server.url);
		stage('backup (workspace with the bench dataset)');
		const backupBrowser = await launchBenchBrowser('skein-bench-backup-', { acceptDownloads: true });
		let backup;
		try {
			await importAndOpen(backupBrowser.page, server.url, dataFile);
			backup = { ...(await benchBackup(backupBrowser.page, backupBrowser.profile, server.url)), ...wholeWorkspace };
		} finally {
			await backupBrowser.close();
		}

		runs.push({
			importMs,
			wallImportMs,
			baselineImportMs: baselineImport.ms,
			imported,
			longest: Math.max(longestImport, longestExport),
			openMs,
			searchColdMs,
			searchWarmMs,
			exportMs,
			baselineExportMs: baselineExport.ms,
			exportBytes,
			baselineExportBytes: baselineExport.bytes,
			firstLoadGzipBytes,
			openEntryMs,
			editSaveMs,
			editSaveWallMs,
			bulkTagMs,
			bulkUndoMs,
			validateMs,
			parseOnlyMs: parseOnly.ms,
			analysisMs,
			analysisCoreMs: analysisCore.ms,
			compileMs,
			runRecordsPerS,
			runRequestsPerS,
			runStartMs,
			runLongestMs,
			fetchCeilingPerS,
			peakHeapMb,
			heapStartMs,
			...views,
			...backup,
			...parquet,
			...templates,
		});
	} finally {
		await close();
	}
}
await server.close();

const m = (key) => median(runs.map((r) => r[key]));
const fixed = (n, digits = 2) => Number(n).toFixed(digits);
console.log(`import_${label}_ratio: ${fixed(m('importMs') / m('baselineImportMs'))}`);
console.log(`import_${label}_s: ${fixed(m('importMs') / 1000)}`);
console.log(`baseline_${label}_s: ${fixed(m('baselineImportMs') / 1000)}`);
console.log(`import_${label}_wall_s: ${fixed(m('wallImportMs') / 1000)}`);
console.log(`import_${label}_entries: ${m('imported')}`);
console.log(`export_${label}_ratio: ${fixed(m('exportMs') / m('baselineExportMs'))}`);
console.log(`export_${label}_s: ${fixed(m('exportMs') / 1000)}`);
console.log(`baseline_export_${label}_s: ${fixed(m('baselineExportMs') / 1000)}`);
console.log(`export_${label}_bytes: ${m('exportBytes')}`);
console.log(`longest_main_thread_block_ms: ${fixed(m('longest'), 0)}`);
console.log(`open_${label}_first_page_ms: ${fixed(m('openMs'), 0)}`);
console.log(`open_entry_editor_ms: ${fixed(m('openEntryMs'), 0)}`);
console.log(`edit_save_ms: ${fixed(m('editSaveMs'), 0)}`);
console.log(`edit_save_wall_ms: ${fixed(m('editSaveWallMs'), 0)}`);
console.log(`validate_${label}_ratio: ${fixed(m('validateMs') / m('parseOnlyMs'))}`);
console.log(`validate_${label}_s: ${fixed(m('validateMs') / 1000)}`);
console.log(`parse_only_${label}_s: ${fixed(m('parseOnlyMs') / 1000)}`);
for (const line of analysisBenchLines(label, { analysisMs: m('analysisMs'), coreMs: m('analysisCoreMs'), searchColdMs: m('searchColdMs'), searchWarmMs: m('searchWarmMs') })) console.log(line);
console.log(`bulk_tag_${label}_s: ${fixed(m('bulkTagMs') / 1000)}`);
console.log(`bulk_tag_undo_${label}_s: ${fixed(m('bulkUndoMs') / 1000)}`);
console.log(`compile_ms: ${fixed(m('compileMs'), 2)}`);
console.log(`first_load_js_gzip_kb: ${fixed(m('firstLoadGzipBytes') / 1024, 1)}`);
console.log(`run_records_per_s: ${fixed(m('runRecordsPerS'), 1)}`);
console.log(`run_start_ms: ${fixed(m('runStartMs'), 0)}`);
console.log(`run_longest_main_thread_block_ms: ${fixed(m('runLongestMs'), 0)}`);
console.log(`run_peak_worker_heap_mb: ${fixed(m('peakHeapMb'), 1)}`);
console.log(`run_unlimited_start_ms: ${fixed(m('heapStartMs'), 0)}`);
console.log(`run_fetch_ceiling_per_s: ${fixed(m('fetchCeilingPerS'), 1)}`);
console.log(`run_requests_per_s: ${fixed(m('runRequestsPerS'), 1)}`);
console.log(`run_requests_per_s_ratio: ${fixed(m('runRequestsPerS') / m('fetchCeilingPerS'))}`);
// Dispatcher overhead (SPEC §8.2/§10): the pure runtime against an instant in-process engine at
// concurrency 50, measured in Node by its benchmark test (the same code runs in the worker).
const dispatchOut = execSync('npx vitest run src/lib/core/runtime/dispatcher.bench.test.ts', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
const dispatchRps = dispatchOut.match(/dispatcher: (\d+) requests\/s/)?.[1];
console.log(`dispatch_rps: ${dispatchRps ?? 'not measured'}`);
console.log(`bench_reps: ${REPS}`);
for (const line of backupBenchLines(label, /** @type {any} */ (Object.fromEntries(BACKUP_FIGURES.map((key) => [key, m(key)]))))) console.log(line);
for (const line of templateBenchLines(label, { templateAnalysisMs: m('templateAnalysisMs'), renderTokenizeS: m('renderTokenizeS'), workerRenderTokenizeMs: m('workerRenderTokenizeMs'), workerTokenizerMs: m('workerTokenizerMs'), longestMs: m('longestMs') })) console.log(line);
for (const line of viewsBenchLines(/** @type {any} */ (Object.fromEntries(VIEW_FIGURES.map((key) => [key, m(key)]))))) console.log(line);
for (const line of parquetBenchLines(label, /** @type {any} */ (Object.fromEntries(PARQUET_FIGURES.map((key) => [key, m(key)]))))) console.log(line);
