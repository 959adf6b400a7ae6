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
 * has arrived, then `takeReady` hands it out. In storage order (no shuffle) that is at once, so
 * nothing piles up; with a shuffle most text waits until the last block (see README: weak spot).
 * Each entry is transformed (preference data first made what the format takes: `preference-view.ts`),
 * then written; a skip from either goes to the report with its reason.
 */
import type { Entry } from '../model';
import { exportBaseName, exportFileName, type ExportFileFormat } from './serialize';
import type { ExportPlan, OutputPart } from './export-plan';
import { skip, type SkipCode, type SkipReason } from './skip-reason';
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

export interface SkippedEntry {
	id: string;
	reason: SkipReason;
}

export interface CountedNote {
	text: string;
	/** Entries it applied to. */
	count: number;
}

export interface ExportFileReport {
	part: OutputPart;
	fileName: string;
	/** Entries the plan put in this file. */
	planned: number;
	/** Entries that produced at least one line. */
	written: number;
	/** JSONL lines (more than `written` for prompt/response in every-pair mode). */
	lines: number;
	skippedCount: number;
	/** The first MAX_REPORTED_SKIPS skips, in the order the entries arrived. */
	skipped: SkippedEntry[];
	skippedByCode: Partial<Record<SkipCode, number>>;
	/** What the transforms changed ("system prompt omitted"), per entry. */
	changes: CountedNote[];
	/** What the format could not carry for particular entries ("message key \"name\" dropped"). */
	losses: CountedNote[];
}

export interface ExportReport {
	format: ExportFileFormat;
	files: ExportFileReport[];
	/** What the format never carries (`lossNotes`). */
	lossNotes: readonly string[];
}

export const MAX_REPORTED_SKIPS = 500;

/** Counts a skipped entry in a file's report (the first MAX_REPORTED_SKIPS are listed with their reason). */
export function countSkip(report: ExportFileReport, id: string, reason: SkipReason): void {
	report.skippedCount++;
	report.skippedByCode[reason.code] = (report.skippedByCode[reason.code] ?? 0) + 1;
	if (report.skipped.length < MAX_REPORTED_SKIPS) report.skipped.push({ id, reason });
}

/** `name.openai.2026-11-22.jsonl`, or with a part: `name.train.openai.2026-11-22.jsonl`. */
export function exportPartFileName(datasetName: string, format: ExportFileFormat, date: Date, part: OutputPart): string {
	const whole = exportFileName(datasetName, format, date);
	if (part === 'all') return whole;
	const base = exportBaseName(datasetName);
	return `${base}.${part}${whole.slice(base.length)}`;
}

function countNote(notes: Map<string, number>, text: string): void {
	notes.set(text, (notes.get(text) ?? 0) + 1);
}

function toCounted(notes: Map<string, number>): CountedNote[] {
	return [...notes].map(([text, count]) => ({ text, count }));
}

class FileAssembly {
	/** Per planned position: undefined until the entry arrives, then its text ('' once handed out or skipped). */
	private readonly slots: (string | undefined)[];
	private cursor = 0;
	readonly report: ExportFileReport;
	readonly changes = new Map<string, number>();
	readonly losses = new Map<string, number>();

	constructor(
		readonly part: OutputPart,
		private readonly ids: readonly string[],
		fileName: string
	) {
		this.slots = new Array<string | undefined>(ids.length);
		this.report = { part, fileName, planned: ids.length, written: 0, lines: 0, skippedCount: 0, skipped: [], skippedByCode: {}, changes: [], losses: [] };
	}

	fill(position: number, text: string): void {
		this.slots[position] = text;
	}

	skip(id: string, reason: SkipReason): void {
		countSkip(this.report, id, reason);
	}

	/** Marks the positions that never arrived. */
	closeMissing(): void {
		for (let p = this.cursor; p < this.slots.length; p++) {
			if (this.slots[p] !== undefined) continue;
			this.skip(this.ids[p], skip('not-supplied', 'planned but never read (deleted while exporting?)'));
			this.slots[p] = '';
		}
	}

	takeReady(): string {
		let text = '';
		while (this.cursor < this.slots.length) {
			const slot = this.slots[this.cursor];
			if (slot === undefined) break;
			text += slot;
			this.slots[this.cursor] = '';
			this.cursor++;
		}
		return text;
	}
}

export class ExportRun {
	private readonly assemblies: FileAssembly[];
	/** id → (file, position); positions are removed once filled, so a repeated id is ignored. */
	private readonly placeOf = new Map<string, { file: number; position: number }>();
	private finished = false;

	constructor(
		plan: ExportPlan,
		private readonly settings: ExportSettings
	) {
		this.assemblies = plan.files.map(
			(file) => new FileAssembly(file.part, file.ids, exportPartFileName(settings.datasetName, settings.format, settings.date, file.part))
		);
		plan.files.forEach((file, fileIndex) => file.ids.forEach((id, position) => this.placeOf.set(id, { file: fileIndex, position })));
	}

	/** The output files, in plan order. */
	get files(): { part: OutputPart; fileName: string }[] {
		return this.assemblies.map((a) => ({ part: a.part, fileName: a.report.fileName }));
	}

	/** Transforms and writes one entry into its planned place. False when the plan does not list it
	 * (or it was already given). */
	accept(entry: Entry): boolean {
		if (this.finished) throw new Error('ExportRun: accept after finish');
		const place = this.placeOf.get(entry.id);
		if (place === undefined) return false;
		this.placeOf.delete(entry.id);
		const assembly = this.assemblies[place.file];
		const transformed = prepareForExport(entry, this.settings.format, this.settings.transforms);
		if (transformed.kind === 'excluded') {
			assembly.skip(entry.id, transformed.reason);
			assembly.fill(place.position, '');
			return true;
		}
		const outcome = writeEntry(transformed.entry, this.settings.format, this.settings.writer);
		if (outcome.kind === 'skipped') {
			assembly.skip(entry.id, outcome.reason);
			assembly.fill(place.position, '');
			return true;
		}
		for (const change of transformed.changes) countNote(assembly.changes, change);
		for (const loss of outcome.losses) countNote(assembly.losses, loss);
		assembly.report.written++;
		assembly.report.lines += outcome.lines.length;
		assembly.fill(place.position, outcome.lines.length === 1 ? outcome.lines[0] + '\n' : outcome.lines.join('\n') + '\n');
		return true;
	}

	/** The text of one file that is complete in order since the last call ('' when none). */
	takeReady(part: OutputPart): string {
		const assembly = this.assemblies.find((a) => a.part === part);
		return assembly === undefined ? '' : assembly.takeReady();
	}

	/** Ends the run: planned entries never given are reported as skipped. Call `takeReady` after
	 * it for each file's tail. */
	finish(): ExportReport {
		if (!this.finished) {
			this.finished = true;
			for (const assembly of this.assemblies) assembly.closeMissing();
		}
		return {
			format: this.settings.format,
			files: this.assemblies.map((a) => ({ ...a.report, skipped: a.report.skipped.slice(), skippedByCode: { ...a.report.skippedByCode }, changes: toCounted(a.changes), losses: toCounted(a.losses) })),
			lossNotes: lossNotes(this.settings.format, this.settings.writer)
		};
	}
}
