/**
 * The response cache in IndexedDB (core/runtime/cache-key.ts `ResponseCache`): every answered
 * step, keyed by model + messages + sampling + response format + step index, so a run resumed
 * after a reload replays its records without paying for an answer twice. Shared by all runs:
 * two runs asking the same thing of the same model get the same answer for free.
 */
import type { ChatResponse } from '$lib/core/contracts/engine';
import type { CachedAnswer, ResponseCache } from '$lib/core/runtime/cache-key';
import type { SkeinDatabase } from './database';

export class IndexedDbResponseCache implements ResponseCache {
	constructor(
		private readonly db: SkeinDatabase,
		private readonly now: () => number = Date.now
	) {}

	/** Lookups asked in the same moment, read together (see `get`). */
	private waiting: { key: string; resolve: (answer: CachedAnswer | undefined) => void; reject: (error: unknown) => void }[] = [];

	/**
	 * Lookups are gathered for one macrotask and read with one bulkGet: a fast run looks up every
	 * step before asking, and one read transaction per step was a large share of its time.
	 */
	get(key: string): Promise<CachedAnswer | undefined> {
		return new Promise((resolve, reject) => {
			if (!this.waiting.length) setTimeout(() => void this.readWaiting(), 0);
			this.waiting.push({ key, resolve, reject });
		});
	}

	private async readWaiting(): Promise<void> {
		const batch = this.waiting;
		this.waiting = [];
		try {
			const rows = await this.db.responseCache.bulkGet(batch.map((item) => item.key));
			batch.forEach((item, i) => {
				const row = rows[i];
				item.resolve(row && { response: row.response, ...(row.unusable !== undefined ? { unusable: row.unusable } : {}) });
			});
		} catch (error) {
			for (const item of batch) item.reject(error);
		}
	}

	async markUnusable(key: string, reason: string): Promise<void> {
		await this.db.responseCache.update(key, { unusable: reason });
	}

	async set(key: string, response: ChatResponse): Promise<void> {
		await this.db.responseCache.put({ key, response, at: this.now() });
	}

	async delete(key: string): Promise<void> {
		await this.db.responseCache.delete(key);
	}
}

/** Drops answers stored before `before` (ms); returns how many. */
export async function pruneResponseCache(db: SkeinDatabase, before: number): Promise<number> {
	return db.responseCache.where('at').below(before).delete();
}

export async function responseCacheSize(db: SkeinDatabase): Promise<number> {
	return db.responseCache.count();
}

/** Drops the answers under these keys (those only a deleted run used). */
export async function deleteResponses(db: SkeinDatabase, keys: readonly string[]): Promise<void> {
	if (keys.length) await db.responseCache.bulkDelete([...keys]);
}
