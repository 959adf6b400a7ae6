/** Exports run in the data worker; the page only turns the finished Blob into a download. */
import type { ExportFormat } from '$lib/core/export/serialize';
import { dataWorker } from '$lib/workers/data-bridge';
import { getDatabase } from '$lib/db/database';
import { getDefaultNames } from '$lib/db/collection-repo';
import type { DefaultNames } from '$lib/core/contracts/settings';
import type { ExportRequest, PlannedExportResult } from '$lib/workers/data-service';

export const EXPORT_CHOICES: { format: ExportFormat; label: string; hint: string }[] = [
	{ format: 'openai', label: 'OpenAI / ChatML JSONL', hint: 'Minimal {"messages": […]} lines for OpenAI fine-tuning, Unsloth, axolotl, LLaMA-Factory.' },
	{ format: 'skein', label: 'Skein full-fidelity JSONL', hint: 'Everything: tags, metadata, provenance. Re-imports without loss.' }
];

export function downloadBlob(blob: Blob, fileName: string): void {
	const url = URL.createObjectURL(blob);
	const link = document.createElement('a');
	link.href = url;
	link.download = fileName;
	document.body.append(link);
	link.click();
	link.remove();
	// The download has its own reference; give it a moment before revoking.
	setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export class ExportState {
	running = $state<string | null>(null);
	error = $state<string | null>(null);
	/** What the last download did with preference data, when the dataset has any. */
	notice = $state<{ datasetId: string; text: string } | null>(null);

	async run(datasetId: string, format: ExportFormat): Promise<void> {
		if (this.running) return;
		this.running = datasetId;
		this.error = null;
		this.notice = null;
		try {
			const { blob, fileName, notice } = await dataWorker().exportDataset(datasetId, format);
			downloadBlob(blob, fileName);
			this.notice = notice ? { datasetId, text: notice } : null;
		} catch (error) {
			this.error = `Export failed: ${error instanceof Error ? error.message : String(error)}`;
		} finally {
			this.running = null;
		}
	}
}

export const exports = new ExportState();

/** The dataset's {{char}} / {{user}} names (set in the character library): the export's defaults. */
export function defaultNamesOf(datasetId: string): Promise<DefaultNames> {
	return getDefaultNames(getDatabase(), datasetId);
}

/** Runs a planned export (or, with `dryRun`, only works out what it would write). */
export function exportPlanned(datasetId: string, request: ExportRequest): Promise<PlannedExportResult> {
	return dataWorker().exportPlanned(datasetId, request);
}
