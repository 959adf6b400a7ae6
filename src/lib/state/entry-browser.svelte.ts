/**
 * The entry browser's view of one dataset: which entries the list shows (all, or the positions a
 * search matched), a cache of loaded pages, and the selected entry. Entries are fetched from the
 * data worker a page at a time; nothing here ever holds the whole dataset.
 */
import type { Entry, ReviewState } from '$lib/core/model';
import type { HistoryState } from '$lib/core/contracts/history';
import type { EntryChange } from '$lib/core/contracts/rows';
import { dataWorker } from '$lib/workers/data-bridge';
import { SvelteSet } from 'svelte/reactivity';
import type { CurationOp } from '$lib/core/curation/operations';
import { normalizeFilter, type EntryFilter } from '$lib/core/curation/filters';
import type { CurationOutcome } from '$lib/workers/data-service';
import type { EntryFinding } from '$lib/workers/validation-service';

const NO_HISTORY: HistoryState = { canUndo: false, canRedo: false, undoLabel: null, redoLabel: null };

export const PAGE_SIZE = 100;

export class EntryBrowserState {
	readonly datasetId: string;
	/** Entry count of the dataset, from its stored row. */
	datasetCount = $state(0);
	/** Positions matched by the active search, or null for "all entries". */
	matches = $state<number[] | null>(null);
	query = $state('');
	/** The active filter (text, tags, review, lengths, findings, sort); `{}` shows everything. */
	filter = $state<EntryFilter>({});
	/** Why the filter could not run (a bad regex, …), shown beside it; the list stays as it was. */
	filterError = $state<string | null>(null);
	searching = $state(false);
	searchMs = $state<number | null>(null);
	selected = $state(-1);
	error = $state<string | null>(null);
	history = $state<HistoryState>(NO_HISTORY);
	/** A short message about the last operation ("Saved entry #3", "Undid: …"). */
	status = $state<string | null>(null);
	/** Set when a save was refused because another tab changed the entry first. */
	conflict = $state<string | null>(null);
	saving = $state(false);
	/** Dataset positions the user ticked for bulk actions. */
	readonly selection = new SvelteSet<number>();
	/** A bulk operation in progress: blocks done of total. */
	bulkProgress = $state<{ label: string; done: number; total: number } | null>(null);
	/** How long the last save took, from the request to the stored result (shown to benchmarks). */
	lastSaveMs = $state<number | null>(null);
	/** Bumped whenever pages land, so rows re-read the cache. */
	version = $state(0);
	/** Bumped when the cache is thrown away: pages requested before that are dropped on arrival. */
	#generation = 0;
	// Deliberately not reactive: `version` is bumped once per landed page instead of per entry.
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	#cache = new Map<number, Entry>();
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	#loadingPages = new Set<number>();
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	#loadedPages = new Set<number>();
	#stamp = 0;
	#searchSeq = 0;
	#warmed = false;

	constructor(datasetId: string) {
		this.datasetId = datasetId;
	}

	get count(): number {
		return this.matches ? this.matches.length : this.datasetCount;
	}

