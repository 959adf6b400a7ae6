/**
 * `node scripts/bench-run.mjs`: only the generation-run figures of `npm run bench` (for iterating
 * on the runtime without the ~8 min full bench): imports the bench dataset, then runs
 * scripts/bench/run.mjs (run_start_ms, run_records_per_s, run_longest_main_thread_block_ms,
 * run_peak_worker_heap_mb). Options (env): BENCH_LINES (default 100000), BENCH_SKIP_BUILD=1.
 */
import { startStaticServer } from './static-server.mjs';
import { benchRun, benchRunHeap, watchLongTasks } from './bench/run.mjs';
import { importAndOpen, launchBenchBrowser, prepareStandaloneBench } from './bench/browser.mjs';

const { dataFile } = prepareStandaloneBench();

const server = await startStaticServer({ port: 0 });
const { page, close } = await launchBenchBrowser('skein-bench-run-');
try {
	await watchLongTasks(page);
	const datasetId = await importAndOpen(page, server.url, dataFile);
	const { runRecordsPerS, runRequestsPerS, runStartMs, runLongestMs, fetchCeilingPerS } = await benchRun(page, datasetId);
	console.log(`run_records_per_s: ${runRecordsPerS.toFixed(1)}`);
	console.log(`run_requests_per_s: ${runRequestsPerS.toFixed(1)}`);
	console.log(`run_fetch_ceiling_per_s: ${fetchCeilingPerS.toFixed(1)}`);
	console.log(`run_requests_per_s_ratio: ${(runRequestsPerS / fetchCeilingPerS).toFixed(2)}`);
	console.log(`run_start_ms: ${runStartMs.toFixed(0)}`);
	console.log(`run_longest_main_thread_block_ms: ${runLongestMs.toFixed(0)}`);
	if (!process.env.BENCH_SKIP_HEAP) {
		const { peakHeapMb, heapStartMs } = await benchRunHeap(page, datasetId);
		console.log(`run_peak_worker_heap_mb: ${peakHeapMb.toFixed(1)}`);
		console.log(`run_unlimited_start_ms: ${heapStartMs.toFixed(0)}`);
	}
} finally {
	await close();
	await server.close();
}
