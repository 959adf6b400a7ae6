/**
 * For state-class tests in Node: the data worker's API composed in-process from the real services
 * over the same (fake-indexeddb) database the page side reads, so a state class's calls run the
 * real paths. Tests mock `$lib/workers/data-bridge` with `dataWorker: () => api`.
 */
import { getDatabase } from '$lib/db/database';
import { DataService } from '$lib/workers/data-service';
import { ValidationService } from '$lib/workers/validation-service';
import { analysisApi } from '$lib/workers/analysis-service';
import { collectionApi } from '$lib/workers/collection-service';
import { hashMessages } from '$lib/core/hash';
import { entryToLine } from '$lib/core/export/serialize';

export function inProcessDataWorker() {
	const db = getDatabase();
	const data = new DataService(db);
	const validation = new ValidationService(db, data);
	return {
		...collectionApi(db),
		...analysisApi(db),
		curate: data.curate.bind(data),
		undo: data.undo.bind(data),
		idsAt: data.idsAt.bind(data),
		getPage: data.getPage.bind(data),
		historyState: data.historyState.bind(data),
		exportPlanned: (datasetId: string, request: Parameters<DataService['exportPlanned']>[1]) => data.exportPlanned(datasetId, request),
		validate: validation.validate.bind(validation),
		lastValidation: validation.lastReport.bind(validation),
		validationProfile: validation.profileOf.bind(validation),
		entryFindings: validation.entryFindings.bind(validation),
		previewRepair: validation.previewRepair.bind(validation),
		applyRepair: validation.applyRepair.bind(validation),
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
