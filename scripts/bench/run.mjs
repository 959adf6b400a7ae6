/**
 * Generation-run figures for `npm run bench` (SPEC §8.2 / §10: runs start at once at any scale,
 * the UI stays responsive during a run):
 *
 * - run_start_ms: from "Start run" on the run form (a continuation run limited to the first 500
 *   records of the imported 100k dataset) to the run view's heading. The limit is applied while
 *   the dataset is read, so this does not grow with the dataset.
 * - run_records_per_s: a second run, of the first THROUGHPUT_RECORDS records (another seed, so no
 *   answer comes from the first run's cache), end to end: records / seconds from "Start run" to
 *   the run view saying Done (start, persistence, the page's live view all included). A fast
 *   run is done before its view has loaded, so timing from the view's appearance measured nothing.
 * - run_longest_main_thread_block_ms: the longest main-thread task (PerformanceObserver
 *   'longtask') from the first run's start to the second's end.
 * - run_peak_worker_heap_mb: the data worker's peak JS heap (Chrome DevTools Protocol
 *   `Runtime.getHeapUsage` on the worker target, polled every 100 ms) during an unlimited run
 *   over the whole dataset, from its start through RUN_HEAP_WATCH_MS of running; then the run is
 *   cancelled (on the rehearsal engine: the heap is the worker's, whatever answers). An unlimited
 *   run reads its dataset block by block while it runs (workers/run-feed.ts), so this stays flat.
 * - run_unlimited_start_ms: that run, from "Start run" to its view's heading.
 * - run_fetch_ceiling_per_s: plain streamed fetches from a worker to the same server at the same
 *   concurrency, in requests/s (the baseline: a run cannot be faster than its requests on this
 *   machine); run_requests_per_s, the chat requests the server answered during the throughput run
 *   per second (a continuation record asks twice: the simulated user, then the answer); and
 *   run_requests_per_s_ratio, the one over the other.
 */
import { startModelServer } from '../../tests/model-server/server.mjs';

/**
 * THE ENGINE THE BENCH RUNS ON (one place): the committed test model server (tests/model-server),
 * on loopback, answering at once, at concurrency 50 — so the figures are the runtime's own cost
 * (HTTP and streaming, dispatcher, persistence, the page's live view), not a model's.
 */
export const BENCH_ENGINE = { radio: /Model server/, concurrency: 50 };
const REHEARSAL = { radio: /Rehearsal/, concurrency: null };

/**
 * Starts the test model server and sets it up on the Engines page (as a user would).
 * @param {import('@playwright/test').Page} page
 */
async function benchModelServer(page) {
	const api = await startModelServer({ model: 'bench-instant' });
	await page.goto(new URL('/generate/engines', page.url()).href);
	await page.getByTestId('endpoint-url').fill(api.url);
	await page.getByTestId('endpoint-model').fill('bench-instant');
	await page.getByTestId('endpoint-test').click();
	await page.getByTestId('endpoint-format-result').waitFor({ timeout: 30_000 });
	return api;
}
/**
 * The baseline of run_records_per_s, measured in the same browser against the same server just
 * before: plain streamed fetches from a worker at the same concurrency, each answer read whole
 * and nothing else done. A run cannot go faster than its requests do on this machine; the
 * figure's ratio to this says what the runtime (dispatch, storage, the live view) costs on top.
 * @param {import('@playwright/test').Page} page any page of the context
 * @param {string} url the server's base URL
 * @param {number} requests
 */
async function fetchCeiling(page, url, requests) {
	const blank = await page.context().newPage();
	try {
		return await blank.evaluate(
			async ({ url, requests, concurrency }) => {
				const code = `onmessage = async ({ data: { url, requests, concurrency } }) => {
					const body = JSON.stringify({ model: 'bench-instant', stream: true, stream_options: { include_usage: true }, max_tokens: 256, messages: [{ role: 'user', content: 'Keeper, question 1: is the lamp lit?' }, { role: 'assistant', content: 'Lit and trimmed.' }, { role: 'user', content: 'And the fog?' }] });
					let next = 0;
					const started = performance.now();
					const lane = async () => { while (next < requests) { next++; const res = await fetch(url + '/chat/completions', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body }); await res.text(); } };
					await Promise.all(Array.from({ length: concurrency }, lane));
					postMessage(requests / ((performance.now() - started) / 1000));
				}`;
				const worker = new Worker(URL.createObjectURL(new Blob([code], { type: 'text/javascript' })));
				const perSecond = await new Promise((resolve) => {
					worker.onmessage = (event) => resolve(event.data);
					worker.postMessage({ url, requests, concurrency });
				});
				worker.terminate();
				return /** @type {number} */ (perSecond);
			},
			{ url, requests, concurrency: BENCH_ENGINE.concurrency }
		);
	} finally {
		await blank.close();
	}
}

