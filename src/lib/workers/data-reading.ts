/**
 * Reading, in the data worker: pages and entries at positions, text search, filters, and entry
 * ids at positions, served from a small cache of the most recently opened dataset's blocks. Used
 * through DataService (data-service.ts).
 */
import type { Entry } from '$lib/core/model';
import { slicesForRange } from '$lib/core/paging';
import type { SkeinDatabase } from '$lib/db/database';
import { getDataset, readBlock, readBlocks } from '$lib/db/datasets-repo';
import { READ_BATCH } from './block-stream';
import { templateCountsFor } from './template-counts';
import type { DatasetRow } from '$lib/core/contracts/rows';
import { listTags } from '$lib/db/collection-repo';
import { tagLookup } from '$lib/core/curation/tags';
import { compileFilter, entryCharacterCount, EntryFilterSchema, sortKeyOf, sortPositions, type EntryFilter, type FilterContext } from '$lib/core/curation/filters';

export interface EntryPage {
	start: number;
	entries: Entry[];
}

export interface SearchResult {
	query: string;
	/** Positions of matching entries, in order. */
	positions: number[];
	scannedMs: number;
}

export type FilterResult = { ok: true; positions: number[]; scannedMs: number } | { ok: false; error: string };

/** What filtering needs from validation (given when the data service is built). */
export interface FindingLookup {
	/** Entry ids with any of these finding codes in the dataset's last validation run; undefined when it has none (not validated yet). */
	entriesWithFindings(datasetId: string, codes: string[]): ReadonlySet<string> | undefined;
}

/** Decoded blocks kept for paging (about 2 MB each at 100k entries / 200 MB). */
const BLOCK_CACHE_LIMIT = 12;

/** The dataset, when it exists and is ready (not mid-import); otherwise an error for the page. */
export async function readyDataset(db: SkeinDatabase, datasetId: string): Promise<DatasetRow> {
	const dataset = await getDataset(db, datasetId);
	if (!dataset || dataset.status !== 'ready') throw new Error('That dataset does not exist (it may have been deleted).');
	return dataset;
}

export class DatasetReader {
	/**
	 * Of the most recently opened dataset: a few decoded blocks (paging) and the lower-cased search
	 * text of every block (search). Whole blocks are not all kept: at 100k entries that is ~0.5 GB.
	 */
	private blockCache = new Map<
		string,
		{ updatedAt: number; blocks: Map<number, Entry[]>; haystacks: Map<number, Promise<string[]>>; ids: Map<number, string[]> }
	>();

	constructor(
		private readonly db: SkeinDatabase,
		private readonly findings: FindingLookup
	) {}

	private cacheFor(dataset: DatasetRow) {
		let cache = this.blockCache.get(dataset.id);
		if (!cache || cache.updatedAt !== dataset.updatedAt) {
			// Only the most recently opened dataset stays in memory.
			this.blockCache.clear();
			cache = { updatedAt: dataset.updatedAt, blocks: new Map(), haystacks: new Map(), ids: new Map() };
			this.blockCache.set(dataset.id, cache);
		}
		return cache;
	}

	private async loadBlock(dataset: DatasetRow, blockNo: number): Promise<Entry[]> {
		const cache = this.cacheFor(dataset);
		let entries = cache.blocks.get(blockNo);
		if (entries) {
			// Most recently used last, so the first key is the one to evict.
			cache.blocks.delete(blockNo);
			cache.blocks.set(blockNo, entries);
			return entries;
		}
		entries = (await readBlock(this.db, dataset.id, blockNo))?.entries ?? [];
		cache.blocks.set(blockNo, entries);
		while (cache.blocks.size > BLOCK_CACHE_LIMIT) cache.blocks.delete(cache.blocks.keys().next().value as number);
		return entries;
	}

	/**
	 * The search text of one block; concurrent callers (warm-up and a search) share one read. A
	 * block not asked for yet is read together with the next few not asked for either (one
	 * request; callers go through blocks in order), and `prefetch` starts the batch after.
	 */
	private haystackOf(dataset: DatasetRow, blockNo: number, prefetch = false): Promise<string[]> {
		const cache = this.cacheFor(dataset);
		const known = cache.haystacks.get(blockNo);
		if (known) {
			if (prefetch) this.startHaystacks(dataset, cache, blockNo + READ_BATCH);
			return known;
		}
		this.startHaystacks(dataset, cache, blockNo);
		if (prefetch) this.startHaystacks(dataset, cache, blockNo + READ_BATCH);
		return cache.haystacks.get(blockNo) as Promise<string[]>;
	}

