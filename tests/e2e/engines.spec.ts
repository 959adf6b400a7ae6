import { chromium, type Browser, type Page } from '@playwright/test';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { startStaticServer } from '../../scripts/static-server.mjs';
import { startModelServer } from '../model-server/server.mjs';
import { CHROMIUM_ARGS } from '../../playwright.config';

test('without a usable GPU the page says why and points to the other engines', async ({ page }) => {
	await page.goto('/generate/engines');
	const preflight = page.getByTestId('preflight');
	await expect(preflight).toHaveAttribute('data-status', /no-adapter|no-webgpu/);
	await expect(preflight).not.toBeEmpty();
	await expect(page.getByTestId('model-table')).toContainText('No in-browser model can run on this device');
	await expect(page.getByTestId('no-cached-models')).toBeVisible();
	await expect(page.getByTestId('endpoint-section')).toBeVisible();
});

test('with the software WebGPU adapter: found, no shader-f16, only q4f32 builds offered', async () => {
	const server = await startStaticServer({ port: 0 });
	const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: [...CHROMIUM_ARGS, '--enable-unsafe-webgpu'] });
	try {
		const page = await browser.newPage();
		const errors: string[] = [];
		page.on('pageerror', (e) => errors.push(e.message));
		await page.goto(`${server.url}/generate/engines`);
		await expect(page.getByTestId('preflight')).toHaveAttribute('data-status', 'ready', { timeout: 20_000 });
		await expect(page.getByTestId('shader-f16')).toContainText('no');
		const table = page.getByTestId('model-table');
		await expect(table.locator('tr[data-model="Qwen2.5-0.5B-Instruct-q4f32_1-MLC"]')).toHaveAttribute('data-runnable', 'true');
		await expect(table.locator('tr[data-model="Qwen2.5-0.5B-Instruct-q4f32_1-MLC"]')).toContainText('recommended');
		await expect(table.locator('tr[data-model*="q4f16"]')).toHaveCount(0);
		await page.getByTestId('show-all-models').check();
		await expect(table.locator('tr[data-model="Qwen2.5-1.5B-Instruct-q4f16_1-MLC"]')).toHaveAttribute('data-runnable', 'false');
		await expect(table.locator('tr[data-model="Qwen2.5-1.5B-Instruct-q4f16_1-MLC"]')).toContainText('shader-f16');
		expect(errors).toEqual([]);
	} finally {
		await browser.close();
		await server.close();
	}
});

/** A page in a browser with the software WebGPU adapter, on a fresh static server of the build. */
async function withWebGPU(run: (page: Page, baseUrl: string) => Promise<void>): Promise<void> {
	const server = await startStaticServer({ port: 0 });
	const browser: Browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: [...CHROMIUM_ARGS, '--enable-unsafe-webgpu'] });
	try {
		const page = await browser.newPage();
		const errors: string[] = [];
		page.on('pageerror', (e) => errors.push(e.message));
		await page.goto(`${server.url}/generate/engines`);
		await expect(page.getByTestId('preflight')).toHaveAttribute('data-status', 'ready', { timeout: 20_000 });
		await run(page, server.url);
		expect(errors).toEqual([]);
	} finally {
		await browser.close();
		await server.close();
	}
}

test('Download & load without a network fails in plain words, and the page stays usable', async () => {
	await withWebGPU(async (page) => {
		await expect(page.getByTestId('model-loader')).toHaveAttribute('data-state', 'idle');
		const row = page.locator('tr[data-model="Qwen2.5-0.5B-Instruct-q4f32_1-MLC"]');
		await row.getByRole('button', { name: 'Download & load' }).click();
		// This sandbox reaches no model host: web-llm (in its worker) fails to fetch the config.
		await expect(page.getByTestId('load-error')).toContainText('Could not load Qwen2.5 0.5B (q4f32_1): Could not download', { timeout: 45_000 });
		await expect(page.getByTestId('load-error')).toContainText('Check the connection');
		await expect(page.getByTestId('model-loader')).toHaveAttribute('data-state', 'failed');
		// web-llm ran (it creates its caches before fetching) and the buttons are back.
		expect(await page.evaluate(() => caches.has('webllm/config'))).toBe(true);
		await expect(row.getByRole('button', { name: 'Download & load' })).toBeEnabled();
		await expect(page.getByTestId('no-cached-models')).toBeVisible();
	});
});

