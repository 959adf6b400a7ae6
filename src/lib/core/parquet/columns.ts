/**
 * Entries as Parquet rows: the `messages` column as a list of structs, the way Hugging Face
 * `datasets` writes a chat column (`list<struct<role: string, content: string, …>>`), plus the
 * metadata columns the user picks.
 *
 * - Message struct fields: `role` and `content` always; `name`, `tool_calls`, `tool_call_id` and
 *   `weight` only when some exported message has them (`messageFieldsOf`), so a plain chat
 *   dataset has exactly the two fields trainers read. `tool_calls` is JSON text: call arguments are
 *   free-form, so no struct type would stay stable across entries. Structured content (a list of
 *   parts) is written as its JSON text and counted as a loss; other message keys (SillyTavern's
 *   send_date, swipes…) are dropped and counted, as in the OpenAI JSONL export.
 * - Metadata columns (`PARQUET_METADATA_COLUMNS`): id, tags (list of strings), review, source
 *   (format, file and line as "format:file:line"), notes; characters, provenance and tools as
 *   JSON text. Absent values are nulls.
 *
 * The schema is written explicitly (never guessed from the first rows), so every row group of a
 * streamed file has the same columns and an empty file still has its schema.
 */
import type { SchemaElement } from 'hyparquet';
import type { Entry, Message } from '../model';
import { hasKey } from '../json-safety';
import { droppedKeyLoss } from '../export/message-fields';
import { normaliseTools } from '../formats/tool-calls';

export const PARQUET_MESSAGE_FIELDS = ['name', 'tool_calls', 'tool_call_id', 'weight'] as const;
export type ParquetMessageField = (typeof PARQUET_MESSAGE_FIELDS)[number];

export const PARQUET_METADATA_COLUMNS = ['id', 'tags', 'review', 'source', 'notes', 'characters', 'provenance', 'tools'] as const;
export type ParquetMetadataColumn = (typeof PARQUET_METADATA_COLUMNS)[number];

export const PARQUET_COLUMN_TEXT: Record<ParquetMetadataColumn, string> = {
	id: 'id (the entry id)',
	tags: 'tags (list of strings)',
	review: 'review (draft / accepted / rejected)',
	source: 'source (format:file:line it was imported from)',
	notes: 'notes',
	characters: 'characters (JSON text)',
	provenance: 'provenance (generation recipe, model, steps; JSON text)',
	tools: 'tools (the OpenAI tools list; JSON text)'
};

/** The default pick: what a trainer's pipeline can filter on without bloating the file. */
export const DEFAULT_PARQUET_COLUMNS: readonly ParquetMetadataColumn[] = ['id', 'tags', 'review'];

export interface ParquetLayout {
	messageFields: readonly ParquetMessageField[];
	columns: readonly ParquetMetadataColumn[];
}

