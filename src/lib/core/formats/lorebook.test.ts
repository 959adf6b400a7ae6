/**
 * SillyTavern lorebooks: recognised in both shapes, reported by the importer instead of being
 * refused as "unknown shape", and turned into character sheet chunks.
 */
import { describe, expect, it } from 'vitest';
import { fixtureText, importFixture, noteTexts } from '../test-utils';
import { recogniseLorebook } from './lorebook';
import { detectRecordShape } from './record-shape';
import { addLorebookToSheet, lorebookToSheet, readLorebook } from '../sheets/lorebook-to-sheet';
import { documentToSheet } from '../sheets/split-document';

const worldInfo = JSON.parse(fixtureText('sheets/lorebook-world-info.json'));
const characterBook = JSON.parse(fixtureText('sheets/lorebook-character-book.json'));

let ids = 0;
const options = { newId: () => `id-${++ids}`, now: () => new Date('2026-01-01T00:00:00Z') };

describe('recogniseLorebook', () => {
	it('reads a world-info file: entries keyed by uid, comment or keys as titles, disabled entries marked', () => {
		const book = recogniseLorebook(worldInfo);
		expect(book?.kind).toBe('world-info');
		expect(book?.entries.map((e) => [e.title, e.enabled])).toEqual([
			['The North Point lighthouse', true],
			['Vell harbour', true],
			['storm, gale', true],
			['Old keeper (draft)', false]
		]);
		expect(detectRecordShape(worldInfo)).toBe('lorebook');
	});

	it('reads a character book (the card V2 character_book shape) with its name', () => {
		const book = recogniseLorebook(characterBook);
		expect(book).toMatchObject({ kind: 'character-book', name: 'Vell and its coast' });
		expect(book?.entries.map((e) => [e.title, e.keys, e.enabled])).toEqual([
			['The ferry', ['ferry'], true],
			['Fog bell', ['bell'], true],
			['smugglers', ['smugglers'], false]
		]);
		expect(detectRecordShape(characterBook)).toBe('lorebook');
	});

	it('is not fooled by other records with "entries"', () => {
		expect(recogniseLorebook({ entries: [] })).toBeNull();
		expect(recogniseLorebook({ entries: [{ text: 'x' }] })).toBeNull();
		expect(recogniseLorebook({ entries: { a: { content: 'x' } } })).toBeNull();
		expect(detectRecordShape({ entries: [{ role: 'user', content: 'hi' }] })).toBe('unknown');
	});
});

describe('importing a lorebook', () => {
	it('lists a world-info file in the report, makes no entries and no error', () => {
		const { report, entries } = importFixture('sheets/lorebook-world-info.json', { fileName: 'vell-lore.json' });
		expect(entries).toEqual([]);
		expect(report.errorCount).toBe(0);
		expect(report.lorebooks).toEqual([{ line: 1, name: 'vell-lore', kind: 'world-info', entries: 4, enabled: 3 }]);
		expect(noteTexts(report)).toContain('SillyTavern lorebook (world info) recognised: listed in the report, not imported as entries');
	});

	it('names a character book by its own name', () => {
		const { report } = importFixture('sheets/lorebook-character-book.json');
		expect(report.lorebooks).toEqual([{ line: 1, name: 'Vell and its coast', kind: 'character-book', entries: 3, enabled: 2 }]);
	});
});

describe('lorebook → sheet chunks', () => {
	it('makes a sheet with one lore chunk per enabled entry', () => {
		const read = readLorebook(worldInfo);
		if (!read.ok) throw new Error(read.error);
		const { sheet, warnings } = lorebookToSheet(read.book, 'vell-lore', options);
		expect(sheet).toMatchObject({ name: 'vell-lore', sourceKind: 'lorebook' });
		expect(sheet.chunks.map((c) => c.title)).toEqual(['Lore: The North Point lighthouse', 'Lore: Vell harbour', 'Lore: storm, gale']);
		expect(sheet.chunks[1].document).toBe(worldInfo.entries['1'].content);
		expect(warnings).toEqual(['1 disabled entry left out']);
	});

	it('adds the entries to an existing sheet in its context, with {{char}} as the sheet\'s name', () => {
		const read = readLorebook(worldInfo);
		if (!read.ok) throw new Error(read.error);
		const mara = documentToSheet('# Mara\n\nMara keeps the North Point light.', { characterName: 'Mara', tokenRange: null, ...options });
		const { sheet, added } = addLorebookToSheet(mara, read.book, options);
		expect(added).toBe(3);
		expect(sheet.chunks.length).toBe(mara.chunks.length + 3);
		expect(sheet.chunks.slice(0, mara.chunks.length)).toEqual(mara.chunks);
		const lore = sheet.chunks.at(-1);
		expect(lore?.context).toBe(mara.chunks[0].context);
		expect(lore?.document).toBe('Storms come from the north-west. When the barometer falls below 980, Mara lights the storm lamp and rings the bell twice an hour.');
	});

	it('says why something is not a lorebook', () => {
		expect(readLorebook({ name: 'x' })).toEqual({ ok: false, error: 'not a SillyTavern lorebook: expected "entries" with "key"/"keys" and "content" in each' });
	});
});
