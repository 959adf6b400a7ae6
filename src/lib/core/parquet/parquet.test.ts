/**
 * Parquet both ways against an independent implementation, DuckDB (@duckdb/node-api):
 * - files DuckDB wrote (tests/fixtures/parquet/*.duckdb.parquet, made by
 *   scripts/make-parquet-fixtures.mjs from the JSONL beside them) import as the same entries as
 *   the JSONL itself;
 * - files Skein writes read back in DuckDB as the same rows;
 * - bad files get a file-level message.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Entry } from '../model';
import { importText } from '../import/file-importer';
import { importParquet, SKEIN_COLUMNS_NOTE } from './import';
import { bytesBuffer, isParquetHead, SKEIN_COLUMNS_KEY } from './read';
import { entryToParquetRow, messageFieldsOf, orderedMessageFields, type ParquetLayout, type ParquetMessageField } from './columns';
import { ParquetStream, parquetBytes } from './stream-writer';

const FIXTURES = new URL('../../../../tests/fixtures/parquet/', import.meta.url);
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(name, FIXTURES)));
const fixtureText = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8');

function options(fileName: string) {
	let n = 0;
	return { fileName, sizeBytes: 0, newId: () => `e${++n}` };
}

async function importBytes(bytes: Uint8Array, fileName: string): Promise<{ entries: Entry[]; report: Awaited<ReturnType<typeof importParquet>> }> {
	const entries: Entry[] = [];
	const report = await importParquet(bytesBuffer(bytes), options(fileName), (made) => {
		entries.push(...made);
	});
	return { entries, report };
}

/** What must match between two imports of the same data (the file name differs). */
function comparable(entry: Entry) {
	return { id: entry.id, messages: entry.messages, extra: entry.extra, tags: entry.tags, review: entry.meta.review, format: entry.meta.source?.format, line: entry.meta.source?.line, hash: entry.hash };
}

async function duckRows(bytes: Uint8Array, select = '*'): Promise<Record<string, unknown>[]> {
	const dir = mkdtempSync(join(tmpdir(), 'skein-parquet-'));
	const path = join(dir, 'out.parquet');
	writeFileSync(path, bytes);
	const instance = await DuckDBInstance.create(':memory:');
	const connection = await instance.connect();
	const reader = await connection.runAndReadAll(`SELECT ${select} FROM read_parquet('${path}')`);
	const rows = reader.getRowObjectsJson() as Record<string, unknown>[];
	connection.closeSync();
	return rows;
}

describe('Parquet written by DuckDB imports as the JSONL it was made from', () => {
	for (const name of ['chat', 'sharegpt', 'alpaca', 'prompt-response']) {
		it(`${name}.duckdb.parquet`, async () => {
			const jsonl = importText(fixtureText(`${name}.jsonl`), options(`${name}.jsonl`));
			const bytes = fixture(`${name}.duckdb.parquet`);
			expect(isParquetHead(bytes)).toBe(true);
			const parquet = await importBytes(bytes, `${name}.duckdb.parquet`);
			expect(parquet.report.fatal).toBeUndefined();
			expect(parquet.report.container).toBe('parquet');
			expect(parquet.report.errorCount).toBe(0);
			expect(parquet.entries.length).toBe(jsonl.entries.length);
			expect(parquet.entries.length).toBeGreaterThan(1);
			expect(parquet.report.formats).toEqual(jsonl.report.formats);
			expect(parquet.entries.map(comparable)).toEqual(jsonl.entries.map(comparable));
		});
	}

	it('keeps tool calls, tool results, names and the tools list of the chat fixture', async () => {
		const { entries } = await importBytes(fixture('chat.duckdb.parquet'), 'chat.parquet');
		expect(entries[1].messages[0]).toEqual({ role: 'user', name: 'tomas', content: 'How many ships passed today?' });
		expect(entries[2].messages[1]).toEqual({ role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'tide_table', arguments: '{"hour": 18}' } }] });
		expect(entries[2].messages[2]).toEqual({ role: 'tool', tool_call_id: 'call_1', content: '{"height_m": 3.2, "state": "rising"}' });
		expect(entries[2].extra.tools).toEqual([{ type: 'function', function: { name: 'tide_table', description: 'Tide height at an hour', parameters: { type: 'object', properties: { hour: { type: 'integer' } } } } }]);
		expect(entries[0].extra).toEqual({});
	});
});