	/** Starts building the search text of `from` and the next blocks after it that nobody asked for yet. */
	private startHaystacks(dataset: DatasetRow, cache: ReturnType<DatasetReader['cacheFor']>, from: number): void {
		const wanted: number[] = [];
		for (let b = from; b < dataset.blockSizes.length && wanted.length < READ_BATCH && !cache.haystacks.has(b); b++) wanted.push(b);
		if (wanted.length === 0) return;
		const toRead = wanted.filter((b) => !cache.blocks.has(b));
		const read = toRead.length > 0 ? readBlocks(this.db, dataset.id, toRead) : Promise.resolve([]);
		for (const blockNo of wanted) {
			const cached = cache.blocks.get(blockNo);
			const haystack = (cached ? Promise.resolve(cached) : read.then((rows) => rows[toRead.indexOf(blockNo)]?.entries ?? [])).then((entries) => {
				cache.ids.set(
					blockNo,
					entries.map((entry) => entry.id)
				);
				return entries.map(searchableText);
			});
			cache.haystacks.set(blockNo, haystack);
			haystack.catch(() => cache.haystacks.delete(blockNo));
		}
	}

	/**
	 * Builds the search text of an opened dataset in the background, so that the first search
	 * answers from memory. Yields between blocks so page reads are served in between.
	 */
	async warmSearch(datasetId: string): Promise<void> {
		const dataset = await getDataset(this.db, datasetId);
		if (!dataset || dataset.status !== 'ready') return;
		for (let blockNo = 0; blockNo < dataset.blockSizes.length; blockNo++) {
			if (this.blockCache.get(datasetId)?.updatedAt !== dataset.updatedAt && blockNo > 0) return;
			await this.haystackOf(dataset, blockNo, true);
		}
	}

	/**
	 * Search text made while the dataset was imported (this worker had every entry in hand): the
	 * first search after an import answers from memory without reading the blocks back. It
	 * replaces what was cached, as opening a dataset does.
	 */
	seedSearch(datasetId: string, updatedAt: number, blocks: readonly { ids: string[]; haystack: string[] }[]): void {
		this.blockCache.clear();
		const cache = { updatedAt, blocks: new Map<number, Entry[]>(), haystacks: new Map<number, Promise<string[]>>(), ids: new Map<number, string[]>() };
		blocks.forEach((block, blockNo) => {
			cache.ids.set(blockNo, block.ids);
			cache.haystacks.set(blockNo, Promise.resolve(block.haystack));
		});
		this.blockCache.set(datasetId, cache);
	}

	async getPage(datasetId: string, start: number, count: number): Promise<EntryPage> {
		const dataset = await readyDataset(this.db, datasetId);
		const entries: Entry[] = [];
		for (const slice of slicesForRange(start, count, dataset.blockSizes)) {
			const block = await this.loadBlock(dataset, slice.blockNo);
			entries.push(...block.slice(slice.from, slice.to));
		}
		return { start, entries };
	}

	async getAt(datasetId: string, positions: number[]): Promise<Entry[]> {
		const dataset = await readyDataset(this.db, datasetId);
		const result: Entry[] = [];
		for (const position of positions) {
			const [slice] = slicesForRange(position, 1, dataset.blockSizes);
			if (!slice) continue;
			const block = await this.loadBlock(dataset, slice.blockNo);
			result.push(block[slice.from]);
		}
		return result;
	}

	/** Case-insensitive substring search over message contents and entry ids. */
	async search(datasetId: string, query: string): Promise<SearchResult> {
		const t0 = performance.now();
		const dataset = await readyDataset(this.db, datasetId);
		const needle = query.trim().toLowerCase();
		const positions: number[] = [];
		if (!needle) return { query, positions, scannedMs: 0 };
		let base = 0;
		for (let blockNo = 0; blockNo < dataset.blockSizes.length; blockNo++) {
			const haystack = await this.haystackOf(dataset, blockNo, true);
			for (let i = 0; i < haystack.length; i++) if (haystack[i].includes(needle)) positions.push(base + i);
			base += dataset.blockSizes[blockNo];
		}
		return { query, positions, scannedMs: performance.now() - t0 };
	}

	/** Entry ids at positions (for a selection made by position, e.g. "all search results"). */
	async idsAt(datasetId: string, positions: number[]): Promise<string[]> {
		const dataset = await readyDataset(this.db, datasetId);
		const sorted = [...positions].sort((a, b) => a - b);
		const ids: string[] = [];
		let cursor = 0;
		let start = 0;
		for (let blockNo = 0; blockNo < dataset.blockSizes.length && cursor < sorted.length; blockNo++) {
			const end = start + dataset.blockSizes[blockNo];
			if (sorted[cursor] < end) {
				const blockIds = await this.idsOfBlock(dataset, blockNo);
				while (cursor < sorted.length && sorted[cursor] < end) ids.push(blockIds[sorted[cursor++] - start]);
			}
			start = end;
		}
		return ids;
	}

