import { describe, expect, it } from 'vitest';
import type { RunEvent } from '$lib/core/contracts/run-api';
import { heldLocks, holdRunLock, runLockName } from './run-locks';
import { fakeLockManager } from './run-test-harness';
import { RunWatchers } from './run-watchers';

const event: RunEvent = { type: 'state', runId: 'run-1', state: 'running' };

describe('RunWatchers', () => {
	it('pushes every event to every watcher until it unwatches (flushMs 0: one at a time)', () => {
		const watchers = new RunWatchers(0);
		const seen: string[] = [];
		const a = watchers.watch(() => void seen.push('a'));
		watchers.watch(() => void seen.push('b'));
		expect(a).toMatch(/^watch-\d+$/);
		watchers.emit(event);
		watchers.unwatch(a);
		watchers.emit(event);
		expect(seen).toEqual(['a', 'b', 'b']);
		watchers.clear();
		watchers.emit(event);
		expect(seen).toHaveLength(3);
	});

	it('sends the events of a moment as one batch, in order, keeping only the latest progress and streams of a run', async () => {
		const watchers = new RunWatchers(10);
		const batches: RunEvent[][] = [];
		watchers.watch((events) => void batches.push(events));
		const progress = (done: number, runId = 'run-1'): RunEvent => ({ type: 'progress', runId, counts: { total: 9, done, failed: 0, samples: done, cacheHits: 0, engineCalls: done, promptTokens: 0, completionTokens: 0, engineMs: 0 }, requestsInFlight: 1, tokensPerSecond: null });
		watchers.emit(event);
		watchers.emit(progress(1));
		watchers.emit({ type: 'log', runId: 'run-1', line: { at: 1, level: 'info', message: 'first' } });
		watchers.emit(progress(2));
		watchers.emit(progress(1, 'run-2'));
		watchers.emit({ type: 'log', runId: 'run-1', line: { at: 2, level: 'info', message: 'second' } });
		expect(batches).toEqual([]);
		await new Promise((resolve) => setTimeout(resolve, 30));
		expect(batches).toHaveLength(1);
		const [batch] = batches;
		expect(batch.map((e) => e.type)).toEqual(['state', 'progress', 'log', 'progress', 'log']);
		expect(batch[1]).toEqual(progress(2));
		expect(batch[3]).toEqual(progress(1, 'run-2'));
		expect(batch.filter((e) => e.type === 'log').map((e) => (e.type === 'log' ? e.line.message : ''))).toEqual(['first', 'second']);
		// The next moment is a new batch; flush() sends at once.
		watchers.emit(progress(3));
		watchers.flush();
		expect(batches[1]).toEqual([progress(3)]);
	});

	it('drops a watcher whose page is gone (its proxy throws or rejects)', async () => {
		const watchers = new RunWatchers(0);
		let throwing = 0;
		let rejecting = 0;
		watchers.watch(() => {
			throwing++;
			throw new Error('The proxy is closed');
		});
		watchers.watch(() => {
			rejecting++;
			return Promise.reject(new Error('The proxy is closed'));
		});
		watchers.emit(event);
		await new Promise((resolve) => setTimeout(resolve, 0));
		watchers.emit(event);
		expect([throwing, rejecting]).toEqual([1, 1]);
	});
});

describe('run locks', () => {
	it('holds a run’s lock until it ends where there are Web Locks, and says nothing where there are none', async () => {
		const { locks } = fakeLockManager();
		try {
			Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true });
			expect(await heldLocks()).toBeNull();
			holdRunLock('run-1', Promise.resolve()); // no locks here: nothing happens

			Object.defineProperty(globalThis, 'navigator', { value: { locks }, configurable: true });
			let end: () => void = () => undefined;
			holdRunLock('run-1', new Promise<void>((resolve) => (end = resolve)));
			expect(await heldLocks()).toEqual(new Set([runLockName('run-1')]));
			expect(runLockName('run-1')).toBe('skein-run:run-1');
			end();
			await new Promise((resolve) => setTimeout(resolve, 0));
			expect(await heldLocks()).toEqual(new Set());
		} finally {
			Reflect.deleteProperty(globalThis, 'navigator');
		}
	});
});