describe('bad Parquet files', () => {
	it('a ZSTD-compressed file: says which compression Skein reads', async () => {
		const { entries, report } = await importBytes(fixture('chat.zstd.duckdb.parquet'), 'chat.zstd.parquet');
		expect(entries).toEqual([]);
		expect(report.fatal).toMatch(/^this Parquet file could not be read: .*ZSTD.*re-save it with Snappy/);
	});

	it('a truncated file: says it could not be read', async () => {
		const bytes = fixture('chat.duckdb.parquet').slice(0, 600);
		const { entries, report } = await importBytes(bytes, 'cut.parquet');
		expect(entries).toEqual([]);
		expect(report.fatal).toMatch(/^this Parquet file could not be read: parquet file invalid/);
	});

	it('a file whose rows have no known shape: each row is reported, nothing imports', async () => {
		const layout: ParquetLayout = { messageFields: [], columns: ['id'] };
		const bytes = parquetBytes(layout, [{ messages: null, id: 'x' }]);
		const { entries, report } = await importBytes(bytes, 'odd.parquet');
		expect(entries).toEqual([]);
		expect(report.errorCount).toBe(1);
		expect(report.errors[0]).toMatchObject({ line: 1, reason: 'unknown shape (keys: id)' });
	});
});

describe('Parquet written by Skein', () => {
	function chatEntries(): Entry[] {
		const { entries } = importText(fixtureText('chat.jsonl'), options('chat.jsonl'));
		entries[0].tags = ['lamp', 'night'];
		entries[1].meta.review = 'accepted';
		entries[3].meta.review = 'rejected';
		entries[3].meta.notes = 'check the time';
		return entries;
	}

	function layoutFor(entries: Entry[], columns: ParquetLayout['columns']): ParquetLayout {
		const fields = new Set<ParquetMessageField>();
		for (const entry of entries) messageFieldsOf(entry, fields);
		return { messageFields: orderedMessageFields(fields), columns };
	}

	it('reads back in DuckDB as the same rows (messages as a list of structs, metadata columns)', async () => {
		const entries = chatEntries();
		const layout = layoutFor(entries, ['id', 'tags', 'review', 'notes', 'tools']);
		expect(layout.messageFields).toEqual(['name', 'tool_calls', 'tool_call_id']);
		const bytes = parquetBytes(
			layout,
			entries.map((entry) => entryToParquetRow(entry, layout).row),
			3 // two row groups
		);
		const rows = await duckRows(bytes);
		expect(rows.length).toBe(4);
		expect(rows.map((row) => row.id)).toEqual(['e1', 'e2', 'e3', 'e4']);
		expect(rows[0].tags).toEqual(['lamp', 'night']);
		expect(rows.map((row) => row.review)).toEqual(['draft', 'accepted', 'draft', 'rejected']);
		expect(rows[3].notes).toBe('check the time');
		const messages = rows.map((row) => row.messages as Record<string, unknown>[]);
		expect(messages[0]).toEqual([
			{ role: 'system', content: 'You are Mara, the lighthouse keeper of Greyhaven.', name: null, tool_calls: null, tool_call_id: null },
			{ role: 'user', content: 'Is the lamp lit tonight?', name: null, tool_calls: null, tool_call_id: null },
			{ role: 'assistant', content: 'Lit and trimmed at dusk. Fog is thick off the point.', name: null, tool_calls: null, tool_call_id: null }
		]);
		expect(messages[1][0]).toMatchObject({ role: 'user', name: 'tomas' });
		expect(JSON.parse(messages[2][1].tool_calls as string)).toEqual(entries[2].messages[1].tool_calls);
		expect(messages[2][2]).toMatchObject({ role: 'tool', tool_call_id: 'call_1' });
		expect(messages[3][1].content).toBe(entries[3].messages[1].content);
		expect(JSON.parse(rows[2].tools as string)).toEqual(entries[2].extra.tools);
		expect(rows[0].tools).toBeNull();
		// DuckDB sees the declared types.
		const described = (await duckRows(bytes, "typeof(messages) AS m, typeof(tags) AS t")).slice(0, 1);
		expect(described[0]).toEqual({ m: 'STRUCT("role" VARCHAR, "content" VARCHAR, "name" VARCHAR, tool_calls VARCHAR, tool_call_id VARCHAR)[]', t: 'VARCHAR[]' });
	});

	it('a plain chat dataset has exactly role and content in its message structs', async () => {
		const entries = importText(fixtureText('sharegpt.jsonl'), options('s.jsonl')).entries;
		const layout = layoutFor(entries, []);
		const rows = await duckRows(parquetBytes(layout, entries.map((e) => entryToParquetRow(e, layout).row)), 'typeof(messages) AS m');
		expect(rows[0].m).toBe('STRUCT("role" VARCHAR, "content" VARCHAR)[]');
	});

	it('re-imports as the same entries, with tags, review states and notes read back', async () => {
		const entries = chatEntries();
		const layout = layoutFor(entries, ['id', 'tags', 'review', 'notes', 'tools']);
		const chunks: Uint8Array[] = [];
		const stream = new ParquetStream(layout, (bytes) => chunks.push(bytes), [{ key: SKEIN_COLUMNS_KEY, value: JSON.stringify(layout.columns) }]);
		stream.writeRowGroup(entries.slice(0, 2).map((e) => entryToParquetRow(e, layout).row));
		stream.writeRowGroup(entries.slice(2).map((e) => entryToParquetRow(e, layout).row));
		stream.finish();
		expect(chunks.length).toBeGreaterThanOrEqual(3); // bytes handed out per row group, then the footer
		const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
		let at = 0;
		for (const chunk of chunks) {
			bytes.set(chunk, at);
			at += chunk.length;
		}
		const back = await importBytes(bytes, 'chat.parquet');
		expect(back.report.fatal).toBeUndefined();
		expect(back.entries.map((e) => ({ messages: e.messages, tags: e.tags, review: e.meta.review, notes: e.meta.notes, extra: e.extra, hash: e.hash }))).toEqual(
			entries.map((e) => ({ messages: e.messages, tags: e.tags, review: e.meta.review, notes: e.meta.notes, extra: e.extra, hash: e.hash }))
		);
		expect(back.report.notes.map((n) => n.text)).toContain(SKEIN_COLUMNS_NOTE);
	});

	it('counts what a row cannot carry: structured content as JSON text, foreign message keys dropped', () => {
		const layout: ParquetLayout = { messageFields: [], columns: [] };
		const entry: Entry = {
			id: 'x',
			messages: [
				{ role: 'user', content: [{ type: 'text', text: 'Look' }], send_date: '2024-01-01' },
				{ role: 'assistant', content: 'A cat.' }
			],
			tags: [],
			meta: { review: 'draft' },
			extra: {},
			hash: 'h'
		};
		const { row, losses } = entryToParquetRow(entry, layout);
		expect(row).toEqual({ messages: [{ role: 'user', content: '[{"type":"text","text":"Look"}]' }, { role: 'assistant', content: 'A cat.' }] });
		expect(losses.sort()).toEqual(['message key "send_date" dropped', 'structured content (a list of parts) written as JSON text']);
	});
});
