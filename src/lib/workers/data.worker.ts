/// <reference lib="webworker" />
/**
 * The data worker: imports, paging, search and export run here so that the page never parses,
 * holds or serialises a whole dataset. This file is only the composition root: it builds the
 * services with their dependencies and composes their API parts (each service's `xxxApi`) into
 * the one API, DataWorkerApi, reached through data-bridge.ts.
 */
import * as Comlink from 'comlink';
import { getDatabase } from '$lib/db/database';
import { composeApi } from './compose-api';
import { dataApi } from './data-service';
import { composeDataServices } from './data-services';
import { validationApi, validationForData } from './validation-service';
import { analysisApi } from './analysis-service';
import { collectionApi } from './collection-service';
import { generationApi } from './generation-service';
import { libraryApi } from './library-service';
import { runApi } from './run-service';
import { TokenCountPool } from './token-pool';
import { templateCountsFor } from './template-counts';
import { backupApi } from './backup-service';
import { trainerViewApi } from './trainer-view-service';
import { preferenceApi } from './preference-service';
import { HubExporter, hubApi } from './hub-export';

const db = getDatabase();
const { data, validationRuns } = composeDataServices(db);
// Token counting is most of the analysis: one counting worker per core (up to 4) beside this one.
const tokenPool = new TokenCountPool(Math.max(1, Math.min(4, navigator.hardwareConcurrency || 2)), () => new Worker(new URL('./token-count.worker.ts', import.meta.url), { type: 'module', name: 'skein-tokens' }));
// Rendering under a training target (analysis, template-token filters) runs on the same workers.
templateCountsFor(db).useCounter(tokenPool.countTemplate);

const api = composeApi(
	dataApi(data),
	validationApi(db, data, validationRuns),
	collectionApi(db),
	analysisApi(db, tokenPool.count),
	generationApi(db, data),
	libraryApi(db),
	runApi(db, data),
	backupApi(db),
	trainerViewApi(),
	preferenceApi(db, data),
	hubApi(new HubExporter(db, validationForData(db, validationRuns), tokenPool.count))
);

export type DataWorkerApi = typeof api;

Comlink.expose(api);
