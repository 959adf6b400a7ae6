/**
 * The analysis side of the data worker (SPEC §5), without Comlink: it streams a dataset's stored
 * blocks through the pure collectors in core/analysis, so the page only ever receives summaries,
 * histograms and cluster lists, never the dataset. Runs in the worker and in Node tests.
 *
 * Each kind of run (structure, tokens, duplicates) has a generation number: starting a new run of
 * a kind makes the older one stop at its next block and answer `cancelled`, so moving a slider or
 * switching tokenizer never queues up stale work.
 */
import type { Entry } from '$lib/core/model';
import type { SkeinDatabase } from '$lib/db/database';
import { getDataset, readBlock } from '$lib/db/datasets-repo';
import type { DatasetRow } from '$lib/core/contracts/rows';
import { StructureCollector, type StructureAnalysis } from '$lib/core/analysis/structure';
import { TokenCollector, tokenTexts, type TokenAnalysis } from '$lib/core/analysis/tokens';
import { DuplicateFinder, idsToDelete, type ClusterMember, type DuplicateOptions } from '$lib/core/analysis/duplicates';
import { seededSample } from '$lib/core/analysis/sampling';
import { entryExcerpt } from '$lib/core/analysis/entry-text';
import { isTokenizerId, tokenizerInfo, type TokenizerId, type TokenizerInfo } from '$lib/core/analysis/tokenizers';
import { loadTokenizer } from '$lib/core/analysis/tokenizer-loader';
import type { CountTexts } from './token-pool';
import { streamBlocks } from './block-stream';
import type { TemplateTokenAnalysis } from '$lib/core/analysis/template-tokens';
import { measureTemplateSpeed, templateCountsFor, type TemplateSpeed } from './template-counts';

/** Progress of a run: what it is doing and how many of the dataset's blocks are done. */
export type AnalysisProgress = (progress: { phase: string; done: number; total: number }) => void;

export type AnalysisOutcome<T> = { status: 'done'; result: T; ms: number } | { status: 'cancelled' };

/** `template`: token figures under the dataset's training target (only when it has one). */
export type AnalysisKind = 'structure' | 'tokens' | 'duplicates' | 'template';

export interface ClusterMemberView extends ClusterMember {
	excerpt: string;
	messages: number;
}

export interface DuplicateReport {
	options: DuplicateOptions;
	/** The first clusters in dataset order (at most MAX_CLUSTERS_SHOWN), with excerpts. */
	clusters: { members: ClusterMemberView[] }[];
	totalClusters: number;
	redundantEntries: number;
	compared: number;
	/** Every cluster's members but the first: what "keep first, delete the rest" deletes for all clusters. */
	keepFirstDeletes: string[];
}

export interface EntrySample {
	seed: number;
	total: number;
	items: { position: number; entry: Entry }[];
}

/** What the page computes on opening: every analysis, in one read of the dataset. */
export interface FullAnalysisRequest {
	tokenizer: TokenizerId;
	duplicates: DuplicateOptions;
	/** Also measure near-duplicate prompts at this threshold (the diversity figure), unless `duplicates` already is that. */
	diversityThreshold: number | null;
}

/** One finished part of a full analysis, handed to the page as soon as it is ready. */
export type AnalysisPart =
	| { kind: 'structure'; result: StructureAnalysis; ms: number }
	| { kind: 'tokens'; result: TokenAnalysis; ms: number }
	| { kind: 'tokens'; error: string }
	| { kind: 'duplicates'; result: DuplicateReport; ms: number }
	| { kind: 'diversity'; nearRedundantPrompts: number }
	| { kind: 'template'; result: TemplateTokenAnalysis; ms: number }
	| { kind: 'template'; error: string };

export type FullProgress = (kind: AnalysisKind, progress: { phase: string; done: number; total: number }) => void;

export const MAX_CLUSTERS_SHOWN = 300;
export const MAX_SAMPLE_SIZE = 500;

/** Blocks whose texts may be out for counting at once (each holds its entries until counted). */
const MAX_COUNTING = 8;

/** Counts texts in this thread (Node tests; a browser without workers). */
export const countHere: CountTexts = async (tokenizer, texts) => {
	const count = await loadTokenizer(tokenizer);
	return texts.map((text) => count(text));
};

