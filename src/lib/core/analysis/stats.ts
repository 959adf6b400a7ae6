/**
 * Descriptive statistics for per-entry counts (messages, characters, tokens): summaries with
 * percentiles and integer histograms whose bins are "nice" (1, 2, 5 × 10^k wide) so that a bar
 * reads as a range a person would type into a filter.
 */

export interface Summary {
	count: number;
	total: number;
	min: number;
	max: number;
	mean: number;
	median: number;
	/** The cookbook prints "p5 / p95" but computes the 10th and 90th percentiles; we show both pairs honestly. */
	p5: number;
	p10: number;
	p90: number;
	p95: number;
}

/** An inclusive integer range of values and how many entries fall in it. */
export interface HistogramBin {
	from: number;
	to: number;
	count: number;
}

export const EMPTY_SUMMARY: Summary = Object.freeze({ count: 0, total: 0, min: 0, max: 0, mean: 0, median: 0, p5: 0, p10: 0, p90: 0, p95: 0 });

/** Percentile of ascending values with linear interpolation (numpy's default), p in [0, 100]. */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
	const n = sorted.length;
	if (n === 0) return 0;
	const rank = (Math.min(100, Math.max(0, p)) / 100) * (n - 1);
	const low = Math.floor(rank);
	const high = Math.min(n - 1, low + 1);
	return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

function sortedCopy(values: ArrayLike<number>): Float64Array {
	const copy = Float64Array.from(values);
	copy.sort();
	return copy;
}

export function summarize(values: ArrayLike<number>): Summary {
	const n = values.length;
	if (n === 0) return { ...EMPTY_SUMMARY };
	const sorted = sortedCopy(values);
	let total = 0;
	for (let i = 0; i < n; i++) total += sorted[i];
	return {
		count: n,
		total,
		min: sorted[0],
		max: sorted[n - 1],
		mean: total / n,
		median: percentileOfSorted(sorted, 50),
		p5: percentileOfSorted(sorted, 5),
		p10: percentileOfSorted(sorted, 10),
		p90: percentileOfSorted(sorted, 90),
		p95: percentileOfSorted(sorted, 95)
	};
}

/** The smallest of 1, 2, 5 × 10^k (k ≥ 0) that is at least `raw`. */
export function niceStep(raw: number): number {
	if (!(raw > 1)) return 1;
	const power = Math.pow(10, Math.floor(Math.log10(raw)));
	for (const factor of [1, 2, 5, 10]) if (factor * power >= raw) return factor * power;
	return 10 * power;
}

export interface HistogramOptions {
	/** Most bars to draw. Default 24. */
	maxBins?: number;
}

/**
 * Histogram of non-negative integers. Small ranges get one bin per value; wider ones get nice
 * widths aligned to multiples of the width. A long tail (max far above the 99th percentile) is
 * folded into one last bin that runs to the max, so one giant entry does not flatten the rest.
 */
export function integerHistogram(values: ArrayLike<number>, options: HistogramOptions = {}): HistogramBin[] {
	const n = values.length;
	if (n === 0) return [];
	const maxBins = Math.max(2, options.maxBins ?? 24);
	const sorted = sortedCopy(values);
	const min = Math.max(0, Math.floor(sorted[0]));
	const max = Math.floor(sorted[n - 1]);
	if (max - min + 1 <= maxBins) {
		const bins: HistogramBin[] = [];
		for (let v = min; v <= max; v++) bins.push({ from: v, to: v, count: 0 });
		for (let i = 0; i < n; i++) bins[Math.floor(sorted[i]) - min].count++;
		return bins;
	}
	const p99 = Math.floor(percentileOfSorted(sorted, 99));
	const foldTail = n >= 100 && max > 2 * Math.max(1, p99) && p99 > min;
	const top = foldTail ? p99 : max;
	const width = niceStep((top - min + 1) / (foldTail ? maxBins - 1 : maxBins));
	const start = Math.floor(min / width) * width;
	const regular = Math.floor((top - start) / width) + 1;
	const bins: HistogramBin[] = [];
	for (let b = 0; b < regular; b++) bins.push({ from: start + b * width, to: start + (b + 1) * width - 1, count: 0 });
	if (foldTail) {
		const tailFrom = bins[regular - 1].to + 1;
		if (tailFrom <= max) bins.push({ from: tailFrom, to: max, count: 0 });
	}
	bins[bins.length - 1].to = Math.max(bins[bins.length - 1].to, max);
	let b = 0;
	for (let i = 0; i < n; i++) {
		const v = Math.floor(sorted[i]);
		while (v > bins[b].to) b++;
		bins[b].count++;
	}
	return bins;
}

/** "12", "10–19", "1,000–1,999" */
export function binLabel(bin: Pick<HistogramBin, 'from' | 'to'>): string {
	const f = (v: number) => v.toLocaleString('en-US');
	return bin.from === bin.to ? f(bin.from) : `${f(bin.from)}–${f(bin.to)}`;
}
