/**
 * "Export for the Hugging Face Hub", in the data worker: a zip laid out as the Hub's
 * `push_to_hub` lays out a dataset repository —
 *
 *   README.md                                   the dataset card (YAML front matter + figures)
 *   data/train-00000-of-00001.parquet           (or .jsonl), `maxShardRows` rows per shard
 *   data/validation-00000-of-00001.parquet      when a validation share is chosen
 *
 * Two steps, because the card is edited in between:
 * 1. `draft`: one pass over what would be written (scope, seeded split, transforms) collecting the
 *    card's figures — counts, turns, review states, sources, recipes and models, the token
 *    distribution under the chosen tokenizer (counted on the token-count workers), the pre-export
 *    validation check — and the generated card.
 * 2. `export`: the same plan written into shards row group by row group (Blob parts, never the
 *    dataset in memory), the (edited) card checked against the files actually written
 *    (`checkCard`: front matter parses, splits and counts match), then everything streamed into
 *    a zip (fflate: shards stored as they are for Parquet, deflated for JSONL and the card).
 *
 * The split's validation entries are picked by the export plan's seeded permutation; the files
 * keep storage order, so rows stream without waiting for a shuffled order.
 */
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import type { Entry, ReviewState } from '$lib/core/model';
import { planExport, summarizeEntry, type EntrySummary, type ExportPlan, type OutputPart } from '$lib/core/export/export-plan';
import type { TransformOptions } from '$lib/core/export/transforms';
import { prepareForExport } from '$lib/core/export/preference-view';
import { exportBaseName, localDateStamp } from '$lib/core/export/serialize';
import { DEFAULT_PARQUET_COLUMNS, messageFieldsOf, orderedMessageFields, type ParquetLayout, type ParquetMessageField, type ParquetMetadataColumn } from '$lib/core/parquet/columns';
import { ParquetExportRun } from '$lib/core/parquet/export-run';
import { HubFigureCollector, type HubFigures, type HubSplit } from '$lib/core/hub/figures';
import { buildCard, checkCard, hubShardPath, type HubCardOptions, type HubFileFormat } from '$lib/core/hub/card';
import { tokenizerInfo, type TokenizerId } from '$lib/core/analysis/tokenizers';
import type { DatasetRow } from '$lib/core/contracts/rows';
import type { SkeinDatabase } from '$lib/db/database';
import { streamBlocks } from './block-stream';
import { readyDataset } from './data-reading';
import type { ExportChecks } from './data-export';
import { JsonlShards, ParquetShards, shardCount, type Shard } from './parquet-files';
import { countHere, TokenPipeline } from './analysis-service';
import type { CountTexts } from './token-pool';

export interface HubExportRequest {
	fileFormat: HubFileFormat;
	/** Share of the conversations in the validation split, 0 (none) to 90. */
	validationPercent: number;
	seed: number;
	/** Only entries in these review states (absent: all). */
	reviewStates?: ReviewState[];
	/** Metadata columns beside `messages`. */
	columns?: ParquetMetadataColumn[];
	transforms?: TransformOptions;
	/** The token distribution on the card is counted with it (null: no token figures). */
	tokenizer: TokenizerId | null;
	/** Validate what is written with this profile; the card states the result. */
	checkProfile?: string;
	card: HubCardOptions;
	/** Rows per shard (default 100,000). */
	maxShardRows?: number;
}

export interface HubFileSummary {
	split: HubSplit;
	paths: string[];
	entries: number;
}

export interface HubDraft {
	card: string;
	figures: HubFigures;
	files: HubFileSummary[];
	layout: ParquetLayout;
	zipName: string;
}

export interface HubExportResult {
	/** Null when the card does not fit the files (see `problems`). */
	blob: Blob | null;
	fileName: string;
	files: { path: string; bytes: number; rows: number }[];
	problems: string[];
}

export type HubProgress = (progress: { phase: string; done: number; total: number }) => void;

export const DEFAULT_SHARD_ROWS = 100_000;
const MAX_COUNTING = 8;

const splitOf = (part: OutputPart): HubSplit => (part === 'validation' ? 'validation' : 'train');

interface Prepared {
	dataset: DatasetRow;
	plan: ExportPlan;
	layout: ParquetLayout;
	splitById: Map<string, HubSplit>;
}

export class HubExporter {
	constructor(
		private readonly db: SkeinDatabase,
		private readonly checks: ExportChecks,
		private readonly countTexts: CountTexts = countHere
	) {}

