/**
 * Token figures of a dataset under its training target (issue 15), in the data worker: every entry
 * rendered with the target's chat template and counted by the token-count workers
 * (`countEntryUnderTemplate` there), collected in dataset order. The analysis page shows the
 * result; the entry filter's `templateTokens` range reads the per-entry totals. Both are kept per
 * dataset version and target, so clicking a histogram bar does not count the dataset again.
 *
 * One instance per database (`templateCountsFor`); the data worker hands it its pool of
 * token-count workers, Node tests count in-process.
 */
import type { Entry } from '$lib/core/model';
import type { DatasetRow } from '$lib/core/contracts/rows';
import type { SkeinDatabase } from '$lib/db/database';
import { TemplateTokenCollector, type TemplateTokenAnalysis } from '$lib/core/analysis/template-tokens';
import { ENTRY_STATUS, unpackCounts } from '$lib/core/templates/entry-counts';
import type { TemplateTarget } from '$lib/core/templates/target-schema';
import { streamBlocks } from './block-stream';
import { countTemplateRequest } from './template-count-work';
import type { CountTemplate, TemplateCounted, TemplateEntry } from './token-pool';

/** Entries per request: a block split so that every counting worker has some. */
export const TEMPLATE_CHUNK = 250;
/** Requests out at once before the reader waits (memory stays bounded). */
export const MAX_TEMPLATE_OUT = 16;

export interface TemplateResult {
	analysis: TemplateTokenAnalysis;
	/** Entry id → tokens of its render (entries the template refused are absent). */
	totals: Map<string, number>;
}

/** The cache key of a dataset version under a target. */
export function templateKey(dataset: Pick<DatasetRow, 'id' | 'updatedAt'>, target: TemplateTarget): string {
	return `${dataset.id}/${dataset.updatedAt}/${JSON.stringify(target)}`;
}

function slim(entry: Entry): TemplateEntry {
	return { messages: entry.messages, extra: entry.extra };
}

/**
 * Counting alongside a read of the dataset: each block goes out in chunks at once, and the figures
 * are added in dataset order as they come back.
 */
export class TemplatePipeline {
	readonly collector: TemplateTokenCollector;
	readonly totals = new Map<string, number>();
	/** The first failure (the vocabulary could not be loaded, a worker stopped): nothing more is counted. */
	error: string | null = null;
	/** Why the figures are estimates (the tokenizer could not be loaded), when they are. */
	estimated: string | null = null;
	private readonly out: { ids: string[]; counts: Promise<TemplateCounted> }[] = [];
	private readonly now = Date.now();
	private chunksDone = 0;

	constructor(
		private readonly target: TemplateTarget,
		private readonly countTemplate: CountTemplate,
		private readonly onCounted?: (entries: number) => void
	) {
		this.collector = new TemplateTokenCollector(target);
	}

	push(entries: Entry[]): void {
		if (this.error !== null) return;
		for (let from = 0; from < entries.length; from += TEMPLATE_CHUNK) {
			const chunk = entries.slice(from, from + TEMPLATE_CHUNK);
			const counts = this.countTemplate({ target: this.target, entries: chunk.map(slim), now: this.now });
			counts.catch(() => undefined); // seen when its turn comes
			this.out.push({ ids: chunk.map((entry) => entry.id), counts });
		}
	}

	/** Adds counted chunks, in order, until at most `limit` are still out. */
	async drain(limit: number): Promise<void> {
		while (this.out.length > limit) {
			const next = this.out.shift();
			if (!next) return;
			let packed: Int32Array;
			try {
				const counted = await next.counts;
				packed = counted.counts;
				if (counted.estimated !== undefined) this.estimated ??= counted.estimated;
			} catch (error) {
				this.error ??= error instanceof Error ? error.message : String(error);
				this.out.length = 0;
				return;
			}
			if (this.error !== null) return;
			for (let i = 0; i < next.ids.length; i++) {
				const counts = unpackCounts(packed, i);
				this.collector.add(counts);
				if (counts.status !== ENTRY_STATUS.failed) this.totals.set(next.ids[i], counts.total);
			}
			this.chunksDone += next.ids.length;
			this.onCounted?.(this.chunksDone);
		}
	}

	finish(): TemplateResult {
		return { analysis: { ...this.collector.finish(), estimated: this.estimated }, totals: this.totals };
	}
}

export interface CountOptions {
	/** Stops the count at the next block (it then answers null). */
	cancelled?: () => boolean;
	/** Entries counted so far. */
	onProgress?: (entries: number) => void;
}

export class TemplateCounts {
	private readonly results = new Map<string, TemplateResult>();
	private readonly running = new Map<string, Promise<TemplateResult>>();

	constructor(
		private readonly db: SkeinDatabase,
		public countTemplate: CountTemplate = countTemplateRequest
	) {}

	/** Counts on these workers from now on (the data worker's pool). */
	useCounter(countTemplate: CountTemplate): void {
		this.countTemplate = countTemplate;
	}

	cached(dataset: DatasetRow, target: TemplateTarget): TemplateResult | undefined {
		return this.results.get(templateKey(dataset, target));
	}