/**
 * Token counting alongside a read of the dataset: each block's texts go out to `countTexts` at
 * once (other cores count them while this thread reads on), and the counts are added to the
 * collector in block order as they come back, so the figures are those of counting in order.
 */
export class TokenPipeline {
	readonly collector: TokenCollector;
	/** The first counting failure (the vocabulary could not be loaded): nothing more is counted. */
	error: string | null = null;
	private readonly info: TokenizerInfo;
	private readonly out: { entries: Entry[]; counts: Promise<ArrayLike<number>> }[] = [];
	private counted = 0;

	constructor(
		private readonly tokenizer: TokenizerId,
		private readonly countTexts: CountTexts,
		private readonly onCounted: (blocks: number) => void
	) {
		this.info = tokenizerInfo(tokenizer);
		this.collector = new TokenCollector(this.info);
	}

	push(entries: Entry[]): void {
		const texts: string[] = [];
		for (const entry of entries) tokenTexts(entry, this.info, texts);
		const counts = this.countTexts(this.tokenizer, texts);
		counts.catch(() => undefined); // seen when its turn comes
		this.out.push({ entries, counts });
	}

	/** Adds counted blocks, in order, until at most `limit` are still out. */
	async drain(limit: number): Promise<void> {
		while (this.out.length > limit) {
			const next = this.out.shift();
			if (!next) return;
			let counts: ArrayLike<number>;
			try {
				counts = await next.counts;
			} catch (error) {
				this.error ??= error instanceof Error ? error.message : String(error);
				this.out.length = 0;
				return;
			}
			if (this.error !== null) return;
			let offset = 0;
			for (const entry of next.entries) offset = this.collector.addCounted(entry, counts, offset).next;
			this.onCounted(++this.counted);
		}
	}
}

export class AnalysisService {
	private readonly generations = new Map<AnalysisKind, number>();
	/** Token results by dataset version and tokenizer: switching back and forth costs nothing. */
	private readonly tokenResults = new Map<string, TokenAnalysis>();

	/**
	 * @param countTexts counts a list of texts, e.g. on a pool of token-count workers; by default
	 *   here, with the tokenizer loaded in this thread
	 */
	constructor(
		private readonly db: SkeinDatabase,
		private readonly countTexts: CountTexts = countHere
	) {}

	private async datasetOrThrow(datasetId: string): Promise<DatasetRow> {
		const dataset = await getDataset(this.db, datasetId);
		if (!dataset || dataset.status !== 'ready') throw new Error('That dataset does not exist (it may have been deleted).');
		return dataset;
	}

	private begin(kind: AnalysisKind): () => boolean {
		const generation = (this.generations.get(kind) ?? 0) + 1;
		this.generations.set(kind, generation);
		return () => this.generations.get(kind) !== generation;
	}

	/** Stops the running analysis of a kind (it answers `cancelled`). */
	cancel(kind: AnalysisKind): void {
		this.begin(kind);
	}

	/**
	 * Streams the dataset block by block; returns false when cancelled. Reading a block awaits
	 * IndexedDB, so other worker calls (page reads, edits) are served between blocks.
	 */
	private async stream(
		dataset: DatasetRow,
		phase: string,
		cancelled: () => boolean,
		onProgress: AnalysisProgress | undefined,
		visit: (entry: Entry, position: number) => void
	): Promise<boolean> {
		const total = dataset.blockSizes.length;
		let base = 0;
		for await (const { blockNo, entries } of streamBlocks(this.db, dataset)) {
			if (cancelled()) return false;
			for (let i = 0; i < entries.length; i++) visit(entries[i], base + i);
			base += dataset.blockSizes[blockNo];
			onProgress?.({ phase, done: blockNo + 1, total });
		}
		return !cancelled();
	}

