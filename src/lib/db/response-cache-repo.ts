/**
 * The response cache in IndexedDB (core/runtime/cache-key.ts `ResponseCache`): every answered
 * step, keyed by model + messages + sampling + response format + step index, so a run resumed
 * after a reload replays its records without paying for an answer twice. Shared by all runs:
 * two runs asking the same thing of the same model get the same answer for free.
 */
import type { ChatResponse } from '$lib/core/contracts/engine';
import type { ResponseCache } from '$lib/core/runtime/cache-key';
import type { SkeinDatabase } from './database';

export class IndexedDbResponseCache implements ResponseCache {
	constructor(
		private readonly db: SkeinDatabase,
		private readonly now: () => number = Date.now
	) {}

	async get(key: string): Promise<ChatResponse | undefined> {
		return (await this.db.responseCache.get(key))?.response;
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
