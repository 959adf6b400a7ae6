/** The prompt pool page's pure parts: the rating histogram and the preview's pages. */

export interface RatingBar {
	/** The `ratingCounts` key ('' = unrated). */
	key: string;
	label: string;
	count: number;
	/** Of the largest bar, 0–1 (bar length). */
	share: number;
	/** Of all items, 0–100, rounded to one decimal. */
	percent: number;
}

/** Ratings in numeric order, unrated last. */
export function ratingBars(ratingCounts: Record<string, number>): RatingBar[] {
	const entries = Object.entries(ratingCounts).filter(([, count]) => count > 0);
	const total = entries.reduce((sum, [, count]) => sum + count, 0);
	const max = entries.reduce((m, [, count]) => Math.max(m, count), 0);
	return entries
		.sort(([a], [b]) => (a === '' ? 1 : b === '' ? -1 : Number(a) - Number(b)))
		.map(([key, count]) => ({
			key,
			label: key === '' ? 'unrated' : key,
			count,
			share: max === 0 ? 0 : count / max,
			percent: total === 0 ? 0 : Math.round((count / total) * 1000) / 10
		}));
}

export interface PageWindow {
	start: number;
	end: number;
	page: number;
	pages: number;
}

/** Page `page` (0-based, clamped) of `total` items, `size` per page. */
export function pageWindow(total: number, size: number, page: number): PageWindow {
	const pages = Math.max(1, Math.ceil(total / size));
	const clamped = Math.min(pages - 1, Math.max(0, Math.floor(page)));
	const start = clamped * size;
	return { start, end: Math.min(total, start + size), page: clamped, pages };
}
