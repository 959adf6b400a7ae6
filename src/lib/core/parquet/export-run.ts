/**
 * Carrying out an export plan into Parquet rows, as `ExportRun` does into JSONL text: entries are
 * accepted in any order, transformed (system prompt, names, think policy), turned into rows
 * (`entryToParquetRow`) and handed out in planned order by `takeReady` (planned-files.ts), so the
 * worker can write a row group whenever enough rows are ready.
 */
import type { Entry } from '../model';
import type { ExportPlan, OutputPart } from '../export/export-plan';
import type { ExportReport } from '../export/export-run';
import { PlannedFiles, type EntryOutput } from '../export/planned-files';
import { exportBaseName, localDateStamp } from '../export/serialize';
import type { TransformOptions } from '../export/transforms';
import { prepareForExport } from '../export/preference-view';
import { entryToParquetRow, parquetLossNotes, type ParquetLayout } from './columns';

export interface ParquetRunSettings {
	datasetName: string;
	date: Date;
	layout: ParquetLayout;
	transforms?: TransformOptions;
}

/** `name.2026-11-22.parquet`, or with a part: `name.train.2026-11-22.parquet`. */
export function parquetPartFileName(datasetName: string, date: Date, part: OutputPart): string {
	const base = exportBaseName(datasetName);
	return `${base}${part === 'all' ? '' : `.${part}`}.${localDateStamp(date)}.parquet`;
}

type Row = Record<string, unknown>;

export class ParquetExportRun {
	private readonly planned: PlannedFiles<Row>;

	constructor(
		plan: ExportPlan,
		private readonly settings: ParquetRunSettings
	) {
		this.planned = new PlannedFiles(plan, (part) => parquetPartFileName(settings.datasetName, settings.date, part), (entry) => this.write(entry));
	}

	get files(): { part: OutputPart; fileName: string }[] {
		return this.planned.parts;
	}

	/** Transforms one entry and makes its row at its planned place; false when the plan does not list it. */
	accept(entry: Entry): boolean {
		return this.planned.accept(entry);
	}

	private write(entry: Entry): EntryOutput<Row> {
		// The messages column is an SFT chat (as OpenAI's): a pair is its prompt + chosen, an unwanted answer is left out.
		const transformed = prepareForExport(entry, 'openai', this.settings.transforms);
		if (transformed.kind === 'excluded') return { kind: 'skipped', reason: transformed.reason };
		const { row, losses } = entryToParquetRow(transformed.entry, this.settings.layout);
		return { kind: 'written', output: row, lines: 1, changes: transformed.changes, losses };
	}

	/** The rows of one file that are complete in order since the last call. */
	takeReady(part: OutputPart): Row[] {
		return this.planned.takeReady(part);
	}

	finish(): ExportReport {
		return { format: 'openai', files: this.planned.finish(), lossNotes: parquetLossNotes(this.settings.layout) };
	}
}
