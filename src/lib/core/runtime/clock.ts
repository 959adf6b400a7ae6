/** Time as the runtime sees it: injectable so tests run backoff and rate limits instantly. */
import { abortedError, delay } from '../contracts/engine';

export interface Clock {
	now(): number;
	/** Resolves after `ms`; rejects with an `aborted` EngineError when the signal fires. */
	sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
	now: () => Date.now(),
	sleep: (ms, signal) => delay(ms, signal)
};

/** A virtual clock: sleeping advances time at once and records how long was slept (tests). */
export class VirtualClock implements Clock {
	time: number;
	readonly sleeps: number[] = [];

	constructor(start = 0) {
		this.time = start;
	}

	now(): number {
		return this.time;
	}

	async sleep(ms: number, signal?: AbortSignal): Promise<void> {
		if (signal?.aborted) throw abortedError();
		this.sleeps.push(ms);
		this.time += Math.max(0, ms);
		await Promise.resolve();
	}
}
