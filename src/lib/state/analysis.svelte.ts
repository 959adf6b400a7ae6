/**
 * The analysis page's state: asks the data worker for the structure, token and duplicate
 * analyses of one dataset (each streamed over the stored blocks there) and keeps the answers and
 * the progress of each. The page never holds the dataset, only these summaries.
 */
import { resolve } from '$app/paths';
import { dataWorker } from '$lib/workers/data-bridge';
import type { AnalysisKind, AnalysisOutcome, AnalysisPart, DuplicateReport } from '$lib/workers/analysis-service';
import { encodeFilterToUrl, type EntryFilter } from '$lib/core/curation/filters';
import type { StructureAnalysis } from '$lib/core/analysis/structure';
import type { TokenAnalysis } from '$lib/core/analysis/tokens';
import type { TemplateTokenAnalysis } from '$lib/core/analysis/template-tokens';
import { DEFAULT_DUPLICATE_OPTIONS, type DuplicateOptions } from '$lib/core/analysis/duplicates';
import { deleteOp, setReviewOp } from '$lib/core/curation/operations';
import type { ReviewState } from '$lib/core/model';
import type { EntrySample } from '$lib/workers/analysis-service';
import { promptDiversity, type PromptDiversity } from '$lib/core/analysis/diversity';
import { DEFAULT_TOKENIZER, isTokenizerId, type TokenizerId } from '$lib/core/analysis/tokenizers';
import { ESTIMATED_CHARACTERS_PER_TOKEN } from '$lib/core/sheets/chunk-size';

export interface RunProgress {
	phase: string;
	done: number;
	total: number;
}

/** What a change to the dataset can invalidate: a review-state change leaves tokens and duplicates as they were. */
export type ChangeScope = 'review' | 'all';

const TOKENIZER_KEY = 'skein.analysis.tokenizer';
/** Near-duplicate prompts for the diversity figure are measured at this similarity. */
export const DIVERSITY_THRESHOLD = 0.8;

/** The entry browser showing the entries that match `filter`. */
export function browserLink(datasetId: string, filter: EntryFilter): string {
	return resolve('/datasets/[id]', { id: datasetId }) + '?filter=' + encodeURIComponent(encodeFilterToUrl(filter));
}