/** Records of the throughput run. */
const THROUGHPUT_RECORDS = 5000;
/** How long the unlimited run is watched for the heap figure after its view appears. */
const RUN_HEAP_WATCH_MS = 15_000;

/**
 * Keeps `window.__longest`, the longest main-thread task seen, on every page load.
 * @param {import('@playwright/test').Page} page
 */
export async function watchLongTasks(page) {
	await page.addInitScript(() => {
		const w = /** @type {any} */ (window);
		w.__longest = 0;
		new PerformanceObserver((list) => {
			for (const entry of list.getEntries()) w.__longest = Math.max(w.__longest, entry.duration);
		}).observe({ type: 'longtask', buffered: false });
	});
}

/**
 * Fills and submits the run form for a continuation run over the dataset; returns ms to the run view.
 * @param {import('@playwright/test').Page} page
 * @param {string} datasetId
 * @param {{ name: string; records?: number; seed?: number; keepLongest?: boolean }} options records: the limit (none = every record)
 */
async function startFromForm(page, datasetId, { name, records, seed, keepLongest }) {
	await page.goto(new URL(`/generate/runs/new?recipe=continuation&dataset=${datasetId}`, page.url()).href);
	await page.getByRole('radio', { name: BENCH_ENGINE.radio }).check();
	if (BENCH_ENGINE.concurrency) await page.getByLabel('Requests in flight').fill(String(BENCH_ENGINE.concurrency));
	if (records !== undefined) await page.getByLabel('Only the first N records').fill(String(records));
	await page.getByLabel('Run name').fill(name);
	if (seed !== undefined) await page.getByLabel('Seed', { exact: true }).fill(String(seed));
	if (!keepLongest)
		await page.evaluate(() => {
			/** @type {any} */ (window).__longest = 0;
		});
	const start = Date.now();
	await page.getByRole('button', { name: 'Start run' }).click();
	await page.getByRole('heading', { name }).waitFor({ timeout: 300_000 });
	return Date.now() - start;
}

/**
 * @param {import('@playwright/test').Page} page a page already on the app, with `window.__longest` kept (watchLongTasks)
 * @param {string} datasetId the imported dataset
 * @param {{ records?: number }} [options]
 * @returns {Promise<{ runRecordsPerS: number; runRequestsPerS: number; runStartMs: number; runLongestMs: number; fetchCeilingPerS: number }>}
 */
export async function benchRun(page, datasetId, { records = 500 } = {}) {
	const api = await benchModelServer(page);
	try {
		const fetchCeilingPerS = await fetchCeiling(page, api.url, THROUGHPUT_RECORDS);
		return { ...(await benchRunOn(page, datasetId, records, () => api.requests().filter((request) => request.path === '/v1/chat/completions').length)), fetchCeilingPerS };
	} finally {
		await api.close();
	}
}

/**
 * @param {import('@playwright/test').Page} page
 * @param {string} datasetId
 * @param {number} records
 * @param {() => number} asked chat requests the server has answered so far
 */
async function benchRunOn(page, datasetId, records, asked) {
	const runStartMs = await startFromForm(page, datasetId, { name: 'Bench run', records });
	await page.getByTestId('run-state').filter({ hasText: 'Done' }).waitFor({ timeout: 600_000 });
	const askedBefore = asked();
	const viewMs = await startFromForm(page, datasetId, { name: 'Bench throughput run', records: THROUGHPUT_RECORDS, seed: 9, keepLongest: true });
	const viewAt = Date.now();
	await page.getByTestId('run-state').filter({ hasText: 'Done' }).waitFor({ timeout: 600_000 });
	// From the click: the view appeared viewMs after it.
	const seconds = (Date.now() - viewAt + viewMs) / 1000;
	const runLongestMs = await page.evaluate(() => /** @type {any} */ (window).__longest);
	// A continuation record asks twice (the simulated user, then the answer): the fetch ceiling is in requests.
	return { runRecordsPerS: THROUGHPUT_RECORDS / seconds, runRequestsPerS: (asked() - askedBefore) / seconds, runStartMs, runLongestMs };
}

