import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { SkeinDatabase } from '$lib/db/database';
import { fixtureBytes, fixtureText } from '$lib/core/test-utils';
import { parseSeed003 } from '$lib/core/sheets/seed003';
import { identitySystemPrompt } from '$lib/core/recipes/identity-document';
import { countChunkTokens } from './sheet-tokens';
import { fileStem, LibraryService, nameFromContext, seed003FileName } from './library-service';

const opened: SkeinDatabase[] = [];
function fresh() {
	const db = new SkeinDatabase(`library-test-${Math.random()}`);
	opened.push(db);
	return { db, library: new LibraryService(db) };
}
afterEach(async () => {
	for (const db of opened.splice(0)) {
		db.close();
		await db.delete();
	}
});

const encode = (text: string) => new TextEncoder().encode(text);

describe('importSheet', () => {
	it('reads a V2 card JSON into a sheet with chunks from its fields and lorebook, the card kept whole', async () => {
		const { library } = fresh();
		const result = await library.importSheet({ fileName: 'wren-card-v2.json', bytes: fixtureBytes('sources/wren-card-v2.json') });
		if (!result.ok) throw new Error(result.error);
		expect(result).toMatchObject({ name: 'Wren Halloway', sourceKind: 'card', chunkCount: 5, warnings: [] });
		const sheet = await library.getSheet(result.sheetId);
		expect(sheet?.chunks.map((c) => c.title)).toEqual(['Description', 'Personality', 'Scenario', 'Lore: The drowned cathedral', 'Lore: Tide-proof ink']);
		expect(sheet?.chunks[0].document).toMatch(/^Wren Halloway is the last cartographer/);
		expect(sheet?.card).toEqual(JSON.parse(fixtureText('sources/wren-card-v2.json')));
		expect((await library.listSheets())[0]).toMatchObject({ id: result.sheetId, chunkCount: 5, sourceKind: 'card' });
	});

	it('reads a card from a PNG (as an ArrayBuffer and as a Blob)', async () => {
		const { library } = fresh();
		const png = fixtureBytes('card-v3.png');
		const fromBuffer = await library.importSheet({ fileName: 'card.png', bytes: png.slice().buffer });
		const fromBlob = await library.importSheet({ fileName: 'card.png', bytes: new Blob([png.slice()]) });
		expect(fromBuffer).toMatchObject({ ok: true, sourceKind: 'card' });
		expect(fromBlob).toMatchObject({ ok: true, sourceKind: 'card' });
	});

	it('reads a seed 003 chunk file, naming the character from its context', async () => {
		const { library } = fresh();
		const result = await library.importSheet({ fileName: '01.tides.txt', bytes: fixtureBytes('sources/01.tides.txt') });
		if (!result.ok) throw new Error(result.error);
		expect(result).toMatchObject({ name: 'Wren Halloway', sourceKind: 'seed003', chunkCount: 1 });
		const chunk = (await library.getSheet(result.sheetId))?.chunks[0];
		expect(chunk).toMatchObject({ title: 'Tides and Timing', settings: { entriesPerIteration: 12, iterations: 3 } });
		expect(chunk?.promptTemplate).toContain('{{character_name}}');
	});

	it('reads a seed 003 file saved as .md by its content, not its extension', async () => {
		const { library } = fresh();
		const result = await library.importSheet({ fileName: '04.special-triggers.md', bytes: fixtureBytes('sheets/04.special-triggers.md') });
		expect(result).toMatchObject({ ok: true, sourceKind: 'seed003', name: 'Queen Pedauque', chunkCount: 1 });
	});

	it('reads a Markdown document into chunks sized for a small model, named by its first heading', async () => {
		const { library } = fresh();
		const result = await library.importSheet({ fileName: 'wren-halloway.md', bytes: fixtureBytes('sources/wren-halloway.md') });
		if (!result.ok) throw new Error(result.error);
		expect(result).toMatchObject({ name: 'Wren Halloway', sourceKind: 'document' });
		const sheet = await library.getSheet(result.sheetId);
		// 144 words (about 250 tokens) is under the 500-token minimum: one chunk, every section in it.
		expect(sheet?.chunks.map((c) => c.title)).toEqual(['Wren Halloway … Relationships (5 sections)']);
		for (const heading of ['# Wren Halloway', '## Background', '## Personality', '## Skills', '### Surveying', '### Ink-making', '## Relationships']) expect(sheet?.chunks[0].document).toContain(heading);
		expect(sheet?.chunks[0].context).toBe('You are Wren Halloway.');
		expect(sheet?.introduction).toMatch(/^Wren Halloway /);
	});

	it('takes the character name from a title heading, and cuts a long sheet into 500–1,500-token chunks', async () => {
		const { library } = fresh();
		const result = await library.importSheet({ fileName: 'brannoc-vell.md', bytes: fixtureBytes('sheets/brannoc-vell.md') });
		if (!result.ok) throw new Error(result.error);
		expect(result).toMatchObject({ name: 'Brannoc Vell', chunkCount: 5 });
		const sheet = await library.getSheet(result.sheetId);
		const { counts, counter } = await countChunkTokens(sheet?.chunks.map((chunk) => chunk.document) ?? []);
		expect(counter).toBe('qwen3');
		for (const tokens of counts) {
			expect(tokens).toBeGreaterThanOrEqual(500);
			expect(tokens).toBeLessThanOrEqual(1500);
		}
	});

	it('names the file and the problem, and stores nothing, for files that are neither', async () => {
		const { library } = fresh();
		const kept = await library.importSheet({ fileName: 'wren-halloway.md', bytes: fixtureBytes('sources/wren-halloway.md') });
		const cases: [string, Uint8Array, RegExp][] = [
			['notes.pdf', new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x37, 0x0a, 0x00, 0x01, 0x02]), /^notes\.pdf: not a text file; expected a character card/],
			['chat.json', encode('{"messages":[{"role":"user","content":"hi"}]}'), /^chat\.json: not a character card/],
			['broken.json', encode('{"spec": "chara_card_v2", "data": {'), /^broken\.json: not valid JSON/],
			['03.bad.txt', encode('context\n----------\n## Doc\ntext\n----------\n{"nb_dataset_entries": 0, "nb_iterations": 5}\n----------\n{{.Chunk}}'), /^03\.bad\.txt: settings: "nb_dataset_entries" must be between 1 and/],
			['sheet.docx', encode('PK not really text but no NUL'), /^sheet\.docx: "\.docx" files are not read here/],
			['empty.md', encode(''), /^empty\.md: the file is empty/],
			['blank.md', encode('# Title only\n'), /^blank\.md: the document has no text/]
		];
		for (const [fileName, bytes, error] of cases) {
			const result = await library.importSheet({ fileName, bytes });
			expect(result.ok, fileName).toBe(false);
			if (!result.ok) expect(result.error).toMatch(error);
		}
		expect((await library.listSheets()).map((s) => s.id)).toEqual([kept.ok ? kept.sheetId : '']);
	});

	it('reads a Markdown document with a ten-dash rule as a document, with a warning', async () => {
		const { library } = fresh();
		const result = await library.importSheet({ fileName: 'notes.md', bytes: encode('# Mara\n\nShe keeps bees.\n\n----------\n\n## Later\n\nShe moved to the coast.\n') });
		// Both parts fit one small-model chunk.
		expect(result).toMatchObject({ ok: true, sourceKind: 'document', chunkCount: 1, warnings: [expect.stringContaining('read as a document')] });
	});
});