	/** Pass 1: what is in scope, the plan (seeded split), and the message fields the rows need. */
	private async prepare(datasetId: string, request: HubExportRequest): Promise<Prepared> {
		const dataset = await readyDataset(this.db, datasetId);
		const states = request.reviewStates ? new Set(request.reviewStates) : null;
		const summaries: EntrySummary[] = [];
		const fields = new Set<ParquetMessageField>();
		for await (const { entries } of streamBlocks(this.db, dataset)) {
			for (const entry of entries) {
				if (states && !states.has(entry.meta.review)) continue;
				summaries.push(summarizeEntry(entry));
				messageFieldsOf(entry, fields);
			}
		}
		const percent = Math.min(90, Math.max(0, request.validationPercent));
		const plan = planExport(summaries, {
			shuffle: false,
			seed: request.seed,
			split: percent > 0 ? { kind: 'ratio', validationRatio: percent / 100 } : { kind: 'none' }
		});
		const splitById = new Map<string, HubSplit>();
		for (const file of plan.files) for (const id of file.ids) splitById.set(id, splitOf(file.part));
		const layout = { messageFields: orderedMessageFields(fields), columns: request.columns ?? [...DEFAULT_PARQUET_COLUMNS] };
		return { dataset, plan, layout, splitById };
	}

	private filesFor(splits: { name: HubSplit; entries: number }[], request: HubExportRequest): HubFileSummary[] {
		const perShard = request.maxShardRows ?? DEFAULT_SHARD_ROWS;
		return splits.map(({ name, entries }) => {
			const count = shardCount(entries, perShard);
			return { split: name, entries, paths: Array.from({ length: count }, (_, i) => hubShardPath(name, i, count, request.fileFormat)) };
		});
	}

	/** The figures of what would be written, and the card made from them. */
	async draft(datasetId: string, request: HubExportRequest, onProgress?: HubProgress, now = new Date()): Promise<HubDraft> {
		const { dataset, layout, splitById } = await this.prepare(datasetId, request);
		const collector = new HubFigureCollector();
		const checker = request.checkProfile ? await this.checks.preExportCheck(request.checkProfile, dataset) : null;
		const total = dataset.blockSizes.length;
		const pipeline = request.tokenizer ? new TokenPipeline(request.tokenizer, this.countTexts, (done) => onProgress?.({ phase: 'Counting tokens', done, total })) : null;
		let read = 0;
		for await (const { entries } of streamBlocks(this.db, dataset)) {
			const kept: Entry[] = [];
			for (const entry of entries) {
				const split = splitById.get(entry.id);
				if (split === undefined) continue;
				// What the files will hold: SFT chats (a pair as prompt + chosen; unwanted answers left out).
				const transformed = prepareForExport(entry, 'openai', request.transforms);
				if (transformed.kind === 'excluded') continue;
				collector.add(transformed.entry, split);
				checker?.add(transformed.entry);
				kept.push(transformed.entry);
			}
			if (pipeline && pipeline.error === null) {
				pipeline.push(kept);
				await pipeline.drain(MAX_COUNTING);
			}
			onProgress?.({ phase: 'Reading', done: ++read, total });
		}
		let tokens: HubFigures['tokens'] = null;
		if (pipeline && request.tokenizer) {
			await pipeline.drain(0);
			const info = tokenizerInfo(request.tokenizer);
			if (pipeline.error !== null) tokens = { tokenizer: info.id, tokenizerLabel: info.label, error: pipeline.error };
			else {
				const analysis = pipeline.collector.finish();
				tokens = { tokenizer: info.id, tokenizerLabel: info.label, total: analysis.totalTokens, perEntry: analysis.tokensPerEntry.summary, assistantPerEntry: analysis.assistantTokensPerEntry.summary };
			}
		}
		const check = checker ? { entries: collector.finish().entries, ...checker.finish() } : null;
		const figures = collector.finish(tokens, check);
		if (figures.entries === 0) throw new Error('Nothing to export: no entry is in scope (check the review states) or every one was left out by the transforms.');
		const files = this.filesFor(figures.splits, request);
		const card = buildCard({ options: request.card, figures, layout, format: request.fileFormat, files, validationPercent: request.validationPercent, seed: request.seed, date: now });
		return { card, figures, files, layout, zipName: hubZipName(dataset.name, now) };
	}

