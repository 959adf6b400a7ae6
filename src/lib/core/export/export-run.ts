/**
 * Carrying out an export plan entry by entry, as the worker reads its stored blocks.
 *
 *   const run = new ExportRun(plan, { datasetName, date, format, writer, transforms });
 *   for each block: for each entry: run.accept(entry);
 *                   for each file of run.files: append run.takeReady(file.part) to that file's parts
 *   const report = run.finish();
 *   for each file: append run.takeReady(file.part)   // the tail, now that nothing else will come
 *
 * Entries may arrive in any order; each one's text is kept until every entry planned before it
 * has arrived, then `takeReady` hands it out (planned-files.ts, shared with the Parquet run).
 * Each entry is transformed (preference data first made what the format takes: `preference-view.ts`),
 * then written; a skip from either goes to the report with its reason.
 */
import type { Entry } from '../model';
import { exportBaseName, exportFileName, type ExportFileFormat } from './serialize';
import type { ExportPlan, OutputPart } from './export-plan';
import { PlannedFiles, type EntryOutput, type ExportFileReport } from './planned-files';
import type { TransformOptions } from './transforms';
import { prepareForExport } from './preference-view';
import { lossNotes, writeEntry, type WriterOptions } from './writers';

export interface ExportSettings {
	datasetName: string;
	date: Date;
	format: ExportFileFormat;
	writer?: WriterOptions;
	transforms?: TransformOptions;
}

export type { CountedNote, ExportFileReport, SkippedEntry } from './planned-files';
export { countSkip, MAX_REPORTED_SKIPS } from './planned-files';

export interface ExportReport {
	format: ExportFileFormat;
	files: ExportFileReport[];
	/** What the format never carries (`lossNotes`). */
	lossNotes: readonly string[];
}

/** `name.openai.2026-11-22.jsonl`, or with a part: `name.train.openai.2026-11-22.jsonl`. */
export function exportPartFileName(datasetName: string, format: ExportFileFormat, date: Date, part: OutputPart): string {
	const whole = exportFileName(datasetName, format, date);
	if (part === 'all') return whole;
	const base = exportBaseName(datasetName);
	return `${base}.${part}${whole.slice(base.length)}`;
}

export class ExportRun {
	private readonly planned: PlannedFiles<string>;

	constructor(
		plan: ExportPlan,
		private readonly settings: ExportSettings
	) {
		this.planned = new PlannedFiles(plan, (part) => exportPartFileName(settings.datasetName, settings.format, settings.date, part), (entry) => this.write(entry));
	}

	/** The output files, in plan order. */
	get files(): { part: OutputPart; fileName: string }[] {
		return this.planned.parts;
	}

	/** Transforms and writes one entry into its planned place. False when the plan does not list it
	 * (or it was already given). */
	accept(entry: Entry): boolean {
		return this.planned.accept(entry);
	}

	private write(entry: Entry): EntryOutput<string> {
		const transformed = prepareForExport(entry, this.settings.format, this.settings.transforms);
		if (transformed.kind === 'excluded') return { kind: 'skipped', reason: transformed.reason };
		const outcome = writeEntry(transformed.entry, this.settings.format, this.settings.writer);
		if (outcome.kind === 'skipped') return { kind: 'skipped', reason: outcome.reason };
		const text = outcome.lines.length === 1 ? outcome.lines[0] + '\n' : outcome.lines.join('\n') + '\n';
		return { kind: 'written', output: text, lines: outcome.lines.length, changes: transformed.changes, losses: outcome.losses };
	}

	/** The text of one file that is complete in order since the last call ('' when none). */
	takeReady(part: OutputPart): string {
		const ready = this.planned.takeReady(part);
		return ready.length === 1 ? ready[0] : ready.join('');
	}

	/** Ends the run: planned entries never given are reported as skipped. Call `takeReady` after
	 * it for each file's tail. */
	finish(): ExportReport {
		return { format: this.settings.format, files: this.planned.finish(), lossNotes: lossNotes(this.settings.format, this.settings.writer) };
	}
}