test('a custom model on localhost: loads through its own URLs, shows the phase, and can be cancelled', async () => {
	// Serves nothing: it records what web-llm asks for and holds the request open, like a slow host.
	const requested: string[] = [];
	const held: Array<() => void> = [];
	const host: Server = createServer((req, res) => {
		requested.push(req.url ?? '');
		res.on('close', () => undefined);
		held.push(() => res.destroy());
	});
	await new Promise<void>((ready) => host.listen(0, '127.0.0.1', ready));
	const port = (host.address() as { port: number }).port;
	try {
		await withWebGPU(async (page) => {
			await page.getByText('Add a custom model').click();
			await page.getByTestId('custom-modelId').fill('tuned-qwen-q4f32_1');
			await page.getByTestId('custom-weightsUrl').fill(`http://127.0.0.1:${port}/tuned`);
			await page.getByTestId('custom-modelLibUrl').fill(`http://127.0.0.1:${port}/libs/Qwen2-0.5B-Instruct-q4f32_1-ctx4k_cs1k-webgpu.wasm`);
			await page.getByTestId('custom-vramMB').fill('1100');
			await page.getByTestId('custom-save').click();
			const row = page.getByTestId('custom-model-table').locator('tr[data-model="tuned-qwen-q4f32_1"]');
			await row.getByRole('button', { name: 'Download & load' }).click();
			await expect(page.getByTestId('load-phase')).toContainText('Preparing');
			// web-llm resolved the custom record: it asks our host for the config under resolve/main/.
			await expect.poll(() => requested).toContain('/tuned/resolve/main/mlc-chat-config.json');
			await page.getByTestId('cancel-load').click();
			await expect(page.getByTestId('load-cancelled')).toContainText('Loading tuned-qwen-q4f32_1 was cancelled');
			await expect(row.getByRole('button', { name: 'Download & load' })).toBeEnabled();
		});
	} finally {
		for (const release of held) release();
		await new Promise((done) => host.close(done));
	}
});

test('the custom model form: errors next to the fields, a good model is kept after a reload', async ({ page }) => {
	await page.goto('/generate/engines');
	await expect(page.getByTestId('preflight')).not.toBeEmpty();
	await page.getByText('Add a custom model').click();
	await page.getByTestId('custom-modelId').fill('my tuned model');
	await page.getByTestId('custom-weightsUrl').fill('http://models.example.org/my-tuned-MLC');
	await page.getByTestId('custom-modelLibUrl').fill('https://models.example.org/lib/model.js');
	await page.getByTestId('custom-vramMB').fill('a lot');
	await page.getByTestId('custom-save').click();
	await expect(page.getByTestId('custom-error-modelId')).toContainText('no spaces');
	await expect(page.getByTestId('custom-error-weightsUrl')).toContainText('Use https://');
	await expect(page.getByTestId('custom-error-modelLibUrl')).toContainText('.wasm');
	await expect(page.getByTestId('custom-error-vramMB')).toContainText('MB');
	await expect(page.getByTestId('custom-weightsUrl')).toHaveAttribute('aria-invalid', 'true');
	await expect(page.getByTestId('custom-model-table')).toHaveCount(0);

	await page.getByTestId('custom-modelId').fill('my-tuned-qwen-q4f32_1');
	await page.getByTestId('custom-weightsUrl').fill('https://huggingface.co/my-org/my-tuned-qwen-q4f32_1-MLC');
	await page.getByTestId('custom-modelLibUrl').fill('https://models.example.org/lib/Qwen2-0.5B-Instruct-q4f32_1-ctx4k_cs1k-webgpu.wasm');
	await page.getByTestId('custom-vramMB').fill('1100');
	await page.getByTestId('custom-contextWindow').fill('2048');
	await page.getByTestId('custom-save').click();
	await expect(page.getByTestId('custom-saved')).toBeVisible();
	await expect(page.getByTestId('custom-saved')).toContainText('my-tuned-qwen-q4f32_1');
	await expect(page.getByTestId('custom-error-weightsUrl')).toHaveCount(0);

	await page.reload();
	const row = page.getByTestId('custom-model-table').locator('tr[data-model="my-tuned-qwen-q4f32_1"]');
	await expect(row).toContainText('https://huggingface.co/my-org/my-tuned-qwen-q4f32_1-MLC');
	await expect(row).toContainText('2,048');
	// No GPU in this browser: listed, but not loadable, with the reason.
	await expect(row).toHaveAttribute('data-runnable', 'false');
	await expect(row.getByRole('button', { name: 'Download & load' })).toHaveCount(0);

	// The same id again is refused; removing it clears the list.
	await page.getByText('Add a custom model').click();
	await page.getByTestId('custom-modelId').fill('my-tuned-qwen-q4f32_1');
	await page.getByTestId('custom-save').click();
	await expect(page.getByTestId('custom-error-modelId')).toContainText('already listed');
	await row.getByRole('button', { name: 'Remove' }).click();
	await page.reload();
	await expect(page.getByTestId('custom-model-table')).toHaveCount(0);
});

