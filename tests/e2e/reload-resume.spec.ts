import { expect, test } from './fixtures';
import { chunkedRunFormForWren, connectModelServer, waitForSample } from './helpers';
import { startModelServer } from '../model-server/server.mjs';

/**
 * A reload in the middle of a run on a model server, without pausing first: the run shows as
 * interrupted, resumes, and finishes — and the server, which logs every request, is asked again
 * only for what was still in flight when the page went away (at most the run's concurrency):
 * every answer the app had received was kept and replayed, never paid for twice.
 */
test('reload mid-run → resume → no answered request is sent twice (counted on the server)', async ({ page }) => {
	test.setTimeout(120_000);
	const api = await startModelServer({ model: 'wren-3b' });
	try {
		await page.goto('/');
		await waitForSample(page);
		await connectModelServer(page, api, 'wren-3b');
		// Slow answers, so the reload lands mid-run.
		api.script([{ kind: 'slow', delayMs: 350, times: 1000 }]);
		await chunkedRunFormForWren(page, { entries: 2, iterations: 3 });
		await page.getByRole('radio', { name: /Model server/ }).check();
		await page.getByLabel('Requests in flight').fill('2');
		await page.getByLabel('Run name').fill('Wren, reloaded');
		await page.getByRole('button', { name: 'Start run' }).click();
		await expect(page.getByTestId('run-state')).toHaveText('Running');

		const chat = () => api.requests().filter((request) => request.path === '/v1/chat/completions');
		await expect.poll(() => chat().length, { timeout: 20_000 }).toBeGreaterThanOrEqual(5);
		await page.reload();
		await expect(page.getByTestId('interrupted-banner')).toBeVisible();
		await expect(page.getByTestId('run-state')).toHaveText('Interrupted');
		const beforeResume = chat().length;
		await page.getByRole('button', { name: 'Resume run' }).first().click();
		await expect(page.getByTestId('run-state')).toHaveText('Done', { timeout: 60_000 });
		await expect(page.getByTestId('run-progress')).toContainText('5 of 5 records');

		// 5 chunks × 3 iterations = 15 distinct requests; what was asked twice is at most what was in flight.
		const bodies = chat().map((request) => JSON.stringify(request.body.messages) + JSON.stringify(request.body.seed ?? null));
		const distinct = new Set(bodies);
		expect(distinct.size).toBe(15);
		expect(bodies.length - distinct.size).toBeLessThanOrEqual(2);
		expect(chat().length).toBeGreaterThan(beforeResume);
	} finally {
		await api.close();
	}
});
