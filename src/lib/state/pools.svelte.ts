/**
 * Prompt pools on the page: the live list of pools (re-read when any tab or the worker writes the
 * table) and the library's worker calls: import a file or pasted prompts, a page of one pool's
 * prompts for the preview, delete.
 */
import { getDatabase } from '$lib/db/database';
import { listPools } from '$lib/db/pools-repo';
import { dataWorker } from '$lib/workers/data-bridge';
import type { PromptPoolRow } from '$lib/core/contracts/rows';
import type { PoolInput } from '$lib/workers/library-service';
import { LiveList } from './library.svelte';

/** Every pool's row (name, count, rating counts), live. */
export function livePools(): LiveList<PromptPoolRow> {
	return new LiveList<PromptPoolRow>(() => listPools(getDatabase()));
}

/** The pool library: its live list, importing, previewing and deleting pools. */
export class PoolLibraryState {
	readonly list = livePools();

	start(): () => void {
		return this.list.start();
	}

	import(input: PoolInput) {
		return dataWorker().importPool(input);
	}

	/** `count` prompts of a pool from `start`, for the preview table; undefined when the pool is gone. */
	preview(poolId: string, start: number, count: number) {
		return dataWorker().poolPreview(poolId, start, count);
	}

	remove(poolId: string) {
		return dataWorker().deletePool(poolId);
	}
}
