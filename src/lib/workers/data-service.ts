/**
 * The data worker's core, without Comlink, as one small facade over its parts: importing
 * (data-import.ts), reading — pages, search, filters, ids — (data-reading.ts), curation and
 * history (data-curation.ts) and export (data-export.ts). Other services and tests use this
 * facade; `dataApi` is its part of the worker's API (data.worker.ts). It runs in the worker and in
 * Node tests (with fake-indexeddb), so it only uses APIs both have: Blob/File streams,
 * TextDecoder, IndexedDB through Dexie.
 *
 * What it needs from validation (the pre-export check, the "has finding" filter, repair on
 * import) is given to it when it is built, typed by DataValidation below: it imports nothing
 * from validation, and nothing is filled in later.
 */
import type { CurationOp } from '$lib/core/curation/operations';
import type { EntryFilter } from '$lib/core/curation/filters';
import type { ExportFormat } from '$lib/core/export/serialize';
import type { EntryChange } from '$lib/core/contracts/rows';
import type { Entry } from '$lib/core/model';
import type { SkeinDatabase } from '$lib/db/database';
import type { HistoryState, HistoryStepResult } from '$lib/core/contracts/history';
import type { HistoryStepOptions } from '$lib/db/entries-repo';
import { setHistoryOrigin } from '$lib/db/history-origin';
import { DataImporter, type ImportProgress, type ImportRepair, type ImportResult, type ImportSource } from './data-import';
import { DatasetReader, type EntryPage, type FilterResult, type FindingLookup, type SearchResult } from './data-reading';
import { DataCuration, type CurationOutcome, type CurationProgress, type SaveResult } from './data-curation';
import { DataExporter, type ExportChecks, type ExportRequest, type ExportResult, type PlannedExportResult } from './data-export';

export type { ImportSource, ImportProgress, ImportedDataset, ImportResult } from './data-import';
export type { EntryPage, SearchResult, FilterResult } from './data-reading';
export type { CurationOutcome, CurationProgress, SaveResult } from './data-curation';
export type { ExportRequest, PreExportCheck, PreExportChecker, PlannedExportResult, ExportResult } from './data-export';

/**
 * Everything the data side needs from validation, given when a DataService is built (the worker
 * passes validation-service.ts `validationForData`).
 */
export interface DataValidation extends ImportRepair, FindingLookup, ExportChecks {}

/**
 * A data service built on its own (the tests of other services) has no validation: what needs it
 * fails loudly — an export check or repair on import throws, and the "has finding" filter answers
 * that validation results are not available — rather than quietly doing nothing.
 */
export const WITHOUT_VALIDATION: DataValidation = {
	repairOnImport: () => {
		throw new Error('This data service was built without validation, so it cannot repair on import.');
	},
	entriesWithFindings: () => undefined,
	preExportCheck: (profileRef) => Promise.reject(new Error(`This data service was built without validation, so it cannot check an export with "${profileRef}".`))
};

export class DataService {
	private readonly importer: DataImporter;
	private readonly reader: DatasetReader;
	private readonly curation: DataCuration;
	private readonly exporter: DataExporter;

	constructor(db: SkeinDatabase, validation: DataValidation) {
		this.reader = new DatasetReader(db, validation);
		this.importer = new DataImporter(db, validation, (datasetId, updatedAt, blocks) => this.reader.seedSearch(datasetId, updatedAt, blocks));
		// Edits that keep every id in place tell the reader, so its cached ids stay valid.
		this.curation = new DataCuration(db, this.reader);
		this.exporter = new DataExporter(db, validation);
	}

	// ---- importing ---------------------------------------------------------------------------

	newJobId(): string {
		return this.importer.newJobId();
	}

	cancel(jobId: string): void {
		this.importer.cancel(jobId);
	}

	/** Each source becomes its own dataset; all or nothing per job. */
	importSources(jobId: string, sources: ImportSource[], onProgress?: (progress: ImportProgress) => void): Promise<ImportResult> {
		return this.importer.importSources(jobId, sources, onProgress);
	}

	// ---- reading -----------------------------------------------------------------------------

	getPage(datasetId: string, start: number, count: number): Promise<EntryPage> {
		return this.reader.getPage(datasetId, start, count);
	}

