/**
 * The data worker's core, without Comlink: import, paging, search and filters, edits and curation
 * operations with undo, and export. It runs in
 * the worker (data.worker.ts exposes it) and in Node tests (with fake-indexeddb), so it only
 * uses APIs both have: Blob/File streams, TextDecoder, IndexedDB through Dexie.
 */
import { FileImporter, importPng, sniffBytes } from '$lib/core/import/file-importer';
import { entryToLine, exportFileName, type ExportFileFormat, type ExportFormat } from '$lib/core/export/serialize';
import { planExport, summarizeEntry, type EntrySummary, type SplitOptions } from '$lib/core/export/export-plan';
import { ExportRun, type ExportReport } from '$lib/core/export/export-run';
import { applyTransforms, type TransformOptions } from '$lib/core/export/transforms';
import { RULES_BY_ID, validateEntry, type CompiledProfile } from '$lib/core/validation';
import type { WriterOptions } from '$lib/core/export/writers';
import { EntrySchema, type Entry, type FileImportReport, type ImportReport, type ReviewState } from '$lib/core/model';
import { slicesForRange } from '$lib/core/paging';
import { ContentHasher } from '$lib/core/hash';
import { REPAIR_ON_IMPORT_SETTING, repairOnImport } from './validation-service';
import type { SkeinDatabase } from '$lib/db/database';
import {
	allocateEntryIds,
	completeImport,
	createImportingDataset,
	deleteDataset,
	findSameContent,
	getSetting,
	getDataset,
	putBlock,
	putOriginal,
	readBlock,
	touchImport
} from '$lib/db/datasets-repo';
import { ENTRY_BLOCK_SIZE } from '$lib/db/schema';
import { type DatasetRow, type EntryChange } from '$lib/core/contracts/rows';
import { applyCuration, applyOperation, EntryConflictError, historyState, readEntryAt, redo, undo, type HistoryState } from '$lib/db/entries-repo';
import { joinOp, splitOp, type CurationOp } from '$lib/core/curation/operations';
import { compileFilter, entryCharacterCount, EntryFilterSchema, sortKeyOf, sortPositions, type EntryFilter, type FilterContext } from '$lib/core/curation/filters';

/** A thing to import: a dropped or picked file, or pasted text. */
export type ImportSource = { kind: 'file'; file: File } | { kind: 'text'; name: string; text: string };

export interface ImportProgress {
	jobId: string;
	fileIndex: number;
	fileCount: number;
	fileName: string;
	bytesRead: number;
	bytesTotal: number;
	lines: number;
	entries: number;
}

export interface ImportedDataset {
	datasetId: string;
	name: string;
	report: FileImportReport;
	/** Datasets imported earlier with exactly the same content (a re-import of the same file). */
	sameContentAs: { id: string; name: string }[];
}

export interface ImportResult {
	jobId: string;
	status: 'done' | 'cancelled' | 'failed';
	datasets: ImportedDataset[];
	report: ImportReport;
	/** Set when the whole job failed (quota, storage error); nothing was kept. */
	error?: string;
}

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

/** Everything the export dialog can choose (SPEC §6). */
export interface ExportRequest {
	format: ExportFileFormat;
	writer?: WriterOptions;
	transforms?: TransformOptions;
	/** Only entries in these review states (absent: all). */
	reviewStates?: ReviewState[];
	/** Only entries at these positions (the current search or selection; absent: all). */
	positions?: number[];
	shuffle?: boolean;
	seed?: number;
	split?: SplitOptions;
	/** Count and check only: no files are built. */
	dryRun?: boolean;
	/** The pre-export check: validate what would be written (after transforms) with this profile (built-in or custom id). */
	checkProfile?: string;
}

export interface PreExportCheck {
	profileId: string;
	entriesWithErrors: number;
	entriesWithWarnings: number;
	rules: { rule: string; title: string; severity: string; entries: number }[];
}

export interface PlannedExportResult {
	files: { fileName: string; blob: Blob | null; entries: number }[];
	report: ExportReport;
	selected: number;
	check?: PreExportCheck;
}

export interface CurationOutcome {
	label: string;
	changed: number;
	removed: number;
	inserted: number;
	unchanged: number;
	warnings: string[];
	history: HistoryState;
}

/** Progress of a bulk operation, in blocks of the dataset. */
export type CurationProgress = (done: number, total: number) => void;

export type SaveResult =
	| { ok: true; history: HistoryState }
	| { ok: false; error: string; conflict?: number };

