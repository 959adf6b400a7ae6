import { tallyRequests } from '$lib/core/runs/request-tally';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ReviewItem, RunDetail, RunEvent, RunListItem } from '$lib/core/contracts/run-api';
import type { RunCounts, RunRow, SampleReview } from '$lib/core/contracts/rows';

/** An in-memory stand-in for the worker's run API: the calls these classes make, with real-looking rows. */
const worker = vi.hoisted(() => ({
	listeners: new Map<string, (event: unknown) => void>(),
	items: [] as unknown[],
	detail: null as unknown,
	calls: [] as unknown[][],
	listRuns: 0
}));

vi.mock('$lib/workers/data-bridge', () => ({
	dataWorker: () => ({
		watchRuns: async (listener: (event: unknown) => void) => {
			const id = `watch-${worker.listeners.size + 1}`;
			worker.listeners.set(id, listener);
			return id;
		},
		unwatchRuns: async (id: string) => void worker.listeners.delete(id),
		listRecipes: async () => [{ id: 'identity-facts', label: 'Identity facts', description: '', output: 'facts', version: 1 }],
		listRuns: async () => {
			worker.listRuns++;
			return [];
		},
		getRun: async () => structuredClone(worker.detail),
		listReviewItems: async (_runId: string, review?: SampleReview) => {
			worker.calls.push(['listReviewItems']);
			return structuredClone((worker.items as ReviewItem[]).filter((item) => review === undefined || item.review === review));
		},
		reviewSample: async (id: string, review: SampleReview, edited?: unknown) => {
			worker.calls.push(['reviewSample', id, review, edited]);
			const item = (worker.items as ReviewItem[]).find((i) => i.id === id);
			if (item) item.review = review;
			return item ? structuredClone(item) : null;
		},
		acceptSamples: async (runId: string, target: unknown) => {
			worker.calls.push(['acceptSamples', runId, target]);
			let accepted = 0;
			for (const item of worker.items as ReviewItem[])
				if (item.review === 'accepted' && !item.acceptedInto) {
					item.acceptedInto = { datasetId: 'ds-new', entryId: `e-${item.id}`, at: 1 };
					accepted++;
				}
			return { ok: true, datasetId: 'ds-new', accepted };
		},
		pauseRun: async (runId: string) => {
			worker.calls.push(['pauseRun', runId]);
			return { ok: true, runId };
		},
		resumeRun: async (...args: unknown[]) => {
			worker.calls.push(['resumeRun', ...args]);
			return { ok: false, error: 'Open the manual engine on the run page, then resume.' };
		}
	})
}));

const gpu = vi.hoisted(() => ({ lost: undefined as ((runIds: string[]) => void) | undefined }));

vi.mock('$lib/engines/page-engines.svelte', () => ({
	remoteEngineFor: (kind: string, runId?: string) => ({ kind, runId, isRemote: true }),
	onWebLLMLost: (listener: (runIds: string[]) => void) => (gpu.lost = listener)
}));

const { engineAccessFor, ReviewState, RunListState, RunViewState } = await import('./runs.svelte');

const counts = (over: Partial<RunCounts> = {}): RunCounts => ({
	total: 3,
	done: 0,
	failed: 0,
	samples: 0,
	engineCalls: 0,
	cacheHits: 0,
	promptTokens: 0,
	completionTokens: 0,
	engineMs: 0,
	...over
});

function run(over: Partial<RunRow> = {}): RunRow {
	return {
		id: 'run-1',
		recipeId: 'identity-facts',
		label: 'Identity facts — Greyhaven Keeper',
		params: { identityId: 'id-1' },
		settings: { sampling: { max_tokens: 400 }, seed: 42 },
		engine: { kind: 'test', label: 'Rehearsal (test engine)' },
		concurrency: 4,
		manifest: {} as RunRow['manifest'],
		state: 'running',
		counts: counts(),
		createdAt: 1,
		updatedAt: 1,
		...over
	};
}

function fact(i: number, review: SampleReview = 'pending'): ReviewItem {
	return {
		id: `run-1:${i}:0`,
		runId: 'run-1',
		recordIndex: i,
		recordLabel: `Passage ${i + 1}`,
		sampleIndex: 0,
		sample: { messages: [{ role: 'assistant', content: `Greyhaven Keeper fact ${i}.` }], tags: ['fact'], meta: { fact: `fact ${i}` } },
		review
	};
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 150));

