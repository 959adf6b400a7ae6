import { describe, expect, it } from 'vitest';
import type { RunEvent } from '$lib/core/contracts/run-api';
import { heldLocks, holdRunLock, runLockName } from './run-locks';
import { fakeLockManager } from './run-test-harness';
import { RunWatchers } from './run-watchers';

const event: RunEvent = { type: 'state', runId: 'run-1', state: 'running' };

describe('RunWatchers', () => {
	it('pushes every event to every watcher until it unwatches', () => {
		const watchers = new RunWatchers();
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

	it('drops a watcher whose page is gone (its proxy throws or rejects)', async () => {
		const watchers = new RunWatchers();
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