export type FilterResult = { ok: true; positions: number[]; scannedMs: number } | { ok: false; error: string };

export interface ExportResult {
	blob: Blob;
	fileName: string;
	entries: number;
}

/** PNG character cards are small; anything bigger is not one. */
const MAX_PNG_BYTES = 32 * 1024 * 1024;
const PROGRESS_INTERVAL_MS = 100;
/** Decoded blocks kept for paging (about 2 MB each at 100k entries / 200 MB). */
const BLOCK_CACHE_LIMIT = 12;
const HEARTBEAT_INTERVAL_MS = 5_000;

export class ImportCancelled extends Error {
	constructor() {
		super('Import cancelled');
	}
}

function datasetNameFor(fileName: string): string {
	const base = fileName.replace(/\.(jsonl|json|ndjson|txt|png)$/i, '').trim();
	return base || 'Untitled dataset';
}

function describeStorageError(error: unknown): string {
	const name = error instanceof Error ? error.name : '';
	const inner = (error as { inner?: { name?: string } } | null)?.inner?.name ?? '';
	if (name === 'QuotaExceededError' || inner === 'QuotaExceededError') {
		return 'The browser ran out of storage space for this site. Nothing from this import was kept; free some space (delete datasets you no longer need) or allow more storage, then try again.';
	}
	return `Storage failed: ${error instanceof Error ? error.message : String(error)}. Nothing from this import was kept.`;
}

/** Block-sized buffer of entries that writes a block whenever it fills, one write in flight at a time. */
class BlockWriter {
	private pending: Entry[] = [];
	private inFlight: Promise<void> = Promise.resolve();
	private fingerprint = new ContentHasher();
	readonly blockSizes: number[] = [];

	constructor(
		private readonly db: SkeinDatabase,
		readonly datasetId: string,
		/** Applied to each entry before it is stored (the opt-in "repair on import"). */
		private readonly transform?: (entry: Entry) => Entry
	) {}

	get entryCount(): number {
		return this.blockSizes.reduce((a, b) => a + b, 0) + this.pending.length;
	}

	/** Order-sensitive hash of every entry's content hash. */
	get contentHash(): string {
		return this.fingerprint.digest();
	}

	async add(entries: Entry[]): Promise<void> {
		for (const entry of entries) {
			// The fingerprint is of the file's content as imported, so a re-import matches either way.
			this.fingerprint.update(entry.hash);
			this.pending.push(this.transform ? this.transform(entry) : entry);
			if (this.pending.length >= ENTRY_BLOCK_SIZE) await this.flushBlock();
		}
	}

	private async flushBlock(): Promise<void> {
		const block = this.pending;
		this.pending = [];
		const blockNo = this.blockSizes.length;
		this.blockSizes.push(block.length);
		// Parse the next chunk while this block is being written, but never queue more than one.
		await this.inFlight;
		this.inFlight = putBlock(this.db, this.datasetId, blockNo, block);
	}

	async close(): Promise<void> {
		if (this.pending.length) await this.flushBlock();
		await this.inFlight;
	}

	async abandon(): Promise<void> {
		await this.inFlight.catch(() => undefined);
	}
}

export class DataService {
	private cancelled = new Set<string>();
	/**
	 * Of the most recently opened dataset: a few decoded blocks (paging) and the lower-cased search
	 * text of every block (search). Whole blocks are not all kept: at 100k entries that is ~0.5 GB.
	 */
	private blockCache = new Map<
		string,
		{ updatedAt: number; blocks: Map<number, Entry[]>; haystacks: Map<number, Promise<string[]>>; ids: Map<number, string[]> }
	>();
	private jobCounter = 0;

	constructor(private readonly db: SkeinDatabase) {}

	newJobId(): string {
		this.jobCounter += 1;
		return `import-${Date.now().toString(36)}-${this.jobCounter}`;
	}

	cancel(jobId: string): void {
		this.cancelled.add(jobId);
	}

