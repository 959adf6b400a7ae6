/**
 * Export, in the data worker: the plain download and the planned export (scope, order, split,
 * transforms, the optional pre-export check), built block by block as Blob parts so no single
 * string holds the whole dataset. Used through DataService (data-service.ts).
 */
import type { Entry, ReviewState } from '$lib/core/model';
import { entryToLine, exportFileName, type ExportFileFormat, type ExportFormat } from '$lib/core/export/serialize';
import { planExport, summarizeEntry, type EntrySummary, type SplitOptions } from '$lib/core/export/export-plan';
import { ExportRun, type ExportReport } from '$lib/core/export/export-run';
import type { TransformOptions } from '$lib/core/export/transforms';
import { prepareForExport } from '$lib/core/export/preference-view';
import { describePreferenceHandling, PreferenceTally, type PreferenceTallyCounts } from '$lib/core/export/preference-tally';
import type { WriterOptions } from '$lib/core/export/writers';
import type { SkeinDatabase } from '$lib/db/database';
import type { DatasetRow } from '$lib/core/contracts/rows';
import { readBlock } from '$lib/db/datasets-repo';
import { readyDataset } from './data-reading';
import { DEFAULT_PARQUET_COLUMNS, messageFieldsOf, orderedMessageFields, type ParquetMessageField, type ParquetMetadataColumn } from '$lib/core/parquet/columns';
import { writePlannedParquet } from './parquet-export';
import { resolveTarget } from '$lib/core/templates/target';

/** Everything the export dialog can choose (SPEC §6). */
export interface ExportRequest {
	format: ExportFileFormat;
	writer?: WriterOptions;
	transforms?: TransformOptions;
	/** Only entries in these review states (absent: all). */
	reviewStates?: ReviewState[];
	/** Only entries at these positions (the current search or selection; absent: all). */
	positions?: number[];
	shuffle?: boolean;
	seed?: number;
	split?: SplitOptions;
	/** Count and check only: no files are built. */
	dryRun?: boolean;
	/** The pre-export check: validate what would be written (after transforms) with this profile (built-in or custom id). */
	checkProfile?: string;
	/** `parquet`: one Parquet file per output part (messages as a list of structs), `format` is then ignored. Default `jsonl`. */
	container?: 'jsonl' | 'parquet';
	/** The metadata columns of a Parquet export (default: id, tags, review). */
	parquetColumns?: ParquetMetadataColumn[];
}

export interface PreExportCheck {
	profileId: string;
	entriesWithErrors: number;
	entriesWithWarnings: number;
	rules: { rule: string; title: string; severity: string; entries: number }[];
}

export interface PlannedExportResult {
	files: { fileName: string; blob: Blob | null; entries: number }[];
	report: ExportReport;
	selected: number;
	check?: PreExportCheck;
	/** Preference data in scope (pairs, labels), for the dialog's account of what the format does with it. */
	preference: PreferenceTallyCounts;
}

export interface ExportResult {
	blob: Blob;
	fileName: string;
	entries: number;
	/** What the export did with preference data (pairs → prompt + chosen, unwanted answers left out), when there was any. */
	notice?: string;
}

/** Counts the findings of what an export would write (entries after transforms), one entry at a time. */
export interface PreExportChecker {
	add(entry: Entry): void;
	finish(): PreExportCheck;
}

/** What export needs from validation (given when the data service is built). */
export interface ExportChecks {
	/** A checker with this validation profile (a built-in or custom profile's id), and the dataset's training target when it has one. */
	preExportCheck(profileRef: string, dataset?: Pick<DatasetRow, 'templateTarget'>): Promise<PreExportChecker>;
}

export class DataExporter {
	constructor(
		private readonly db: SkeinDatabase,
		private readonly checks: ExportChecks
	) {}

