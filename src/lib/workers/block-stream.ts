/**
 * A dataset's blocks in order, read ahead: blocks are fetched a few at a time in one request, and
 * the next few are already being read while the caller works on these. Reading one block per
 * awaited request leaves the worker idle for a round trip per block (most of a cold read at 100k).
 */
import type { Entry } from '$lib/core/model';
import type { DatasetRow } from '$lib/core/contracts/rows';
import type { SkeinDatabase } from '$lib/db/database';
import { readBlocks } from '$lib/db/datasets-repo';

/** Blocks per request: with one request ahead, at most twice this many blocks are held (~2 MB each at 100k). */
export const READ_BATCH = 4;

export async function* streamBlocks(db: SkeinDatabase, dataset: Pick<DatasetRow, 'id' | 'blockSizes'>, batch = READ_BATCH): AsyncGenerator<{ blockNo: number; entries: Entry[] }> {
	const total = dataset.blockSizes.length;
	const read = (from: number) => {
		const request = readBlocks(
			db,
			dataset.id,
			Array.from({ length: Math.min(batch, total - from) }, (_, i) => from + i)
		);
		request.catch(() => undefined); // awaited below; a stream stopped early drops it
		return request;
	};
	let next = total > 0 ? read(0) : null;
	for (let from = 0; next; from += batch) {
		const rows = await next;
		next = from + batch < total ? read(from + batch) : null;
		for (let i = 0; i < rows.length; i++) yield { blockNo: from + i, entries: rows[i]?.entries ?? [] };
	}
}