test('a new app version keeps downloaded models: web-llm caches are neither deleted nor copied', async () => {
	// Deployment 2 is the same build under another version, so its service worker replaces the
	// app cache and cleans up old ones on activation.
	let deployed = 1;
	const worker = readFileSync('build/service-worker.js', 'utf8');
	const version = /=`(\d{10,})`/.exec(worker)?.[1];
	expect(version, 'the build version in service-worker.js').toBeTruthy();
	const server = await startStaticServer({
		port: 0,
		extra: (req, res) => {
			if (!req.url?.startsWith('/service-worker.js')) return false;
			res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' });
			res.end(deployed === 1 ? worker : worker.replace(`=\`${version}\``, `=\`${Number(version) + 1}\``));
			return true;
		}
	});
	const profile = mkdtempSync(join(tmpdir(), 'skein-webllm-cache-'));
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
		args: [...CHROMIUM_ARGS, '--enable-unsafe-webgpu'],
		headless: true
	});
	try {
		const page = context.pages()[0] ?? (await context.newPage());
		const errors: string[] = [];
		page.on('pageerror', (e) => errors.push(e.message));
		await page.goto(`${server.url}/generate/engines`);
		await expect(page.getByText('Works offline')).toBeVisible();
		// What web-llm leaves after downloading Qwen2.5 0.5B (tiny stand-ins for the real files).
		await page.evaluate(async () => {
			const weights = 'https://huggingface.co/mlc-ai/Qwen2.5-0.5B-Instruct-q4f32_1-MLC/resolve/main/';
			const model = await caches.open('webllm/model');
			await model.put(`${weights}tensor-cache.json`, new Response(JSON.stringify({ records: [{ dataPath: 'params_shard_0.bin', nbytes: 4 }] })));
			await model.put(`${weights}params_shard_0.bin`, new Response(new Uint8Array([1, 2, 3, 4]), { headers: { 'content-length': '4' } }));
			await model.put(`${weights}tokenizer.json`, new Response('{}'));
			await (await caches.open('webllm/config')).put(`${weights}mlc-chat-config.json`, new Response('{}'));
			await (await caches.open('webllm/wasm')).put('https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/main/web-llm-models/v0_2_86/base/Qwen2-0.5B-Instruct-q4f32_1_cs1k-webgpu.wasm', new Response('wasm'));
		});
		await page.reload();
		const row = page.locator('tr[data-model="Qwen2.5-0.5B-Instruct-q4f32_1-MLC"]');
		await expect(row.getByRole('button', { name: 'Load', exact: true })).toBeVisible({ timeout: 20_000 });
		await expect(page.getByText('Qwen2.5-0.5B-Instruct-q4f32_1-MLC').last()).toBeVisible();

		deployed = 2;
		await page.evaluate(async () => (await navigator.serviceWorker.ready).update());
		const banner = page.getByTestId('update-banner');
		await Promise.all([page.waitForEvent('load'), banner.getByRole('button', { name: 'Reload' }).click()]);
		await expect.poll(() => page.evaluate(async () => (await caches.keys()).filter((key) => key.startsWith('skein-app-')))).toEqual([`skein-app-${Number(version) + 1}`]);

		const after = await page.evaluate(async () => {
			const entries: Record<string, number> = {};
			let modelUrlsInAppCache = 0;
			for (const key of await caches.keys()) {
				const urls = (await (await caches.open(key)).keys()).map((request) => request.url);
				if (key.startsWith('webllm/')) entries[key] = urls.length;
				else modelUrlsInAppCache += urls.filter((url) => !url.startsWith(location.origin)).length;
			}
			return { entries, modelUrlsInAppCache };
		});
		expect(after).toEqual({ entries: { 'webllm/model': 3, 'webllm/config': 1, 'webllm/wasm': 1 }, modelUrlsInAppCache: 0 });
		await expect(row.getByRole('button', { name: 'Load', exact: true })).toBeVisible({ timeout: 20_000 });
		expect(errors).toEqual([]);
	} finally {
		await context.close();
		rmSync(profile, { recursive: true, force: true });
		await server.close();
	}
});

