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

/**
 * A tokens-per-minute budget, as model servers and hosted APIs count it: a request is charged its
 * estimated prompt tokens plus its max_tokens before it is sent (the server's worst case) and the
 * unused part is given back when the answer says what it really used. The budget refills
 * continuously; a request bigger than a whole minute's budget waits for a full bucket and goes.
 */
export class TokenBudget {
	private tokens: number;
	private last: number;
	private tail: Promise<void> = Promise.resolve();

	constructor(
		private readonly perMinute: number,
		private readonly clock: Clock
	) {
		if (!(perMinute > 0)) throw new RangeError('A token budget needs tokensPerMinute > 0.');
		this.tokens = perMinute;
		this.last = clock.now();
	}

	private refill(): void {
		const now = this.clock.now();
		this.tokens = Math.min(this.perMinute, this.tokens + ((now - this.last) / 60_000) * this.perMinute);
		this.last = now;
	}

	/** Takes `cost` tokens (at most a minute's budget), waiting until they are there. Returns what was charged. */
	acquire(cost: number, signal?: AbortSignal): Promise<number> {
		const charge = Math.min(Math.max(0, cost), this.perMinute);
		const turn = this.tail.then(async () => {
			this.refill();
			if (this.tokens < charge) {
				await this.clock.sleep(((charge - this.tokens) / this.perMinute) * 60_000, signal);
				this.refill();
			}
			this.tokens -= charge;
			return charge;
		});
		this.tail = turn.then(
			() => undefined,
			() => undefined
		);
		return turn;
	}

	/** Gives back tokens charged and not used. */
	refund(tokens: number): void {
		if (!(tokens > 0)) return;
		this.refill();
		this.tokens = Math.min(this.perMinute, this.tokens + tokens);
	}
}