	/**
	 * Everything the page shows on opening, in one read of the dataset: each block read once feeds
	 * the structure, both duplicate searches and (through `countTexts`, on other cores when it is
	 * a worker pool) the token counts. Parts are handed to `onPart` as each finishes (awaited, so
	 * they land before the answer). Starting a run of one kind (a tokenizer switch, new duplicate
	 * options) drops that part from this run; a new full run stops this one.
	 */
	async all(datasetId: string, request: FullAnalysisRequest, onProgress: FullProgress | undefined, onPart: (part: AnalysisPart) => unknown): Promise<{ status: 'done'; ms: number } | { status: 'cancelled' }> {
		const t0 = performance.now();
		if (!isTokenizerId(request.tokenizer)) throw new Error(`Unknown tokenizer ${String(request.tokenizer)}`);
		const cancelled: Record<AnalysisKind, () => boolean> = {
			structure: this.begin('structure'),
			tokens: this.begin('tokens'),
			duplicates: this.begin('duplicates'),
			template: this.begin('template')
		};
		const dataset = await this.datasetOrThrow(datasetId);
		const total = dataset.blockSizes.length;
		const ms = () => performance.now() - t0;

		const structure = new StructureCollector();
		const finder = new DuplicateFinder(request.duplicates);
		const { diversityThreshold } = request;
		const sameAsDiversity = request.duplicates.scope === 'prompts' && request.duplicates.method === 'near' && request.duplicates.threshold === diversityThreshold;
		const diversity = diversityThreshold !== null && !sameAsDiversity ? new DuplicateFinder({ scope: 'prompts', method: 'near', threshold: diversityThreshold }) : null;

		const tokenKey = this.tokenKey(dataset, request.tokenizer);
		const cachedTokens = this.tokenResults.get(tokenKey);
		if (cachedTokens) await onPart({ kind: 'tokens', result: cachedTokens, ms: ms() });
		let tokens: TokenPipeline | null = cachedTokens
			? null
			: new TokenPipeline(request.tokenizer, this.countTexts, (done) => onProgress?.('tokens', { phase: 'Counting tokens', done, total }));
		if (tokens) onProgress?.('tokens', { phase: 'Loading the tokenizer', done: 0, total });
		const target = dataset.templateTarget;
		if (target) onProgress?.('template', { phase: 'Waiting for the token counts', done: 0, total: dataset.entryCount });

		let base = 0;
		for await (const { blockNo, entries } of streamBlocks(this.db, dataset)) {
			const wantStructure = !cancelled.structure();
			const wantDuplicates = !cancelled.duplicates();
			if (tokens && cancelled.tokens()) tokens = null;
			if (!wantStructure && !wantDuplicates && (tokens === null || tokens.error !== null)) break;
			if (tokens?.error === null) tokens.push(entries);
			for (let i = 0; i < entries.length; i++) {
				const entry = entries[i];
				if (wantStructure) structure.add(entry);
				if (wantDuplicates) {
					finder.add(entry, base + i);
					diversity?.add(entry, base + i);
				}
			}
			base += dataset.blockSizes[blockNo];
			if (wantStructure) onProgress?.('structure', { phase: 'Counting', done: blockNo + 1, total });
			if (wantDuplicates) onProgress?.('duplicates', { phase: 'Comparing entries', done: blockNo + 1, total });
			// Wait for counts only when too many blocks are out (memory stays bounded).
			await tokens?.drain(MAX_COUNTING);
		}

		if (!cancelled.structure()) await onPart({ kind: 'structure', result: structure.finish(), ms: ms() });
		if (!cancelled.duplicates()) {
			onProgress?.('duplicates', { phase: 'Grouping', done: total, total });
			const report = await this.report(dataset, request.duplicates, finder);
			if (!cancelled.duplicates()) {
				await onPart({ kind: 'duplicates', result: report, ms: ms() });
				const nearRedundantPrompts = sameAsDiversity ? report.redundantEntries : diversity ? diversity.finish().redundantEntries : null;
				if (nearRedundantPrompts !== null && !cancelled.duplicates()) await onPart({ kind: 'diversity', nearRedundantPrompts });
			}
		}
		if (tokens && !cancelled.tokens()) {
			await tokens.drain(0);
			if (cancelled.tokens()) return { status: 'done', ms: ms() };
			if (tokens.error !== null) await onPart({ kind: 'tokens', error: tokens.error });
			else {
				const result = tokens.collector.finish();
				this.keepTokens(dataset, tokenKey, result);
				await onPart({ kind: 'tokens', result, ms: ms() });
			}
		}
		// Under the training target, last: rendering every entry is the slowest part, and the
		// counting workers are free once the token counts are in.
		if (target && !cancelled.template()) {
			try {
				const result = await templateCountsFor(this.db).result(dataset, target, {
					cancelled: cancelled.template,
					onProgress: (done) => onProgress?.('template', { phase: 'Rendering and counting', done, total: dataset.entryCount })
				});
				if (result && !cancelled.template()) await onPart({ kind: 'template', result: result.analysis, ms: ms() });
			} catch (error) {
				if (!cancelled.template()) await onPart({ kind: 'template', error: error instanceof Error ? error.message : String(error) });
			}
		}
		return { status: 'done', ms: ms() };
	}

