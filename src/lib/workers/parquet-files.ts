/**
 * Output files built row group by row group as Blob parts (the browser may keep large Blobs on
 * disk), so an export never holds a whole file as one buffer: Parquet shards (`ParquetShards`,
 * over core/parquet's `ParquetStream`) and JSON Lines shards (`JsonlShards`, the Hub export's
 * JSONL choice). A new shard starts every `maxShardRows` rows, so the number of shards (and
 * their names, `train-00000-of-00002`) is known from the counts before anything is written.
 */
import type { ParquetLayout } from '$lib/core/parquet/columns';
import { PARQUET_ROW_GROUP_SIZE, ParquetStream } from '$lib/core/parquet/stream-writer';
import { SKEIN_COLUMNS_KEY } from '$lib/core/parquet/read';

type Row = Record<string, unknown>;

export const PARQUET_MIME = 'application/vnd.apache.parquet';

export interface Shard {
	blob: Blob;
	rows: number;
}

/** What Skein writes into a file's key-value metadata: which of its columns are Skein's own. */
export function skeinKeyValue(layout: ParquetLayout): { key: string; value: string }[] {
	return [{ key: SKEIN_COLUMNS_KEY, value: JSON.stringify(layout.columns) }];
}

export class ParquetShards {
	readonly shards: Shard[] = [];
	private current: ParquetStream | null = null;
	private parts: Blob[] = [];
	private pending: Row[] = [];
	/** Bytes of the largest single row group's output (for the memory figure). */
	peakGroupBytes = 0;

	constructor(
		private readonly layout: ParquetLayout,
		private readonly maxShardRows = Infinity,
		private readonly rowGroupSize = PARQUET_ROW_GROUP_SIZE
	) {}

	add(rows: readonly Row[]): void {
		for (const row of rows) this.pending.push(row);
		for (;;) {
			const size = Math.min(this.rowGroupSize, this.roomInShard());
			if (this.pending.length < size) break;
			this.writeGroup(this.pending.splice(0, size));
		}
	}

	private roomInShard(): number {
		return this.maxShardRows - (this.current?.rows ?? 0);
	}

	private open(): ParquetStream {
		return (this.current ??= new ParquetStream(
			this.layout,
			(bytes) => {
				this.peakGroupBytes = Math.max(this.peakGroupBytes, bytes.byteLength);
				this.parts.push(new Blob([bytes as Uint8Array<ArrayBuffer>]));
			},
			skeinKeyValue(this.layout)
		));
	}

	private writeGroup(rows: Row[]): void {
		const stream = this.open();
		stream.writeRowGroup(rows);
		if (stream.rows >= this.maxShardRows) this.closeShard();
	}

	private closeShard(): void {
		const stream = this.current;
		if (stream === null) return;
		stream.finish();
		this.shards.push({ blob: new Blob(this.parts, { type: PARQUET_MIME }), rows: stream.rows });
		this.current = null;
		this.parts = [];
	}

	/** Writes what is left and closes the last shard; a part with no rows is one file with the schema only. */
	finish(): Shard[] {
		while (this.pending.length > 0) this.writeGroup(this.pending.splice(0, Math.min(this.rowGroupSize, this.roomInShard())));
		if (this.current === null && this.shards.length === 0) this.open();
		this.closeShard();
		return this.shards;
	}
}

export class JsonlShards {
	readonly shards: Shard[] = [];
	private parts: Blob[] = [];
	private text = '';
	private rows = 0;

	constructor(private readonly maxShardRows = Infinity) {}

	add(rows: readonly Row[]): void {
		for (const row of rows) {
			this.text += JSON.stringify(row) + '\n';
			this.rows++;
			if (this.text.length > 1 << 20) this.flushText();
			if (this.rows >= this.maxShardRows) this.closeShard();
		}
	}

	private flushText(): void {
		if (this.text) this.parts.push(new Blob([this.text]));
		this.text = '';
	}

	private closeShard(): void {
		this.flushText();
		this.shards.push({ blob: new Blob(this.parts, { type: 'application/jsonl' }), rows: this.rows });
		this.parts = [];
		this.rows = 0;
	}

	finish(): Shard[] {
		if (this.rows > 0 || this.shards.length === 0) this.closeShard();
		return this.shards;
	}
}

/** How many shards `count` rows make. */
export function shardCount(count: number, maxShardRows: number): number {
	return Math.max(1, Math.ceil(count / maxShardRows));
}