	/** Writes the shards, checks the card against them, and zips card and shards. */
	async export(datasetId: string, request: HubExportRequest, card: string, onProgress?: HubProgress, now = new Date()): Promise<HubExportResult> {
		const { dataset, plan, layout } = await this.prepare(datasetId, request);
		const fileName = hubZipName(dataset.name, now);
		const run = new ParquetExportRun(plan, { datasetName: dataset.name, date: now, layout, transforms: request.transforms });
		const perShard = request.maxShardRows ?? DEFAULT_SHARD_ROWS;
		const shards = new Map(run.files.map((file) => [file.part, request.fileFormat === 'parquet' ? new ParquetShards(layout, perShard) : new JsonlShards(perShard)]));
		const collect = () => {
			for (const [part, out] of shards) out.add(run.takeReady(part));
		};
		const total = dataset.blockSizes.length;
		let read = 0;
		for await (const { entries } of streamBlocks(this.db, dataset)) {
			for (const entry of entries) run.accept(entry);
			collect();
			onProgress?.({ phase: 'Writing', done: ++read, total });
		}
		const report = run.finish();
		collect();
		const written: { split: HubSplit; shards: Shard[]; entries: number }[] = [];
		for (const file of report.files) {
			const out = shards.get(file.part);
			if (!out || file.written === 0) continue;
			written.push({ split: splitOf(file.part), shards: out.finish(), entries: file.written });
		}
		const files = written.map(({ split, shards: list, entries }) => ({ split, entries, paths: list.map((_, i) => hubShardPath(split, i, list.length, request.fileFormat)) }));
		const problems = files.length === 0 ? ['Nothing to export: no entry is in scope.'] : checkCard(card, files);
		const listed = written.flatMap(({ shards: list }, i) => list.map((shard, n) => ({ path: files[i].paths[n], bytes: shard.blob.size, rows: shard.rows })));
		if (problems.length > 0) return { blob: null, fileName, files: listed, problems };
		onProgress?.({ phase: 'Zipping', done: 0, total: 1 });
		const blob = await zipFiles([
			{ path: 'README.md', blob: new Blob([card]), deflate: true },
			...written.flatMap(({ shards: list }, i) => list.map((shard, n) => ({ path: files[i].paths[n], blob: shard.blob, deflate: request.fileFormat === 'jsonl' })))
		]);
		onProgress?.({ phase: 'Zipping', done: 1, total: 1 });
		return { blob, fileName, files: listed, problems: [] };
	}
}

/** `name.hub.2026-12-05.zip` */
export function hubZipName(datasetName: string, date: Date): string {
	return `${exportBaseName(datasetName)}.hub.${localDateStamp(date)}.zip`;
}

/** ZIP32 holds at most 4 GiB (fflate writes no zip64). */
const ZIP32_LIMIT = 0xffffffff;

/** The files streamed into one zip: each Blob read in chunks, the zip's bytes collected as Blob parts. */
export async function zipFiles(files: { path: string; blob: Blob; deflate: boolean }[]): Promise<Blob> {
	const out: Blob[] = [];
	let queued: Uint8Array<ArrayBuffer>[] = [];
	let bytes = 0;
	let failure: Error | null = null;
	const zip = new Zip((error, chunk) => {
		if (error) failure = error;
		else {
			bytes += chunk.length;
			queued.push(chunk as Uint8Array<ArrayBuffer>);
		}
	});
	const flush = () => {
		if (failure) throw failure;
		if (bytes > ZIP32_LIMIT) throw new Error('The zip would be larger than 4 GiB, which a zip without zip64 cannot hold: export fewer entries, or Parquet instead of JSONL.');
		if (queued.length > 0) out.push(new Blob(queued));
		queued = [];
	};
	for (const file of files) {
		const entry = file.deflate ? new ZipDeflate(file.path, { level: 6 }) : new ZipPassThrough(file.path);
		zip.add(entry);
		const reader = file.blob.stream().getReader();
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			entry.push(value, false);
			flush();
		}
		entry.push(new Uint8Array(0), true);
		flush();
	}
	zip.end();
	flush();
	return new Blob(out, { type: 'application/zip' });
}

export function hubApi(exporter: HubExporter) {
	return {
		hubDraft: (datasetId: string, request: HubExportRequest, onProgress?: HubProgress) => exporter.draft(datasetId, request, onProgress),
		hubExport: (datasetId: string, request: HubExportRequest, card: string, onProgress?: HubProgress) => exporter.export(datasetId, request, card, onProgress)
	};
}
