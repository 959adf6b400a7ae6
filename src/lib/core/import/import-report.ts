/**
 * Building a `FileImportReport`: counted notes (deduplicated by text, counted once per record),
 * bounded error lists with full counts.
 */
import { MAX_REPORTED_ERRORS, type FileContainer, type FileImportReport, type ImportNote } from '../model';
import { excerptOf } from '../json-safety';

export function emptyFileReport(fileName: string, sizeBytes: number, container: FileContainer = 'empty'): FileImportReport {
	return {
		fileName,
		sizeBytes,
		container,
		lines: 0,
		records: 0,
		imported: 0,
		formats: {},
		notes: [],
		errors: [],
		errorCount: 0,
		cards: [],
		isfErrors: [],
		isfErrorCount: 0,
		invalidUtf8Lines: 0
	};
}

/** Distinct note texts kept; past this, further kinds are folded into one catch-all note. */
export const MAX_NOTE_KINDS = 200;
const OTHER_NOTES = 'other conversions (too many kinds to list one by one)';

interface NoteSlot {
	note: ImportNote;
	/** The record that last counted this note, so a note counts once per record. */
	lastRecord: number;
}

export class ReportBuilder {
	private readonly notes = new Map<string, NoteSlot>();
	/** Serial of the record being processed; bumped by `beginRecord`. */
	private record = 0;
	private line = 0;

	constructor(readonly report: FileImportReport) {}

	beginRecord(line: number): void {
		this.record++;
		this.line = line;
	}

	note(text: string): void {
		let slot = this.notes.get(text);
		if (slot === undefined) {
			if (this.notes.size >= MAX_NOTE_KINDS) {
				if (text === OTHER_NOTES) return;
				this.note(OTHER_NOTES);
				return;
			}
			slot = { note: { text, count: 0, line: this.line }, lastRecord: 0 };
			this.notes.set(text, slot);
			this.report.notes.push(slot.note);
		}
		if (slot.lastRecord === this.record) return;
		slot.lastRecord = this.record;
		slot.note.count++;
	}

	error(line: number, text: string, reason: string): void {
		this.report.errorCount++;
		if (this.report.errors.length < MAX_REPORTED_ERRORS) {
			this.report.errors.push({ line, excerpt: excerptOf(text), reason });
		}
	}

	isfError(line: number, errorType: string, message: string): void {
		this.report.isfErrorCount++;
		if (this.report.isfErrors.length < MAX_REPORTED_ERRORS) {
			this.report.isfErrors.push({ line, errorType, message });
		}
	}
}
