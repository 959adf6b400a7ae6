/**
 * A Parquet file written row group by row group, its bytes handed out as they are finished, so
 * the whole file is never held in memory: only the row group being encoded (its rows and its
 * bytes). hyparquet-writer's `ParquetWriter` already writes incrementally (each `write` call adds
 * row groups and calls the writer's `flush`); its `ByteWriter` keeps everything, so here `flush`
 * hands the finished bytes to the sink and rewinds the buffer (`offset` keeps counting, so the
 * footer's column-chunk offsets stay right).
 *
 *   const file = new ParquetStream(layout, (bytes) => parts.push(new Blob([bytes])));
 *   file.writeRowGroup(rows);   // as many times as needed, rows from entryToParquetRow
 *   file.finish();              // the footer
 */
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { parquetSchema, type ParquetLayout } from './columns';

/** Rows per row group of an export: large enough to compress well, small enough to stream. */
export const PARQUET_ROW_GROUP_SIZE = 2_000;

export const PARQUET_CREATED_BY = 'Skein (hyparquet-writer 0.17.0)';

export class ParquetStream {
	private readonly bytes: ByteWriter;
	private readonly writer: ParquetWriter;
	private readonly names: string[];
	private finished = false;
	rows = 0;
	rowGroups = 0;

	constructor(
		layout: ParquetLayout,
		private readonly sink: (bytes: Uint8Array) => void,
		keyValue: { key: string; value: string }[] = []
	) {
		const bytes: ByteWriter & { flush?: () => void } = new ByteWriter(1 << 20);
		bytes.flush = () => this.drain();
		bytes.finish = () => this.drain();
		this.bytes = bytes;
		this.names = ['messages', ...layout.columns];
		this.writer = new ParquetWriter({
			writer: bytes,
			schema: parquetSchema(layout),
			createdBy: PARQUET_CREATED_BY,
			...(keyValue.length > 0 ? { kvMetadata: keyValue } : {})
		});
	}

	/** Bytes written so far (including those already handed out). */
	get byteLength(): number {
		return this.bytes.offset;
	}

	private drain(): void {
		if (this.bytes.index === 0) return;
		// A copy: the buffer is reused for the next row group.
		this.sink(new Uint8Array(this.bytes.buffer.slice(0, this.bytes.index)));
		this.bytes.index = 0;
	}

	/** Writes the rows as one row group (nothing for none). */
	writeRowGroup(rows: readonly Record<string, unknown>[]): void {
		if (this.finished) throw new Error('ParquetStream: write after finish');
		if (rows.length === 0) return;
		// No min/max statistics for the chat text: nobody prunes row groups by the alphabetically
		// smallest message, and comparing every message cost a fifth of the encoding time.
		const columnData = this.names.map((name) => ({ name, data: rows.map((row) => row[name]), statistics: name !== 'messages' }));
		void this.writer.write({ columnData, rowGroupSize: rows.length });
		this.rows += rows.length;
		this.rowGroups++;
	}

	/** Writes the footer and hands out the last bytes. */
	finish(): void {
		if (this.finished) return;
		this.finished = true;
		void this.writer.finish();
	}
}

/** A whole file in memory (tests, small files). */
export function parquetBytes(layout: ParquetLayout, rows: readonly Record<string, unknown>[], rowGroupSize = PARQUET_ROW_GROUP_SIZE): Uint8Array {
	const chunks: Uint8Array[] = [];
	const file = new ParquetStream(layout, (bytes) => chunks.push(bytes));
	for (let start = 0; start < rows.length; start += rowGroupSize) file.writeRowGroup(rows.slice(start, start + rowGroupSize));
	file.finish();
	const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
	let at = 0;
	for (const chunk of chunks) {
		out.set(chunk, at);
		at += chunk.length;
	}
	return out;
}