function message(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

export class AnalysisState {
	readonly datasetId: string;
	structure = $state<StructureAnalysis | null>(null);
	tokens = $state<TokenAnalysis | null>(null);
	duplicates = $state<DuplicateReport | null>(null);
	/** Prompts in near-duplicate clusters beyond the first (null until measured). */
	nearRedundantPrompts = $state<number | null>(null);
	tokenizer = $state<TokenizerId>(DEFAULT_TOKENIZER);
	duplicateOptions = $state<DuplicateOptions>({ ...DEFAULT_DUPLICATE_OPTIONS });
	/** Token figures under the dataset's training target (null: no target, or not counted yet). */
	template = $state<TemplateTokenAnalysis | null>(null);
	/** Why there are no figures under the target (the template failed as a whole, a worker stopped). */
	templateError = $state<string | null>(null);
	progress = $state<Record<AnalysisKind, RunProgress | null>>({ structure: null, tokens: null, duplicates: null, template: null });
	error = $state<string | null>(null);
	/** Why there are no token counts (offline without the tokenizer's vocabulary); the rest of the page works. */
	tokenError = $state<string | null>(null);
	/** Durations of the last finished runs, in ms (shown as data attributes for the benchmark). */
	timings = $state<{ tokens: number | null; duplicates: number | null }>({ tokens: null, duplicates: null });
	/** Entries accepted or rejected in this session's sample review. */
	sampleReviewed = $state(0);
	#pendingScope: ChangeScope | null = null;
	/** Which run owns each kind's progress and figures: a newer run of a kind takes it over. */
	#owner: Record<AnalysisKind, number> = { structure: 0, tokens: 0, duplicates: 0, template: 0 };
	#runs = 0;
	#refreshTimer: ReturnType<typeof setTimeout> | null = null;

	constructor(datasetId: string) {
		this.datasetId = datasetId;
		try {
			const saved = localStorage.getItem(TOKENIZER_KEY);
			if (isTokenizerId(saved)) this.tokenizer = saved;
		} catch {
			// Storage can be unavailable (private mode); the default tokenizer is fine.
		}
	}

	get diversity(): PromptDiversity | null {
		const s = this.structure;
		return s ? promptDiversity(s.prompts.withPrompt, s.prompts.exactRedundant, this.nearRedundantPrompts) : null;
	}

	/** Without token counts: the 4-characters-a-token estimate over every message's content. */
	get estimatedTokens(): number | null {
		const s = this.structure;
		return s ? Math.ceil(s.roles.reduce((sum, role) => sum + role.characters, 0) / ESTIMATED_CHARACTERS_PER_TOKEN) : null;
	}

	get busy(): boolean {
		return this.progress.structure !== null || this.progress.tokens !== null || this.progress.duplicates !== null || this.progress.template !== null;
	}

	/** Says what the next dataset change (one this page makes) invalidates. */
	expectChange(scope: ChangeScope): void {
		this.#pendingScope = scope;
	}

	/** Called whenever the dataset's version changes; coalesces bursts (several accepts in a row). */
	datasetChanged(first: boolean, hasTarget = false): void {
		const scope = first ? 'all' : (this.#pendingScope ?? 'all');
		this.#pendingScope = null;
		if (this.#refreshTimer) clearTimeout(this.#refreshTimer);
		const run = () => {
			if (scope === 'all') void this.runAll(hasTarget);
			else void this.runStructure();
		};
		if (first) run();
		else this.#refreshTimer = setTimeout(run, scope === 'review' ? 800 : 150);
	}

	dispose(): void {
		if (this.#refreshTimer) clearTimeout(this.#refreshTimer);
		const api = dataWorker();
		for (const kind of ['structure', 'tokens', 'duplicates', 'template'] as const) if (this.progress[kind]) void api.cancelAnalysis(kind);
	}

	private async track<T>(kind: AnalysisKind, start: (onProgress: (p: RunProgress) => void) => Promise<AnalysisOutcome<T>>): Promise<AnalysisOutcome<T> | null> {
		const run = ++this.#runs;
		this.#owner[kind] = run;
		this.progress[kind] = { phase: 'Starting', done: 0, total: 1 };
		// Progress arrives on its own message port, so a last report can land after the answer: drop it.
		let answered = false;
		const onProgress = (p: RunProgress) => {
			if (!answered && this.#owner[kind] === run) this.progress[kind] = p;
		};
		try {
			const outcome = await start(onProgress);
			answered = true;
			if (outcome.status === 'done' && this.#owner[kind] === run) this.progress[kind] = null;
			return outcome;
		} catch (error) {
			answered = true;
			if (this.#owner[kind] === run) this.progress[kind] = null;
			if (kind === 'tokens') this.tokenError = message(error);
			else this.error = `The analysis stopped: ${message(error)}`;
			return null;
		}
	}

	/**
	 * Everything the page shows, in one read of the dataset in the worker (tokens counted on other
	 * cores meanwhile); each figure appears as soon as its part is done. A later run of one kind
	 * (another tokenizer, other duplicate options) takes that kind over.
	 */
	async runAll(hasTarget = false): Promise<void> {
		const run = ++this.#runs;
		const kinds = ['structure', 'tokens', 'duplicates', 'template'] as const;
		for (const kind of kinds) {
			this.#owner[kind] = run;
			this.progress[kind] = kind === 'template' && !hasTarget ? null : { phase: 'Starting', done: 0, total: 1 };
		}
		if (!hasTarget) {
			this.template = null;
			this.templateError = null;
		}
		this.nearRedundantPrompts = null;
		const owns = (kind: AnalysisKind) => this.#owner[kind] === run;
		const tokenizer = this.tokenizer;
		const options = { ...this.duplicateOptions };
		const onProgress = (kind: AnalysisKind, p: RunProgress) => {
			// A report can land after its part (it comes on its own message port): keep the part's "done".
			if (owns(kind) && this.progress[kind] !== null) this.progress[kind] = p;
		};
		const onPart = (part: AnalysisPart) => {
			switch (part.kind) {
				case 'structure':
					if (!owns('structure')) return;
					this.structure = part.result;
					this.progress.structure = null;
					return;
				case 'tokens':
					if (!owns('tokens')) return;
					this.progress.tokens = null;
					// Without its tokenizer (offline, not kept) the rest still shows: say so beside the counts.
					if ('error' in part) {
						this.tokens = null;
						this.tokenError = part.error;
					} else {
						this.tokenError = null;
						this.tokens = part.result;
						this.timings.tokens = part.ms;
					}
					return;
				case 'duplicates':
					if (!owns('duplicates')) return;
					this.duplicates = part.result;
					this.timings.duplicates = part.ms;
					return;
				case 'template':
					if (!owns('template')) return;
					this.progress.template = null;
					if ('error' in part) {
						this.template = null;
						this.templateError = part.error;
					} else {
						this.templateError = null;
						this.template = part.result;
					}
					return;
				case 'diversity':
					if (!owns('duplicates')) return;
					this.nearRedundantPrompts = part.nearRedundantPrompts;
					this.progress.duplicates = null;
					return;
			}
		};
		try {
			await dataWorker().analyzeAll(this.datasetId, { tokenizer, duplicates: options, diversityThreshold: DIVERSITY_THRESHOLD }, onProgress, onPart);
		} catch (error) {
			if (kinds.some(owns)) this.error = `The analysis stopped: ${message(error)}`;
		}
		// Whatever this run still owns is finished (or failed) now.
		for (const kind of kinds) if (owns(kind)) this.progress[kind] = null;
	}

	async runStructure(): Promise<void> {
		const outcome = await this.track('structure', (p) => dataWorker().analyzeStructure(this.datasetId, p));
		if (outcome?.status === 'done') this.structure = outcome.result;
	}

	async runTokens(): Promise<void> {
		const tokenizer = this.tokenizer;
		this.tokenError = null;
		const outcome = await this.track('tokens', (p) => dataWorker().analyzeTokens(this.datasetId, tokenizer, p));
		if (tokenizer !== this.tokenizer) return;
		if (outcome?.status === 'done') {
			this.tokens = outcome.result;
			this.timings.tokens = outcome.ms;
		} else if (!outcome) {
			// The counts shown must be this tokenizer's: none rather than the previous one's.
			this.tokens = null;
		}
	}

	setTokenizer(id: TokenizerId): void {
		this.tokenizer = id;
		try {
			localStorage.setItem(TOKENIZER_KEY, id);
		} catch {
			// Not remembered; still used for this visit.
		}
		void this.runTokens();
	}

	/** Runs the clusters the panel asked for, then (if not known yet) near-duplicate prompts for diversity. */
	async runDuplicates(): Promise<void> {
		const options = { ...this.duplicateOptions };
		const outcome = await this.track('duplicates', (p) => dataWorker().findDuplicates(this.datasetId, options, p));
		if (outcome?.status !== 'done') return;
		this.duplicates = outcome.result;
		this.timings.duplicates = outcome.ms;
		const sameAsDiversity = options.scope === 'prompts' && options.method === 'near' && options.threshold === DIVERSITY_THRESHOLD;
		if (sameAsDiversity) this.nearRedundantPrompts = outcome.result.redundantEntries;
		else if (this.nearRedundantPrompts === null) {
			const prompts = await this.track('duplicates', (p) =>
				dataWorker().findDuplicates(this.datasetId, { scope: 'prompts', method: 'near', threshold: DIVERSITY_THRESHOLD }, p)
			);
			if (prompts?.status === 'done') this.nearRedundantPrompts = prompts.result.redundantEntries;
		}
	}

	setDuplicateOptions(options: Partial<DuplicateOptions>): void {
		this.duplicateOptions = { ...this.duplicateOptions, ...options };
		void this.runDuplicates();
	}

	/** Deletes entries (resolving duplicate clusters) as one undoable step; returns how many went and whether undo is possible. */
	async deleteEntries(ids: string[], label: string): Promise<{ removed: number; canUndo: boolean }> {
		this.expectChange('all');
		const outcome = await dataWorker().curate(this.datasetId, deleteOp(ids), label);
		return { removed: outcome.removed, canUndo: outcome.history.canUndo };
	}

	/** Undoes the last operation on the dataset; returns its label (null: nothing to undo; `elsewhere`: another tab's, left as it is). */
	async undo(): Promise<{ label: string | null; elsewhere?: string; canUndo: boolean }> {
		this.expectChange('all');
		const result = await dataWorker().undo(this.datasetId);
		return { label: result.label, ...(result.elsewhere ? { elsewhere: result.elsewhere } : {}), canUndo: result.history.canUndo };
	}

	/** How fast this dataset renders and tokenizes under its target, measured in the workers. */
	measureTemplateSpeed() {
		return dataWorker().measureTemplateSpeed(this.datasetId);
	}

	/** A seeded random sample of entries (the same seed gives the same sample). */
	sampleEntries(seed: number, size: number): Promise<EntrySample> {
		return dataWorker().sampleEntries(this.datasetId, seed, size);
	}

	/** Accepts or rejects one entry from the sample review (one undoable review-state change). */
	async reviewSampled(entryId: string, review: ReviewState): Promise<void> {
		this.expectChange('review');
		await dataWorker().curate(this.datasetId, setReviewOp([entryId], review), `Sample review: ${review === 'accepted' ? 'accept' : 'reject'}`);
	}
}
