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
import { TokenCollector, type TokenAnalysis } from '$lib/core/analysis/tokens';
import { DuplicateFinder, idsToDelete, type ClusterMember, type DuplicateOptions } from '$lib/core/analysis/duplicates';
import { seededSample } from '$lib/core/analysis/sampling';
import { entryExcerpt } from '$lib/core/analysis/entry-text';
import { isTokenizerId, tokenizerInfo, type TokenizerId } from '$lib/core/analysis/tokenizers';
import { loadTokenizer } from '$lib/core/analysis/tokenizer-loader';

/** Progress of a run: what it is doing and how many of the dataset's blocks are done. */
export type AnalysisProgress = (progress: { phase: string; done: number; total: number }) => void;

export type AnalysisOutcome<T> = { status: 'done'; result: T; ms: number } | { status: 'cancelled' };

export type AnalysisKind = 'structure' | 'tokens' | 'duplicates';

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

export const MAX_CLUSTERS_SHOWN = 300;
export const MAX_SAMPLE_SIZE = 500;

export class AnalysisService {
	private readonly generations = new Map<AnalysisKind, number>();
	/** Token results by dataset version and tokenizer: switching back and forth costs nothing. */
	private readonly tokenResults = new Map<string, TokenAnalysis>();

	constructor(private readonly db: SkeinDatabase) {}

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
		for (let blockNo = 0; blockNo < total; blockNo++) {
			const entries = (await readBlock(this.db, dataset.id, blockNo))?.entries ?? [];
			if (cancelled()) return false;
			for (let i = 0; i < entries.length; i++) visit(entries[i], base + i);
			base += dataset.blockSizes[blockNo];
			onProgress?.({ phase, done: blockNo + 1, total });
		}
		return !cancelled();
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
		const key = `${dataset.id}/${dataset.updatedAt}/${tokenizer}`;
		const cached = this.tokenResults.get(key);
		if (cached) return { status: 'done', result: cached, ms: performance.now() - t0 };
		onProgress?.({ phase: 'Loading the tokenizer', done: 0, total: dataset.blockSizes.length });
		const count = await loadTokenizer(tokenizer);
		if (cancelled()) return { status: 'cancelled' };
		const collector = new TokenCollector(tokenizerInfo(tokenizer), count);
		if (!(await this.stream(dataset, 'Counting tokens', cancelled, onProgress, (entry) => collector.add(entry)))) return { status: 'cancelled' };
		const result = collector.finish();
		for (const old of this.tokenResults.keys()) if (old.startsWith(`${dataset.id}/`) && !old.startsWith(`${dataset.id}/${dataset.updatedAt}/`)) this.tokenResults.delete(old);
		this.tokenResults.set(key, result);
		return { status: 'done', result, ms: performance.now() - t0 };
	}

	async duplicates(datasetId: string, options: DuplicateOptions, onProgress?: AnalysisProgress): Promise<AnalysisOutcome<DuplicateReport>> {
		const t0 = performance.now();
		const cancelled = this.begin('duplicates');
		const dataset = await this.datasetOrThrow(datasetId);
		const finder = new DuplicateFinder(options);
		if (!(await this.stream(dataset, 'Comparing entries', cancelled, onProgress, (entry, position) => finder.add(entry, position)))) return { status: 'cancelled' };
		onProgress?.({ phase: 'Grouping', done: dataset.blockSizes.length, total: dataset.blockSizes.length });
		const found = finder.finish();
		if (cancelled()) return { status: 'cancelled' };
		const shown = found.clusters.slice(0, MAX_CLUSTERS_SHOWN);
		const details = await this.detailsAt(
			dataset,
			shown.flatMap((c) => c.members.map((m) => m.position))
		);
		return {
			status: 'done',
			ms: performance.now() - t0,
			result: {
				options,
				clusters: shown.map((cluster) => ({
					members: cluster.members.map((m) => ({ ...m, excerpt: details.get(m.position)?.excerpt ?? '', messages: details.get(m.position)?.messages ?? 0 }))
				})),
				totalClusters: found.clusters.length,
				redundantEntries: found.redundantEntries,
				compared: found.compared,
				keepFirstDeletes: idsToDelete(found.clusters)
			}
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

/** The analysis service's part of the worker's API (composed in data.worker.ts). */
export function analysisApi(db: SkeinDatabase) {
	const service = new AnalysisService(db);
	return {
		analyzeStructure: (datasetId: string, onProgress?: AnalysisProgress) => service.structure(datasetId, onProgress),
		analyzeTokens: (datasetId: string, tokenizer: TokenizerId, onProgress?: AnalysisProgress) => service.tokens(datasetId, tokenizer, onProgress),
		findDuplicates: (datasetId: string, options: DuplicateOptions, onProgress?: AnalysisProgress) => service.duplicates(datasetId, options, onProgress),
		sampleEntries: (datasetId: string, seed: number, size: number) => service.sample(datasetId, seed, size),
		cancelAnalysis: (kind: AnalysisKind) => service.cancel(kind)
	};
}