test('a manual run: copy the prompt, paste the reply, skip one; answers flow back into the run', async ({ page }) => {
	await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
	await page.goto('/');
	await expect(page.getByTestId('dataset-row').filter({ hasText: 'Mara' })).toBeVisible();
	await page.goto('/generate/runs/new?recipe=continuation');
	await page.locator('#param-dataset').selectOption({ label: 'Sample · Mara, the lighthouse keeper (26 entries)' });
	await page.locator('input[name=engine][value=manual]').check();
	await page.locator('#run-limit').fill('2');
	await page.getByRole('button', { name: 'Start run' }).click();

	const panel = page.getByTestId('manual-reply-panel');
	const requests = panel.getByTestId('manual-request');
	await expect(requests).toHaveCount(1);
	const prompt = await requests.first().getByTestId('manual-prompt').inputValue();
	expect(prompt).toMatch(/^### system\n/);
	await requests.first().getByTestId('manual-copy').click();
	await expect(requests.first().getByText('Copied')).toBeVisible();
	expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(prompt);

	await expect(requests.first().getByTestId('manual-submit')).toBeDisabled();
	const reply = 'And the fog, does it ever <b>scare</b> you?';
	await requests.first().getByTestId('manual-reply').fill(reply);
	await requests.first().getByTestId('manual-submit').click();

	// One request at a time: the reply comes back as the user turn of a later request (shown as
	// text), which is skipped; the others are answered, until the run is done.
	const state = page.getByTestId('run-state');
	let sawReply = false;
	let last = '';
	for (let round = 0; round < 8; round++) {
		// Wait for a new request, or the end of the run.
		const next = await expect
			.poll(async () => {
				if ((await state.textContent()) === 'Done') return 'done';
				const value = (await requests.count()) ? await requests.first().getByTestId('manual-prompt').inputValue({ timeout: 1000 }).catch(() => '') : '';
				return value && value !== last ? value : '';
			})
			.not.toBe('')
			.then(async () => ((await state.textContent()) === 'Done' && !(await requests.count()) ? null : requests.first().getByTestId('manual-prompt').inputValue()));
		if (next === null) break;
		last = next;
		if (next.includes(`### user\n${reply}`)) {
			sawReply = true;
			await requests.first().getByTestId('manual-skip').click();
		} else {
			await requests.first().getByTestId('manual-reply').fill(next.startsWith('### system\nYou play the user') ? 'Is the lamp hard to keep?' : 'Aye, some nights.');
			await requests.first().getByTestId('manual-submit').click();
		}
	}
	expect(sawReply).toBe(true);
	await expect(state).toHaveText('Done');
	await expect(requests).toHaveCount(0);
	await expect(page.getByText('You skipped this request.').first()).toBeVisible();
});

test('a model server on another address than localhost (a box on the network) can be reached', async ({ page }) => {
	// Bound to 127.0.0.2, reached by that address: the page may connect to any http(s) server the
	// user names, not only localhost and 127.0.0.1.
	const api = await startModelServer({ host: '127.0.0.2', model: 'qwen2.5:3b' });
	const port = api.port;
	const refused: string[] = [];
	page.on('console', (message) => {
		if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) refused.push(message.text());
	});
	try {
		await page.goto('/generate/engines');
		await page.getByTestId('endpoint-url').fill(`http://127.0.0.2:${port}/v1`);
		await page.getByTestId('endpoint-model').fill('qwen2.5:3b');
		await page.getByTestId('endpoint-test').click();
		await expect(page.getByTestId('endpoint-result')).toContainText('Connected. Models: qwen2.5:3b');
		expect(refused).toEqual([]);
	} finally {
		await api.close();
	}
});

