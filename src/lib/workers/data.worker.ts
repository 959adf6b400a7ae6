/// <reference lib="webworker" />
/**
 * The data worker: imports, paging, search and export run here so that the page never parses,
 * holds or serialises a whole dataset. Its one API is DataWorkerApi, reached through data-bridge.ts.
 */
import * as Comlink from 'comlink';
import { getDatabase } from '$lib/db/database';
import { DataService, type CurationProgress, type ExportRequest, type ImportProgress, type ImportSource } from './data-service';
import type { CurationOp } from '$lib/core/curation/operations';
import type { EntryFilter } from '$lib/core/curation/filters';
import { ValidationService, type RepairScope } from './validation-service';
import type { ExportFormat } from '$lib/core/export/serialize';
import type { EntryChange } from '$lib/core/contracts/rows';
import { analysisApi } from './analysis-service';
import { collectionApi } from './collection-service';
import { generationApi } from './generation-service';
import { libraryApi } from './library-service';
import { runApi } from './run-service';

const db = getDatabase();
const service = new DataService(db);

/** The core data API. Other services add their methods below (one API, one bridge). */
const coreApi = {
	newJobId: () => service.newJobId(),
	importSources: (jobId: string, sources: ImportSource[], onProgress?: (p: ImportProgress) => void) =>
		service.importSources(jobId, sources, onProgress),
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
	undo: (datasetId: string) => service.undo(datasetId),
	redo: (datasetId: string) => service.redo(datasetId),
	historyState: (datasetId: string) => service.historyState(datasetId)
};

const validation = new ValidationService(db, service);
const validationApi = {
	validate: (datasetId: string, profileRef: string, onProgress?: CurationProgress) => validation.validate(datasetId, profileRef, onProgress),
	lastValidation: (datasetId: string) => validation.lastReport(datasetId),
	validationProfile: (datasetId: string) => validation.profileOf(datasetId),
	entryFindings: (datasetId: string, position: number) => validation.entryFindings(datasetId, position),
	positionsWithFinding: (datasetId: string, rule: string) => validation.positionsWithFinding(datasetId, rule),
	previewRepair: (datasetId: string, repairId: string, scope?: RepairScope) => validation.previewRepair(datasetId, repairId, scope),
	applyRepair: (datasetId: string, repairId: string, scope?: RepairScope, onProgress?: CurationProgress) => validation.applyRepair(datasetId, repairId, scope, onProgress)
};

const api = {
	...coreApi,
	...validationApi,
	...collectionApi(db),
	...analysisApi(db),
	...generationApi(db, service),
	...libraryApi(db),
	...runApi(db, service)
};

export type DataWorkerApi = typeof api;

Comlink.expose(api);