	/**
	 * An export with scope, order, split and transforms. Two passes over the blocks: summaries to
	 * plan which entry goes where, then the entries themselves, written as each block arrives.
	 */
	async exportPlanned(datasetId: string, request: ExportRequest, now = new Date()): Promise<PlannedExportResult> {
		const dataset = await readyDataset(this.db, datasetId);
		const wanted = request.positions ? new Set(request.positions) : null;
		const summaries: EntrySummary[] = [];
		const parquet = request.container === 'parquet';
		const messageFields = new Set<ParquetMessageField>();
		let position = 0;
		for (let blockNo = 0; blockNo < dataset.blockSizes.length; blockNo++) {
			const block = (await readBlock(this.db, dataset.id, blockNo))?.entries ?? [];
			for (const entry of block) {
				if (!wanted || wanted.has(position)) {
					summaries.push(summarizeEntry(entry));
					if (parquet) messageFieldsOf(entry, messageFields);
				}
				position++;
			}
		}
		const plan = planExport(summaries, {
			scope: request.reviewStates ? { reviewStates: request.reviewStates } : {},
			shuffle: request.shuffle ?? false,
			seed: request.seed ?? 0,
			split: request.split ?? { kind: 'none' }
		});
		let writer = request.writer;
		if (request.format === 'rendered-text') {
			// The template is the dataset's training target's, resolved here (the page sends only its choices).
			if (!dataset.templateTarget) throw new Error('This dataset has no training target: choose a target model family before exporting pre-rendered text.');
			writer = { ...writer, renderedText: { spans: writer?.renderedText?.spans === true, template: resolveTarget(dataset.templateTarget), now } };
		}
		const run = new ExportRun(plan, {
			datasetName: dataset.name,
			date: now,
			format: request.format,
			writer,
			transforms: request.transforms
		});
		const planned = new Set(plan.files.flatMap((f) => f.ids));
		const checker = request.checkProfile ? await this.checks.preExportCheck(request.checkProfile, dataset) : null;
		const tally = new PreferenceTally();
		const check = (entry: Entry) => {
			if (!planned.has(entry.id)) return;
			tally.add(entry);
			if (!checker) return;
			// What the format will write: an SFT export sees a pair as prompt + chosen, never the rejected answer.
			const transformed = prepareForExport(entry, request.format, request.transforms);
			if (transformed.kind === 'kept') checker.add(transformed.entry);
		};
		if (parquet) {
			const layout = { messageFields: orderedMessageFields(messageFields), columns: request.parquetColumns ?? [...DEFAULT_PARQUET_COLUMNS] };
			const written = await writePlannedParquet(this.db, dataset, plan, { layout, transforms: request.transforms, date: now, dryRun: request.dryRun ?? false }, check);
			return { report: written.report, selected: plan.selected, ...(checker ? { check: checker.finish() } : {}), preference: tally.counts, files: written.files };
		}
		const parts = new Map(run.files.map((file) => [file.part, [] as Blob[]]));
		const collect = () => {
			for (const [part, blobs] of parts) {
				const text = run.takeReady(part);
				if (text && !request.dryRun) blobs.push(new Blob([text]));
			}
		};
		for (let blockNo = 0; blockNo < dataset.blockSizes.length; blockNo++) {
			const block = (await readBlock(this.db, dataset.id, blockNo))?.entries ?? [];
			for (const entry of block) {
				run.accept(entry);
				check(entry);
			}
			collect();
		}
		const report = run.finish();
		collect();
		return {
			report,
			selected: plan.selected,
			...(checker ? { check: checker.finish() } : {}),
			preference: tally.counts,
			files: run.files.map((file) => ({
				fileName: file.fileName,
				blob: request.dryRun ? null : new Blob(parts.get(file.part) ?? [], { type: 'application/jsonl' }),
				entries: report.files.find((f) => f.part === file.part)?.written ?? 0
			}))
		};
	}

	/**
	 * Builds the download from per-block parts, so no single string holds the whole dataset. The
	 * OpenAI download treats preference data as every SFT export does (`preference-view.ts`): a
	 * pair is its prompt + chosen answer, an unwanted answer is left out, and `notice` says so.
	 */
	async exportDataset(datasetId: string, format: ExportFormat, now = new Date()): Promise<ExportResult> {
		const dataset = await readyDataset(this.db, datasetId);
		const parts: Blob[] = [];
		const tally = new PreferenceTally();
		let entries = 0;
		for (let blockNo = 0; blockNo < dataset.blockSizes.length; blockNo++) {
			const block = (await readBlock(this.db, dataset.id, blockNo))?.entries ?? [];
			if (!block.length) continue;
			let text = '';
			for (const entry of block) {
				tally.add(entry);
				const prepared = format === 'openai' && entry.preference !== undefined ? prepareForExport(entry, 'openai') : null;
				if (prepared?.kind === 'excluded') continue;
				text += entryToLine(prepared?.entry ?? entry, format) + '\n';
				entries++;
			}
			parts.push(new Blob([text]));
		}
		const notice = describePreferenceHandling(tally.counts, format).map((line) => line.text).join(' ');
		return {
			blob: new Blob(parts, { type: 'application/jsonl' }),
			fileName: exportFileName(dataset.name, format, now),
			entries,
			...(notice ? { notice } : {})
		};
	}
}
