/**
 * Token-bucket rate limiter: `requestsPerSecond` refill, up to `burst` tokens banked. Waiters are
 * served first come, first served.
 */
import type { Clock } from './clock';

export interface RateLimit {
	requestsPerSecond: number;
	burst: number;
}

export class TokenBucket {
	private tokens: number;
	private last: number;
	private tail: Promise<void> = Promise.resolve();

	constructor(
		private readonly limit: RateLimit,
		private readonly clock: Clock
	) {
		if (!(limit.requestsPerSecond > 0) || !(limit.burst >= 1)) throw new RangeError('Rate limit needs requestsPerSecond > 0 and burst >= 1.');
		this.tokens = limit.burst;
		this.last = clock.now();
	}

	private refill(): void {
		const now = this.clock.now();
		this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.last) / 1000) * this.limit.requestsPerSecond);
		this.last = now;
	}

	/** Takes one token, waiting for it when the bucket is empty. */
	acquire(signal?: AbortSignal): Promise<void> {
		// Chaining keeps the order of waiters and lets each compute its wait after the previous took its token.
		const turn = this.tail.then(async () => {
			this.refill();
			if (this.tokens < 1) {
				await this.clock.sleep(((1 - this.tokens) / this.limit.requestsPerSecond) * 1000, signal);
				this.refill();
			}
			this.tokens -= 1;
		});
		this.tail = turn.catch(() => undefined);
		return turn;
	}
}
