/**
 * Reading a Parquet file as records for the importer (hyparquet): one row group at a time (never
 * the whole file), each row turned into the plain JSON value a JSON Lines record would have been,
 * so shape detection and the format adapters are the same as for JSONL (`FileImporter.pushRecord`).
 *
 * Values: 64-bit integers become numbers (text when beyond 2^53), dates and timestamps ISO text,
 * binary without a text annotation UTF-8 text. In chat columns (`messages`, `conversations`,
 * `chosen`, `rejected`, `prompt`, `completion` when they are lists of structs), null struct fields
 * are dropped — a struct column has every field for every message, so `{role, content, name: null}`
 * means the message had no name — except `content`, where null is meaningful (a tool-call turn);
 * `tool_calls` written as JSON text (as Skein writes it) is parsed back into the list.
 *
 * A file Skein wrote says so in its key-value metadata (`skein.columns`): its metadata columns
 * (tags, review, notes, characters, provenance) are then read back into the entry's fields
 * (`applySkeinColumns`) rather than kept as unknown keys. Its ids are not reused (the target
 * dataset issues its own) and the source becomes the Parquet file.
 */
import { parquetMetadataAsync, parquetReadObjects, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { REVIEW_STATES, type Entry, type ReviewState } from '../model';
import { isRecord, type JsonRecord } from '../json-safety';

/** The key-value metadata key under which Skein lists the metadata columns it wrote. */
export const SKEIN_COLUMNS_KEY = 'skein.columns';

const PARQUET_MAGIC = [0x50, 0x41, 0x52, 0x31]; // PAR1

/** Whether a file's first bytes are Parquet's magic number. */
export function isParquetHead(head: Uint8Array): boolean {
	return PARQUET_MAGIC.every((byte, i) => head[i] === byte);
}

const CHAT_COLUMNS: ReadonlySet<string> = new Set(['messages', 'conversations', 'conversation', 'chosen', 'rejected', 'prompt', 'completion']);
/** Struct fields whose null is data, not absence. */
const NULL_IS_DATA: ReadonlySet<string> = new Set(['content']);

function plain(value: unknown): unknown {
	if (value === null || value === undefined) return null;
	switch (typeof value) {
		case 'bigint':
			return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
		case 'number':
			return Number.isFinite(value) ? value : String(value);
		case 'string':
		case 'boolean':
			return value;
		case 'object':
			break;
		default:
			return String(value);
	}
	if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
	if (value instanceof Uint8Array) return new TextDecoder().decode(value);
	if (Array.isArray(value) || ArrayBuffer.isView(value)) return Array.from(value as ArrayLike<unknown>, plain);
	const out: JsonRecord = {};
	for (const [key, item] of Object.entries(value as Record<string, unknown>)) out[key] = plain(item);
	return out;
}

function parsedToolCalls(value: unknown): unknown {
	if (typeof value !== 'string') return value;
	try {
		const parsed: unknown = JSON.parse(value);
		return Array.isArray(parsed) ? parsed : value;
	} catch {
		return value;
	}
}

/** A chat column's turns without the nulls of struct fields they never had. */
function cleanTurns(turns: unknown[]): unknown[] {
	return turns.map((turn) => {
		if (!isRecord(turn)) return turn;
		const out: JsonRecord = {};
		for (const [key, value] of Object.entries(turn)) {
			if (value === null && !NULL_IS_DATA.has(key)) continue;
			out[key] = key === 'tool_calls' ? parsedToolCalls(value) : value;
		}
		return out;
	});
}

/** One Parquet row as the record a JSON line would have been. */
export function parquetRowToRecord(row: Record<string, unknown>): JsonRecord {
	const record: JsonRecord = {};
	for (const [key, raw] of Object.entries(row)) {
		const value = plain(raw);
		// A null cell is a key the record did not have (a column exists for every row).
		if (value === null) continue;
		record[key] = CHAT_COLUMNS.has(key) && Array.isArray(value) && value.some(isRecord) ? cleanTurns(value) : value;
	}
	return record;
}

/** The Skein metadata columns a file declares (empty for files Skein did not write). */
export function skeinColumnsOf(metadata: FileMetaData): string[] {
	const value = metadata.key_value_metadata?.find((kv) => kv.key === SKEIN_COLUMNS_KEY)?.value;
	if (!value) return [];
	try {
		const parsed: unknown = JSON.parse(value);
		return Array.isArray(parsed) ? parsed.filter((c): c is string => typeof c === 'string') : [];
	} catch {
		return [];
	}
}

function parseJsonText(value: unknown): unknown {
	if (typeof value !== 'string') return undefined;
	try {
		return JSON.parse(value) as unknown;
	} catch {
		return undefined;
	}
}

/**
 * Takes Skein's own columns out of a record (they are not unknown keys) and returns a function
 * that puts them into the entry the rest of the record became.
 */
export function takeSkeinColumns(record: JsonRecord, columns: readonly string[]): (entry: Entry) => void {
	const taken: JsonRecord = {};
	for (const column of columns) {
		if (column === 'tools' || column === 'messages') continue; // tools stays a top-level key, as in JSONL
		if (Object.hasOwn(record, column)) {
			taken[column] = record[column];
			delete record[column];
		}
	}
	if (typeof record.tools === 'string') {
		const tools = parseJsonText(record.tools);
		if (Array.isArray(tools)) record.tools = tools;
		else if (record.tools === '') delete record.tools;
	}
	if (record.tools === null) delete record.tools;
	return (entry) => {
		if (Array.isArray(taken.tags)) entry.tags = taken.tags.filter((tag): tag is string => typeof tag === 'string');
		if (typeof taken.review === 'string' && (REVIEW_STATES as readonly string[]).includes(taken.review)) entry.meta.review = taken.review as ReviewState;
		if (typeof taken.notes === 'string') entry.meta.notes = taken.notes;
		const characters = parseJsonText(taken.characters);
		if (isRecord(characters) && Object.values(characters).every((v) => typeof v === 'string')) entry.characters = characters as Record<string, string>;
		const provenance = parseJsonText(taken.provenance);
		if (provenance !== undefined && provenance !== null) entry.meta.provenance = provenance;
	};
}

export interface ParquetRowGroupRead {
	/** Row number (0-based) of the first record in the file. */
	firstRow: number;
	records: JsonRecord[];
}

/** Why a Parquet file cannot be read, in words for the import report. */
export function describeParquetError(error: unknown): string {
	const message = error instanceof Error ? error.message : String(error);
	const codec = /compression|codec|decompress/i.test(message) ? ' (Skein reads Snappy-compressed and uncompressed Parquet; re-save it with Snappy, the default of pandas, pyarrow, DuckDB and Hugging Face datasets)' : '';
	return `this Parquet file could not be read: ${message}${codec}`;
}

/**
 * Reads the file's metadata, then its row groups one by one, each handed to `onRowGroup` (awaited
 * before the next is read). Throws what hyparquet throws (see `describeParquetError`).
 */
export async function readParquetRowGroups(
	file: AsyncBuffer,
	onStart: (metadata: FileMetaData) => void | Promise<void>,
	onRowGroup: (group: ParquetRowGroupRead) => void | Promise<void>
): Promise<void> {
	const metadata = await parquetMetadataAsync(file);
	await onStart(metadata);
	let rowStart = 0;
	for (const group of metadata.row_groups) {
		const rowEnd = rowStart + Number(group.num_rows);
		if (rowEnd > rowStart) {
			const rows = (await parquetReadObjects({ file, metadata, rowStart, rowEnd })) as Record<string, unknown>[];
			await onRowGroup({ firstRow: rowStart, records: rows.map(parquetRowToRecord) });
		}
		rowStart = rowEnd;
	}
}

/** An AsyncBuffer over bytes in memory (tests). */
export function bytesBuffer(bytes: Uint8Array): AsyncBuffer {
	return {
		byteLength: bytes.byteLength,
		slice: (start: number, end?: number) => bytes.slice(start, end).buffer as ArrayBuffer
	};
}