	/**
	 * Imports each source as its own dataset. All or nothing per job: on cancel or storage failure,
	 * every dataset this job created is deleted again.
	 */
	async importSources(
		jobId: string,
		sources: ImportSource[],
		onProgress?: (progress: ImportProgress) => void
	): Promise<ImportResult> {
		const startedAt = Date.now();
		const t0 = performance.now();
		const datasets: ImportedDataset[] = [];
		const created: string[] = [];
		const fileReports: FileImportReport[] = [];
		const finish = (status: ImportResult['status'], error?: string): ImportResult => {
			this.cancelled.delete(jobId);
			const report: ImportReport = {
				files: fileReports,
				imported: datasets.reduce((n, d) => n + d.report.imported, 0),
				errorCount: fileReports.reduce((n, f) => n + f.errorCount, 0),
				durationMs: performance.now() - t0,
				startedAt
			};
			return { jobId, status, datasets: status === 'done' ? datasets : [], report, error };
		};
		try {
			for (let i = 0; i < sources.length; i++) {
				const source = sources[i];
				const file =
					source.kind === 'file'
						? source.file
						: new File([source.text], source.name, { type: 'text/plain' });
				const result = await this.importOne(jobId, file, i, sources.length, created, onProgress);
				fileReports.push(result.report);
				if (result.datasetId) {
					const same = await findSameContent(this.db, result.contentHash, result.datasetId);
					datasets.push({
						datasetId: result.datasetId,
						name: result.name,
						report: result.report,
						sameContentAs: same.filter((d) => !created.includes(d.id)).map((d) => ({ id: d.id, name: d.name }))
					});
				}
			}
			return finish('done');
		} catch (error) {
			for (const id of created) await deleteDataset(this.db, id).catch(() => undefined);
			if (error instanceof ImportCancelled) return finish('cancelled');
			return finish('failed', describeStorageError(error));
		}
	}

	private checkCancelled(jobId: string): void {
		if (this.cancelled.has(jobId)) throw new ImportCancelled();
	}

	private async importOne(
		jobId: string,
		file: File,
		fileIndex: number,
		fileCount: number,
		created: string[],
		onProgress?: (progress: ImportProgress) => void
	): Promise<{ datasetId: string | null; name: string; report: FileImportReport; contentHash: string }> {
		const name = datasetNameFor(file.name);
		const dataset = await createImportingDataset(this.db, name);
		created.push(dataset.id);
		let entryNo = 0;
		const importerOptions = { fileName: file.name, sizeBytes: file.size, newId: () => `e${++entryNo}` };
		const repaired = new Map<string, number>();
		const repairing = (await getSetting<boolean>(this.db, REPAIR_ON_IMPORT_SETTING)) === true;
		const writer = new BlockWriter(this.db, dataset.id, repairing ? (entry) => repairOnImport(entry, repaired) : undefined);
		let report: FileImportReport;

		try {
			const head = new Uint8Array(await file.slice(0, 8192).arrayBuffer());
			const sniff = sniffBytes(head);
			if (sniff.kind === 'png') {
				const bytes = file.size <= MAX_PNG_BYTES ? new Uint8Array(await file.arrayBuffer()) : head;
				const png = importPng(bytes, importerOptions);
				await writer.add(png.entries);
				report = png.report;
			} else if (sniff.kind === 'binary') {
				const importer = new FileImporter(importerOptions);
				report = { ...importer.report, container: 'binary', fatal: sniff.reason };
			} else {
				report = await this.streamText(jobId, file, fileIndex, fileCount, importerOptions, writer, onProgress);
			}
			await writer.close();
			this.checkCancelled(jobId);
		} catch (error) {
			await writer.abandon();
			throw error;
		}

		for (const [title, count] of repaired) report.notes.push({ text: `Repaired on import (automatic-safe): ${title}`, count, line: 0 });
		if (writer.entryCount === 0) {
			// Nothing importable: report it, keep nothing.
			await deleteDataset(this.db, dataset.id);
			created.splice(created.indexOf(dataset.id), 1);
			return { datasetId: null, name, report, contentHash: '' };
		}
		await putOriginal(this.db, {
			datasetId: dataset.id,
			fileName: file.name,
			mimeType: file.type || 'application/octet-stream',
			sizeBytes: file.size,
			blob: file,
			importedAt: Date.now()
		});
		this.checkCancelled(jobId);
		const importReport: ImportReport = {
			files: [report],
			imported: report.imported,
			errorCount: report.errorCount,
			durationMs: 0,
			startedAt: Date.now()
		};
		await completeImport(this.db, dataset.id, {
			contentHash: writer.contentHash,
			entryCount: writer.entryCount,
			blockSizes: writer.blockSizes,
			nextEntryNo: entryNo + 1,
			sizeBytes: file.size,
			report: importReport
		});
		return { datasetId: dataset.id, name, report, contentHash: writer.contentHash };
	}

