import { expect, test } from './fixtures';
import { chunkedRunFormForWren, connectModelServer, waitForSample } from './helpers';
import { startModelServer } from '../model-server/server.mjs';

/**
 * The small-model failure users hit most, end to end on the committed test model server: every
 * answer for a chunk is in character instead of JSON, so the chunk fails. The server is fixed and
 * "Retry failed only" really asks it again (the requests are counted on the server) instead of
 * replaying the unusable answers from the cache, and the chunk succeeds. The run also keeps to the
 * requests-per-minute limit set on the form, and says per record what its requests were.
 */
test('a chunk fails on answers in character; the server is fixed; Retry failed only really asks again and the chunk succeeds', async ({ page }) => {
	test.setTimeout(120_000);
	const api = await startModelServer({ model: 'wren-3b' });
	try {
		await page.goto('/');
		await waitForSample(page);
		// The server's limit, saved with it: at most 120 requests a minute (2 a second).
		await connectModelServer(page, api, 'wren-3b', { requestsPerMinute: 120 });
		// From now on every answer comes back in character, never JSON: a small model ignoring the format.
		api.script([{ kind: 'in-character', times: 1000 }]);
		await chunkedRunFormForWren(page, { entries: 2, iterations: 2, chunks: 1 });

		// Only the first chunk, on the model server.
		await page.getByRole('group', { name: /Chunks/ }).getByRole('checkbox').nth(0).check();
		await page.getByRole('radio', { name: /Model server/ }).check();
		await page.getByLabel('Requests in flight').fill('4');
		// The form starts from the server's saved limit.
		await expect(page.getByLabel('Requests per minute')).toHaveValue('120');
		await page.getByLabel('Run name').fill('Wren on a small model');
		await page.getByRole('button', { name: 'Start run' }).click();

		await expect(page.getByRole('heading', { name: 'Wren on a small model' })).toBeVisible();
		await expect(page.getByTestId('run-rate-limits')).toHaveText('≤ 120 requests/min');
		await expect(page.getByTestId('run-state')).toHaveText('Done', { timeout: 60_000 });
		await expect(page.getByTestId('run-progress')).toContainText('1 failed');
		const failedTry = api.requests().filter((request) => request.path === '/v1/chat/completions');
		// 2 iterations, each asked 1 + its retries, every answer unusable.
		expect(failedTry.length).toBeGreaterThanOrEqual(4);
		expect(failedTry.every((request) => request.fault === 'in-character')).toBe(true);
		// The limit paced them: a burst of 2, then 2 a second (unpaced, these take well under a second).
		// Measured from the second arrival, as the first can reach the server late (a new connection).
		const times = failedTry.map((request) => request.at);
		expect(times[times.length - 1] - times[1]).toBeGreaterThanOrEqual((times.length - 3) * 500 - 100);
		const record = page.getByTestId('run-record').first();
		await expect(record).toHaveAttribute('data-state', 'failed');
		await expect(record.getByTestId('record-requests')).toContainText(`${failedTry.length} requests sent`);
		await expect(record.getByTestId('record-requests')).toContainText('unusable');

		// The server is fixed. Retry failed only: the model is asked again, nothing unusable replayed.
		api.reset();
		await page.getByRole('button', { name: 'Retry failed only (1)' }).click();
		// The record ends done (the run's figures alone could still be the last run's).
		await expect(record).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
		await expect(page.getByTestId('run-state')).toHaveText('Done');
		await expect(page.getByTestId('run-progress')).toContainText('1 of 1 records');
		await expect(page.getByTestId('run-progress')).not.toContainText('failed');
		const retried = api.requests().filter((request) => request.path === '/v1/chat/completions');
		expect(retried.length).toBe(2);
		expect(retried.every((request) => request.status === 200 && !request.fault)).toBe(true);
		await expect(record.getByTestId('record-requests')).toContainText('2 requests sent');
		await expect(record.getByTestId('record-requests')).toContainText('retry round 1');
		await expect(page.getByTestId('run-progress')).toContainText(/[1-9]\d* samples/);

		// Ask again, ignoring the cache: both requests go to the server again.
		api.reset();
		await record.getByRole('button', { name: 'Ask again' }).click();
		await expect.poll(() => api.requests().filter((request) => request.path === '/v1/chat/completions').length, { timeout: 30_000 }).toBe(2);
		await expect(record.getByTestId('record-requests')).toContainText('retry round 2');
		await expect(page.getByTestId('run-state')).toHaveText('Done');
	} finally {
		await api.close();
	}
});
