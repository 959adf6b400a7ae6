/**
 * For state-class tests in Node: the data worker's API composed in-process from the real services
 * over the same (fake-indexeddb) database the page side reads, so a state class's calls run the
 * real paths. Tests mock `$lib/workers/data-bridge` with `dataWorker: () => api`.
 */
import { getDatabase } from '$lib/db/database';
import { composeApi } from '$lib/workers/compose-api';
import { dataApi } from '$lib/workers/data-service';
import { composeDataServices } from '$lib/workers/data-services';
import { validationApi } from '$lib/workers/validation-service';
import { analysisApi } from '$lib/workers/analysis-service';
import { collectionApi } from '$lib/workers/collection-service';
import { hashMessages } from '$lib/core/hash';
import { entryToLine } from '$lib/core/export/serialize';

export function inProcessDataWorker() {
	const db = getDatabase();
	// Composed as data.worker.ts composes it (without the generation parts these tests do not use).
	const { data, validationRuns } = composeDataServices(db);
	const api = composeApi(dataApi(data), validationApi(db, data, validationRuns), collectionApi(db), analysisApi(db));
	return {
		...api,
		/** Imports Skein JSONL lines (tags survive) and returns the new dataset's id. */
		async importLines(name: string, lines: string[]): Promise<string> {
			const result = await data.importSources(data.newJobId(), [{ kind: 'text', name, text: lines.join('\n') + '\n' }]);
			if (result.status !== 'done' || !result.datasets[0]) throw new Error(`import failed: ${result.error}`);
			return result.datasets[0].datasetId;
		}
	};
}

/** A Skein full-fidelity line for a lighthouse-keeper dialogue; ids follow the importer's `e<n>` form. */
export function skeinLine(i: number, tags: string[] = [], extra: { user?: string; assistant?: string; speaker?: string } = {}): string {
	const messages = [
		{ role: extra.speaker ?? 'user', content: extra.user ?? `Question ${i}: is the lamp lit tonight?` },
		{ role: 'assistant', content: extra.assistant ?? `Lit and trimmed, ${i}. The fog is thick off the point.` }
	];
	return entryToLine({ id: `e${i + 1}`, messages, tags, meta: { review: 'draft' }, extra: {}, hash: hashMessages(messages) }, 'skein');
}
