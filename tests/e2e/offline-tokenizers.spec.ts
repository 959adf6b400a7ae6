import { chromium } from '@playwright/test';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { expect, test } from './fixtures';
import { waitForSample } from './helpers';
import { startStaticServer } from '../../scripts/static-server.mjs';
import { CHROMIUM_ARGS } from '../../playwright.config';

interface Assets {
	files: string[];
	sizes: number[];
	bytes: number;
}
type Manifest = Record<'o200k_base' | 'cl100k_base' | 'qwen3', Assets>;

/** As the page writes sizes (`core/display` formatBytes). */
function formatBytes(bytes: number): string {
	const units = ['KB', 'MB', 'GB'];
	let value = bytes / 1024;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit += 1;
	}
	return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

test('tokenizers offline: the default is precached, another made available offline counts too, a third says so plainly', async ({ page, context }) => {
	test.setTimeout(240_000);
	await page.goto('/');
	await waitForSample(page);
	await expect(page.getByText('Works offline')).toBeVisible();
	await page.evaluate(() => navigator.serviceWorker.ready);
	await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

	// The manifest the build wrote names real files with their real sizes (read past the service
	// worker, which would cache what the page fetches).
	const manifest = (await (await page.request.get('/_app/tokenizer-assets.json')).json()) as Manifest;
	for (const assets of Object.values(manifest)) {
		const served = await Promise.all(assets.files.map(async (file) => (await (await page.request.get(`/${file}`)).body()).byteLength));
		expect(served).toEqual(assets.sizes);
	}
	// The default tokenizer came with the app: its files are in the cache before anything used it.
	const cachedOnInstall = await page.evaluate(async (files) => Promise.all(files.map(async (file) => (await caches.match(`/${file}`)) !== undefined)), manifest.o200k_base.files);
	expect(cachedOnInstall).toEqual(manifest.o200k_base.files.map(() => true));

	const href = await page.getByTestId('dataset-row').filter({ hasText: 'Mara' }).getByRole('link', { name: 'Open' }).getAttribute('href');
	await page.goto(`${href}/analysis`);
	const view = page.getByTestId('analysis-view');
	await expect(view.getByTestId('token-total')).toHaveText(/^[\d,]+$/);
	const o200kTotal = await view.getByTestId('token-total').innerText();

	// Make the Qwen tokenizer available offline: its size is the manifest's.
	await view.getByText('Offline tokenizers').click();
	const list = view.getByTestId('offline-tokenizers');
	await expect(list).toContainText('1 of 6 available offline');
	const row = (id: string) => list.locator(`[data-testid=offline-tokenizer][data-tokenizer=${id}]`);
	await expect(row('o200k_base')).toHaveAttribute('data-availability', 'available');
	await expect(row('o200k_base')).toContainText('comes with the app');
	await expect(row('o200k_base').getByRole('button')).toHaveCount(0);
	await expect(row('qwen3')).toContainText(formatBytes(manifest.qwen3.bytes));
	// cl100k shares a chunk with the default: only its own part is left to download.
	const cl100kOwn = manifest.cl100k_base.sizes[manifest.cl100k_base.files.findIndex((file) => !manifest.o200k_base.files.includes(file))];
	await expect(row('cl100k_base').getByRole('button')).toHaveText(`Make available offline (${formatBytes(cl100kOwn)})`);
	await expect(view.getByTestId('tokenizer-select').locator('option[value=qwen3]')).toContainText(`${formatBytes(manifest.qwen3.bytes)} to download`);
	await row('qwen3').getByRole('button', { name: /Make available offline/ }).click();
	await expect(row('qwen3')).toHaveAttribute('data-availability', 'available', { timeout: 30_000 });
	await expect(list.getByTestId('offline-tokenizers-notice')).toHaveText('The Qwen3 / Qwen2.5 tokenizer is available offline.');
	await expect(list).toContainText('2 of 6 available offline');
	await expect(view.getByTestId('tokenizer-select').locator('option[value=qwen3]')).toContainText('available offline');

	// Offline, after a reload: the default and the one made available count tokens.
	await context.setOffline(true);
	await page.reload();
	await expect(view.getByTestId('count-entries')).toHaveText('26');
	await expect(view.getByTestId('token-total')).toHaveText(o200kTotal);
	await view.getByTestId('tokenizer-select').selectOption('qwen3');
	// (The Qwen vocabulary takes a while to build on a busy machine.)
	await expect(view.getByTestId('token-total')).not.toHaveText(o200kTotal, { timeout: 90_000 });
	await expect(view.getByTestId('token-total')).toHaveText(/^[\d,]+$/);
	await expect(view.getByTestId('billed-tokens')).toHaveText(/^[\d,]+$/);

	// The one not made available: a plain message, the estimate, and the list opened where it points.
	await view.getByTestId('tokenizer-select').selectOption('cl100k_base');
	await expect(view.getByTestId('token-unavailable')).toHaveText(
		"The OpenAI cl100k_base tokenizer isn't available offline: connect once, or make it available offline under “Offline tokenizers” next to the tokenizer picker. Everything else on this page works without it."
	);
	await expect(view.getByTestId('token-estimate')).toContainText(/≈ [\d,]+\s*tokens, estimated at 4 characters a token/);
	await expect(view.getByTestId('token-total')).toHaveCount(0);
	await expect(page.getByText(/dynamically imported module/)).toHaveCount(0);
	await expect(page.getByText('The analysis stopped')).toHaveCount(0);
	await expect(list).toHaveAttribute('open', '');
	await expect(row('cl100k_base')).toHaveClass(/current/);

	// Still offline, the download says why it cannot happen.
	await row('cl100k_base').getByRole('button', { name: /Make available offline/ }).click();
	await expect(list.getByTestId('offline-tokenizers-notice')).toHaveText(`You're offline: connect to download the OpenAI cl100k_base tokenizer (${formatBytes(cl100kOwn)}).`);
	await expect(row('cl100k_base')).not.toHaveAttribute('data-availability', 'available');

	// Back online, making it available counts right away, and it then works offline too.
	await context.setOffline(false);
	await row('cl100k_base').getByRole('button', { name: /Make available offline/ }).click();
	await expect(view.getByTestId('token-total')).toHaveText(/^[\d,]+$/, { timeout: 30_000 });
	await expect(view.getByTestId('token-unavailable')).toHaveCount(0);
	await expect(list).toContainText('3 of 6 available offline');

	// Freeing the Qwen tokenizer leaves the shared files the others need.
	await row('qwen3').getByRole('button', { name: 'Stop keeping Qwen3 / Qwen2.5 offline' }).click();
	await expect(row('qwen3')).toHaveAttribute('data-availability', 'missing');
	await expect(row('cl100k_base')).toHaveAttribute('data-availability', 'available');
	await expect(row('o200k_base')).toHaveAttribute('data-availability', 'available');
	// web-llm's caches are never touched (none here, and none created or removed by this page).
	expect((await page.evaluate(() => caches.keys())).filter((name) => !name.startsWith('skein-app-'))).toEqual([]);
});