beforeEach(() => {
	worker.listeners.clear();
	worker.calls = [];
	worker.listRuns = 0;
	worker.items = [fact(0), fact(1), fact(2), fact(3, 'rejected')];
	const detail: RunDetail = { run: run(), status: { state: 'current' }, live: true, records: [], log: [] };
	worker.detail = detail;
});

describe('ReviewState', () => {
	it('counts every state, knows a facts run, and accepting moves to the next pending sample', async () => {
		const review = new ReviewState('run-1');
		await review.start();
		expect(review.output).toBe('facts');
		expect(review.counts).toEqual({ pending: 3, accepted: 0, rejected: 1 });
		expect(review.current?.id).toBe('run-1:0:0');
		await review.review('accepted');
		expect(review.current?.id).toBe('run-1:1:0');
		expect(review.counts).toEqual({ pending: 2, accepted: 1, rejected: 1 });
		expect(review.waiting).toBe(1);
		// One read of the run's samples; a key press updates the one sample it changed.
		expect(worker.calls.filter((call) => call[0] === 'listReviewItems')).toHaveLength(1);
	});

	it('an edit crosses as the messages given; the last pending sample leaves an empty queue', async () => {
		const review = new ReviewState('run-1');
		await review.start();
		review.next();
		review.next();
		expect(review.current?.id).toBe('run-1:2:0');
		const edited = [{ role: 'assistant' as const, content: 'Greyhaven Keeper logs every ship.' }];
		await review.review('accepted', edited);
		expect(worker.calls.at(-1)).toEqual(['reviewSample', 'run-1:2:0', 'accepted', edited]);
		// The queue closes up: the sample before it is now the last pending one.
		expect(review.current?.id).toBe('run-1:1:0');
		review.previous();
		review.previous();
		expect(review.index).toBe(0);
	});

	it('the "all" filter keeps reviewed samples in place and moves on', async () => {
		const review = new ReviewState('run-1');
		await review.start();
		review.setFilter('all');
		expect(review.items).toHaveLength(4);
		await review.review('rejected');
		expect(review.current?.id).toBe('run-1:1:0');
		expect(review.items[0].review).toBe('rejected');
	});

	it('accepting into a dataset reports the outcome and nothing is left waiting', async () => {
		const review = new ReviewState('run-1');
		await review.start();
		await review.review('accepted');
		await review.review('accepted');
		await review.accept({ kind: 'new', name: 'Greyhaven facts' });
		expect(review.outcome).toEqual({ ok: true, datasetId: 'ds-new', accepted: 2 });
		expect(review.waiting).toBe(0);
		expect(review.counts.accepted).toBe(2);
	});
});

describe('ReviewState.watch', () => {
	it('samples of records finished meanwhile join the queue; the current sample stays', async () => {
		const review = new ReviewState('run-1');
		await review.start();
		const stop = review.watch();
		await tick();
		review.next();
		expect(review.current?.id).toBe('run-1:1:0');
		(worker.items as ReviewItem[]).unshift({ ...fact(9), id: 'run-1:9:0' });
		const emit = (event: RunEvent) => [...worker.listeners.values()].forEach((listener) => listener([event]));
		emit({ type: 'record', runId: 'run-1', record: { recordIndex: 9, recordId: 'passage-9', label: 'Passage 10', state: 'done', stepCount: 1, sampleCount: 1, notes: [], requests: tallyRequests([]) } });
		await new Promise((resolve) => setTimeout(resolve, 1300));
		expect(review.counts.pending).toBe(4);
		expect(review.current?.id).toBe('run-1:1:0');
		stop();
		expect(worker.listeners.size).toBe(0);
	});
});

