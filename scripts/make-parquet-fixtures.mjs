/**
 * Writes the Parquet fixtures of tests/fixtures/parquet/ with DuckDB, an implementation
 * independent of Skein's (hyparquet): each `<name>.jsonl` there becomes `<name>.duckdb.parquet`
 * (Snappy, DuckDB's default), and chat.jsonl also `chat.zstd.duckdb.parquet` (ZSTD, which Skein
 * refuses with a message). The unit tests import them and compare with importing the JSONL.
 *
 * Run from the repository root: `node scripts/make-parquet-fixtures.mjs`
 * (last run with @duckdb/node-api 1.5.6-r.1; the outputs are committed).
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = 'tests/fixtures/parquet';
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
for (const file of readdirSync(dir).filter((name) => name.endsWith('.jsonl')).sort()) {
	const source = join(dir, file);
	const target = join(dir, file.replace(/\.jsonl$/, '.duckdb.parquet'));
	await connection.run(`COPY (SELECT * FROM read_json('${source}', format = 'newline_delimited')) TO '${target}' (FORMAT parquet, COMPRESSION snappy)`);
	console.log(`${source} → ${target}`);
}
await connection.run(`COPY (SELECT * FROM read_json('${dir}/chat.jsonl', format = 'newline_delimited')) TO '${dir}/chat.zstd.duckdb.parquet' (FORMAT parquet, COMPRESSION zstd)`);
console.log(`${dir}/chat.jsonl → ${dir}/chat.zstd.duckdb.parquet`);
connection.closeSync();