describe('seed 003 files', () => {
	it('imports several files as one sheet in file-name order, all or nothing', async () => {
		const { library } = fresh();
		const files = [
			{ fileName: '02.ink.txt', bytes: fixtureBytes('sources/02.ink.txt') },
			{ fileName: '01.tides.txt', bytes: fixtureBytes('sources/01.tides.txt') }
		];
		const result = await library.importSeed003Files(files);
		if (!result.ok) throw new Error(result.error);
		const sheet = await library.getSheet(result.sheetId);
		expect(sheet?.name).toBe('Wren Halloway');
		expect(sheet?.chunks.map((c) => [c.title, c.settings.entriesPerIteration])).toEqual([
			['Tides and Timing', 12],
			['Ink and Charts', 8]
		]);
		const bad = await library.importSeed003Files([...files, { fileName: '03.broken.txt', bytes: encode('only a context') }], 'Wren');
		expect(bad).toEqual({ ok: false, error: expect.stringMatching(/^03\.broken\.txt: file: found 1 part, expected 4/) });
		expect(await library.listSheets()).toHaveLength(1);
	});

	it('imports dropped files: seed files together as one sheet, others one by one', async () => {
		const { library } = fresh();
		const seeds = await library.importSheetFiles([
			{ fileName: '01.tides.txt', bytes: fixtureBytes('sources/01.tides.txt') },
			{ fileName: '02.ink.txt', bytes: new Blob([fixtureBytes('sources/02.ink.txt').slice()]) }
		]);
		expect(seeds).toEqual([{ fileNames: ['01.tides.txt', '02.ink.txt'], outcome: expect.objectContaining({ ok: true, chunkCount: 2, sourceKind: 'seed003' }) }]);
		// Files saved on Windows (CRLF) are the same files.
		const crlf = (name: string) => encode(fixtureText(`sources/${name}`).replace(/\n/g, '\r\n'));
		const windows = await library.importSheetFiles([
			{ fileName: '01.tides.txt', bytes: crlf('01.tides.txt') },
			{ fileName: '02.ink.txt', bytes: crlf('02.ink.txt') }
		]);
		expect(windows).toEqual([{ fileNames: ['01.tides.txt', '02.ink.txt'], outcome: expect.objectContaining({ ok: true, chunkCount: 2 }) }]);
		const mixed = await library.importSheetFiles([
			{ fileName: '01.tides.txt', bytes: fixtureBytes('sources/01.tides.txt') },
			{ fileName: 'wren-halloway.md', bytes: fixtureBytes('sources/wren-halloway.md') },
			{ fileName: 'photo.jpg', bytes: new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]) }
		]);
		expect(mixed.map((m) => [m.fileNames, m.outcome.ok])).toEqual([
			[['01.tides.txt'], true],
			[['wren-halloway.md'], true],
			[['photo.jpg'], false]
		]);
		expect(await library.listSheets()).toHaveLength(4);
	});

	it('exports one file per chunk that parses back to the same chunk', async () => {
		const { library } = fresh();
		const imported = await library.importSheet({ fileName: 'wren-card-v2.json', bytes: fixtureBytes('sources/wren-card-v2.json') });
		if (!imported.ok) throw new Error(imported.error);
		const exported = await library.exportSheetSeed003(imported.sheetId);
		if (!exported.ok) throw new Error(exported.error);
		expect(exported.files.map((f) => f.fileName)).toEqual(['01.description.txt', '02.personality.txt', '03.scenario.txt', '04.lore-the-drowned-cathedral.txt', '05.lore-tide-proof-ink.txt']);
		const sheet = await library.getSheet(imported.sheetId);
		exported.files.forEach((file, i) => {
			const back = parseSeed003(file.text);
			if (!back.ok) throw new Error(back.message);
			expect(back.chunk.document).toBe(sheet?.chunks[i].document);
			expect(back.chunk.settings).toEqual(sheet?.chunks[i].settings);
		});
		// The default template's Skein-only parts are written out as in iteration 1.
		const text = exported.files[0].text;
		expect(text).toContain('Write {{.NbEntriesPerChunk}} dataset entries for training a chat model to play {{.NameOfTheNPC}}.');
		expect(text).toMatch(/^"{3}\n\{\{\.Chunk\}\}\n"{3}$/m);
		expect(text).toContain('with exactly 5 entries in its "entries" array');
		expect(text).toContain('Write every response in the first person, as Wren Halloway speaking in character');
		expect(text).not.toMatch(/previous_prompts|answer_voice|output_format|already written/);
		expect(exported.warnings[0]).toMatch(/^chunk 1 \("Description"\): .*\{\{answer_voice\}\}.* written out as in iteration 1/);
	});

	it('exports a seed template unchanged and refuses a template it cannot write, naming the chunk', async () => {
		const { library } = fresh();
		const imported = await library.importSheet({ fileName: '01.tides.txt', bytes: fixtureBytes('sources/01.tides.txt') });
		if (!imported.ok) throw new Error(imported.error);
		const exported = await library.exportSheetSeed003(imported.sheetId);
		if (!exported.ok) throw new Error(exported.error);
		const original = parseSeed003(fixtureText('sources/01.tides.txt'));
		const back = parseSeed003(exported.files[0].text);
		expect(back.ok && original.ok && back.chunk).toEqual(original.ok && original.chunk);
		expect(exported.files[0].text).toContain("questions related to {{.NameOfTheNPC}}'s knowledge of the tides");
		expect(exported.warnings).toEqual([]);
		const sheet = await library.getSheet(imported.sheetId);
		if (!sheet) throw new Error('missing');
		// A section over the chunk has no Go form; the export names the chunk instead of writing a broken file.
		sheet.chunks[0].promptTemplate = '{{#chunk}}About: {{chunk}}{{/chunk}}';
		await library.saveSheet(sheet);
		expect(await library.exportSheetSeed003(sheet.id)).toEqual({ ok: false, error: expect.stringMatching(/^chunk 1 \("Tides and Timing"\): prompt template: cannot be written/) });
		expect(await library.exportSheetSeed003('missing')).toEqual({ ok: false, error: 'this sheet no longer exists' });
	});

	it('saves an edited sheet and refuses an invalid one with the path', async () => {
		const { library } = fresh();
		const imported = await library.importSheet({ fileName: '01.tides.txt', bytes: fixtureBytes('sources/01.tides.txt') });
		if (!imported.ok) throw new Error(imported.error);
		const sheet = await library.getSheet(imported.sheetId);
		if (!sheet) throw new Error('missing');
		sheet.chunks[0].settings.iterations = 4;
		expect(await library.saveSheet(sheet)).toMatchObject({ ok: true });
		expect((await library.getSheet(sheet.id))?.chunks[0].settings.iterations).toBe(4);
		sheet.chunks[0].settings.entriesPerIteration = 0;
		expect(await library.saveSheet(sheet)).toEqual({ ok: false, error: expect.stringMatching(/^chunks\[0\]\.settings\.entriesPerIteration: /) });
		expect(await library.deleteSheet(sheet.id)).toBe(true);
		expect(await library.listSheets()).toEqual([]);
	});

	it('names and numbers exported files', () => {
		expect(seed003FileName(0, 'Special Triggers')).toBe('01.special-triggers.txt');
		expect(seed003FileName(11, 'Reine Pédauque: la légende')).toBe('12.reine-pedauque-la-legende.txt');
		expect(seed003FileName(2, '!!!')).toBe('03.chunk.txt');
		expect(fileStem('dir/01.tides.txt')).toBe('01.tides');
		expect(nameFromContext('# NPC\nYou are Queen Pedauque, a legendary sorceress.')).toBe('Queen Pedauque');
	});
});

