import { describe, expect, it } from 'vitest';
import { zipSync, strToU8, strFromU8, unzipSync } from 'fflate';
import { readZipDirectory } from './zip-directory';
import { BackupArchive, BackupZipWriter, bytesSource } from './archive';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { Crc32, crc32 } from './crc32';
import { BACKUP_TABLES, DATASET_SETTING_PREFIXES, settingDataset } from './layout';
import { BACKUP_FORMAT, MANIFEST_NAME, parseManifest, storeFileName, type BackupManifest } from './manifest';
import { decide, describeItem, itemKey, planRestore, stableJson, summarizePlan } from './plan';
import { decodeTagged, encodeTagged } from './row-codec';
import { rowProblem } from './row-schemas';
import { SCHEMA_VERSIONS, CURRENT_SCHEMA_VERSION } from '$lib/db/database';
import { TABLES } from '$lib/db/schema';
import { validationProfileKey, validationSummaryKey } from '$lib/db/settings-keys';
import { defaultNamesKey } from '$lib/db/collection-repo';

function manifest(stores: BackupManifest['stores'] = {}): BackupManifest {
	return { format: BACKUP_FORMAT, formatVersion: 1, schemaVersion: 5, createdAt: '2026-12-05T00:00:00Z', origin: 'http://127.0.0.1:4173', includesResponseCache: false, stores, blobs: [], endpoint: null };
}

function zipOf(files: Record<string, string>): Uint8Array {
	const chunks: Uint8Array[] = [];
	const writer = new BackupZipWriter((chunk) => chunks.push(chunk));
	for (const [name, text] of Object.entries(files)) writer.addText(name, text);
	writer.end();
	const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
	let at = 0;
	for (const c of chunks) {
		out.set(c, at);
		at += c.length;
	}
	return out;
}

describe('backup layout', () => {
	it('covers every table of the current schema, in the names db/schema.ts uses', () => {
		const current = new Set<string>();
		for (const [version, stores] of Object.entries(SCHEMA_VERSIONS)) {
			if (Number(version) > CURRENT_SCHEMA_VERSION) continue;
			for (const [table, spec] of Object.entries(stores)) {
				if (spec === null) current.delete(table);
				else current.add(table);
			}
		}
		expect(new Set(BACKUP_TABLES.map((spec) => spec.table))).toEqual(current);
		for (const spec of BACKUP_TABLES) expect(Object.values(TABLES)).toContain(spec.table);
	});

	it('knows every per-dataset settings key', () => {
		for (const key of [validationProfileKey('d1'), validationSummaryKey('d1'), defaultNamesKey('d1')]) expect(settingDataset(key)).toBe('d1');
		expect(settingDataset('repairOnImport')).toBeNull();
		expect(DATASET_SETTING_PREFIXES.length).toBe(3);
	});
});

