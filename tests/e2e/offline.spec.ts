import { chromium, expect, test } from '@playwright/test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStaticServer } from '../../scripts/static-server.mjs';
import { CHROMIUM_ARGS } from '../../playwright.config';

/**
 * These tests run their own server, so they can stop it (offline) or change the service worker
 * it serves (a new deployment), with a persistent profile so the cache survives like a real one.
 */
async function launchWithProfile(prefix: string) {
	const profile = mkdtempSync(join(tmpdir(), prefix));
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
		args: CHROMIUM_ARGS,
		headless: true
	});
	const page = context.pages()[0] ?? (await context.newPage());
	const dispose = async () => {
		await context.close();
		rmSync(profile, { recursive: true, force: true });
	};
	return { page, dispose };
}

test('after one visit the app opens and works with the server gone', async () => {
	const server = await startStaticServer({ port: 0 });
	const { page, dispose } = await launchWithProfile('skein-offline-');
	try {
		await page.goto(server.url);
		await expect(page.getByTestId('dataset-row').filter({ hasText: 'Mara' })).toBeVisible();
		await expect(page.getByText('Works offline')).toBeVisible();
		await page.evaluate(() => navigator.serviceWorker.ready);

		await server.close();
		await page.reload();
		await expect(page.getByTestId('dataset-row').filter({ hasText: 'Mara' })).toContainText('26 entries');
		// Deep links and the worker work offline too: open the dataset and import pasted data.
		await page.goto(`${server.url}/datasets/does-not-exist`);
		await expect(page.getByText('This dataset is not here')).toBeVisible();
		await page.goto(server.url);
		await page.getByTestId('dataset-row').first().getByRole('link', { name: 'Open' }).click();
		await expect(page.getByTestId('entry-view')).toContainText('Entry #1');
		await page.getByRole('button', { name: 'Paste' }).click();
		await page.getByTestId('paste-text').fill('{"prompt": "Offline?", "response": "Still here."}');
		await page.getByRole('button', { name: 'Import', exact: true }).click();
		await expect(page.getByTestId('import-report')).toContainText('Imported 1 entry');
	} finally {
		await dispose();
		await server.close().catch(() => undefined);
	}
});

test('a new deployment waits for the user to reload', async () => {
	let deployed = 1;
	const worker = readFileSync('build/service-worker.js', 'utf8');
	const server = await startStaticServer({
		port: 0,
		extra: (req, res) => {
			if (!req.url?.startsWith('/service-worker.js')) return false;
			res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' });
			res.end(`${worker}\n// deployment ${deployed}\n`);
			return true;
		}
	});
	const { page, dispose } = await launchWithProfile('skein-update-');
	try {
		await page.goto(server.url);
		await expect(page.getByText('Works offline')).toBeVisible();
		await expect(page.getByTestId('update-banner')).toHaveCount(0);

		// Someone is editing an entry when the new version arrives.
		await page.getByTestId('dataset-row').first().getByRole('link', { name: 'Open' }).click();
		await page.getByTestId('entry-edit').click();
		await page.getByTestId('editor-content').first().fill('An edit in progress');

		deployed = 2;
		await page.evaluate(async () => (await navigator.serviceWorker.ready).update());
		const banner = page.getByTestId('update-banner');
		await expect(banner).toContainText('Save or cancel the entry you are editing');
		await expect(banner.getByRole('button', { name: 'Reload' })).toBeDisabled();
		await page.getByTestId('editor-save').click();
		await expect(page.getByTestId('entry-view')).toContainText('An edit in progress');
		await expect(banner).toContainText('Your work is saved');
		// Nothing swapped under the open page until the user says so.
		await expect(page.getByTestId('entry-view')).toBeVisible();
		await Promise.all([page.waitForEvent('load'), banner.getByRole('button', { name: 'Reload' }).click()]);
		await expect(page.getByTestId('update-banner')).toHaveCount(0);
		// The saved edit is there after the update.
		await expect(page.getByTestId('entry-view')).toContainText('An edit in progress');
	} finally {
		await dispose();
		await server.close();
	}
});