/**
 * The JS heap of the page's data worker, through CDP: the page's own session auto-attaches to
 * its workers (non-flattened sessions, so commands go through Target.sendMessageToTarget).
 * @param {import('@playwright/test').Page} page
 */
export async function workerHeapProbe(page) {
	const cdp = await page.context().newCDPSession(page);
	/** @type {Map<string, string>} sessionId → worker url */
	const workers = new Map();
	/** @type {Map<number, (value: any) => void>} */
	const waiting = new Map();
	let nextId = 1;
	cdp.on('Target.attachedToTarget', ({ sessionId, targetInfo }) => {
		if (targetInfo.type === 'worker') workers.set(sessionId, targetInfo.url);
	});
	cdp.on('Target.detachedFromTarget', ({ sessionId }) => workers.delete(sessionId));
	cdp.on('Target.receivedMessageFromTarget', ({ message }) => {
		const reply = JSON.parse(message);
		waiting.get(reply.id)?.(reply.result ?? null);
		waiting.delete(reply.id);
	});
	await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
	/** @param {string} sessionId */
	const heapOf = (sessionId) =>
		new Promise((resolve) => {
			const id = nextId++;
			waiting.set(id, resolve);
			cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method: 'Runtime.getHeapUsage' }) }).catch(() => resolve(null));
			setTimeout(() => resolve(null), 2000);
		});
	return {
		/** Used heap of the data worker in bytes (null when it is not found). */
		async dataWorkerHeap() {
			for (const [sessionId, url] of workers) {
				if (!/data\.worker/.test(url)) continue;
				const usage = /** @type {{ usedSize: number } | null} */ (await heapOf(sessionId));
				if (usage) return usage.usedSize;
			}
			return null;
		},
		/**
		 * Polls the data worker's used heap every `intervalMs` until `stop()`, which resolves to the
		 * peak in bytes (0 when it could not be read).
		 * @param {number} intervalMs
		 */
		watchPeak(intervalMs) {
			let peak = 0;
			let polling = true;
			const poll = (async () => {
				while (polling) {
					const used = await this.dataWorkerHeap();
					if (used !== null) peak = Math.max(peak, used);
					await new Promise((r) => setTimeout(r, intervalMs));
				}
			})();
			return {
				stop: async () => {
					polling = false;
					await poll;
					return peak;
				}
			};
		},
		workers,
		detach: () => cdp.detach()
	};
}

/**
 * Peak data-worker heap during an unlimited run over the whole dataset (then cancelled).
 * @param {import('@playwright/test').Page} page
 * @param {string} datasetId
 * @returns {Promise<{ peakHeapMb: number; heapStartMs: number }>}
 */
export async function benchRunHeap(page, datasetId) {
	await page.goto(new URL(`/generate/runs/new?recipe=continuation&dataset=${datasetId}`, page.url()).href);
	const probe = await workerHeapProbe(page);
	const watch = probe.watchPeak(100);
	try {
		const name = 'Bench unlimited run';
		await page.getByRole('radio', { name: REHEARSAL.radio }).check();
		await page.getByLabel('Run name').fill(name);
		const start = Date.now();
		await page.getByRole('button', { name: 'Start run' }).click();
		await page.getByRole('heading', { name }).waitFor({ timeout: 300_000 });
		const heapStartMs = Date.now() - start;
		await page.waitForTimeout(RUN_HEAP_WATCH_MS);
		const peak = await watch.stop();
		if (!peak) throw new Error(`the data worker's heap could not be read over CDP (workers seen: ${[...probe.workers.values()].join(', ') || 'none'})`);
		// A small bench dataset (BENCH_LINES) may finish within the watch: nothing left to cancel.
		// Otherwise the run must stop before the next stage, which would wait behind it.
		const cancel = page.getByRole('button', { name: 'Cancel run', exact: true });
		const done = page.getByTestId('run-state').filter({ hasText: 'Done' });
		await cancel.or(done).first().waitFor({ timeout: 60_000 });
		if (!(await done.isVisible())) {
			await cancel.click();
			await page.getByRole('button', { name: /Cancel run: stop for good/ }).click();
			await page.getByTestId('run-state').filter({ hasText: 'Cancelled' }).waitFor({ timeout: 60_000 });
		}
		return { peakHeapMb: peak / 1024 / 1024, heapStartMs };
	} finally {
		await watch.stop();
		await probe.detach().catch(() => {});
	}
}
