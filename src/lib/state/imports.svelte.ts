/**
 * The import the user is watching: progress while it runs, then its report. One import at a time;
 * the work itself happens in the data worker.
 */
import { startImport, type RunningImport } from '$lib/workers/data-bridge';
import type { ImportProgress, ImportResult, ImportSource } from '$lib/workers/data-service';

export type ImportPhase = 'idle' | 'running' | 'cancelling' | 'finished';

export class ImportState {
	phase = $state<ImportPhase>('idle');
	progress = $state<ImportProgress | null>(null);
	result = $state<ImportResult | null>(null);
	/** Shown when the import could not even start (worker failed to load, …). */
	error = $state<string | null>(null);
	#running: RunningImport | null = null;

	get busy(): boolean {
		return this.phase === 'running' || this.phase === 'cancelling';
	}

	/** The files of the last import by name (a card in the report can become a sheet from its file). */
	files: Readonly<Record<string, File>> = {};

	async importFiles(files: File[]): Promise<ImportResult | null> {
		if (!this.busy) this.files = Object.fromEntries(files.map((file) => [file.name, file]));
		return this.run(files.map((file) => ({ kind: 'file', file })));
	}

	async importText(name: string, text: string): Promise<ImportResult | null> {
		return this.run([{ kind: 'text', name, text }]);
	}

	/** Imports text without showing progress or a report (the first run's built-in sample). */
	async importQuietly(name: string, text: string): Promise<ImportResult> {
		return (await startImport([{ kind: 'text', name, text }], () => {})).result;
	}

	async run(sources: ImportSource[]): Promise<ImportResult | null> {
		if (this.busy || sources.length === 0) return null;
		this.phase = 'running';
		this.progress = null;
		this.result = null;
		this.error = null;
		try {
			// A block body: the callback crosses to the worker, and must not return the $state proxy.
			this.#running = await startImport(sources, (progress) => {
				this.progress = progress;
			});
			const result = await this.#running.result;
			this.result = result;
			return result;
		} catch (error) {
			this.error = `The import could not run: ${error instanceof Error ? error.message : String(error)}`;
			return null;
		} finally {
			this.#running = null;
			this.phase = 'finished';
		}
	}

	async cancel(): Promise<void> {
		if (!this.#running || this.phase !== 'running') return;
		this.phase = 'cancelling';
		await this.#running.cancel();
	}

	dismiss(): void {
		if (this.busy) return;
		this.phase = 'idle';
		this.result = null;
		this.error = null;
		this.progress = null;
	}
}

export const imports = new ImportState();