test('a new app version keeps the tokenizers made available offline, and cleans up the old cache', async () => {
	test.setTimeout(180_000);
	// Deployment 2 is this build under the next version number (page and service worker alike), as a
	// real deployment whose vocabularies did not change: same chunk names, new cache.
	let deployed = 1;
	const version = /=`(\d{10,})`/.exec(readFileSync('build/service-worker.js', 'utf8'))?.[1];
	if (!version) throw new Error('no build version in service-worker.js');
	const next = String(Number(version) + 1);
	const requested: string[] = [];
	const server = await startStaticServer({
		port: 0,
		extra: (req, res) => {
			const path = new URL(req.url ?? '/', 'http://x').pathname;
			requested.push(path);
			const file = join('build', path);
			if (deployed === 1 || !['.js', '.json'].includes(extname(path)) || !existsSync(file)) return false;
			res.writeHead(200, { 'content-type': extname(path) === '.json' ? 'application/json' : 'text/javascript', 'cache-control': 'no-store' });
			res.end(readFileSync(file, 'utf8').replaceAll(version, next));
			return true;
		}
	});
	const profile = mkdtempSync(join(tmpdir(), 'skein-tokenizers-'));
	const context = await chromium.launchPersistentContext(profile, { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
	try {
		const page = context.pages()[0] ?? (await context.newPage());
		const errors: string[] = [];
		page.on('pageerror', (e) => errors.push(e.message));
		await page.goto(server.url);
		await waitForSample(page);
		await expect(page.getByText('Works offline')).toBeVisible();
		await page.evaluate(() => navigator.serviceWorker.ready);
		await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
		const manifest = (await (await page.request.get(`${server.url}/_app/tokenizer-assets.json`)).json()) as Manifest;

		const href = await page.getByTestId('dataset-row').filter({ hasText: 'Mara' }).getByRole('link', { name: 'Open' }).getAttribute('href');
		await page.goto(`${server.url}${href}/analysis`);
		const view = page.getByTestId('analysis-view');
		await view.getByText('Offline tokenizers').click();
		const list = view.getByTestId('offline-tokenizers');
		const row = (id: string) => list.locator(`[data-testid=offline-tokenizer][data-tokenizer=${id}]`);
		await row('qwen3').getByRole('button', { name: /Make available offline/ }).click();
		await expect(row('qwen3')).toHaveAttribute('data-availability', 'available', { timeout: 30_000 });
		await expect(row('cl100k_base')).toHaveAttribute('data-availability', 'partial');

		// The new version installs while the page is open; the user reloads into it.
		requested.length = 0;
		deployed = 2;
		await page.evaluate(async () => (await navigator.serviceWorker.ready).update());
		const banner = page.getByTestId('update-banner');
		await Promise.all([page.waitForEvent('load'), banner.getByRole('button', { name: 'Reload' }).click()]);
		await expect.poll(() => page.evaluate(async () => (await caches.keys()).filter((key) => key.startsWith('skein-app-')))).toEqual([`skein-app-${next}`]);
		// The Qwen chunk was copied from the old cache, not downloaded again.
		expect(requested.filter((path) => manifest.qwen3.files.some((file) => path === `/${file}`))).toEqual([]);

		await page.getByText('Offline tokenizers').click();
		await expect(row('qwen3')).toHaveAttribute('data-availability', 'available');
		await expect(row('o200k_base')).toHaveAttribute('data-availability', 'available');
		await expect(row('cl100k_base')).toHaveAttribute('data-availability', 'partial');
		const inNewCache = await page.evaluate(
			async ({ cache, files }) => Promise.all(files.map(async (file) => (await (await caches.open(cache)).match(`/${file}`)) !== undefined)),
			{ cache: `skein-app-${next}`, files: [...manifest.qwen3.files, ...manifest.o200k_base.files] }
		);
		expect(inNewCache.every(Boolean)).toBe(true);
		expect(errors).toEqual([]);
	} finally {
		await context.close();
		rmSync(profile, { recursive: true, force: true });
		await server.close();
	}
});