test('a model server: test the connection, with plain-words errors', async ({ page }) => {
	// The test model server on loopback: it allows this page (CORS) and checks the key.
	const api = await startModelServer({ model: ['qwen2.5:1.5b', 'llama3.2:1b'], apiKey: 'sk-local-test' });
	const port = api.port;
	try {
		await page.goto('/generate/engines');
		await page.getByTestId('endpoint-url').fill(`http://127.0.0.1:${port}/v1`);
		await page.getByTestId('endpoint-model').fill('qwen2.5:1.5b');
		await page.getByTestId('endpoint-key').fill('wrong');
		await page.getByTestId('endpoint-test').click();
		await expect(page.getByTestId('endpoint-result')).toContainText('refused the API key');
		await expect(page.getByTestId('endpoint-result')).not.toContainText('wrong');

		await page.getByTestId('endpoint-key').fill('sk-local-test');
		await page.getByTestId('endpoint-test').click();
		await expect(page.getByTestId('endpoint-result')).toContainText('Connected. Models: qwen2.5:1.5b, llama3.2:1b');

		// Settings are remembered in this browser (the key only in local storage).
		await page.reload();
		await expect(page.getByTestId('endpoint-url')).toHaveValue(`http://127.0.0.1:${port}/v1`);
		await expect(page.getByTestId('endpoint-key')).toHaveValue('sk-local-test');

		await page.getByTestId('endpoint-url').fill('http://127.0.0.1:9/v1');
		await page.getByTestId('endpoint-test').click();
		await expect(page.getByTestId('endpoint-result')).toContainText('Cannot reach');
	} finally {
		await api.close();
	}
});

test('the connection test names the real cause: unauthorised, wrong path, CORS not allowed, not reachable', async ({ page }) => {
	const locked = await startModelServer({ model: 'keeper-7b', apiKey: 'sk-right' });
	const noCors = await startModelServer({ model: 'keeper-7b', cors: false });
	const gone = await startModelServer();
	const closedPort = gone.port;
	await gone.close();
	const result = page.getByTestId('endpoint-result');
	try {
		await page.goto('/generate/engines');
		await page.getByTestId('endpoint-model').fill('keeper-7b');

		// A server that wants a key, and none is set.
		await page.getByTestId('endpoint-url').fill(locked.url);
		await page.getByTestId('endpoint-test').click();
		await expect(result).toHaveAttribute('data-reason', 'unauthorized');
		await expect(result).toContainText('Unauthorised. The endpoint wants an API key (HTTP 401) and none is set.');

		// The base URL without /v1: the page says where the API is.
		await page.getByTestId('endpoint-key').fill('sk-right');
		await page.getByTestId('endpoint-url').fill(locked.url.replace(/\/v1$/, ''));
		await page.getByTestId('endpoint-test').click();
		await expect(result).toHaveAttribute('data-reason', 'not-found');
		await expect(result).toContainText(`Wrong path. Nothing at ${locked.url.replace(/\/v1$/, '')}/models (HTTP 404), but the API answers at ${locked.url}. Use ${locked.url} as the base URL.`);

		// Running, but it does not allow this page: CORS, with the general fix (no known port).
		await page.getByTestId('endpoint-key').fill('');
		await page.getByTestId('endpoint-url').fill(noCors.url);
		await page.getByTestId('endpoint-test').click();
		await expect(result).toHaveAttribute('data-reason', 'cors');
		await expect(result).toContainText('CORS not allowed.');
		await expect(result).toContainText(`does not allow this page (http://127.0.0.1:${process.env.E2E_PORT ?? '4183'})`);
		await expect(result).toContainText('Access-Control-Allow-Origin');
		// The server did get the no-cors request that told CORS from "not reachable".
		expect(noCors.requests().some((request) => request.path === '/v1/models')).toBe(true);

		// Nothing listens there.
		await page.getByTestId('endpoint-url').fill(`http://127.0.0.1:${closedPort}/v1`);
		await page.getByTestId('endpoint-test').click();
		await expect(result).toHaveAttribute('data-reason', 'unreachable');
		await expect(result).toContainText(`Not reachable. Cannot reach http://127.0.0.1:${closedPort}/v1: nothing answers there.`);
	} finally {
		await locked.close();
		await noCors.close();
	}
});

