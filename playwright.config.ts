import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests run against the production build (`vite build`, served by scripts/serve.mjs)
 * in the machine's Chromium: Playwright's own browser download is not available here.
 */
export const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--disable-quic',
	'--no-first-run'
];

const PORT = Number(process.env.E2E_PORT ?? 4183);

export default defineConfig({
	testDir: 'tests/e2e',
	timeout: 60_000,
	expect: { timeout: 15_000 },
	fullyParallel: false,
	workers: 1,
	forbidOnly: !!process.env.CI,
	retries: process.env.CI ? 1 : 0,
	reporter: process.env.CI ? 'list' : [['list']],
	use: {
		baseURL: `http://127.0.0.1:${PORT}`,
		viewport: { width: 1400, height: 900 },
		acceptDownloads: true,
		launchOptions: {
			executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
			args: CHROMIUM_ARGS
		}
	},
	webServer: {
		command: `node scripts/serve.mjs`,
		env: { PORT: String(PORT) },
		url: `http://127.0.0.1:${PORT}`,
		reuseExistingServer: false,
		timeout: 30_000
	}
});
