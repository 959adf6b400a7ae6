import { describe, expect, it } from 'vitest';
import { TokenCountPool, type TemplateCountRequest, type TokenCountReply } from './token-pool';
import { countTemplateRequest, loading } from './template-count-work';
import { ENTRY_STATUS, unpackCounts } from '$lib/core/templates/entry-counts';

const TARGET = { template: { kind: 'family', family: 'qwen3' }, maxSeqLen: 50, lossMode: 'assistant-only' } as const;
const ENTRY = { messages: [{ role: 'user', content: 'Is the lamp lit?' }, { role: 'assistant', content: 'Lit and trimmed.' }], extra: {} };

/** A stand-in for token-count.worker.ts that answers template requests the way the worker does. */
class FakeTemplateWorker {
	onmessage: ((event: MessageEvent<TokenCountReply>) => void) | null = null;
	onerror: ((event: ErrorEvent) => void) | null = null;
	received: TemplateCountRequest[] = [];
	postMessage(request: TemplateCountRequest): void {
		this.received.push(request);
		void countTemplateRequest(request).then(({ counts, estimated }) => this.onmessage?.({ data: { id: request.id, counts, ...(estimated ? { estimated } : {}) } } as MessageEvent<TokenCountReply>));
	}
	terminate(): void {}
}

describe('template requests on the token-count pool', () => {
	it('sends the target and the entries, and answers the packed figures', async () => {
		const workers: FakeTemplateWorker[] = [];
		const pool = new TokenCountPool(1, () => {
			const worker = new FakeTemplateWorker();
			workers.push(worker);
			return worker as unknown as Worker;
		});
		const { counts, estimated } = await pool.countTemplate({ target: TARGET, entries: [ENTRY], now: 0 });
		expect(workers[0].received[0]).toMatchObject({ kind: 'template', target: TARGET, entries: [ENTRY] });
		expect(estimated).toBeUndefined();
		const figures = unpackCounts(counts, 0);
		expect(figures.status).toBe(ENTRY_STATUS.ok);
		expect(figures.total).toBeGreaterThan(10);
		expect(figures.assistant).toBeGreaterThan(0);
		pool.stop();
	}, 60_000);

	it('estimates, and says why, when the vocabulary cannot be loaded', async () => {
		const real = loading.tokenizerFor;
		loading.tokenizerFor = () => Promise.reject(new Error('Failed to fetch dynamically imported module'));
		try {
			const { counts, estimated } = await countTemplateRequest({ target: TARGET, entries: [ENTRY], now: 0 });
			expect(estimated).toMatch(/Failed to fetch/);
			expect(unpackCounts(counts, 0).status).toBe(ENTRY_STATUS.ok);
			await expect(countTemplateRequest({ target: TARGET, entries: [ENTRY], now: 0, bench: 'compare' })).rejects.toThrow();
		} finally {
			loading.tokenizerFor = real;
		}
	});
});