test('a server without json_schema is detected as JSON mode; the mode can be chosen by hand and is remembered per server', async ({ page }) => {
	const objectOnly = await startModelServer({ model: 'keeper-7b', responseFormats: ['json_object'] });
	const full = await startModelServer({ model: 'keeper-7b' });
	try {
		await page.goto('/generate/engines');
		await page.getByTestId('endpoint-model').fill('keeper-7b');
		await page.getByTestId('endpoint-url').fill(objectOnly.url);
		await page.getByTestId('endpoint-test').click();
		await expect(page.getByTestId('endpoint-format-result')).toHaveText('Detected: JSON mode.');
		await expect(page.getByTestId('endpoint-format-tried')).toContainText('json_schema: refused (HTTP 400');
		await expect(page.getByTestId('endpoint-mode-json_object')).toBeChecked();

		// Another server: detected on its own; then prompt-only chosen by hand, streaming off.
		await page.getByTestId('endpoint-url').fill(full.url);
		await page.getByTestId('endpoint-test').click();
		await expect(page.getByTestId('endpoint-format-result')).toHaveText('Detected: JSON schema.');
		await page.getByTestId('endpoint-mode-prompt').check();
		await page.getByTestId('endpoint-stream').uncheck();
		await expect(page.getByTestId('endpoint-format-result')).toHaveText('Chosen by hand: Prompt only.');

		await page.reload();
		await expect(page.getByTestId('endpoint-url')).toHaveValue(full.url);
		await expect(page.getByTestId('endpoint-mode-prompt')).toBeChecked();
		await expect(page.getByTestId('endpoint-stream')).not.toBeChecked();
		// Back to the first server: what was found for it comes back.
		await page.getByTestId('endpoint-url').fill(objectOnly.url);
		await page.getByTestId('endpoint-url').blur();
		await expect(page.getByTestId('endpoint-mode-json_object')).toBeChecked();
		await expect(page.getByTestId('endpoint-stream')).toBeChecked();
	} finally {
		await objectOnly.close();
		await full.close();
	}
});

/**
 * A custom model served by a local test server: small generated files with the names web-llm
 * 0.2.86 fetches (mlc-chat-config.json, tensor-cache.json and its shard, tokenizer.json, a
 * model library), no real weights. The library request is held open the first time, like a slow
 * download, so the load can be cancelled in the middle of it.
 */