	private async streamText(
		jobId: string,
		file: File,
		fileIndex: number,
		fileCount: number,
		importerOptions: ConstructorParameters<typeof FileImporter>[0],
		writer: BlockWriter,
		onProgress?: (progress: ImportProgress) => void
	): Promise<FileImportReport> {
		const importer = new FileImporter(importerOptions);
		const decoder = new TextDecoder('utf-8');
		const reader = file.stream().getReader();
		let bytesRead = 0;
		let lastProgress = 0;
		let lastHeartbeat = Date.now();
		const progress = () => {
			onProgress?.({
				jobId,
				fileIndex,
				fileCount,
				fileName: file.name,
				bytesRead,
				bytesTotal: file.size,
				lines: importer.linesRead,
				entries: writer.entryCount
			});
		};
		try {
			for (;;) {
				const { done, value } = await reader.read();
				if (done) break;
				this.checkCancelled(jobId);
				bytesRead += value.byteLength;
				await writer.add(importer.push(decoder.decode(value, { stream: true })));
				const now = performance.now();
				if (now - lastProgress > PROGRESS_INTERVAL_MS) {
					lastProgress = now;
					progress();
				}
				if (Date.now() - lastHeartbeat > HEARTBEAT_INTERVAL_MS) {
					lastHeartbeat = Date.now();
					await touchImport(this.db, writer.datasetId);
				}
			}
			await writer.add(importer.push(decoder.decode()));
			await writer.add(importer.finish());
		} finally {
			reader.releaseLock();
		}
		progress();
		return importer.report;
	}

	// ---- reading -------------------------------------------------------------------------

	private async datasetOrThrow(datasetId: string): Promise<DatasetRow> {
		const dataset = await getDataset(this.db, datasetId);
		if (!dataset || dataset.status !== 'ready') throw new Error('That dataset does not exist (it may have been deleted).');
		return dataset;
	}

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