	async structure(datasetId: string, onProgress?: AnalysisProgress): Promise<AnalysisOutcome<StructureAnalysis>> {
		const t0 = performance.now();
		const cancelled = this.begin('structure');
		const dataset = await this.datasetOrThrow(datasetId);
		const collector = new StructureCollector();
		if (!(await this.stream(dataset, 'Counting', cancelled, onProgress, (entry) => collector.add(entry)))) return { status: 'cancelled' };
		return { status: 'done', result: collector.finish(), ms: performance.now() - t0 };
	}

	async tokens(datasetId: string, tokenizer: TokenizerId, onProgress?: AnalysisProgress): Promise<AnalysisOutcome<TokenAnalysis>> {
		const t0 = performance.now();
		if (!isTokenizerId(tokenizer)) throw new Error(`Unknown tokenizer ${String(tokenizer)}`);
		const cancelled = this.begin('tokens');
		const dataset = await this.datasetOrThrow(datasetId);
		const key = this.tokenKey(dataset, tokenizer);
		const cached = this.tokenResults.get(key);
		if (cached) return { status: 'done', result: cached, ms: performance.now() - t0 };
		const total = dataset.blockSizes.length;
		onProgress?.({ phase: 'Loading the tokenizer', done: 0, total });
		const pipeline = new TokenPipeline(tokenizer, this.countTexts, (done) => onProgress?.({ phase: 'Counting tokens', done, total }));
		for await (const { entries } of streamBlocks(this.db, dataset)) {
			if (cancelled()) return { status: 'cancelled' };
			pipeline.push(entries);
			await pipeline.drain(MAX_COUNTING);
			if (pipeline.error !== null) throw new Error(pipeline.error);
		}
		await pipeline.drain(0);
		if (pipeline.error !== null) throw new Error(pipeline.error);
		if (cancelled()) return { status: 'cancelled' };
		const result = pipeline.collector.finish();
		this.keepTokens(dataset, key, result);
		return { status: 'done', result, ms: performance.now() - t0 };
	}

	private tokenKey(dataset: DatasetRow, tokenizer: TokenizerId): string {
		return `${dataset.id}/${dataset.updatedAt}/${tokenizer}`;
	}

	/** Keeps a token result for this dataset version (older versions' results go). */
	private keepTokens(dataset: DatasetRow, key: string, result: TokenAnalysis): void {
		for (const old of this.tokenResults.keys()) if (old.startsWith(`${dataset.id}/`) && !old.startsWith(`${dataset.id}/${dataset.updatedAt}/`)) this.tokenResults.delete(old);
		this.tokenResults.set(key, result);
	}

	async duplicates(datasetId: string, options: DuplicateOptions, onProgress?: AnalysisProgress): Promise<AnalysisOutcome<DuplicateReport>> {
		const t0 = performance.now();
		const cancelled = this.begin('duplicates');
		const dataset = await this.datasetOrThrow(datasetId);
		const finder = new DuplicateFinder(options);
		if (!(await this.stream(dataset, 'Comparing entries', cancelled, onProgress, (entry, position) => finder.add(entry, position)))) return { status: 'cancelled' };
		onProgress?.({ phase: 'Grouping', done: dataset.blockSizes.length, total: dataset.blockSizes.length });
		const result = await this.report(dataset, options, finder);
		if (cancelled()) return { status: 'cancelled' };
		return { status: 'done', ms: performance.now() - t0, result };
	}

	/** Groups what a finder collected into the page's report, with excerpts of the clusters shown. */
	private async report(dataset: DatasetRow, options: DuplicateOptions, finder: DuplicateFinder): Promise<DuplicateReport> {
		const found = finder.finish();
		const shown = found.clusters.slice(0, MAX_CLUSTERS_SHOWN);
		const details = await this.detailsAt(
			dataset,
			shown.flatMap((c) => c.members.map((m) => m.position))
		);
		return {
			options,
			clusters: shown.map((cluster) => ({
				members: cluster.members.map((m) => ({ ...m, excerpt: details.get(m.position)?.excerpt ?? '', messages: details.get(m.position)?.messages ?? 0 }))
			})),
			totalClusters: found.clusters.length,
			redundantEntries: found.redundantEntries,
			compared: found.compared,
			keepFirstDeletes: idsToDelete(found.clusters)
		};
	}