test('a custom model: download → cancel → released → retry, and a failed load says why in plain words', async () => {
	const requested: string[] = [];
	const closedEarly: string[] = [];
	let holdLibrary = true;
	const held: Array<() => void> = [];
	const files: Record<string, { type: string; body: string | Buffer }> = {
		'/mara/resolve/main/mlc-chat-config.json': {
			type: 'application/json',
			body: JSON.stringify({
				model_type: 'qwen2',
				quantization: 'q4f32_1',
				vocab_size: 151936,
				context_window_size: 4096,
				sliding_window_size: 4096,
				prefill_chunk_size: 1024,
				attention_sink_size: -1,
				tensor_parallel_shards: 1,
				temperature: 0.7,
				top_p: 0.8,
				repetition_penalty: 1.05,
				conv_template: { name: 'qwen2', system_template: '<|im_start|>system\n{system_message}<|im_end|>\n', system_message: 'You are a helpful assistant.', roles: { user: '<|im_start|>user', assistant: '<|im_start|>assistant' }, seps: ['<|im_end|>\n'], role_content_sep: '\n', role_empty_sep: '\n', stop_str: ['<|endoftext|>', '<|im_end|>'], stop_token_ids: [151643, 151645] },
				tokenizer_files: ['tokenizer.json'],
				version: '0.1.0'
			})
		},
		'/mara/resolve/main/tensor-cache.json': { type: 'application/json', body: JSON.stringify({ metadata: { ParamSize: 1, ParamBytes: 64, BitsPerParam: 8 }, records: [{ dataPath: 'params_shard_0.bin', format: 'raw-shard', nbytes: 64, records: [{ name: 'w', shape: [16], dtype: 'float32', format: 'f32-to-bf16', nbytes: 64, byteOffset: 0 }], md5sum: '0' }] }) },
		'/mara/resolve/main/params_shard_0.bin': { type: 'application/octet-stream', body: Buffer.alloc(64) },
		'/mara/resolve/main/tokenizer.json': { type: 'application/json', body: JSON.stringify({ version: '1.0', model: { type: 'BPE', vocab: { a: 0 }, merges: [] } }) },
		// Not a WebAssembly module: what a wrong or truncated library download looks like.
		'/libs/mara-q4f32_1-webgpu.wasm': { type: 'application/wasm', body: Buffer.from('<html>Not found</html>') }
	};
	const host: Server = createServer((req, res) => {
		const path = (req.url ?? '').split('?')[0];
		requested.push(path);
		res.setHeader('Access-Control-Allow-Origin', '*');
		const file = files[path];
		if (path.endsWith('.wasm') && holdLibrary) {
			req.socket.on('close', () => closedEarly.push(path));
			held.push(() => res.destroy());
			return;
		}
		if (!file) {
			res.writeHead(404).end();
			return;
		}
		res.writeHead(200, { 'Content-Type': file.type, 'Content-Length': Buffer.byteLength(file.body) }).end(file.body);
	});
	await new Promise<void>((ready) => host.listen(0, '127.0.0.1', ready));
	const port = (host.address() as { port: number }).port;
	try {
		await withWebGPU(async (page) => {
			await page.getByText('Add a custom model').click();
			await page.getByTestId('custom-modelId').fill('mara-q4f32_1');
			await page.getByTestId('custom-weightsUrl').fill(`http://127.0.0.1:${port}/mara`);
			await page.getByTestId('custom-modelLibUrl').fill(`http://127.0.0.1:${port}/libs/mara-q4f32_1-webgpu.wasm`);
			await page.getByTestId('custom-vramMB').fill('900');
			await page.getByTestId('custom-save').click();
			const row = page.getByTestId('custom-model-table').locator('tr[data-model="mara-q4f32_1"]');

			// Download: web-llm fetched the config from our host and is now downloading the library.
			await row.getByRole('button', { name: 'Download & load' }).click();
			await expect.poll(() => requested).toContain('/libs/mara-q4f32_1-webgpu.wasm');
			expect(requested).toContain('/mara/resolve/main/mlc-chat-config.json');
			await expect(page.getByTestId('model-loader')).toHaveAttribute('data-state', 'loading');

			// Cancel: the worker is ended at once, so the download's connection closes and nothing stays loaded.
			await page.getByTestId('cancel-load').click();
			await expect(page.getByTestId('load-cancelled')).toContainText('Loading mara-q4f32_1 was cancelled');
			await expect.poll(() => closedEarly).toContain('/libs/mara-q4f32_1-webgpu.wasm');
			await expect(page.getByTestId('model-loader')).toHaveAttribute('data-state', 'idle');
			await expect(row.getByRole('button', { name: 'Download & load' })).toBeEnabled();

			// Retry: a fresh worker downloads again; the library is not WebAssembly, and the page says so.
			holdLibrary = false;
			const before = requested.filter((path) => path.endsWith('.wasm')).length;
			await row.getByRole('button', { name: 'Download & load' }).click();
			await expect(page.getByTestId('load-error')).toContainText('Could not load mara-q4f32_1', { timeout: 45_000 });
			expect(requested.filter((path) => path.endsWith('.wasm')).length).toBeGreaterThan(before);
			await expect(page.getByTestId('load-error')).toContainText('model library');
			await expect(page.getByTestId('load-error')).not.toContainText('CompileError');
			await expect(row.getByRole('button', { name: 'Download & load' })).toBeEnabled();
		});
	} finally {
		for (const release of held) release();
		await new Promise((done) => host.close(done));
	}
});
