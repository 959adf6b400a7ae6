/**
 * Test-only helpers (Node): reading fixtures and running the importer over text in chunks.
 * Nothing in the app imports this file.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FileImporter, type FileImporterOptions } from './import/file-importer';
import type { Entry, FileImportReport } from './model';

const FIXTURES = fileURLToPath(new URL('../../../tests/fixtures/', import.meta.url));

export function fixtureBytes(name: string): Uint8Array {
	return new Uint8Array(readFileSync(FIXTURES + name));
}

/** A fixture decoded the way the worker decodes files (UTF-8, invalid bytes → U+FFFD, BOM kept). */
export function fixtureText(name: string): string {
	return new TextDecoder('utf-8', { ignoreBOM: true }).decode(fixtureBytes(name));
}

/** Options with deterministic ids `e1`, `e2`, … */
export function testOptions(overrides: Partial<FileImporterOptions> = {}): FileImporterOptions {
	let next = 0;
	return { fileName: 'test.jsonl', sizeBytes: 0, newId: () => `e${++next}`, ...overrides };
}

export interface ImportResult {
	entries: Entry[];
	report: FileImportReport;
}

/** Runs the importer over `text`, cut at the given offsets (sorted, deduplicated). */
export function importInChunks(text: string, cuts: readonly number[] = [], overrides: Partial<FileImporterOptions> = {}): ImportResult {
	const importer = new FileImporter(testOptions({ sizeBytes: text.length, ...overrides }));
	const entries: Entry[] = [];
	const points = [...new Set(cuts.filter((c) => c > 0 && c < text.length))].sort((a, b) => a - b);
	let from = 0;
	for (const point of [...points, text.length]) {
		entries.push(...importer.push(text.slice(from, point)));
		from = point;
	}
	entries.push(...importer.finish());
	return { entries, report: importer.report };
}

export function importFixture(name: string, overrides: Partial<FileImporterOptions> = {}): ImportResult {
	return importInChunks(fixtureText(name), [], { fileName: name, ...overrides });
}

export function noteTexts(report: FileImportReport): string[] {
	return report.notes.map((n) => n.text);
}
