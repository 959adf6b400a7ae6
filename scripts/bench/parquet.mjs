/**
 * Parquet export at scale (issue 16), against the JSONL export of the same dataset in the same run:
 *
 * - jsonl_export_dialog_100k_s: the export dialog's OpenAI JSONL export (no pre-export check),
 *   click → download; the mean of one run before and one after the Parquet export;
 * - parquet_export_100k_s: the same dialog's Parquet export (messages + id, tags, review columns),
 *   click → download;
 * - parquet_export_100k_ratio: Parquet / JSONL (goal: at most 1.5);
 * - parquet_export_100k_peak_heap_mb, jsonl_export_100k_peak_heap_mb: the data worker's peak used
 *   JS heap during each export (CDP Runtime.getHeapUsage polled every 50 ms), and
 *   export_heap_before_mb, the heap before either. Used heap includes garbage not yet collected,
 *   so the peaks say more side by side than alone: the Parquet export holds one row group of rows
 *   at a time and its files are Blob parts, kept by the browser outside the worker's heap;
 * - parquet_export_100k_bytes, jsonl_export_dialog_100k_bytes: the files' sizes.
 *
 * `node scripts/bench/parquet.mjs` runs only these (importing the bench dataset first);
 * options (env): BENCH_LINES (default 100000), BENCH_SKIP_BUILD=1.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { importAndOpen, launchBenchBrowser, prepareStandaloneBench } from './browser.mjs';
import { workerHeapProbe } from './run.mjs';

/**
 * @param {import('@playwright/test').Page} page a page of the app with the dataset open
 * @param {string} workDir where downloads are saved
 */
export async function benchParquet(page, workDir) {
	const probe = await workerHeapProbe(page);
	try {
		await page.getByTestId('export-menu').click();
		await page.getByTestId('export-more').click();
		const dialog = page.getByTestId('export-dialog');
		await dialog.getByTestId('check-profile').selectOption('');
		const heapBefore = (await probe.dataWorkerHeap()) ?? 0;

		/** @param {'openai' | 'parquet'} format */
		const exportOnce = async (format) => {
			await dialog.getByTestId(`format-${format}`).check();
			const watch = probe.watchPeak(50);
			const start = Date.now();
			const [download] = await Promise.all([
				page.waitForEvent('download', { timeout: 180_000 }).catch(async (error) => {
					// Say what the dialog showed instead of only "no download".
					throw new Error(`${format} export gave no download: ${error.message}\n${(await dialog.innerText().catch(() => '(dialog gone)')).slice(-1500)}`);
				}),
				dialog.getByTestId('export-download').click()
			]);
			const ms = Date.now() - start;
			const peak = await watch.stop();
			const path = join(workDir, `bench-export.${format}`);
			await download.saveAs(path);
			await dialog.getByTestId('export-result').waitFor();
			return { ms, peakHeap: peak, bytes: statSync(path).size };
		};
		// JSONL before and after the Parquet export (their mean), so neither side gets the warm-up alone.
		const jsonlFirst = await exportOnce('openai');
		const parquet = await exportOnce('parquet');
		const jsonlAgain = await exportOnce('openai');
		const jsonl = { ms: (jsonlFirst.ms + jsonlAgain.ms) / 2, peakHeap: Math.max(jsonlFirst.peakHeap, jsonlAgain.peakHeap), bytes: jsonlAgain.bytes };
		await dialog.getByRole('button', { name: 'Close' }).click();
		if (!parquet.peakHeap) throw new Error(`the data worker's heap could not be read over CDP (workers seen: ${[...probe.workers.values()].join(', ') || 'none'})`);
		return {
			jsonlDialogExportMs: jsonl.ms,
			parquetExportMs: parquet.ms,
			jsonlPeakHeapMb: jsonl.peakHeap / 1024 / 1024,
			parquetPeakHeapMb: parquet.peakHeap / 1024 / 1024,
			exportHeapBeforeMb: heapBefore / 1024 / 1024,
			parquetBytes: parquet.bytes,
			jsonlDialogBytes: jsonl.bytes
		};
	} finally {
		await probe.detach().catch(() => {});
	}
}

export const PARQUET_FIGURES = ['jsonlDialogExportMs', 'parquetExportMs', 'jsonlPeakHeapMb', 'parquetPeakHeapMb', 'exportHeapBeforeMb', 'parquetBytes', 'jsonlDialogBytes'];

/** The lines `npm run bench` prints for these figures. */
export function parquetBenchLines(label, m) {
	const fixed = (n, digits = 2) => Number(n).toFixed(digits);
	return [
		`parquet_export_${label}_ratio: ${fixed(m.parquetExportMs / m.jsonlDialogExportMs)}`,
		`parquet_export_${label}_s: ${fixed(m.parquetExportMs / 1000)}`,
		`jsonl_export_dialog_${label}_s: ${fixed(m.jsonlDialogExportMs / 1000)}`,
		`parquet_export_${label}_peak_heap_mb: ${fixed(m.parquetPeakHeapMb, 1)}`,
		`jsonl_export_${label}_peak_heap_mb: ${fixed(m.jsonlPeakHeapMb, 1)}`,
		`export_heap_before_mb: ${fixed(m.exportHeapBeforeMb, 1)}`,
		`parquet_export_${label}_bytes: ${m.parquetBytes}`,
		`jsonl_export_dialog_${label}_bytes: ${m.jsonlDialogBytes}`
	];
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
	const { startStaticServer } = await import('../static-server.mjs');
	const { label, dataFile } = prepareStandaloneBench();
	const server = await startStaticServer({ port: 0 });
	const { page, profile, close } = await launchBenchBrowser('skein-bench-parquet-', { acceptDownloads: true });
	try {
		await importAndOpen(page, server.url, dataFile);
		const figures = await benchParquet(page, profile);
		for (const line of parquetBenchLines(label, figures)) console.log(line);
	} finally {
		await close();
		await server.close();
	}
}
