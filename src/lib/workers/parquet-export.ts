/**
 * The planned export written as Parquet (the export dialog's "Parquet" file type): the same plan,
 * transforms and pre-export check as the JSONL export (data-export.ts), each entry a row of the
 * chosen layout, written in row groups as the blocks are read (`ParquetShards`), so memory holds
 * one row group and the Blob parts, never the dataset.
 */
import type { Entry } from '$lib/core/model';
import type { ExportPlan } from '$lib/core/export/export-plan';
import type { TransformOptions } from '$lib/core/export/transforms';
import type { ParquetLayout } from '$lib/core/parquet/columns';
import { ParquetExportRun } from '$lib/core/parquet/export-run';
import type { DatasetRow } from '$lib/core/contracts/rows';
import type { SkeinDatabase } from '$lib/db/database';
import { streamBlocks } from './block-stream';
import { ParquetShards } from './parquet-files';
import type { ExportReport } from '$lib/core/export/export-run';

export interface ParquetExportOutcome {
	report: ExportReport;
	files: { fileName: string; blob: Blob | null; entries: number }[];
}

export async function writePlannedParquet(
	db: SkeinDatabase,
	dataset: DatasetRow,
	plan: ExportPlan,
	settings: { layout: ParquetLayout; transforms?: TransformOptions; date: Date; dryRun: boolean },
	onEntry: (entry: Entry) => void
): Promise<ParquetExportOutcome> {
	const run = new ParquetExportRun(plan, { datasetName: dataset.name, date: settings.date, layout: settings.layout, transforms: settings.transforms });
	const shards = new Map(run.files.map((file) => [file.part, new ParquetShards(settings.layout)]));
	const collect = () => {
		for (const [part, file] of shards) {
			const rows = run.takeReady(part);
			if (!settings.dryRun) file.add(rows);
		}
	};
	for await (const { entries } of streamBlocks(db, dataset)) {
		for (const entry of entries) {
			run.accept(entry);
			onEntry(entry);
		}
		collect();
	}
	const report = run.finish();
	collect();
	return {
		report,
		files: run.files.map((file) => {
			const written = report.files.find((f) => f.part === file.part)?.written ?? 0;
			const blob = settings.dryRun ? null : (shards.get(file.part)?.finish()[0]?.blob ?? null);
			return { fileName: file.fileName, blob, entries: written };
		})
	};
}