	/**
	 * Called when the stored dataset changes (an edit here or in another tab, an undo): rows keep
	 * showing what they had until the fresh pages land, so the list does not flash.
	 */
	sync(entryCount: number, updatedAt: number): void {
		if (this.#stamp === updatedAt && this.datasetCount === entryCount) return;
		this.#stamp = updatedAt;
		this.datasetCount = entryCount;
		this.#loadedPages.clear();
		this.#generation += 1;
		this.version += 1;
		if (Object.keys(this.filter).length) void this.applyFilter(this.filter);
		else void this.ensureRange(...this.#visible);
		void this.refreshHistory();
	}

	async refreshHistory(): Promise<void> {
		try {
			this.history = await dataWorker().historyState(this.datasetId);
		} catch {
			this.history = NO_HISTORY;
		}
	}

	/** Saves changes as one undoable operation; returns false (with `conflict` or `error` set) when refused. */
	async save(label: string, changes: EntryChange[]): Promise<boolean> {
		this.saving = true;
		this.conflict = null;
		const started = performance.now();
		try {
			const result = await dataWorker().saveChanges(this.datasetId, label, changes);
			this.lastSaveMs = performance.now() - started;
			if (!result.ok) {
				if (result.conflict !== undefined) this.conflict = result.error;
				else this.error = result.error;
				return false;
			}
			this.history = result.history;
			this.status = label;
			// Show the saved version at once; the dataset row's change reloads the rest.
			for (const change of changes) {
				const index = this.matches ? this.matches.indexOf(change.position) : change.position;
				if (change.after && change.before && index >= 0) this.#cache.set(index, change.after);
			}
			this.version += 1;
			return true;
		} catch (error) {
			this.error = error instanceof Error ? error.message : String(error);
			return false;
		} finally {
			this.saving = false;
		}
	}

	async setReview(index: number, review: ReviewState): Promise<void> {
		const before = this.entryAt(index);
		if (!before || before.meta.review === review) return;
		const after: Entry = { ...before, meta: { ...before.meta, review } };
		const position = this.positionOf(index);
		await this.save(`${review === 'accepted' ? 'Accept' : review === 'rejected' ? 'Reject' : 'Mark as draft'} entry #${position + 1}`, [
			{ position, before, after }
		]);
	}

	/**
	 * Undo (Redo) this tab's last change. When the change was made in another tab, nothing is done
	 * until the user confirms (`crossTab` says what would be reverted; `confirmCrossTab` does it).
	 */
	async undo(anyTab = false): Promise<void> {
		await this.#step('undo', anyTab);
	}

	async redo(anyTab = false): Promise<void> {
		await this.#step('redo', anyTab);
	}

	/** A change another tab made that Undo or Redo would touch, waiting for the user's yes. */
	crossTab = $state<{ step: 'undo' | 'redo'; label: string } | null>(null);

	confirmCrossTab(): Promise<void> {
		const pending = this.crossTab;
		this.crossTab = null;
		return pending ? this.#step(pending.step, true) : Promise.resolve();
	}

	async #step(step: 'undo' | 'redo', anyTab: boolean): Promise<void> {
		this.crossTab = null;
		const { label, elsewhere, history } = await dataWorker()[step](this.datasetId, anyTab ? { anyTab } : {});
		this.history = history;
		if (elsewhere) {
			this.crossTab = { step, label: elsewhere };
			return;
		}
		this.selection.clear();
		this.status = label ? `${step === 'undo' ? 'Undid' : 'Redid'}: ${label}` : `Nothing to ${step}`;
	}

	toggleSelected(position: number): void {
		if (this.selection.has(position)) this.selection.delete(position);
		else this.selection.add(position);
	}

	/** Selects every entry in the list as it is now (all, or the search results). */
	selectAllListed(): void {
		if (this.matches) for (const position of this.matches) this.selection.add(position);
		else for (let position = 0; position < this.datasetCount; position++) this.selection.add(position);
	}

	clearSelection(): void {
		this.selection.clear();
	}

	/** Ids of the ticked entries, in dataset order (resolved in the worker). */
	selectedIds(): Promise<string[]> {
		return dataWorker().idsAt(this.datasetId, [...this.selection].sort((a, b) => a - b));
	}

	/** Runs an id-based operation on the selection, with a progress bar; one undo step. */
	async bulk(label: string, build: (ids: string[]) => CurationOp): Promise<CurationOutcome | null> {
		const positions = [...this.selection].sort((a, b) => a - b);
		if (!positions.length) return null;
		this.bulkProgress = { label, done: 0, total: 1 };
		try {
			const ids = await dataWorker().idsAt(this.datasetId, positions);
			const outcome = await dataWorker().curate(
				this.datasetId,
				build(ids),
				label,
				(done: number, total: number) => {
					this.bulkProgress = { label, done, total };
				}
			);
			this.#afterOutcome(outcome, outcome.removed > 0 || outcome.inserted > 0);
			return outcome;
		} catch (error) {
			this.error = error instanceof Error ? error.message : String(error);
			return null;
		} finally {
			this.bulkProgress = null;
		}
	}

	/** Findings of the entry at a dataset position, fresh for its stored version (per-entry rules re-run). */
	findingsAt(position: number): Promise<EntryFinding[]> {
		return dataWorker().entryFindings(this.datasetId, position);
	}

	/** Applies one repair to one entry (one undoable step) and shows its label. */
	async repairEntry(repairId: string, entryId: string): Promise<void> {
		const outcome = await dataWorker().applyRepair(this.datasetId, repairId, { entryIds: [entryId] });
		this.status = outcome.label;
		this.history = outcome.history;
	}

	async splitAt(index: number, at: number): Promise<void> {
		const result = await dataWorker().splitAt(this.datasetId, this.positionOf(index), at);
		if ('error' in result) this.error = result.error;
		else this.#afterOutcome(result, true);
	}

	async joinSelected(): Promise<void> {
		const positions = [...this.selection].sort((a, b) => a - b);
		const result = await dataWorker().joinAt(this.datasetId, positions);
		if ('error' in result) this.error = result.error;
		else {
			this.#afterOutcome(result, true);
			this.selected = this.matches ? -1 : positions[0];
		}
	}

	#afterOutcome(outcome: CurationOutcome, structural: boolean): void {
		this.history = outcome.history;
		this.error = null;
		const counts = [
			outcome.changed && `${outcome.changed.toLocaleString('en-US')} changed`,
			outcome.removed && `${outcome.removed.toLocaleString('en-US')} removed`,
			outcome.inserted && `${outcome.inserted.toLocaleString('en-US')} added`,
			outcome.unchanged && `${outcome.unchanged.toLocaleString('en-US')} already so`
		].filter(Boolean);
		this.status = `${outcome.label}${counts.length ? ` — ${counts.join(', ')}` : ' — nothing changed'}${outcome.warnings.length ? ` (${outcome.warnings.join('; ')})` : ''}`;
		// Positions move when entries are added or removed: a selection by position would be wrong.
		if (structural) this.selection.clear();
	}