const STRING = { type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' } as const;
const JSON_TEXT = STRING;

function stringField(name: string): SchemaElement {
	return { name, ...STRING };
}

/** The file schema for a layout (flat, pre-order, as Parquet's footer stores it). */
export function parquetSchema(layout: ParquetLayout): SchemaElement[] {
	const fields = ['role', 'content', ...layout.messageFields];
	const structFields: SchemaElement[] = fields.map((field) =>
		field === 'weight' ? { name: 'weight', type: 'DOUBLE', repetition_type: 'OPTIONAL' } : stringField(field)
	);
	const schema: SchemaElement[] = [
		{ name: 'schema', num_children: 1 + layout.columns.length },
		{ name: 'messages', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
		{ name: 'list', repetition_type: 'REPEATED', num_children: 1 },
		{ name: 'element', repetition_type: 'OPTIONAL', num_children: structFields.length },
		...structFields
	];
	for (const column of layout.columns) {
		if (column === 'tags') {
			schema.push(
				{ name: 'tags', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
				{ name: 'list', repetition_type: 'REPEATED', num_children: 1 },
				{ name: 'element', ...STRING }
			);
		} else schema.push({ name: column, ...(column === 'characters' || column === 'provenance' || column === 'tools' ? JSON_TEXT : STRING) });
	}
	return schema;
}

/** The optional message fields some message of the entry has (added to `into`). */
export function messageFieldsOf(entry: Entry, into: Set<ParquetMessageField>): Set<ParquetMessageField> {
	for (const message of entry.messages) {
		if (hasKey(message, 'name') && message.name !== undefined) into.add('name');
		if (hasKey(message, 'tool_calls') && message.tool_calls !== undefined) into.add('tool_calls');
		if (hasKey(message, 'tool_call_id') && message.tool_call_id !== undefined) into.add('tool_call_id');
		if (hasKey(message, 'weight') && message.weight !== undefined) into.add('weight');
	}
	return into;
}

/** In a stable order, whatever order they were met in. */
export function orderedMessageFields(fields: ReadonlySet<ParquetMessageField>): ParquetMessageField[] {
	return PARQUET_MESSAGE_FIELDS.filter((field) => fields.has(field));
}

export const LOSS_STRUCTURED_CONTENT = 'structured content (a list of parts) written as JSON text';
export const LOSS_NOT_A_NUMBER_WEIGHT = 'a message weight that is not a number dropped';

const KNOWN_MESSAGE_KEYS: ReadonlySet<string> = new Set(['role', 'content', ...PARQUET_MESSAGE_FIELDS]);

function textOrNull(value: unknown): string | null {
	if (value === undefined || value === null) return null;
	return typeof value === 'string' ? value : (JSON.stringify(value) ?? null);
}

function messageRow(message: Message, layout: ParquetLayout, losses: Set<string>): Record<string, unknown> {
	const row: Record<string, unknown> = {
		role: message.role,
		content: typeof message.content === 'string' || message.content === null ? message.content : JSON.stringify(message.content)
	};
	if (Array.isArray(message.content)) losses.add(LOSS_STRUCTURED_CONTENT);
	for (const field of layout.messageFields) {
		const value = hasKey(message, field) ? (message as Record<string, unknown>)[field] : undefined;
		if (field === 'weight') {
			if (value !== undefined && value !== null && typeof value !== 'number') losses.add(LOSS_NOT_A_NUMBER_WEIGHT);
			row.weight = typeof value === 'number' ? value : null;
		} else if (field === 'tool_calls') row.tool_calls = value === undefined || value === null ? null : JSON.stringify(value);
		else row[field] = textOrNull(value);
	}
	for (const key of Object.keys(message)) {
		if (key === 'role' || key === 'content') continue;
		if (!KNOWN_MESSAGE_KEYS.has(key) || !layout.messageFields.includes(key as ParquetMessageField)) losses.add(droppedKeyLoss(key));
	}
	return row;
}

/** Nothing to note while re-reading a stored tools value. */
const SILENT = { note() {} };

function sourceText(entry: Entry): string | null {
	const source = entry.meta.source;
	if (source === undefined) return null;
	return [source.format, source.file ?? '', source.line ?? ''].join(':');
}

/** One entry as a Parquet row of the layout, and what it lost on the way. */
export function entryToParquetRow(entry: Entry, layout: ParquetLayout): { row: Record<string, unknown>; losses: string[] } {
	const losses = new Set<string>();
	const row: Record<string, unknown> = { messages: entry.messages.map((message) => messageRow(message, layout, losses)) };
	for (const column of layout.columns) {
		switch (column) {
			case 'id':
				row.id = entry.id;
				break;
			case 'tags':
				row.tags = entry.tags;
				break;
			case 'review':
				row.review = entry.meta.review;
				break;
			case 'source':
				row.source = sourceText(entry);
				break;
			case 'notes':
				row.notes = entry.meta.notes ?? null;
				break;
			case 'characters':
				row.characters = entry.characters === undefined ? null : JSON.stringify(entry.characters);
				break;
			case 'provenance':
				row.provenance = entry.meta.provenance === undefined ? null : JSON.stringify(entry.meta.provenance);
				break;
			case 'tools': {
				const tools = hasKey(entry.extra, 'tools') ? entry.extra.tools : undefined;
				const list = typeof tools === 'string' ? (tools === '' ? undefined : normaliseTools(tools, SILENT)) : tools;
				row.tools = list === undefined || list === null ? null : JSON.stringify(list);
				break;
			}
		}
	}
	return { row, losses: [...losses] };
}

/** What a Parquet export never carries, whatever the entry (per-entry losses are counted). */
export function parquetLossNotes(layout: ParquetLayout): string[] {
	const kept = new Set(layout.columns);
	const missing = PARQUET_METADATA_COLUMNS.filter((column) => !kept.has(column));
	return [
		'Layout: a messages column (list of {role, content' + layout.messageFields.map((f) => ', ' + f).join('') + '} structs, as Hugging Face datasets writes chat data), one row per entry.',
		...(missing.length > 0 ? [`Columns not written (tick them to add them): ${missing.join(', ')}.`] : []),
		'Not written: unknown top-level keys and media columns. Tool calls, characters, provenance and tools are JSON text.',
		'Message keys other than role, content, name, tool_calls, tool_call_id and weight (send_date, swipes…) are dropped (counted).'
	];
}
