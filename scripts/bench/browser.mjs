/**
 * The bench's browser: Chromium headless with the flags this machine needs (no sandbox, no
 * background traffic), in a throw-away profile, 1400 px wide. One launcher for `npm run bench`,
 * `scripts/bench-run.mjs` and `scripts/bench/views.mjs`.
 */
import { chromium } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
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