	/** Excerpts of the entries at some positions, reading only the blocks that hold them. */
	private async detailsAt(dataset: DatasetRow, positions: number[]): Promise<Map<number, { excerpt: string; messages: number }>> {
		const wanted = new Set(positions);
		const details = new Map<number, { excerpt: string; messages: number }>();
		let base = 0;
		for (let blockNo = 0; blockNo < dataset.blockSizes.length && details.size < wanted.size; blockNo++) {
			const size = dataset.blockSizes[blockNo];
			let needed = false;
			for (const p of wanted) if (p >= base && p < base + size) needed = true;
			if (needed) {
				const entries = (await readBlock(this.db, dataset.id, blockNo))?.entries ?? [];
				for (let i = 0; i < entries.length; i++) if (wanted.has(base + i)) details.set(base + i, { excerpt: entryExcerpt(entries[i], 200), messages: entries[i].messages.length });
			}
			base += size;
		}
		return details;
	}

	/** How fast the dataset renders and tokenizes under its training target (see measureTemplateSpeed). */
	async templateSpeed(datasetId: string): Promise<TemplateSpeed> {
		const dataset = await this.datasetOrThrow(datasetId);
		if (!dataset.templateTarget) throw new Error('This dataset has no training target: choose one to measure its template.');
		return measureTemplateSpeed(this.db, dataset, dataset.templateTarget, templateCountsFor(this.db).countTemplate);
	}

	/** A seeded random sample of entries for the sample review, in sampled order. */
	async sample(datasetId: string, seed: number, size: number): Promise<EntrySample> {
		const dataset = await this.datasetOrThrow(datasetId);
		const positions = seededSample(dataset.entryCount, Math.min(MAX_SAMPLE_SIZE, size), seed);
		const byPosition = new Map<number, Entry>();
		const sorted = [...positions].sort((a, b) => a - b);
		let cursor = 0;
		let base = 0;
		for (let blockNo = 0; blockNo < dataset.blockSizes.length && cursor < sorted.length; blockNo++) {
			const end = base + dataset.blockSizes[blockNo];
			if (sorted[cursor] < end) {
				const entries = (await readBlock(this.db, dataset.id, blockNo))?.entries ?? [];
				while (cursor < sorted.length && sorted[cursor] < end) {
					const entry = entries[sorted[cursor] - base];
					if (entry) byPosition.set(sorted[cursor], entry);
					cursor++;
				}
			}
			base = end;
		}
		const items: EntrySample['items'] = [];
		for (const position of positions) {
			const entry = byPosition.get(position);
			if (entry) items.push({ position, entry });
		}
		return { seed, total: dataset.entryCount, items };
	}
}

/** The analysis service's part of the worker's API (composed in data.worker.ts); `countTexts`: a token-count worker pool. */
export function analysisApi(db: SkeinDatabase, countTexts?: CountTexts) {
	const service = new AnalysisService(db, countTexts);
	return {
		analyzeAll: (datasetId: string, request: FullAnalysisRequest, onProgress?: FullProgress, onPart?: (part: AnalysisPart) => unknown) =>
			service.all(datasetId, request, onProgress, onPart ?? (() => undefined)),
		analyzeStructure: (datasetId: string, onProgress?: AnalysisProgress) => service.structure(datasetId, onProgress),
		analyzeTokens: (datasetId: string, tokenizer: TokenizerId, onProgress?: AnalysisProgress) => service.tokens(datasetId, tokenizer, onProgress),
		findDuplicates: (datasetId: string, options: DuplicateOptions, onProgress?: AnalysisProgress) => service.duplicates(datasetId, options, onProgress),
		sampleEntries: (datasetId: string, seed: number, size: number) => service.sample(datasetId, seed, size),
		measureTemplateSpeed: (datasetId: string) => service.templateSpeed(datasetId),
		cancelAnalysis: (kind: AnalysisKind) => service.cancel(kind)
	};
}