describe('zip reading', () => {
	it('reads back what the streaming writer wrote, checking sizes and checksums', () => {
		const rows = JSON.stringify([{ slug: 'lamp', label: 'Lamp', aliases: ['light'] }]);
		const bytes = zipOf({ [storeFileName('tags', 0)]: rows, [MANIFEST_NAME]: JSON.stringify(manifest({ tags: { rows: 1, files: [storeFileName('tags', 0)] } })) });
		const archive = BackupArchive.open(bytesSource(bytes));
		expect(archive.readJson(storeFileName('tags', 0))).toEqual(JSON.parse(rows));
		expect(archive.manifest.stores.tags.rows).toBe(1);
	});

	it('stores texts of any size and script byte for byte, readable by another zip reader', () => {
		const chunks: Uint8Array[] = [];
		const writer = new BackupZipWriter((chunk) => chunks.push(chunk), 0);
		// Short then long then short again: the writer's reused encoding buffer grows and is reused.
		const texts = ['[{"name":"Ada"}]', JSON.stringify([{ content: 'naïve 中文 — “quoted” 🚢⚓ \u2028'.repeat(5000) }]), '["é🚢"]'];
		texts.forEach((text, n) => writer.addText(storeFileName('blocks', n), text));
		writer.end();
		const bytes = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
		let at = 0;
		for (const chunk of chunks) {
			bytes.set(chunk, at);
			at += chunk.length;
		}
		const unzipped = unzipSync(bytes);
		texts.forEach((text, n) => expect(strFromU8(unzipped[storeFileName('blocks', n)])).toBe(text));
		const entries = readZipDirectory(bytesSource(bytes));
		expect(entries.map((entry) => entry.method)).toEqual([0, 0, 0]);
		texts.forEach((text, n) => expect(entries[n].crc).toBe(zlibCrc32(Buffer.from(text, 'utf8'))));
	});

	it('computes the standard CRC-32', () => {
		expect(crc32(strToU8('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
	});

	it('computes the same CRC-32 as zlib for every length and however the bytes are split', () => {
		const bytes = strToU8('{"role":"assistant","content":"naïve 中文 — “quoted” \\n lighthouse"}'.repeat(40));
		for (const length of [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000, bytes.length]) {
			const part = bytes.subarray(0, length);
			expect(crc32(part), `length ${length}`).toBe(zlibCrc32(part));
			for (const cut of [1, 3, 8, Math.floor(length / 2)]) {
				if (cut > length) continue;
				const split = new Crc32().update(part.subarray(0, cut)).update(part.subarray(cut)).digest();
				expect(split, `length ${length} split at ${cut}`).toBe(zlibCrc32(part));
			}
		}
	});

	it('names the problem of a foreign zip, a stray file, a missing file and a newer format', () => {
		expect(() => BackupArchive.open(bytesSource(zipSync({ 'notes.txt': strToU8('hello') })))).toThrow(/not a Skein workspace backup: it has no skein-backup.json/);
		const listed = { tags: { rows: 1, files: [storeFileName('tags', 0)] } };
		expect(() => BackupArchive.open(bytesSource(zipOf({ [MANIFEST_NAME]: JSON.stringify(manifest(listed)) })))).toThrow(/incomplete: stores\/tags\/00000.json/);
		expect(() => BackupArchive.open(bytesSource(zipOf({ 'extra.js': 'alert(1)', [MANIFEST_NAME]: JSON.stringify(manifest()) })))).toThrow(/does not name \(extra.js\)/);
		expect(parseManifest(JSON.stringify({ ...manifest(), formatVersion: 2 }))).toEqual({ error: expect.stringMatching(/newer version of Skein/) });
		expect(parseManifest(JSON.stringify({ ...manifest(), format: 'other' }))).toEqual({ error: expect.stringMatching(/not a Skein workspace backup/) });
		expect(parseManifest(JSON.stringify({ ...manifest(), schemaVersion: 'five' }))).toEqual({ error: expect.stringMatching(/schemaVersion/) });
	});
});

describe('row codec and schemas', () => {
	it('round-trips Blobs, typed arrays and a user object that has a $skein key', async () => {
		const blobs: Blob[] = [];
		const row = { poolId: 'p', byRating: { '2': new Uint32Array([0, 2]) }, image: new Blob(['png'], { type: 'image/png' }), extra: { $skein: 'mine' }, gone: undefined };
		const encoded = JSON.parse(JSON.stringify(encodeTagged(row, (blob) => `blobs/${blobs.push(blob) - 1}`)));
		const decoded = decodeTagged(encoded, (path, type) => new Blob([blobs[Number(path.split('/')[1])]], { type })) as typeof row;
		expect(decoded.byRating['2']).toEqual(new Uint32Array([0, 2]));
		expect(await decoded.image.text()).toBe('png');
		expect(decoded.image.type).toBe('image/png');
		expect(decoded.extra).toEqual({ $skein: 'mine' });
		expect('gone' in decoded).toBe(false);
	});

	it('refuses rows that do not have the shape of their table, saying where', () => {
		expect(rowProblem('blocks', { datasetId: 'd', blockNo: 0, entries: [{ id: 'e1', messages: 'hi' }] })).toMatch(/entries\.0\.messages/);
		expect(rowProblem('datasets', { id: 'd', name: 'x' })).toMatch(/createdAt/);
		expect(rowProblem('nope', {})).toMatch(/does not know/);
		expect(rowProblem('tags', { slug: 'lamp', label: 'Lamp', aliases: [], custom: 1 })).toBeNull();
	});
});

describe('restore planning', () => {
	const tag = (label: string) => describeItem('tag', { slug: 'lamp', label, aliases: [] }, 'slug', 'label');
	const dataset = (id: string, name: string) => describeItem('dataset', { id, name, updatedAt: 1 }, 'id', 'name');

	it('adds new things, skips identical ones, keeps both of changed ones where it can and skips where it cannot', () => {
		const plan = planRestore(
			[dataset('d1', 'Logbook'), dataset('d2', 'Ferry'), dataset('d3', 'Tides'), tag('Lamp (old)'), describeItem('tag', { slug: 'fog', label: 'Fog', aliases: [] }, 'slug', 'label')],
			[dataset('d1', 'Logbook'), dataset('d2', 'Ferry (edited)'), dataset('other', 'Tides'), tag('Lamp')]
		);
		expect(plan.map((item) => [item.id, item.status, item.choice])).toEqual([
			['d1', 'identical', 'skip'],
			['d2', 'conflict', 'keep-both'],
			['d3', 'same-content', 'skip'],
			['lamp', 'conflict', 'skip'],
			['fog', 'new', 'add']
		]);
		expect(plan[3].choices).toEqual(['skip', 'replace']);
		expect(plan[2].existing).toEqual({ id: 'other', label: 'Tides' });
		expect(summarizePlan(plan)).toEqual([
			{ kind: 'dataset', total: 3, new: 0, identical: 1, conflict: 1, sameContent: 1 },
			{ kind: 'tag', total: 2, new: 1, identical: 0, conflict: 1, sameContent: 0 }
		]);
	});

	it('applies choices, ignoring choices an item does not offer', () => {
		const plan = planRestore([dataset('d2', 'Ferry'), tag('Lamp (old)')], [dataset('d2', 'Ferry (edited)'), tag('Lamp')]);
		let n = 0;
		const decisions = decide(plan, { [itemKey('dataset', 'd2')]: 'keep-both', [itemKey('tag', 'lamp')]: 'keep-both' }, () => `new-${++n}`);
		expect(decisions.get('dataset:d2')).toEqual({ action: 'keep-both', newId: 'new-1', newLabel: 'Ferry (restored)' });
		expect(decisions.get('tag:lamp')).toEqual({ action: 'skip' });
	});

	it('fingerprints rows independently of key order', () => {
		expect(stableJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe(stableJson({ a: [{ c: 3, d: 2 }], b: 1 }));
	});
});