	/** The search text of one block; concurrent callers (warm-up and a search) share one read. */
	private haystackOf(dataset: DatasetRow, blockNo: number): Promise<string[]> {
		const cache = this.cacheFor(dataset);
		let haystack = cache.haystacks.get(blockNo);
		if (!haystack) {
			const cached = cache.blocks.get(blockNo);
			haystack = (cached ? Promise.resolve(cached) : readBlock(this.db, dataset.id, blockNo).then((row) => row?.entries ?? [])).then(
				(entries) => {
					cache.ids.set(
						blockNo,
						entries.map((entry) => entry.id)
					);
					return entries.map(searchableText);
				}
			);
			cache.haystacks.set(blockNo, haystack);
			haystack.catch(() => cache.haystacks.delete(blockNo));
		}
		return haystack;
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
			await this.haystackOf(dataset, blockNo);
		}
	}

	async getPage(datasetId: string, start: number, count: number): Promise<EntryPage> {
		const dataset = await this.datasetOrThrow(datasetId);
		const entries: Entry[] = [];
		for (const slice of slicesForRange(start, count, dataset.blockSizes)) {
			const block = await this.loadBlock(dataset, slice.blockNo);
			entries.push(...block.slice(slice.from, slice.to));
		}
		return { start, entries };
	}

	async getAt(datasetId: string, positions: number[]): Promise<Entry[]> {
		const dataset = await this.datasetOrThrow(datasetId);
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
		const dataset = await this.datasetOrThrow(datasetId);
		const needle = query.trim().toLowerCase();
		const positions: number[] = [];
		if (!needle) return { query, positions, scannedMs: 0 };
		let base = 0;
		for (let blockNo = 0; blockNo < dataset.blockSizes.length; blockNo++) {
			const haystack = await this.haystackOf(dataset, blockNo);
			for (let i = 0; i < haystack.length; i++) if (haystack[i].includes(needle)) positions.push(base + i);
			base += dataset.blockSizes[blockNo];
		}
		return { query, positions, scannedMs: performance.now() - t0 };
	}

	// ---- editing ---------------------------------------------------------------------------

	/**
	 * Saves edits as one undoable operation. `before` is each entry as the editor loaded it: when
	 * the stored one differs (another tab saved it), nothing is written and `conflict` says where.
	 */
	async saveChanges(datasetId: string, label: string, changes: EntryChange[]): Promise<SaveResult> {
		for (const change of changes) {
			if (!change.after) continue;
			const checked = EntrySchema.safeParse(change.after);
			if (!checked.success) {
				const issue = checked.error.issues[0];
				return { ok: false, error: `Entry #${change.position + 1} is not valid: ${issue.path.join('.') || 'entry'}: ${issue.message}` };
			}
		}
		try {
			const updated = await applyOperation(this.db, datasetId, label, changes);
			if (changes.every((c) => c.before && c.after && c.before.id === c.after.id)) this.carryIds(datasetId, updated.updatedAt);
			// A new operation is the one to undo, and it empties the redo stack.
			return { ok: true, history: { canUndo: true, canRedo: false, undoLabel: label, redoLabel: null } };
		} catch (error) {
			if (error instanceof EntryConflictError) return { ok: false, conflict: error.position, error: error.message };
			throw error;
		}
	}

	/** Applies a curation operation (bulk action, split, join) as one undoable step. */
	async curate(datasetId: string, op: CurationOp, label: string, onProgress?: CurationProgress): Promise<CurationOutcome> {
		const { summary, dataset } = await applyCuration(this.db, datasetId, op, label, onProgress);
		if (summary.insertedCount === 0 && summary.removedCount === 0) this.carryIds(datasetId, dataset.updatedAt);
		return {
			label,
			changed: summary.changedCount,
			removed: summary.removedCount,
			inserted: summary.insertedCount,
			unchanged: summary.unchangedCount,
			warnings: summary.warnings,
			history: await historyState(this.db, datasetId)
		};
	}

	/** Entry ids at positions (for a selection made by position, e.g. "all search results"). */
	async idsAt(datasetId: string, positions: number[]): Promise<string[]> {
		const dataset = await this.datasetOrThrow(datasetId);
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
	private carryIds(datasetId: string, updatedAt: number): void {
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

	/** Splits the entry at `position` before message `at`; the second half follows it. */
	async splitAt(datasetId: string, position: number, at: number): Promise<CurationOutcome | { error: string }> {
		const entry = await readEntryAt(this.db, datasetId, position);
		if (!entry) return { error: 'That entry no longer exists.' };
		const [newId] = await allocateEntryIds(this.db, datasetId, 1);
		const split = splitOp(entry, at, newId);
		if (!split.ok) return { error: split.error };
		return this.curate(datasetId, split.op, `Split entry #${position + 1} before message ${at + 1}`);
	}

	/** Joins the entries at `positions`, in that order, into the first one's place. */
	async joinAt(datasetId: string, positions: number[]): Promise<CurationOutcome | { error: string }> {
		const entries: Entry[] = [];
		for (const position of positions) {
			const entry = await readEntryAt(this.db, datasetId, position);
			if (!entry) return { error: `Entry #${position + 1} no longer exists.` };
			entries.push(entry);
		}
		const joined = joinOp(entries);
		if (!joined.ok) return { error: joined.error };
		const outcome = await this.curate(datasetId, joined.op, `Join ${entries.length} entries`);
		return { ...outcome, warnings: [...joined.warnings, ...outcome.warnings] };
	}

	async undo(datasetId: string): Promise<{ label: string | null; history: HistoryState }> {
		const label = await undo(this.db, datasetId);
		return { label, history: await historyState(this.db, datasetId) };
	}

	async redo(datasetId: string): Promise<{ label: string | null; history: HistoryState }> {
		const label = await redo(this.db, datasetId);
		return { label, history: await historyState(this.db, datasetId) };
	}

	historyState(datasetId: string): Promise<HistoryState> {
		return historyState(this.db, datasetId);
	}

	/** Resolves a validation profile id (built-in or custom), set by the validation service. */
	resolveProfile: ((ref: string) => Promise<CompiledProfile | null>) | null = null;

	/** Entry ids with any of the given finding codes, from the last validation run (set by the validation service). */
	findingsLookup: ((datasetId: string, codes: string[]) => ReadonlySet<string> | undefined) | null = null;

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
			...(filter.findings?.codes.length ? { entriesWithFindings: this.findingsLookup?.(datasetId, filter.findings.codes) } : {})
		};
		const compiled = compileFilter(filter, context);
		if (!compiled.ok) return { ok: false, error: compiled.error.message };
		const dataset = await this.datasetOrThrow(datasetId);
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

	// ---- export --------------------------------------------------------------------------

	/**
	 * An export with scope, order, split and transforms. Two passes over the blocks: summaries to
	 * plan which entry goes where, then the entries themselves, written as each block arrives.
	 */
	async exportPlanned(datasetId: string, request: ExportRequest, now = new Date()): Promise<PlannedExportResult> {
		const dataset = await this.datasetOrThrow(datasetId);
		const wanted = request.positions ? new Set(request.positions) : null;
		const summaries: EntrySummary[] = [];
		let position = 0;
		for (let blockNo = 0; blockNo < dataset.blockSizes.length; blockNo++) {
			const block = (await readBlock(this.db, dataset.id, blockNo))?.entries ?? [];
			for (const entry of block) {
				if (!wanted || wanted.has(position)) summaries.push(summarizeEntry(entry));
				position++;
			}
		}
		const plan = planExport(summaries, {
			scope: request.reviewStates ? { reviewStates: request.reviewStates } : {},
			shuffle: request.shuffle ?? false,
			seed: request.seed ?? 0,
			split: request.split ?? { kind: 'none' }
		});
		const run = new ExportRun(plan, {
			datasetName: dataset.name,
			date: now,
			format: request.format,
			writer: request.writer,
			transforms: request.transforms
		});
		const planned = request.checkProfile ? new Set(plan.files.flatMap((f) => f.ids)) : null;
		const checkProfile = request.checkProfile ? ((await this.resolveProfile?.(request.checkProfile)) ?? null) : null;
		const ruleCounts = new Map<string, { severity: string; entries: number }>();
		let entriesWithErrors = 0;
		let entriesWithWarnings = 0;
		const check = (entry: Entry) => {
			if (!checkProfile || !planned?.has(entry.id)) return;
			const transformed = applyTransforms(entry, request.transforms);
			if (transformed.kind !== 'kept') return;
			const findings = validateEntry(transformed.entry, checkProfile);
			const rules = new Set<string>();
			let worst = 3;
			for (const finding of findings) {
				if (!rules.has(finding.rule)) {
					rules.add(finding.rule);
					const count = ruleCounts.get(finding.rule) ?? { severity: finding.severity, entries: 0 };
					count.entries++;
					ruleCounts.set(finding.rule, count);
				}
				worst = Math.min(worst, finding.severity === 'error' ? 1 : finding.severity === 'warning' ? 2 : 3);
			}
			if (worst === 1) entriesWithErrors++;
			else if (worst === 2) entriesWithWarnings++;
		};
		const parts = new Map(run.files.map((file) => [file.part, [] as Blob[]]));
		const collect = () => {
			for (const [part, blobs] of parts) {
				const text = run.takeReady(part);
				if (text && !request.dryRun) blobs.push(new Blob([text]));
			}
		};
		for (let blockNo = 0; blockNo < dataset.blockSizes.length; blockNo++) {
			const block = (await readBlock(this.db, dataset.id, blockNo))?.entries ?? [];
			for (const entry of block) {
				run.accept(entry);
				check(entry);
			}
			collect();
		}
		const report = run.finish();
		collect();
		return {
			report,
			selected: plan.selected,
			...(request.checkProfile
				? {
						check: {
							profileId: request.checkProfile,
							entriesWithErrors,
							entriesWithWarnings,
							rules: [...ruleCounts].map(([rule, c]) => ({ rule, title: RULES_BY_ID.get(rule)?.title ?? rule, severity: c.severity, entries: c.entries }))
						}
					}
				: {}),
			files: run.files.map((file) => ({
				fileName: file.fileName,
				blob: request.dryRun ? null : new Blob(parts.get(file.part) ?? [], { type: 'application/jsonl' }),
				entries: report.files.find((f) => f.part === file.part)?.written ?? 0
			}))
		};
	}

	/** Builds the download from per-block parts, so no single string holds the whole dataset. */
	async exportDataset(datasetId: string, format: ExportFormat, now = new Date()): Promise<ExportResult> {
		const dataset = await this.datasetOrThrow(datasetId);
		const parts: Blob[] = [];
		let entries = 0;
		for (let blockNo = 0; blockNo < dataset.blockSizes.length; blockNo++) {
			const block = (await readBlock(this.db, dataset.id, blockNo))?.entries ?? [];
			if (!block.length) continue;
			let text = '';
			for (const entry of block) text += entryToLine(entry, format) + '\n';
			parts.push(new Blob([text]));
			entries += block.length;
		}
		return {
			blob: new Blob(parts, { type: 'application/jsonl' }),
			fileName: exportFileName(dataset.name, format, now),
			entries
		};
	}
}

/** What a text search looks at: the id, every message's content, and tool calls. */
function searchableText(entry: Entry): string {
	let text = entry.id;
	for (const message of entry.messages) {
		text += '\u0000' + (typeof message.content === 'string' ? message.content : JSON.stringify(message.content));
		if (message.tool_calls !== undefined) text += '\u0000' + JSON.stringify(message.tool_calls);
	}
	return text.toLowerCase();
}