	getAt(datasetId: string, positions: number[]): Promise<Entry[]> {
		return this.reader.getAt(datasetId, positions);
	}

	search(datasetId: string, query: string): Promise<SearchResult> {
		return this.reader.search(datasetId, query);
	}

	warmSearch(datasetId: string): Promise<void> {
		return this.reader.warmSearch(datasetId);
	}

	filter(datasetId: string, filter: EntryFilter): Promise<FilterResult> {
		return this.reader.filter(datasetId, filter);
	}

	idsAt(datasetId: string, positions: number[]): Promise<string[]> {
		return this.reader.idsAt(datasetId, positions);
	}

	// ---- curation and history ----------------------------------------------------------------

	saveChanges(datasetId: string, label: string, changes: EntryChange[]): Promise<SaveResult> {
		return this.curation.saveChanges(datasetId, label, changes);
	}

	curate(datasetId: string, op: CurationOp, label: string, onProgress?: CurationProgress): Promise<CurationOutcome> {
		return this.curation.curate(datasetId, op, label, onProgress);
	}

	splitAt(datasetId: string, position: number, at: number): Promise<CurationOutcome | { error: string }> {
		return this.curation.splitAt(datasetId, position, at);
	}

	joinAt(datasetId: string, positions: number[]): Promise<CurationOutcome | { error: string }> {
		return this.curation.joinAt(datasetId, positions);
	}

	undo(datasetId: string, options?: HistoryStepOptions): Promise<HistoryStepResult & { history: HistoryState }> {
		return this.curation.undo(datasetId, options);
	}

	redo(datasetId: string, options?: HistoryStepOptions): Promise<HistoryStepResult & { history: HistoryState }> {
		return this.curation.redo(datasetId, options);
	}

	/** The tab this worker serves, for the history rows it writes (db/history-origin.ts). */
	setTab(tabId: string): void {
		setHistoryOrigin(tabId);
	}

	historyState(datasetId: string): Promise<HistoryState> {
		return this.curation.historyState(datasetId);
	}

	// ---- export ------------------------------------------------------------------------------

	exportPlanned(datasetId: string, request: ExportRequest, now = new Date()): Promise<PlannedExportResult> {
		return this.exporter.exportPlanned(datasetId, request, now);
	}

	exportDataset(datasetId: string, format: ExportFormat, now = new Date()): Promise<ExportResult> {
		return this.exporter.exportDataset(datasetId, format, now);
	}
}

/** The data service's part of the worker's API (data.worker.ts). */
export function dataApi(service: DataService) {
	return {
		newJobId: () => service.newJobId(),
		importSources: (jobId: string, sources: ImportSource[], onProgress?: (p: ImportProgress) => void) => service.importSources(jobId, sources, onProgress),
		cancelImport: (jobId: string) => service.cancel(jobId),
		getPage: (datasetId: string, start: number, count: number) => service.getPage(datasetId, start, count),
		getAt: (datasetId: string, positions: number[]) => service.getAt(datasetId, positions),
		search: (datasetId: string, query: string) => service.search(datasetId, query),
		filter: (datasetId: string, filter: EntryFilter) => service.filter(datasetId, filter),
		warmSearch: (datasetId: string) => service.warmSearch(datasetId),
		exportDataset: (datasetId: string, format: ExportFormat) => service.exportDataset(datasetId, format),
		exportPlanned: (datasetId: string, request: ExportRequest) => service.exportPlanned(datasetId, request),
		saveChanges: (datasetId: string, label: string, changes: EntryChange[]) => service.saveChanges(datasetId, label, changes),
		curate: (datasetId: string, op: CurationOp, label: string, onProgress?: CurationProgress) => service.curate(datasetId, op, label, onProgress),
		idsAt: (datasetId: string, positions: number[]) => service.idsAt(datasetId, positions),
		splitAt: (datasetId: string, position: number, at: number) => service.splitAt(datasetId, position, at),
		joinAt: (datasetId: string, positions: number[]) => service.joinAt(datasetId, positions),
		undo: (datasetId: string, options?: HistoryStepOptions) => service.undo(datasetId, options),
		redo: (datasetId: string, options?: HistoryStepOptions) => service.redo(datasetId, options),
		setTab: (tabId: string) => service.setTab(tabId),
		historyState: (datasetId: string) => service.historyState(datasetId)
	};
}
