/**
 * Export, in the data worker: the plain download and the planned export (scope, order, split,
 * transforms, the optional pre-export check), built block by block as Blob parts so no single
 * string holds the whole dataset. Used through DataService (data-service.ts).
 */
import type { Entry, ReviewState } from '$lib/core/model';
import { entryToLine, exportFileName, type ExportFileFormat, type ExportFormat } from '$lib/core/export/serialize';
import { planExport, summarizeEntry, type EntrySummary, type SplitOptions } from '$lib/core/export/export-plan';
import { ExportRun, type ExportReport } from '$lib/core/export/export-run';
import { applyTransforms, type TransformOptions } from '$lib/core/export/transforms';
import type { WriterOptions } from '$lib/core/export/writers';
import type { SkeinDatabase } from '$lib/db/database';
import { readBlock } from '$lib/db/datasets-repo';
import { readyDataset } from './data-reading';
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
}

export interface ExportResult {
	blob: Blob;
	fileName: string;
	entries: number;
}

/** Counts the findings of what an export would write (entries after transforms), one entry at a time. */
export interface PreExportChecker {
	add(entry: Entry): void;
	finish(): PreExportCheck;
}

/** What export needs from validation (given when the data service is built). */
export interface ExportChecks {
	/** A checker with this validation profile (a built-in or custom profile's id). */
	preExportCheck(profileRef: string): Promise<PreExportChecker>;
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
		let position = 0;
		for (let blockNo = 0; blockNo < dataset.blockSizes.length; blockNo++) {
			const block = (await readBlock(this.db, dataset.id, blockNo))?.entries ?? [];
			for (const entry of block) {
				if (!wanted || wanted.has(position)) summaries.push(summarizeEntry(entry));
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
		const planned = request.checkProfile ? new Set(plan.files.flatMap((f) => f.ids)) : null;
		const checker = request.checkProfile ? await this.checks.preExportCheck(request.checkProfile) : null;
		const check = (entry: Entry) => {
			if (!checker || !planned?.has(entry.id)) return;
			const transformed = applyTransforms(entry, request.transforms);
			if (transformed.kind === 'kept') checker.add(transformed.entry);
		};
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
			files: run.files.map((file) => ({
				fileName: file.fileName,
				blob: request.dryRun ? null : new Blob(parts.get(file.part) ?? [], { type: 'application/jsonl' }),
				entries: report.files.find((f) => f.part === file.part)?.written ?? 0
			}))
		};
	}

	/** Builds the download from per-block parts, so no single string holds the whole dataset. */
	async exportDataset(datasetId: string, format: ExportFormat, now = new Date()): Promise<ExportResult> {
		const dataset = await readyDataset(this.db, datasetId);
		const parts: Blob[] = [];
		let entries = 0;
		for (let blockNo = 0; blockNo < dataset.blockSizes.length; blockNo++) {
			const block = (await readBlock(this.db, dataset.id, blockNo))?.entries ?? [];
			if (!block.length) continue;
			let text = '';
			for (const entry of block) text += entryToLine(entry, format) + '\n';
			parts.push(new Blob([text]));
			entries += block.length;
		}
		return {
			blob: new Blob(parts, { type: 'application/jsonl' }),
			fileName: exportFileName(dataset.name, format, now),
			entries
		};
	}
}
