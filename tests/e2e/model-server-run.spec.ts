import { expect, test } from './fixtures';
import { waitForSample } from './helpers';
import { startModelServer } from '../model-server/server.mjs';

/**
 * A run on an OpenAI-compatible model server: the test model server on loopback (CORS allowed, key
 * checked) answers 429 with Retry-After first, then a 500, then real answers. The run retries,
 * finishes, sends the sampling it was given and the key as a bearer token — and the key is never
 * written to IndexedDB.
 */

test('a continuation run on a model server retries 429 and 500, sends sampling and the key, and never stores the key', async ({ page }) => {
	const api = await startModelServer({ model: 'keeper-7b', apiKey: 'sk-run-secret-42', answer: () => 'The lamp is lit and the log is written; the fog came in at nine.' });
	const port = api.port;
	try {
		await page.goto('/');
		await waitForSample(page);
		await page.goto('/generate/engines');
		await page.getByTestId('endpoint-url').fill(`http://127.0.0.1:${port}/v1`);
		await page.getByTestId('endpoint-model').fill('keeper-7b');
		await page.getByTestId('endpoint-key').fill('sk-run-secret-42');
		await page.getByTestId('endpoint-test').click();
		await expect(page.getByTestId('endpoint-result')).toContainText('Connected');
		// The structured-output probe that follows a good test is not part of the run: the faults
		// are scripted, and the log read, from here on.
		await expect(page.getByTestId('endpoint-format-result')).toContainText('Detected');
		api.reset();
		api.script([{ kind: '429', retryAfter: 1 }, { kind: '500' }]);

		await page.goto('/generate/runs/new?recipe=continuation');
		await page.getByLabel('Dataset', { exact: true }).selectOption({ label: 'Sample · Mara, the lighthouse keeper (26 entries)' });
		await page.getByRole('radio', { name: /Model server/ }).check();
		await page.getByLabel('Requests in flight').fill('1');
		await page.getByLabel('Temperature').fill('0.6');
		await page.getByLabel('max_tokens').fill('300');
		await page.getByLabel('Only the first N records').fill('2');
		await page.getByLabel('Run name').fill('On the server');
		await page.getByRole('button', { name: 'Start run' }).click();

		await expect(page.getByTestId('run-state')).toHaveText('Done', { timeout: 30_000 });
		await expect(page.getByTestId('run-progress')).toContainText('2 of 2 records');
		// The 429 and the 500 were retried, and the log says so.
		await expect(page.getByTestId('run-log')).toContainText('429');
		await expect(page.getByTestId('run-log')).toContainText('500');
		// Tokens per second come from the server's usage figures.
		await expect(page.getByTestId('run-engine-counts')).toContainText(/[1-9][\d,]* tokens in · [1-9][\d,]* out/);

		const received = api.requests().filter((request) => request.path === '/v1/chat/completions');
		expect(received.length).toBeGreaterThanOrEqual(4);
		expect(received.slice(0, 2).map((request) => request.status)).toEqual([429, 500]);
		for (const request of received) {
			expect(request.authorization).toBe('Bearer sk-run-secret-42');
			expect(request.body.model).toBe('keeper-7b');
			expect(request.body.max_tokens).toBe(300);
			expect(request.body.temperature).toBe(0.6);
		}

		// The key lives only in this browser's local storage: no IndexedDB row holds it.
		const stored = await page.evaluate(async () => {
			const db = await new Promise<IDBDatabase>((resolve, reject) => {
				const open = indexedDB.open('skein');
				open.onsuccess = () => resolve(open.result);
				open.onerror = () => reject(open.error);
			});
			const dumps: string[] = [];
			for (const name of Array.from(db.objectStoreNames)) {
				const rows = await new Promise<unknown[]>((resolve) => {
					const request = db.transaction(name).objectStore(name).getAll();
					request.onsuccess = () => resolve(request.result as unknown[]);
				});
				dumps.push(JSON.stringify(rows, (_key, value: unknown) => (value instanceof Blob ? '[blob]' : value)));
			}
			db.close();
			return dumps.join('\n');
		});
		expect(stored).toContain('keeper-7b');
		expect(stored).not.toContain('sk-run-secret-42');
	} finally {
		await api.close();
	}
});
