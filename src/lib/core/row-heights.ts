/**
 * The maths of a virtual list whose rows differ in height (a conversation of 10,000 messages):
 * every row has an estimated height computed from its text alone — nothing is laid out to get it
 * — which is replaced by the measured height once the row has rendered (a ResizeObserver
 * reports it). Offsets are prefix sums kept in a Fenwick tree, so a correction and the lookup
 * "which row is at this scroll offset" each cost O(log n), not a pass over every row.
 */
export class RowHeights {
	readonly count: number;
	private readonly sizes: Float64Array;
	/** Fenwick tree over `sizes` (1-based). */
	private readonly tree: Float64Array;
	private readonly measured: Uint8Array;
	private sum = 0;

	constructor(count: number, estimate: (index: number) => number) {
		this.count = Math.max(0, Math.floor(count));
		this.sizes = new Float64Array(this.count);
		this.tree = new Float64Array(this.count + 1);
		this.measured = new Uint8Array(this.count);
		for (let i = 0; i < this.count; i++) {
			const size = clean(estimate(i));
			this.sizes[i] = size;
			this.tree[i + 1] += size;
			const parent = i + 1 + ((i + 1) & -(i + 1));
			if (parent <= this.count) this.tree[parent] += this.tree[i + 1];
			this.sum += size;
		}
	}

	/** Height of every row together. */
	get total(): number {
		return this.sum;
	}

	height(index: number): number {
		return this.sizes[index] ?? 0;
	}

	isMeasured(index: number): boolean {
		return this.measured[index] === 1;
	}

	/**
	 * Sets a row's measured height; returns how much it grew (negative when it shrank), 0 when it
	 * is unchanged or out of range.
	 */
	set(index: number, height: number): number {
		if (index < 0 || index >= this.count) return 0;
		this.measured[index] = 1;
		const delta = clean(height) - this.sizes[index];
		if (Math.abs(delta) < 0.5) return 0;
		this.sizes[index] += delta;
		this.sum += delta;
		for (let i = index + 1; i <= this.count; i += i & -i) this.tree[i] += delta;
		return delta;
	}

	/** Offset of the top of row `index` (the sum of the heights before it); `count` gives the total. */
	offsetOf(index: number): number {
		let i = Math.max(0, Math.min(this.count, Math.floor(index)));
		let total = 0;
		for (; i > 0; i -= i & -i) total += this.tree[i];
		return total;
	}

	/** The row that covers `offset` (the last row for offsets past the end; 0 before the start). */
	indexAt(offset: number): number {
		if (this.count === 0) return 0;
		if (offset <= 0) return 0;
		// Binary lifting: the largest position whose prefix sum stays ≤ offset.
		let position = 0;
		let remaining = offset;
		let step = 1;
		while (step * 2 <= this.count) step *= 2;
		for (; step > 0; step >>= 1) {
			const next = position + step;
			if (next <= this.count && this.tree[next] <= remaining) {
				position = next;
				remaining -= this.tree[next];
			}
		}
		return Math.min(position, this.count - 1);
	}

	/**
	 * The rows to render for a viewport showing [scrollTop, scrollTop + viewportHeight) of the
	 * rows, with `overscan` pixels more on each side: `first` inclusive, `last` exclusive.
	 */
	window(scrollTop: number, viewportHeight: number, overscan: number): { first: number; last: number } {
		if (this.count === 0) return { first: 0, last: 0 };
		const first = this.indexAt(scrollTop - overscan);
		const last = Math.min(this.count, this.indexAt(scrollTop + Math.max(0, viewportHeight) + overscan) + 1);
		return { first, last: Math.max(last, first + 1) };
	}

	/** The scroll offset that shows row `index` (its top at the top, or its bottom at the bottom, whichever moves less). */
	scrollFor(index: number, scrollTop: number, viewportHeight: number): number {
		const top = this.offsetOf(index);
		const bottom = top + this.height(index);
		if (top < scrollTop) return top;
		// A row taller than the viewport shows from its top.
		if (bottom > scrollTop + viewportHeight) return Math.min(top, bottom - viewportHeight);
		return scrollTop;
	}
}

function clean(height: number): number {
	return Number.isFinite(height) && height > 0 ? height : 0;
}

/**
 * Lines a text takes when wrapped at `charsPerLine` characters: each line break starts a line
 * and a long line takes ceil(length / charsPerLine). Stops counting at `maxLines` (a 30 MB
 * message is shown as an excerpt, so only its first lines matter), so the scan stays bounded.
 */
export function wrappedLines(text: string, charsPerLine: number, maxLines = Infinity): number {
	const perLine = Math.max(1, Math.floor(charsPerLine));
	// Past maxLines × perLine characters every line is counted already: look at that head only
	// (a slice of a flat string is O(1)), so a 30 MB line is not searched for its line break.
	const head = Number.isFinite(maxLines) && text.length > maxLines * perLine ? text.slice(0, maxLines * perLine + 1) : text;
	let lines = 0;
	let start = 0;
	while (lines < maxLines) {
		const end = head.indexOf('\n', start);
		const length = (end === -1 ? head.length : end) - start;
		lines += Math.max(1, Math.ceil(length / perLine));
		if (end === -1) break;
		start = end + 1;
	}
	return Math.min(lines, maxLines);
}

/** Characters that fit on one line of `width` pixels at an average glyph width (a rough, layout-free figure). */
export function charsPerLine(width: number, averageCharWidth: number): number {
	return Math.max(10, Math.floor(Math.max(0, width) / Math.max(1, averageCharWidth)));
}

/** How a row that shows one text is drawn, for estimating its height without laying it out. */
export interface TextRowLayout {
	/** Everything in the row but the text: padding, borders, a header line, the gap below. */
	chrome: number;
	lineHeight: number;
	/** Average glyph width in pixels of the text's font. */
	charWidth: number;
	/** Horizontal space the row's own padding and borders take from the text. */
	inset: number;
	/** Lines beyond which the text is not drawn (an excerpt, a textarea's maximum height). */
	maxLines: number;
	minLines?: number;
}

/** Estimated height of a row showing `text` in a list `width` pixels wide. */
export function estimateTextRow(text: string, width: number, layout: TextRowLayout): number {
	const lines = wrappedLines(text, charsPerLine(width - layout.inset, layout.charWidth), layout.maxLines);
	return layout.chrome + Math.max(layout.minLines ?? 1, lines) * layout.lineHeight;
}
