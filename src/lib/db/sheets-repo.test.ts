import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { SkeinDatabase } from './database';
import { deleteSheet, getSheet, issuePath, listSheets, putSheet, saveSheet, validateSheet } from './sheets-repo';
import { documentToSheet } from '$lib/core/sheets/split-document';
import type { CharacterSheet } from '$lib/core/sheets/sheet';

const opened: SkeinDatabase[] = [];
function freshDb(): SkeinDatabase {
	const db = new SkeinDatabase(`sheets-repo-test-${Math.random()}`);
	opened.push(db);
	return db;
}
afterEach(async () => {
	for (const db of opened.splice(0)) {
		db.close();
		await db.delete();
	}
});

let n = 0;
const newId = () => `id-${++n}`;
function pedauque(): CharacterSheet {
	const text = readFileSync('tests/fixtures/sheets/character-sheet.md', 'utf8');
	// One chunk per heading (tokenRange null): these tests need a sheet of several chunks.
	return documentToSheet(text, { characterName: 'Queen Pédauque', tokenRange: null, newId, now: () => new Date('2026-01-01T00:00:00Z') });
}

describe('sheets repository', () => {
	it('stores, lists newest first with chunk counts, reads back and deletes', async () => {
		const db = freshDb();
		const first = pedauque();
		const second = { ...pedauque(), name: 'Bram' };
		expect((await putSheet(db, first, 1000)).ok).toBe(true);
		expect((await putSheet(db, second, 2000)).ok).toBe(true);
		const list = await listSheets(db);
		expect(list.map((s) => s.name)).toEqual(['Bram', 'Queen Pédauque']);
		expect(list[1]).toMatchObject({ id: first.id, sourceKind: 'document', chunkCount: first.chunks.length, updatedAt: 1000 });
		expect(first.chunks.length).toBeGreaterThan(3);
		expect(await getSheet(db, first.id)).toEqual({ ...first, updatedAt: 1000 });
		expect(await deleteSheet(db, first.id)).toBe(true);
		expect(await deleteSheet(db, first.id)).toBe(false);
		expect((await listSheets(db)).map((s) => s.id)).toEqual([second.id]);
	});

	it('refuses an invalid sheet with the path of the problem and keeps the stored one', async () => {
		const db = freshDb();
		const sheet = pedauque();
		await putSheet(db, sheet, 1000);
		const tooMany = structuredClone(sheet);
		tooMany.chunks[2].settings.iterations = 1000;
		const result = await saveSheet(db, tooMany, 2000);
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.error).toMatch(/^chunks\[2\]\.settings\.iterations: /);
		const badTemplate = structuredClone(sheet);
		badTemplate.chunks[1].promptTemplate = 'Tell me about {{chunk}} and {{mood}}';
		const templateResult = await saveSheet(db, badTemplate, 2000);
		expect(templateResult).toEqual({ ok: false, error: expect.stringMatching(/^chunks\[1\] \(".*"\)\.promptTemplate: unknown variable \{\{mood\}\}/) });
		expect(await getSheet(db, sheet.id)).toEqual({ ...sheet, updatedAt: 1000 });
	});

	it('saves an edit of an existing sheet, but not of a deleted one', async () => {
		const db = freshDb();
		const sheet = pedauque();
		await putSheet(db, sheet, 1000);
		const edited = structuredClone(sheet);
		edited.chunks[0].settings.entriesPerIteration = 7;
		expect((await saveSheet(db, edited, 3000)).ok).toBe(true);
		expect((await getSheet(db, sheet.id))?.chunks[0].settings.entriesPerIteration).toBe(7);
		await deleteSheet(db, sheet.id);
		expect(await saveSheet(db, edited, 4000)).toEqual({ ok: false, error: expect.stringContaining('no longer exists') });
		expect(await getSheet(db, sheet.id)).toBeUndefined();
	});

	it('refuses duplicate chunk ids and names paths readably', () => {
		const sheet = pedauque();
		sheet.chunks[1].id = sheet.chunks[0].id;
		expect(validateSheet(sheet)).toEqual({ ok: false, error: expect.stringContaining('chunks[1]') });
		expect(issuePath(['chunks', 3, 'title'])).toBe('chunks[3].title');
		expect(issuePath([])).toBe('(sheet)');
	});
});
