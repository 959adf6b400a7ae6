import { expect, test } from './fixtures';
import { chunkedRunFormForWren, connectModelServer, waitForSample } from './helpers';
import { startModelServer } from '../model-server/server.mjs';

/**
 * How runs talk to a model server, against the committed test model server: the Engines page
 * detects json_schema and a chunked run's requests carry the recipe's schema, streamed with live
 * per-request progress; a stream cut off mid-way is retried and the run finishes.
 */

test('the Engines page detects json_schema; a streamed chunked run sends its schema, shows progress per request and finishes', async ({ page }) => {
	test.setTimeout(120_000);
	// Slow enough streams (40 ms a chunk) for the run view to show them in flight.
	const api = await startModelServer({ model: 'keeper-7b', chunkDelayMs: 40 });
	try {
		await page.goto('/');
		await waitForSample(page);
		await page.goto('/generate/engines');
		await page.getByTestId('endpoint-url').fill(api.url);
		await page.getByTestId('endpoint-model').fill('keeper-7b');
		await page.getByTestId('endpoint-test').click();
		await expect(page.getByTestId('endpoint-result')).toContainText('Connected. Models: keeper-7b');
		await expect(page.getByTestId('endpoint-format-result')).toHaveText('Detected: JSON schema.');
		await expect(page.getByTestId('endpoint-format-tried')).toContainText('json_schema: accepted, and the answer matched the schema.');
		await expect(page.getByTestId('endpoint-mode-json_schema')).toBeChecked();
		await expect(page.getByTestId('endpoint-stream')).toBeChecked();
		// The probe asked once, with a schema, and was not streamed.
		expect(api.requests().filter((request) => request.path === '/v1/chat/completions').map((request) => [request.responseFormat, request.stream])).toEqual([['json_schema', false]]);
		// Remembered for this server after a reload.
		await page.reload();
		await expect(page.getByTestId('endpoint-mode-json_schema')).toBeChecked();
		await expect(page.getByTestId('endpoint-format-result')).toHaveText('Detected: JSON schema.');
		api.reset();

		// A character sheet, cut to 2 entries and 1 iteration per chunk.
		await chunkedRunFormForWren(page, { entries: 2, iterations: 1 });
		await page.getByRole('radio', { name: /Model server/ }).check();
		await page.getByLabel('Requests in flight').fill('2');
		await page.getByLabel('Run name').fill('Wren on the server');
		await page.getByRole('button', { name: 'Start run' }).click();

		await expect(page.getByRole('heading', { name: 'Wren on the server' })).toBeVisible();
		await expect(page.getByTestId('run-protocol')).toHaveText('Requests: structured output as response_format json_schema; answers streamed');
		// Streams in flight: one progress line per request, with tokens so far.
		await expect(page.getByTestId('run-request').first()).toContainText(/step 1 · \d+ tokens?/, { timeout: 20_000 });
		await expect(page.getByTestId('run-live-rate')).toContainText('tok/s now');
		await expect(page.getByTestId('run-state')).toHaveText('Done', { timeout: 60_000 });
		await expect(page.getByTestId('run-progress')).toContainText('5 of 5 records');
		await expect(page.getByTestId('run-requests')).toHaveCount(0);
		await expect(page.getByTestId('run-log')).toContainText('Requests to the model server: structured output as response_format json_schema; answers streamed.');

		// Every request of the run carried the recipe's schema as json_schema and was streamed.
		const sent = api.requests().filter((request) => request.path === '/v1/chat/completions');
		expect(sent.length).toBeGreaterThanOrEqual(5);
		for (const request of sent) {
			expect(request.responseFormat).toBe('json_schema');
			expect(request.body.response_format.json_schema.schema.properties.entries.type).toBe('array');
			expect(request.stream).toBe(true);
			expect(request.status).toBe(200);
		}
		// A step says how its response_format was sent.
		await page.getByTestId('run-record').first().getByRole('button').first().click();
		await expect(page.getByTestId('record-detail')).toBeVisible();
		await expect(page.getByTestId('step-format').first()).toHaveText('json_schema');
	} finally {
		await api.close();
	}
});

test('a stream cut off mid-way is retried like a timeout and the run finishes', async ({ page }) => {
	test.setTimeout(90_000);
	// The default answers: a json_schema probe is answered to the schema, the run's requests in prose.
	const api = await startModelServer({ model: 'keeper-7b' });
	try {
		await page.goto('/');
		await waitForSample(page);
		await connectModelServer(page, api, 'keeper-7b');
		api.script([{ kind: 'drop-stream' }]);

		await page.goto('/generate/runs/new?recipe=continuation');
		await page.getByLabel('Dataset', { exact: true }).selectOption({ label: 'Sample · Mara, the lighthouse keeper (26 entries)' });
		await page.getByRole('radio', { name: /Model server/ }).check();
		await page.getByLabel('Requests in flight').fill('1');
		await page.getByLabel('Only the first N records').fill('2');
		await page.getByLabel('Run name').fill('Cut stream');
		await page.getByRole('button', { name: 'Start run' }).click();

		await expect(page.getByTestId('run-state')).toHaveText('Done', { timeout: 45_000 });
		await expect(page.getByTestId('run-progress')).toContainText('2 of 2 records');
		await expect(page.getByTestId('run-log')).toContainText(/The answer stream was cut off after \d+ characters .*; retrying in/);
		const sent = api.requests().filter((request) => request.path === '/v1/chat/completions');
		expect(sent[0]).toMatchObject({ fault: 'drop-stream', stream: true });
		expect(sent.length).toBeGreaterThanOrEqual(3);
		expect(sent.slice(1).every((request) => request.fault === undefined)).toBe(true);
	} finally {
		await api.close();
	}
});