	/** Drops the cached copy of one row so it is read again (after a conflict). */
	reload(index: number): void {
		this.#cache.delete(index);
		this.#loadedPages.delete(Math.floor(index / PAGE_SIZE));
		this.conflict = null;
		this.version += 1;
		void this.ensureRange(...this.#visible);
		void this.ensureRange(index, index + 1);
	}

	/** The stored entry at list row `index`, read again (after a refused stale save); the cache takes it. */
	async freshEntry(index: number): Promise<Entry | undefined> {
		const [entry] = await dataWorker().getAt(this.datasetId, [this.positionOf(index)]);
		if (entry) {
			this.#cache.set(index, entry);
			this.version += 1;
		}
		this.conflict = null;
		return entry;
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
			if (this.#loadedPages.has(page) || this.#loadingPages.has(page)) continue;
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
			this.#loadedPages.add(page);
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

	/** The quick search box: sets the filter's text, keeping its mode and roles. */
	async search(query: string): Promise<void> {
		const text = query.trim() ? { query, mode: this.filter.text?.mode ?? 'contains', ...(this.filter.text?.roles?.length ? { roles: this.filter.text.roles } : {}) } : undefined;
		const { text: _old, ...rest } = this.filter;
		await this.applyFilter(text ? { ...rest, text } : rest);
	}

	/** Shows the entries matching `filter` (in its sort order), or all entries for an empty filter. */
	async applyFilter(filter: EntryFilter): Promise<void> {
		const normalized = normalizeFilter(filter);
		this.filter = normalized;
		this.query = normalized.text?.query ?? '';
		const seq = ++this.#searchSeq;
		if (Object.keys(normalized).length === 0) {
			this.matches = null;
			this.searchMs = null;
			this.filterError = null;
			this.#reset();
			return;
		}
		this.searching = true;
		try {
			const result = await dataWorker().filter(this.datasetId, normalized);
			if (seq !== this.#searchSeq) return;
			if (!result.ok) {
				this.filterError = result.error;
				return;
			}
			this.filterError = null;
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
		this.#loadedPages.clear();
		this.#generation += 1;
		this.selected = this.count > 0 ? 0 : -1;
		this.version += 1;
		void this.ensureRange(...this.#visible);
	}
}
