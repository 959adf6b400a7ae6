/**
 * The working copy is stored in blocks; the browser addresses entries by position. These map
 * positions to (block, offset) from the per-block sizes kept in the dataset row.
 */

export interface BlockSlice {
	blockNo: number;
	/** First position inside the block. */
	from: number;
	/** One past the last position inside the block. */
	to: number;
}

/** Start position of each block: starts[i] = sum of sizes before block i. */
export function blockStarts(blockSizes: readonly number[]): number[] {
	const starts = new Array<number>(blockSizes.length);
	let total = 0;
	for (let i = 0; i < blockSizes.length; i++) {
		starts[i] = total;
		total += blockSizes[i];
	}
	return starts;
}

/** Index of the block that holds `position` (binary search over `starts`), or -1 when out of range. */
export function blockOf(position: number, starts: readonly number[], blockSizes: readonly number[]): number {
	if (position < 0 || starts.length === 0) return -1;
	let lo = 0;
	let hi = starts.length - 1;
	while (lo < hi) {
		const mid = (lo + hi + 1) >> 1;
		if (starts[mid] <= position) lo = mid;
		else hi = mid - 1;
	}
	return position < starts[lo] + blockSizes[lo] ? lo : -1;
}

/** The block slices covering positions [start, start + count), clipped to the dataset. */
export function slicesForRange(start: number, count: number, blockSizes: readonly number[]): BlockSlice[] {
	const starts = blockStarts(blockSizes);
	const slices: BlockSlice[] = [];
	const total = starts.length ? starts[starts.length - 1] + blockSizes[blockSizes.length - 1] : 0;
	const end = Math.min(total, start + count);
	let position = Math.max(0, start);
	while (position < end) {
		const blockNo = blockOf(position, starts, blockSizes);
		if (blockNo < 0) break;
		const blockEnd = starts[blockNo] + blockSizes[blockNo];
		const to = Math.min(end, blockEnd);
		slices.push({ blockNo, from: position - starts[blockNo], to: to - starts[blockNo] });
		position = to;
	}
	return slices;
}
