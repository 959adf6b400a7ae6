/**
 * The Hub export dialog's state: the card draft made in the data worker from the figures of what
 * would be written, the card text the user edits, what is wrong with the edited card (checked
 * here as they type: the same `checkCard` the worker runs on the files it wrote), and the export
 * itself, whose zip becomes a download.
 */
import { dataWorker } from '$lib/workers/data-bridge';
import type { HubDraft, HubExportRequest, HubExportResult } from '$lib/workers/hub-export';
import { checkCard } from '$lib/core/hub/card';
import { DEFAULT_TOKENIZER, isTokenizerId, type TokenizerId } from '$lib/core/analysis/tokenizers';
import { downloadBlob } from './exports.svelte';

/** The analysis page keeps its tokenizer choice under this key (state/analysis.svelte.ts). */
const ANALYSIS_TOKENIZER_KEY = 'skein.analysis.tokenizer';

/** The tokenizer the analysis page counts with: the card's token figures default to it. */
export function analysisTokenizer(): TokenizerId {
	try {
		const saved = localStorage.getItem(ANALYSIS_TOKENIZER_KEY);
		if (isTokenizerId(saved)) return saved;
	} catch {
		// No storage (private mode): the default.
	}
	return DEFAULT_TOKENIZER;
}

function message(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

export class HubExportState {
	draft = $state<HubDraft | null>(null);
	card = $state('');
	busy = $state<'draft' | 'export' | null>(null);
	progress = $state<string | null>(null);
	error = $state<string | null>(null);
	result = $state<HubExportResult | null>(null);
	/** What is wrong with the card as edited (empty when it fits the files the draft will write). */
	readonly problems = $derived(this.draft ? checkCard(this.card, this.draft.files) : []);

	constructor(readonly datasetId: string) {}

	/** Options changed: the draft no longer describes what would be written. */
	reset(): void {
		this.draft = null;
		this.result = null;
	}

	async makeDraft(request: HubExportRequest): Promise<void> {
		if (this.busy) return;
		this.busy = 'draft';
		this.error = null;
		this.result = null;
		try {
			const draft = await dataWorker().hubDraft(this.datasetId, request, (p) => (this.progress = `${p.phase}… ${p.done} / ${p.total}`));
			this.draft = draft;
			this.card = draft.card;
		} catch (error) {
			this.error = message(error);
		} finally {
			this.busy = null;
			this.progress = null;
		}
	}

	/** Back to the generated card, dropping the edits. */
	regenerate(): void {
		if (this.draft) this.card = this.draft.card;
	}

	async export(request: HubExportRequest): Promise<void> {
		if (this.busy || !this.draft || this.problems.length > 0) return;
		this.busy = 'export';
		this.error = null;
		try {
			const result = await dataWorker().hubExport(this.datasetId, request, this.card, (p) => (this.progress = `${p.phase}… ${p.done} / ${p.total}`));
			this.result = result;
			if (result.blob) downloadBlob(result.blob, result.fileName);
			else this.error = `The card does not fit the files written: ${result.problems.join('; ')}`;
		} catch (error) {
			this.error = message(error);
		} finally {
			this.busy = null;
			this.progress = null;
		}
	}
}
