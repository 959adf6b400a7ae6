/**
 * Carrying out an export plan into Parquet rows, as `ExportRun` does into JSONL text: entries are
 * accepted in any order, transformed (system prompt, names, think policy), turned into rows
 * (`entryToParquetRow`) and handed out in planned order by `takeReady`, so the worker can write a
 * row group whenever enough rows are ready. In storage order nothing waits; with a shuffle rows
 * wait for the entries planned before them (the same weak spot as the JSONL export).
 */
import type { Entry } from '../model';
import type { ExportPlan, OutputPart } from '../export/export-plan';
import type { ExportFileReport, ExportReport } from '../export/export-run';
import { countSkip } from '../export/export-run';
import { exportBaseName, localDateStamp } from '../export/serialize';
import { skip, type SkipReason } from '../export/skip-reason';
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

class RowAssembly {
	/** Per planned position: undefined until the entry arrives, then its row (null once handed out or skipped). */
	private readonly slots: (Row | null | undefined)[];
	private cursor = 0;
	readonly report: ExportFileReport;
	readonly changes = new Map<string, number>();
	readonly losses = new Map<string, number>();

	constructor(
		readonly part: OutputPart,
		private readonly ids: readonly string[],
		fileName: string
	) {
		this.slots = new Array<Row | null | undefined>(ids.length);
		this.report = { part, fileName, planned: ids.length, written: 0, lines: 0, skippedCount: 0, skipped: [], skippedByCode: {}, changes: [], losses: [] };
	}

	fill(position: number, row: Row | null): void {
		this.slots[position] = row;
	}

	skip(id: string, reason: SkipReason): void {
		countSkip(this.report, id, reason);
	}

	closeMissing(): void {
		for (let p = this.cursor; p < this.slots.length; p++) {
			if (this.slots[p] !== undefined) continue;
			this.skip(this.ids[p], skip('not-supplied', 'planned but never read (deleted while exporting?)'));
			this.slots[p] = null;
		}
	}

	takeReady(): Row[] {
		const rows: Row[] = [];
		while (this.cursor < this.slots.length) {
			const slot = this.slots[this.cursor];
			if (slot === undefined) break;
			if (slot !== null) rows.push(slot);
			this.slots[this.cursor] = null;
			this.cursor++;
		}
		return rows;
	}
}

function count(notes: Map<string, number>, text: string): void {
	notes.set(text, (notes.get(text) ?? 0) + 1);
}

export class ParquetExportRun {
	private readonly assemblies: RowAssembly[];
	private readonly placeOf = new Map<string, { file: number; position: number }>();
	private finished = false;

	constructor(
		plan: ExportPlan,
		private readonly settings: ParquetRunSettings
	) {
		this.assemblies = plan.files.map((file) => new RowAssembly(file.part, file.ids, parquetPartFileName(settings.datasetName, settings.date, file.part)));
		plan.files.forEach((file, fileIndex) => file.ids.forEach((id, position) => this.placeOf.set(id, { file: fileIndex, position })));
	}

	get files(): { part: OutputPart; fileName: string }[] {
		return this.assemblies.map((a) => ({ part: a.part, fileName: a.report.fileName }));
	}

	/** Transforms one entry and makes its row at its planned place; false when the plan does not list it. */
	accept(entry: Entry): boolean {
		if (this.finished) throw new Error('ParquetExportRun: accept after finish');
		const place = this.placeOf.get(entry.id);
		if (place === undefined) return false;
		this.placeOf.delete(entry.id);
		const assembly = this.assemblies[place.file];
		// The messages column is an SFT chat (as OpenAI's): a pair is its prompt + chosen, an unwanted answer is left out.
		const transformed = prepareForExport(entry, 'openai', this.settings.transforms);
		if (transformed.kind === 'excluded') {
			assembly.skip(entry.id, transformed.reason);
			assembly.fill(place.position, null);
			return true;
		}
		const { row, losses } = entryToParquetRow(transformed.entry, this.settings.layout);
		for (const change of transformed.changes) count(assembly.changes, change);
		for (const loss of losses) count(assembly.losses, loss);
		assembly.report.written++;
		assembly.report.lines++;
		assembly.fill(place.position, row);
		return true;
	}

	/** The rows of one file that are complete in order since the last call. */
	takeReady(part: OutputPart): Row[] {
		return this.assemblies.find((a) => a.part === part)?.takeReady() ?? [];
	}

	finish(): ExportReport {
		if (!this.finished) {
			this.finished = true;
			for (const assembly of this.assemblies) assembly.closeMissing();
		}
		return {
			format: 'openai',
			files: this.assemblies.map((a) => ({
				...a.report,
				skipped: a.report.skipped.slice(),
				skippedByCode: { ...a.report.skippedByCode },
				changes: [...a.changes].map(([text, n]) => ({ text, count: n })),
				losses: [...a.losses].map(([text, n]) => ({ text, count: n }))
			})),
			lossNotes: parquetLossNotes(this.settings.layout)
		};
	}
}
