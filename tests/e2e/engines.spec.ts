import { chromium } from '@playwright/test';
import { createServer, type Server } from 'node:http';
import { expect, test } from './fixtures';
import { startStaticServer } from '../../scripts/static-server.mjs';
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

test('a model server: test the connection, with plain-words errors', async ({ page }) => {
	// A tiny OpenAI-compatible server on loopback that allows this page (CORS) and checks the key.
	const api: Server = createServer((req, res) => {
		const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'authorization, content-type' };
		if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end();
		if (req.url === '/v1/models') {
			if (req.headers.authorization !== 'Bearer sk-local-test') return void res.writeHead(401, cors).end('{"error":"bad key"}');
			res.writeHead(200, { ...cors, 'content-type': 'application/json' });
			return void res.end(JSON.stringify({ data: [{ id: 'qwen2.5:1.5b' }, { id: 'llama3.2:1b' }] }));
		}
		res.writeHead(404, cors).end();
	});
	await new Promise<void>((ready) => api.listen(0, '127.0.0.1', ready));
	const port = (api.address() as { port: number }).port;
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
		await new Promise((done) => api.close(done));
	}
});
