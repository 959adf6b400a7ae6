/**
 * A Parquet file through the importer: its rows, one row group at a time, go to the same shape
 * detection and format adapters as JSON Lines records (a `messages` or `conversations` column,
 * instruction / input / output, prompt / response…), so a Parquet file and the JSONL it was made
 * from import as the same entries. A file that is not readable Parquet gets a file-level message.
 */
import type { AsyncBuffer } from 'hyparquet';
import type { Entry, FileImportReport } from '../model';
import { FileImporter, type FileImporterOptions } from '../import/file-importer';
import { describeParquetError, readParquetRowGroups, skeinColumnsOf, takeSkeinColumns } from './read';

export const SKEIN_COLUMNS_NOTE = 'a Parquet file written by Skein: its tags, review states, notes, characters and provenance columns were read back into the entries';

/**
 * Imports every row; `onEntries` gets the entries of each row group (awaited, so storage keeps up).
 * Never throws for a bad file: the report says what was wrong (`fatal`).
 */
export async function importParquet(
	file: AsyncBuffer,
	opts: FileImporterOptions,
	onEntries: (entries: Entry[], rowsRead: number, rowsTotal: number) => void | Promise<void>
): Promise<FileImportReport> {
	const importer = new FileImporter(opts);
	let skeinColumns: string[] = [];
	let rowsTotal = 0;
	try {
		await readParquetRowGroups(
			file,
			(metadata) => {
				skeinColumns = skeinColumnsOf(metadata);
				rowsTotal = Number(metadata.num_rows);
				importer.report.container = 'parquet';
			},
			async ({ firstRow, records }) => {
				const entries: Entry[] = [];
				for (let i = 0; i < records.length; i++) {
					const record = records[i];
					const restore = skeinColumns.length > 0 ? takeSkeinColumns(record, skeinColumns) : null;
					const made = importer.pushRecord(record, firstRow + i + 1);
					if (restore) for (const entry of made) restore(entry);
					for (const entry of made) entries.push(entry);
				}
				await onEntries(entries, firstRow + records.length, rowsTotal);
			}
		);
	} catch (error) {
		const report = importer.report;
		report.container = 'parquet';
		report.fatal = describeParquetError(error);
		return report;
	}
	const rest = importer.finish();
	if (rest.length > 0) await onEntries(rest, rowsTotal, rowsTotal);
	const report = importer.report;
	report.container = 'parquet';
	report.lines = rowsTotal;
	if (skeinColumns.length > 0 && report.imported > 0) report.notes.push({ text: SKEIN_COLUMNS_NOTE, count: report.imported, line: 1 });
	if (rowsTotal === 0 && report.fatal === undefined) report.fatal = 'this Parquet file has no rows: there is nothing to import';
	return report;
}
