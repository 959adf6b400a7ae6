/**
 * The files of an export plan filled entry by entry, for the JSONL run (`ExportRun`: text) and
 * the Parquet run (`ParquetExportRun`: rows). Entries may arrive in any order; each one's output
 * is kept at its planned place until every entry planned before it has arrived, then `takeReady`
 * hands it out. In storage order that is at once, so nothing piles up; with a shuffle most output
 * waits for the last block (see README: weak spot). How an entry becomes output (or a skip with
 * its reason) is the run's `write`; the report (skips, changes, losses) is kept here.
 */
import type { Entry } from '../model';
import type { ExportPlan, OutputPart } from './export-plan';
import { skip, type SkipCode, type SkipReason } from './skip-reason';

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
	/** Entries that produced at least one line (or row). */
	written: number;
	/** JSONL lines (more than `written` for prompt/response in every-pair mode); Parquet rows. */
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

export const MAX_REPORTED_SKIPS = 500;

/** Counts a skipped entry in a file's report (the first MAX_REPORTED_SKIPS are listed with their reason). */
export function countSkip(report: ExportFileReport, id: string, reason: SkipReason): void {
	report.skippedCount++;
	report.skippedByCode[reason.code] = (report.skippedByCode[reason.code] ?? 0) + 1;
	if (report.skipped.length < MAX_REPORTED_SKIPS) report.skipped.push({ id, reason });
}

/** What a run made of one entry: its output, or why it was left out. */
export type EntryOutput<T> =
	| { kind: 'written'; output: T; lines: number; changes: readonly string[]; losses: readonly string[] }
	| { kind: 'skipped'; reason: SkipReason };

/** A planned place whose output was handed out, or that was skipped. */
const GONE = Symbol('gone');

function countNote(notes: Map<string, number>, text: string): void {
	notes.set(text, (notes.get(text) ?? 0) + 1);
}

class FileSlots<T> {
	private readonly slots: (T | typeof GONE | undefined)[];
	private cursor = 0;
	readonly report: ExportFileReport;
	readonly changes = new Map<string, number>();
	readonly losses = new Map<string, number>();

	constructor(
		readonly part: OutputPart,
		private readonly ids: readonly string[],
		fileName: string
	) {
		this.slots = new Array<T | typeof GONE | undefined>(ids.length);
		this.report = { part, fileName, planned: ids.length, written: 0, lines: 0, skippedCount: 0, skipped: [], skippedByCode: {}, changes: [], losses: [] };
	}

	put(position: number, id: string, made: EntryOutput<T>): void {
		if (made.kind === 'skipped') {
			countSkip(this.report, id, made.reason);
			this.slots[position] = GONE;
			return;
		}
		for (const change of made.changes) countNote(this.changes, change);
		for (const loss of made.losses) countNote(this.losses, loss);
		this.report.written++;
		this.report.lines += made.lines;
		this.slots[position] = made.output;
	}

	/** Marks the positions that never arrived. */
	closeMissing(): void {
		for (let p = this.cursor; p < this.slots.length; p++) {
			if (this.slots[p] !== undefined) continue;
			countSkip(this.report, this.ids[p], skip('not-supplied', 'planned but never read (deleted while exporting?)'));
			this.slots[p] = GONE;
		}
	}

	takeReady(): T[] {
		const ready: T[] = [];
		while (this.cursor < this.slots.length) {
			const slot = this.slots[this.cursor];
			if (slot === undefined) break;
			if (slot !== GONE) ready.push(slot);
			this.slots[this.cursor] = GONE;
			this.cursor++;
		}
		return ready;
	}

	finalReport(): ExportFileReport {
		const counted = (notes: Map<string, number>) => [...notes].map(([text, count]) => ({ text, count }));
		return { ...this.report, skipped: this.report.skipped.slice(), skippedByCode: { ...this.report.skippedByCode }, changes: counted(this.changes), losses: counted(this.losses) };
	}
}

export class PlannedFiles<T> {
	private readonly files: FileSlots<T>[];
	/** id → (file, position); positions are removed once filled, so a repeated id is ignored. */
	private readonly placeOf = new Map<string, { file: number; position: number }>();
	private finished = false;

	constructor(
		plan: ExportPlan,
		fileName: (part: OutputPart) => string,
		private readonly write: (entry: Entry) => EntryOutput<T>
	) {
		this.files = plan.files.map((file) => new FileSlots<T>(file.part, file.ids, fileName(file.part)));
		plan.files.forEach((file, fileIndex) => file.ids.forEach((id, position) => this.placeOf.set(id, { file: fileIndex, position })));
	}

	/** The output files, in plan order. */
	get parts(): { part: OutputPart; fileName: string }[] {
		return this.files.map((f) => ({ part: f.part, fileName: f.report.fileName }));
	}

	/** Makes one entry's output at its planned place. False when the plan does not list it (or it was already given). */
	accept(entry: Entry): boolean {
		if (this.finished) throw new Error('export run: accept after finish');
		const place = this.placeOf.get(entry.id);
		if (place === undefined) return false;
		this.placeOf.delete(entry.id);
		this.files[place.file].put(place.position, entry.id, this.write(entry));
		return true;
	}

	/** The outputs of one file that are complete in order since the last call. */
	takeReady(part: OutputPart): T[] {
		return this.files.find((f) => f.part === part)?.takeReady() ?? [];
	}

	/** Ends the run: planned entries never given are reported as skipped. Call `takeReady` after it for each file's tail. */
	finish(): ExportFileReport[] {
		if (!this.finished) {
			this.finished = true;
			for (const file of this.files) file.closeMissing();
		}
		return this.files.map((f) => f.finalReport());
	}
}
