/**
 * The prompt registry on the page: the snapshot the compiler and the registry editor show (every
 * chunk and template with whether it differs from the built-in library), and the editor's worker
 * calls. The worker validates every write; an edit answers `{ ok: false, error }` instead of
 * throwing, so the editor can show why.
 */
import type { RegistrySnapshot } from '$lib/db/prompt-registry-repo';
import type { PromptChunk, Template } from '$lib/core/compiler/registry';
import { dataWorker } from '$lib/workers/data-bridge';
import { errorText } from './library.svelte';

export type { RegistrySnapshot };

export class RegistryState {
	snapshot = $state<RegistrySnapshot | null>(null);
	error = $state<string | null>(null);

	async load(): Promise<void> {
		try {
			this.snapshot = await dataWorker().loadPromptRegistry();
			this.error = null;
		} catch (error) {
			this.error = `Could not open the prompt registry: ${errorText(error)}`;
		}
	}

	get templates(): Template[] {
		return this.snapshot?.templates.map((t) => t.value) ?? [];
	}

	saveChunk(chunk: PromptChunk) {
		return dataWorker().savePromptChunk(chunk);
	}

	saveTemplate(template: Template) {
		return dataWorker().savePromptTemplate(template);
	}

	/** A copy of a template under a new id, to edit while the original stays as it is. */
	duplicateTemplate(sourceId: string) {
		return dataWorker().duplicatePromptTemplate(sourceId);
	}

	/** A new chunk whose id starts with `base` (numbered when taken). */
	createChunk(base: string) {
		return dataWorker().createPromptChunk(base);
	}

	/** Back to the built-in version. */
	resetChunk(id: string) {
		return dataWorker().resetPromptChunk(id);
	}

	resetTemplate(id: string) {
		return dataWorker().resetPromptTemplate(id);
	}

	deleteChunk(id: string) {
		return dataWorker().deletePromptChunk(id);
	}

	deleteTemplate(id: string) {
		return dataWorker().deletePromptTemplate(id);
	}

	/** The whole registry as JSON text, for a download. */
	exportJson(): Promise<string> {
		return dataWorker().exportPromptRegistry();
	}

	importJson(text: string) {
		return dataWorker().importPromptRegistry(text);
	}
}