describe('identity documents', () => {
	it('creates, edits, lists and deletes', async () => {
		const { library } = fresh();
		const created = await library.newIdentity('Greyhaven Keeper');
		expect(created).toMatchObject({ name: 'Greyhaven Keeper', iAm: 'I am Greyhaven Keeper.' });
		expect(created.otherMakers).toContain('OpenAI');
		const edited = { ...created, voice: 'Plain and dry.', narrative: 'Built from the logbooks.' };
		expect(await library.saveIdentity(edited)).toMatchObject({ ok: true });
		const stored = await library.getIdentity(created.id);
		expect(stored?.voice).toBe('Plain and dry.');
		expect(identitySystemPrompt(stored!)).toContain('## Voice\nPlain and dry.');
		const second = await library.newIdentity('Mara');
		expect(second.id).not.toBe(created.id);
		expect((await library.listIdentities()).map((i) => i.name).sort()).toEqual(['Greyhaven Keeper', 'Mara']);
		expect(await library.saveIdentity({ ...created, name: 7 })).toEqual({ ok: false, error: expect.stringMatching(/^name: /) });
		expect(await library.deleteIdentity(created.id)).toBe(true);
		expect((await library.listIdentities()).map((i) => i.name)).toEqual(['Mara']);
	});
});

describe('prompt pools', () => {
	it('imports a CSV pool with its rating column, counts per rating, and pages it', async () => {
		const { library } = fresh();
		const result = await library.importPool({ fileName: 'keeper-prompts.csv', file: new Blob([fixtureBytes('sources/keeper-prompts.csv').slice()]) });
		if (!result.ok) throw new Error(result.error);
		expect(result).toMatchObject({ name: 'keeper-prompts', count: 10, ratingField: 'rating', ratingCounts: { '': 1, '1': 1, '2': 2, '3': 3, '4': 2, '5': 1 } });
		const preview = await library.poolPreview(result.poolId, 0, 3);
		expect(preview?.pool.sourceName).toBe('keeper-prompts.csv');
		expect(preview?.items).toEqual([
			{ index: 0, text: 'How do you trim the lamp wick without burning your fingers?', rating: 5 },
			{ index: 1, text: "What happened during the storm of '89, and who did you save?", rating: 4 },
			{ index: 2, text: 'Do you ever get lonely out here?', rating: 4 }
		]);
		expect((await library.poolPreview(result.poolId, 9, 5))?.items).toEqual([{ index: 9, text: 'Write me a poem about the lamp.', rating: null }]);
		expect(await library.deletePool(result.poolId)).toBe(true);
		expect(await library.poolPreview(result.poolId, 0, 3)).toBeUndefined();
	});

	it('imports pasted lines and JSONL with bad lines reported by number', async () => {
		const { library } = fresh();
		const pasted = await library.importPool({ text: 'Who are you?\n\nWhat do you value?\n' });
		expect(pasted).toMatchObject({ ok: true, count: 2, ratingCounts: { '': 2 } });
		if (pasted.ok) expect(pasted.name).toMatch(/^Pasted prompts /);
		const jsonl = ['{"prompt":"Is the lamp lit?","score":3}', '{"prompt": broken', '{"prompt":"Any ships?","score":5}'].join('\n');
		const result = await library.importPool({ fileName: 'rated.jsonl', text: jsonl });
		expect(result).toMatchObject({ ok: true, count: 2, ratingField: 'score', problems: [{ line: 2 }] });
		expect((await library.listPools()).length).toBe(2);
	});

	it('refuses a file with no prompts or a binary file, storing nothing', async () => {
		const { library } = fresh();
		expect(await library.importPool({ fileName: 'empty.csv', text: '   \n' })).toMatchObject({ ok: false, error: 'empty.csv: no text' });
		const noPrompts = await library.importPool({ fileName: 'bad.jsonl', text: '{"foo": 1}\n{"bar": 2}\n' });
		expect(noPrompts).toMatchObject({ ok: false, error: expect.stringMatching(/^bad\.jsonl: no prompts found \(line 1: /) });
		expect(await library.importPool({ fileName: 'x.png', file: new Blob([fixtureBytes('card-v3.png').slice()]) })).toMatchObject({ ok: false, error: expect.stringContaining('not a text file') });
		expect(await library.listPools()).toEqual([]);
	});
});

describe('lorebooks', () => {
	it('a lorebook file becomes a sheet of lore chunks; its entries can be added to another sheet', async () => {
		const { library } = fresh();
		const made = await library.importSheet({ fileName: 'vell-lore.json', bytes: fixtureBytes('sheets/lorebook-world-info.json') });
		expect(made).toMatchObject({ ok: true, name: 'vell-lore', sourceKind: 'lorebook', chunkCount: 3, warnings: ['vell-lore.json: 1 disabled entry left out'] });

		const doc = await library.importSheet({ fileName: 'mara.md', bytes: encode('# Mara\n\nMara keeps the North Point light and talks to the gulls.\n') });
		if (!doc.ok) throw new Error(doc.error);
		const added = await library.addLorebookToSheet(doc.sheetId, { fileName: 'coast.json', bytes: fixtureBytes('sheets/lorebook-character-book.json') });
		expect(added).toMatchObject({ ok: true, sheetId: doc.sheetId, name: doc.name, added: 2, chunkCount: doc.chunkCount + 2 });
		const sheet = await library.getSheet(doc.sheetId);
		expect(sheet?.chunks.slice(-2).map((c) => c.title)).toEqual(['Lore: The ferry', 'Lore: Fog bell']);
	});

	it('refuses what is not a lorebook, and a sheet that is gone, without touching anything', async () => {
		const { library } = fresh();
		const doc = await library.importSheet({ fileName: 'mara.md', bytes: encode('# Mara\n\nMara keeps the light.\n') });
		if (!doc.ok) throw new Error(doc.error);
		expect(await library.addLorebookToSheet(doc.sheetId, { fileName: 'chat.json', bytes: encode('{"messages": []}') })).toEqual({
			ok: false,
			error: 'chat.json: not a SillyTavern lorebook: expected "entries" with "key"/"keys" and "content" in each'
		});
		expect(await library.addLorebookToSheet('gone', { fileName: 'vell.json', bytes: fixtureBytes('sheets/lorebook-world-info.json') })).toEqual({ ok: false, error: 'this sheet no longer exists' });
		expect((await library.getSheet(doc.sheetId))?.chunks.length).toBe(doc.chunkCount);
	});
});
