import { describe, expect, it } from 'vitest';
import { TokenCountPool, type TokenCountReply, type TokenCountRequest } from './token-pool';

/** A stand-in for token-count.worker.ts: counts words, answers after `delay` ms; "crash" kills it. */
class FakeCountWorker {
	onmessage: ((event: MessageEvent<TokenCountReply>) => void) | null = null;
	onerror: ((event: ErrorEvent) => void) | null = null;
	received: TokenCountRequest[] = [];
	terminated = false;
	constructor(private readonly delay: number) {}
	postMessage(request: TokenCountRequest): void {
		this.received.push(request);
		setTimeout(() => {
			if (this.terminated) return;
			if (request.texts.includes('crash')) {
				this.onerror?.({ message: 'out of memory', preventDefault: () => undefined } as ErrorEvent);
				return;
			}
			const counts = Int32Array.from(request.texts, (text) => text.split(' ').filter(Boolean).length);
			this.onmessage?.({ data: { id: request.id, counts } } as MessageEvent<TokenCountReply>);
		}, this.delay);
	}
	terminate(): void {
		this.terminated = true;
	}
}

function pool(size: number, delay = 5) {
	const workers: FakeCountWorker[] = [];
	const made = new TokenCountPool(size, () => {
		const worker = new FakeCountWorker(delay);
		workers.push(worker);
		return worker as unknown as Worker;
	});
	return { made, workers };
}

describe('TokenCountPool', () => {
	it('spreads requests over its workers and answers each with its own counts', async () => {
		const { made, workers } = pool(2);
		const answers = await Promise.all([made.count('o200k_base', ['a b', 'c']), made.count('o200k_base', ['d e f']), made.count('o200k_base', ['g h i j', ''])]);
		expect(answers.map((a) => Array.from(a))).toEqual([[2, 1], [3], [4, 0]]);
		expect(workers).toHaveLength(2);
		expect(workers.map((w) => w.received.length)).toEqual([2, 1]);
		made.stop();
	});

	it('fails the requests of a worker that crashed and replaces it on the next request', async () => {
		const { made, workers } = pool(1);
		await expect(made.count('o200k_base', ['crash'])).rejects.toThrow('A token-count worker stopped: out of memory');
		expect(workers[0].terminated).toBe(true);
		expect(Array.from(await made.count('o200k_base', ['still counting']))).toEqual([2]);
		expect(workers).toHaveLength(2);
		made.stop();
	});

	it('stops its workers on request, failing what was still out', async () => {
		const { made, workers } = pool(1, 50);
		const out = made.count('qwen3', ['a']);
		made.stop();
		await expect(out).rejects.toThrow('stopped');
		expect(workers[0].terminated).toBe(true);
	});
});
