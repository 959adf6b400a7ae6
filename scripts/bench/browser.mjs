/**
 * The bench's browser: Chromium headless with the flags this machine needs (no sandbox, no
 * background traffic), in a throw-away profile, 1400 px wide. One launcher for `npm run bench`,
 * the standalone bench scripts (with their shared first steps).
 */
import { chromium } from '@playwright/test';
import { execSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'];

/**
 * @param {string} prefix the profile folder's name prefix
 * @param {{ acceptDownloads?: boolean }} [options]
 * @returns {Promise<{ context: import('@playwright/test').BrowserContext; page: import('@playwright/test').Page; profile: string; close: () => Promise<void> }>}
 */
export async function launchBenchBrowser(prefix, options = {}) {
	const profile = mkdtempSync(join(tmpdir(), prefix));
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: '/usr/bin/chromium',
		headless: true,
		args: CHROMIUM_ARGS,
		viewport: { width: 1400, height: 900 },
		...(options.acceptDownloads ? { acceptDownloads: true } : {})
	});
	const page = context.pages()[0] ?? (await context.newPage());
	return {
		context,
		page,
		profile,
		close: async () => {
			await context.close();
			rmSync(profile, { recursive: true, force: true });
		}
	};
}

/**
 * The standalone bench scripts' first step: from the datasets page, import the bench data file
 * and open it as a user would.
 * @param {import('@playwright/test').Page} page
 * @param {string} url the app's address
 * @param {string} dataFile
 * @returns {Promise<string>} the dataset's id
 */
export async function importAndOpen(page, url, dataFile) {
	await page.goto(url);
	await page.getByTestId('dataset-row').first().waitFor({ timeout: 30_000 });
	await page.setInputFiles('[data-testid=file-input]', dataFile);
	const report = page.locator('[data-testid=import-report]');
	await report.waitFor({ timeout: 300_000 });
	await report.getByRole('link', { name: /^Open/ }).click();
	await page.getByTestId('entry-row').filter({ hasNotText: 'Loading' }).first().waitFor();
	return /** @type {string} */ (page.url().split('/').pop());
}

/**
 * What a standalone bench script needs first: the generated data file (BENCH_LINES lines, made
 * once) and a build (skipped with BENCH_SKIP_BUILD=1 when one exists).
 * @returns {{ lines: number, label: string, dataFile: string }}
 */
export function prepareStandaloneBench() {
	const lines = Number(process.env.BENCH_LINES ?? 100_000);
	const label = lines === 100_000 ? '100k' : `${Math.round(lines / 1000)}k`;
	const dataFile = `bench-data/chat${label}.jsonl`;
	if (!existsSync(dataFile)) execSync(`mkdir -p bench-data && node scripts/gen-bench-data.mjs ${dataFile} ${lines}`, { stdio: 'inherit' });
	if (!process.env.BENCH_SKIP_BUILD || !existsSync('build/index.html')) execSync('npx vite build', { stdio: ['ignore', 'ignore', 'inherit'] });
	return { lines, label, dataFile };
}