	/** Keeps a finished result for this dataset version (older versions' results go). */
	keep(dataset: DatasetRow, target: TemplateTarget, result: TemplateResult): void {
		for (const old of this.results.keys()) if (old.startsWith(`${dataset.id}/`)) this.results.delete(old);
		this.results.set(templateKey(dataset, target), result);
	}

	pipeline(target: TemplateTarget, onCounted?: (entries: number) => void): TemplatePipeline {
		return new TemplatePipeline(target, this.countTemplate, onCounted);
	}

	/**
	 * The dataset's figures under its target: kept ones, one already being counted, or counted now.
	 * A count that can be cancelled answers null when it was; one that cannot (a filter waiting
	 * for totals) is shared by whoever asks meanwhile.
	 */
	result(dataset: DatasetRow, target: TemplateTarget, options: CountOptions = {}): Promise<TemplateResult | null> {
		const key = templateKey(dataset, target);
		const kept = this.results.get(key);
		if (kept) return Promise.resolve(kept);
		const running = this.running.get(key);
		if (running) return running;
		if (options.cancelled) return this.count(dataset, target, options);
		const shared = this.count(dataset, target, options).then((result) => result as TemplateResult);
		this.running.set(key, shared);
		void shared.finally(() => this.running.delete(key)).catch(() => undefined);
		return shared;
	}

	private async count(dataset: DatasetRow, target: TemplateTarget, { cancelled, onProgress }: CountOptions): Promise<TemplateResult | null> {
		const pipeline = this.pipeline(target, onProgress);
		for await (const { entries } of streamBlocks(this.db, dataset)) {
			if (cancelled?.()) return null;
			pipeline.push(entries);
			await pipeline.drain(MAX_TEMPLATE_OUT);
			if (pipeline.error !== null) break;
		}
		await pipeline.drain(0);
		if (pipeline.error !== null) throw new Error(pipeline.error);
		if (cancelled?.()) return null;
		const result = pipeline.finish();
		this.keep(dataset, target, result);
		return result;
	}
}

const perDatabase = new WeakMap<SkeinDatabase, TemplateCounts>();

/** The template counts of a database (one per worker and database, shared by analysis and filters). */
export function templateCountsFor(db: SkeinDatabase): TemplateCounts {
	let counts = perDatabase.get(db);
	if (!counts) {
		counts = new TemplateCounts(db);
		perDatabase.set(db, counts);
	}
	return counts;
}

export interface TemplateSpeed {
	entries: number;
	/** Entries the template refused. */
	failed: number;
	tokens: number;
	/** Wall-clock seconds to read, render and tokenize every entry on the counting workers. */
	renderTokenizeS: number;
	/** Summed over the workers, in a second pass over the same blocks: render+tokenize, then the tokenizer alone on the very texts it rendered. */
	workerRenderTokenizeMs: number;
	workerTokenizerAloneMs: number;
	/** workerRenderTokenizeMs / workerTokenizerAloneMs (the goal: at most 2). */
	ratio: number;
}

/**
 * How fast a dataset renders and tokenizes under a target (the bench's
 * template_render_tokenize figure): a timed pass that only renders and tokenizes every entry on
 * the counting workers, then a pass that times, per chunk and in the worker, render+tokenize
 * against the tokenizer alone on the same rendered texts (`benchTemplateRenderTokenize`).
 */
export async function measureTemplateSpeed(db: SkeinDatabase, dataset: DatasetRow, target: TemplateTarget, countTemplate: CountTemplate): Promise<TemplateSpeed> {
	const pass = async (bench: 'render-tokenize' | 'compare') => {
		const sums = [0, 0, 0, 0, 0];
		const out: Promise<TemplateCounted>[] = [];
		const take = async (limit: number) => {
			while (out.length > limit) {
				const { counts } = await (out.shift() as Promise<TemplateCounted>);
				for (let i = 0; i < sums.length; i++) sums[i] += counts[i];
			}
		};
		const now = Date.now();
		for await (const { entries } of streamBlocks(db, dataset)) {
			for (let from = 0; from < entries.length; from += TEMPLATE_CHUNK) {
				const request = countTemplate({ target, entries: entries.slice(from, from + TEMPLATE_CHUNK).map(slim), now, bench });
				request.catch(() => undefined);
				out.push(request);
			}
			await take(MAX_TEMPLATE_OUT);
		}
		await take(0);
		return sums;
	};
	// Loads the tokenizer on the workers first: the figure is rendering and tokenizing, not a download.
	await countTemplate({ target, entries: [], now: Date.now(), bench: 'render-tokenize' });
	const started = performance.now();
	const [entries, failed, tokens] = await pass('render-tokenize');
	const renderTokenizeS = (performance.now() - started) / 1000;
	const compared = await pass('compare');
	const workerRenderTokenizeMs = compared[3] / 1000;
	const workerTokenizerAloneMs = compared[4] / 1000;
	return {
		entries,
		failed,
		tokens,
		renderTokenizeS,
		workerRenderTokenizeMs,
		workerTokenizerAloneMs,
		ratio: workerTokenizerAloneMs > 0 ? workerRenderTokenizeMs / workerTokenizerAloneMs : Infinity
	};
}
