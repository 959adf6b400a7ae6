import { createServer, type IncomingMessage, type Server } from 'node:http';
import { expect, test } from './fixtures';
import { waitForSample } from './helpers';

/**
 * A run on an OpenAI-compatible model server: a scripted server on loopback (CORS allowed, key
 * checked) answers 429 with Retry-After first, then a 500, then real answers. The run retries,
 * finishes, sends the sampling it was given and the key as a bearer token — and the key is never
 * written to IndexedDB.
 */

interface Received {
	authorization?: string;
	body: { model?: string; max_tokens?: number; temperature?: number; messages?: { role: string; content: string }[] };
}

function readBody(req: IncomingMessage): Promise<string> {
	return new Promise((resolve) => {
		let text = '';
		req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
		req.on('end', () => resolve(text));
	});
}

test('a continuation run on a model server retries 429 and 500, sends sampling and the key, and never stores the key', async ({ page }) => {
	const received: Received[] = [];
	let calls = 0;
	const api: Server = createServer((req, res) => {
		const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'authorization, content-type', 'access-control-expose-headers': 'retry-after' };
		if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end();
		if (req.url === '/v1/models') {
			res.writeHead(200, { ...cors, 'content-type': 'application/json' });
			return void res.end(JSON.stringify({ data: [{ id: 'keeper-7b' }] }));
		}
		if (req.url === '/v1/chat/completions' && req.method === 'POST') {
			void readBody(req).then((text) => {
				calls++;
				received.push({ authorization: req.headers.authorization, body: JSON.parse(text) as Received['body'] });
				if (calls === 1) return void res.writeHead(429, { ...cors, 'retry-after': '1', 'content-type': 'application/json' }).end('{"error":{"message":"slow down"}}');
				if (calls === 2) return void res.writeHead(500, { ...cors, 'content-type': 'application/json' }).end('{"error":{"message":"overloaded"}}');
				res.writeHead(200, { ...cors, 'content-type': 'application/json' });
				res.end(
					JSON.stringify({
						id: `chat-${calls}`,
						model: 'keeper-7b',
						choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'The lamp is lit and the log is written; the fog came in at nine.' } }],
						usage: { prompt_tokens: 120, completion_tokens: 16, total_tokens: 136 }
					})
				);
			});
			return;
		}
		res.writeHead(404, cors).end();
	});
	await new Promise<void>((ready) => api.listen(0, '127.0.0.1', ready));
	const port = (api.address() as { port: number }).port;
	try {
		await page.goto('/');
		await waitForSample(page);
		await page.goto('/generate/engines');
		await page.getByTestId('endpoint-url').fill(`http://127.0.0.1:${port}/v1`);
		await page.getByTestId('endpoint-model').fill('keeper-7b');
		await page.getByTestId('endpoint-key').fill('sk-run-secret-42');
		await page.getByTestId('endpoint-test').click();
		await expect(page.getByTestId('endpoint-result')).toContainText('Connected');

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

		expect(received.length).toBeGreaterThanOrEqual(4);
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
		await new Promise((done) => api.close(done));
	}
});
