/**
 * The entry browser's view of one dataset: which entries the list shows (all, or the positions a
 * search matched), a cache of loaded pages, and the selected entry. Entries are fetched from the
 * data worker a page at a time; nothing here ever holds the whole dataset.
 */
import type { Entry } from '$lib/core/model';
import { dataWorker } from '$lib/workers/data-bridge';

export const PAGE_SIZE = 100;

export class EntryBrowserState {
	readonly datasetId: string;
	/** Entry count of the dataset, from its stored row. */
	datasetCount = $state(0);
	/** Positions matched by the active search, or null for "all entries". */
	matches = $state<number[] | null>(null);
	query = $state('');
	searching = $state(false);
	searchMs = $state<number | null>(null);
	selected = $state(-1);
	error = $state<string | null>(null);
	/** Bumped whenever pages land, so rows re-read the cache. */
	version = $state(0);
	/** Bumped when the cache is thrown away: pages requested before that are dropped on arrival. */
	#generation = 0;
	// Deliberately not reactive: `version` is bumped once per landed page instead of per entry.
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	#cache = new Map<number, Entry>();
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	#loadingPages = new Set<number>();
	#stamp = 0;
	#searchSeq = 0;
	#warmed = false;

	constructor(datasetId: string) {
		this.datasetId = datasetId;
	}

	get count(): number {
		return this.matches ? this.matches.length : this.datasetCount;
	}

	/** Called when the stored dataset changes (count or updatedAt): drops cached pages. */
	sync(entryCount: number, updatedAt: number): void {
		if (this.#stamp === updatedAt && this.datasetCount === entryCount) return;
		this.#stamp = updatedAt;
		this.datasetCount = entryCount;
		this.#cache.clear();
		this.#generation += 1;
		this.version += 1;
		if (this.query) void this.search(this.query);
		else void this.ensureRange(...this.#visible);
	}

	entryAt(index: number): Entry | undefined {
		void this.version;
		return this.#cache.get(index);
	}

	get selectedEntry(): Entry | undefined {
		return this.selected >= 0 ? this.entryAt(this.selected) : undefined;
	}

	/** Dataset position (0-based) of the list row `index`. */
	positionOf(index: number): number {
		return this.matches ? this.matches[index] : index;
	}

	/** The rows the list last asked for, re-requested after the cache is dropped. */
	#visible: [number, number] = [0, 0];

	async ensureRange(from: number, to: number): Promise<void> {
		this.#visible = [from, to];
		const firstPage = Math.floor(Math.max(0, from) / PAGE_SIZE);
		const lastPage = Math.floor(Math.max(0, Math.min(this.count, to) - 1) / PAGE_SIZE);
		const loads: Promise<void>[] = [];
		for (let page = firstPage; page <= lastPage; page++) {
			if (this.#cache.has(page * PAGE_SIZE) || this.#loadingPages.has(page)) continue;
			loads.push(this.#loadPage(page));
		}
		await Promise.all(loads);
	}

	async #loadPage(page: number): Promise<void> {
		this.#loadingPages.add(page);
		const start = page * PAGE_SIZE;
		const end = Math.min(this.count, start + PAGE_SIZE);
		const matches = this.matches;
		const generation = this.#generation;
		try {
			const entries = matches
				? await dataWorker().getAt(this.datasetId, matches.slice(start, end))
				: (await dataWorker().getPage(this.datasetId, start, end - start)).entries;
			if (generation !== this.#generation || matches !== this.matches) return;
			entries.forEach((entry, i) => this.#cache.set(start + i, entry));
			this.version += 1;
			if (!this.#warmed) {
				// Once the first page shows, prepare search in the background.
				this.#warmed = true;
				void dataWorker().warmSearch(this.datasetId).catch(() => undefined);
			}
		} catch (error) {
			this.error = error instanceof Error ? error.message : String(error);
		} finally {
			this.#loadingPages.delete(page);
		}
	}

	async search(query: string): Promise<void> {
		this.query = query;
		const seq = ++this.#searchSeq;
		if (!query.trim()) {
			this.matches = null;
			this.searchMs = null;
			this.#reset();
			return;
		}
		this.searching = true;
		try {
			const result = await dataWorker().search(this.datasetId, query);
			if (seq !== this.#searchSeq) return;
			this.matches = result.positions;
			this.searchMs = result.scannedMs;
			this.#reset();
		} catch (error) {
			this.error = error instanceof Error ? error.message : String(error);
		} finally {
			if (seq === this.#searchSeq) this.searching = false;
		}
	}

	#reset(): void {
		this.#cache.clear();
		this.#generation += 1;
		this.selected = this.count > 0 ? 0 : -1;
		this.version += 1;
		void this.ensureRange(...this.#visible);
	}
}