describe('RunViewState', () => {
	it('applies pushed events in batches, ignores other runs, unwatches when stopped', async () => {
		const view = new RunViewState('run-1');
		const stop = view.start();
		await tick();
		expect(view.detail?.run.state).toBe('running');
		const emit = (event: RunEvent) => [...worker.listeners.values()].forEach((listener) => listener([event]));
		emit({ type: 'progress', runId: 'run-1', counts: counts({ done: 2, samples: 5 }), requestsInFlight: 3, tokensPerSecond: 42 });
		emit({ type: 'log', runId: 'run-1', line: { at: 2, level: 'info', message: 'Passage 2: 3 facts' } });
		emit({ type: 'progress', runId: 'other-run', counts: counts({ done: 3 }), requestsInFlight: 1, tokensPerSecond: 1 });
		expect(view.detail?.run.counts.done).toBe(0);
		await tick();
		expect(view.detail?.run.counts.done).toBe(2);
		expect(view.figures).toEqual({ requestsInFlight: 3, tokensPerSecond: 42 });
		expect(view.detail?.log.map((l) => l.message)).toEqual(['Passage 2: 3 facts']);
		stop();
		expect(worker.listeners.size).toBe(0);
	});

	it('a refused resume shows its reason', async () => {
		(worker.detail as RunDetail).run = run({ state: 'interrupted', engine: { kind: 'manual', label: 'Manual' } });
		const view = new RunViewState('run-1');
		view.start();
		await tick();
		await view.resume();
		expect(view.actionError).toBe('Open the manual engine on the run page, then resume.');
		// The page engine goes as its own argument, never inside `access`.
		expect(worker.calls.at(-1)).toEqual(['resumeRun', 'run-1', {}, { kind: 'manual', runId: 'run-1', isRemote: true }]);
	});
});

describe('RunListState', () => {
	it('refreshes at once on a state change and at most once a second on progress', async () => {
		vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
		try {
			const list = new RunListState();
			const stop = list.start();
			await vi.advanceTimersByTimeAsync(0);
			const base = worker.listRuns;
			const emit = (event: RunEvent) => [...worker.listeners.values()].forEach((listener) => listener([event]));
			for (let i = 0; i < 5; i++) {
				emit({ type: 'progress', runId: 'run-1', counts: counts({ done: i }), requestsInFlight: 1, tokensPerSecond: null });
				await vi.advanceTimersByTimeAsync(120);
			}
			expect(worker.listRuns - base).toBeLessThanOrEqual(1);
			await vi.advanceTimersByTimeAsync(1000);
			expect(worker.listRuns - base).toBe(1);
			emit({ type: 'state', runId: 'run-1', state: 'done' });
			await vi.advanceTimersByTimeAsync(120);
			expect(worker.listRuns - base).toBe(2);
			expect(list.items satisfies RunListItem[]).toEqual([]);
			stop();
		} finally {
			vi.useRealTimers();
		}
	});
});

describe('engineAccessFor', () => {
	it('a rehearsal needs nothing; a page engine is its own argument tagged with the run', () => {
		expect(engineAccessFor({ kind: 'test', label: 'Rehearsal' })).toEqual({ access: {} });
		expect(engineAccessFor({ kind: 'webllm', label: 'Qwen', modelId: 'Qwen2.5-0.5B' }, 'run-7')).toEqual({ access: {}, remote: { kind: 'webllm', runId: 'run-7', isRemote: true } });
	});
	it('a model server gets the key from this browser only', () => {
		const store = new Map<string, string>([['skein.endpoint.key', 'sk-local-123']]);
		vi.stubGlobal('localStorage', { getItem: (key: string) => store.get(key) ?? null });
		try {
			expect(engineAccessFor({ kind: 'endpoint', label: 'm', baseUrl: 'http://localhost:11434/v1', model: 'qwen2.5' })).toEqual({ access: { apiKey: 'sk-local-123' } });
			store.clear();
			expect(engineAccessFor({ kind: 'endpoint', label: 'm', baseUrl: 'http://localhost:11434/v1', model: 'qwen2.5' })).toEqual({ access: {} });
		} finally {
			vi.unstubAllGlobals();
		}
	});
});

describe('a lost GPU', () => {
	it('pauses every run using the in-browser model', async () => {
		worker.calls = [];
		expect(gpu.lost).toBeTypeOf('function');
		gpu.lost?.(['run-a', 'run-b']);
		await vi.waitFor(() => expect(worker.calls.filter((call) => call[0] === 'pauseRun')).toEqual([['pauseRun', 'run-a'], ['pauseRun', 'run-b']]));
	});
});