	/**
	 * After a change made here that kept every entry's id and place (tags, review, content), the
	 * ids per block are still right for the new version: keep them, drop the rest. Changes from
	 * elsewhere (another tab) are only seen as a new version, and clear everything.
	 */
	carryIds(datasetId: string, updatedAt: number): void {
		const cache = this.blockCache.get(datasetId);
		if (!cache) return;
		this.blockCache.set(datasetId, { updatedAt, blocks: new Map(), haystacks: new Map(), ids: cache.ids });
	}

	/** The ids of one block, remembered per dataset version (cheap: short strings). */
	private async idsOfBlock(dataset: DatasetRow, blockNo: number): Promise<string[]> {
		const cache = this.cacheFor(dataset);
		let ids = cache.ids.get(blockNo);
		if (!ids) {
			const entries = cache.blocks.get(blockNo) ?? (await readBlock(this.db, dataset.id, blockNo))?.entries ?? [];
			ids = entries.map((entry) => entry.id);
			cache.ids.set(blockNo, ids);
		}
		return ids;
	}

	/**
	 * The positions matching a filter, in its sort order. A plain "contains" text search goes
	 * through the cached search text; anything else scans the blocks once.
	 */
	async filter(datasetId: string, raw: EntryFilter): Promise<FilterResult> {
		const t0 = performance.now();
		const parsed = EntryFilterSchema.safeParse(raw);
		if (!parsed.success) return { ok: false, error: `That filter is not valid: ${parsed.error.issues[0]?.message ?? 'unknown problem'}` };
		const filter = parsed.data;
		const keys = Object.keys(filter) as (keyof EntryFilter)[];
		const text = filter.text;
		if (keys.length === 1 && text && text.mode === 'contains' && !text.roles?.length && !text.caseSensitive) {
			const found = await this.search(datasetId, text.query);
			return { ok: true, positions: found.positions, scannedMs: found.scannedMs };
		}
		const context: FilterContext = {
			// Until real tokenizers are chosen in Analysis, tokens are estimated as characters ÷ 4.
			tokenCount: (entry) => Math.ceil(entryCharacterCount(entry) / 4),
			...(filter.findings?.codes.length ? { entriesWithFindings: this.findings.entriesWithFindings(datasetId, filter.findings.codes) } : {}),
			// Old names of renamed tags mean the renamed tag (in the filter and on entries not yet rewritten).
			...(filter.tagsAny?.length || filter.tagsAll?.length || filter.tagsNone?.length ? { tagLookup: tagLookup(await listTags(this.db)) } : {})
		};
		const dataset = await readyDataset(this.db, datasetId);
		if (filter.templateTokens && dataset.templateTarget) {
			// Counted by the analysis (kept per version and target), or counted now on the workers.
			const counted = await templateCountsFor(this.db).result(dataset, dataset.templateTarget);
			const totals = counted?.totals;
			if (totals) context.templateTokenCount = (entry) => totals.get(entry.id);
		}
		const compiled = compileFilter(filter, context);
		if (!compiled.ok) return { ok: false, error: compiled.error.message };
		const sorted = filter.sort && filter.sort.by !== 'position';
		const positions: number[] = [];
		const keyed: { position: number; key: number | string }[] = [];
		let position = 0;
		for (let blockNo = 0; blockNo < dataset.blockSizes.length; blockNo++) {
			const cached = this.cacheFor(dataset).blocks.get(blockNo);
			const block = cached ?? (await readBlock(this.db, dataset.id, blockNo))?.entries ?? [];
			for (const entry of block) {
				if (compiled.matches(entry)) {
					if (sorted) keyed.push({ position, key: sortKeyOf(entry, position, filter.sort, context) });
					else positions.push(position);
				}
				position++;
			}
		}
		return { ok: true, positions: sorted ? sortPositions(keyed, filter.sort) : positions, scannedMs: performance.now() - t0 };
	}
}

/** What a text search looks at: the id, every message's content, and tool calls (lower-cased). */
export function searchableText(entry: Entry): string {
	let text = entry.id;
	for (const message of entry.messages) {
		text += '\u0000' + (typeof message.content === 'string' ? message.content : JSON.stringify(message.content));
		if (message.tool_calls !== undefined) text += '\u0000' + JSON.stringify(message.tool_calls);
	}
	return text.toLowerCase();
}
