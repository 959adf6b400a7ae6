import { describe, expect, it } from 'vitest';
import { fixtureText } from '../test-utils';
import { goTemplateToMustache, parseSeed003, sheetChunkToSeed003 } from './seed003';
import { SheetChunkSchema } from './sheet';

const seedFile = fixtureText('sheets/04.special-triggers.md');

function parsedOk(text: string) {
	const result = parseSeed003(text);
	if (!result.ok) throw new Error(result.message);
	return result;
}

describe('parseSeed003', () => {
	it('reads the four parts of a seed-style chunk file', () => {
		const { chunk, title, warnings } = parsedOk(seedFile);
		expect(chunk.context).toMatch(/^# Queen Pedauque - Legendary Sorceress NPC System Instructions\nYou are Queen Pedauque/);
		expect(chunk.document.startsWith('## Special Triggers')).toBe(true);
		expect(chunk.document).toContain('"Pain au chocolat"');
		expect(chunk.settings).toEqual({ entriesPerIteration: 20, iterations: 5 });
		expect(title).toBe('Special Triggers');
		expect(warnings).toEqual([]);
		expect(chunk.promptTemplate).toContain('background of {{character_name}}:\n{{chunk}}');
		expect(chunk.promptTemplate).toContain('Imagine {{entries_per_iteration}} questions related to {{character_name}}.');
		expect(chunk.promptTemplate).not.toContain('{{.');
		expect(SheetChunkSchema.safeParse({ ...chunk, id: 'c1', title }).success).toBe(true);
	});

	it('tolerates CRLF, a BOM, extra blank lines and trailing whitespace', () => {
		const messy = '\uFEFF' + seedFile.replace(/\n----------\n/g, '\n\n\n----------   \n\n').replace(/\n/g, '  \r\n');
		const clean = parsedOk(seedFile).chunk;
		const { chunk } = parsedOk(messy);
		expect(chunk.settings).toEqual(clean.settings);
		expect(chunk.document.replace(/[ \t]+$/gm, '')).toBe(clean.document);
		expect(chunk.promptTemplate.replace(/[ \t]+$/gm, '')).toBe(clean.promptTemplate);
		expect(chunk.context.replace(/[ \t]+$/gm, '')).toBe(clean.context);
	});

	it('names the missing parts', () => {
		const twoParts = 'context\n----------\ndocument';
		const result = parseSeed003(twoParts);
		expect(result).toMatchObject({ ok: false, part: 'file' });
		if (!result.ok) expect(result.message).toMatch(/found 2 parts.*missing: settings, prompt template/);
		expect(parseSeed003('')).toMatchObject({ ok: false, part: 'file' });
	});

	it('rejects invalid settings JSON, naming the settings part', () => {
		const bad = seedFile.replace('{"nb_dataset_entries": 20, "nb_iterations": 5}', '{"nb_dataset_entries": 20, nb_iterations: 5}');
		const result = parseSeed003(bad);
		expect(result).toMatchObject({ ok: false, part: 'settings' });
		if (!result.ok) expect(result.message).toMatch(/^settings: invalid JSON/);
	});

	it.each([
		['{"nb_dataset_entries": 2.5, "nb_iterations": 5}', /"nb_dataset_entries" must be a whole number, got 2.5/],
		['{"nb_dataset_entries": "20", "nb_iterations": 5}', /"nb_dataset_entries" must be a whole number, got "20"/],
		['{"nb_dataset_entries": 20}', /"nb_iterations" is missing/],
		['{"nb_dataset_entries": 20, "nb_iterations": 0}', /"nb_iterations" must be between 1 and 100/],
		['[20, 5]', /expected a JSON object/],
		['', /the part is empty/]
	])('rejects settings %s', (settings, message) => {
		const result = parseSeed003(seedFile.replace('{"nb_dataset_entries": 20, "nb_iterations": 5}', settings));
		expect(result).toMatchObject({ ok: false, part: 'settings' });
		if (!result.ok) expect(result.message).toMatch(message);
	});

	it('warns about unknown settings keys but keeps going', () => {
		const { warnings } = parsedOk(seedFile.replace('"nb_iterations": 5}', '"nb_iterations": 5, "temperature": 0.7}'));
		expect(warnings).toEqual(['settings: ignored unknown key "temperature"']);
	});

	it('reports unknown Go variables instead of keeping them', () => {
		const result = parseSeed003(seedFile.replace('{{.Chunk}}', '{{.Chunk}} {{.Mood}} {{ .Weather }}'));
		expect(result).toMatchObject({ ok: false, part: 'prompt template' });
		if (!result.ok) expect(result.message).toMatch(/unknown variables \{\{\.Mood\}\}, \{\{\.Weather\}\}/);
	});

	it('rejects Go actions it cannot translate', () => {
		const result = parseSeed003(seedFile.replace('{{.Chunk}}', '{{if .Chunk}}{{.Chunk}}{{end}}'));
		expect(result).toMatchObject({ ok: false, part: 'prompt template' });
		if (!result.ok) expect(result.message).toMatch(/unsupported template actions \{\{if \.Chunk\}\}, \{\{end\}\}/);
	});

	it('rejects empty document and template parts', () => {
		expect(parseSeed003('ctx\n----------\n\n----------\n{"nb_dataset_entries": 1, "nb_iterations": 1}\n----------\nx')).toMatchObject({ ok: false, part: 'document' });
		expect(parseSeed003('ctx\n----------\ndoc\n----------\n{"nb_dataset_entries": 1, "nb_iterations": 1}\n----------\n  \n')).toMatchObject({ ok: false, part: 'prompt template' });
	});

	it('keeps a separator line inside the document as text, with a warning', () => {
		const text = 'ctx\n----------\n## A\none\n----------\ntwo\n----------\n{"nb_dataset_entries": 3, "nb_iterations": 2}\n----------\nAbout {{.NameOfTheNPC}}: {{.Chunk}}';
		const { chunk, warnings } = parsedOk(text);
		expect(chunk.document).toBe('## A\none\n----------\ntwo');
		expect(chunk.promptTemplate).toBe('About {{character_name}}: {{chunk}}');
		expect(warnings[0]).toMatch(/1 extra ---------- line kept as text/);
	});

	it('warns when the template never uses the chunk', () => {
		const { warnings } = parsedOk('ctx\n----------\ndoc\n----------\n{"nb_dataset_entries": 1, "nb_iterations": 1}\n----------\nTalk about {{.NameOfTheNPC}}');
		expect(warnings).toEqual(['prompt template: does not use {{.Chunk}}, so the document never reaches the model']);
	});

	it('does not read a dash line that is not exactly ten dashes as a separator', () => {
		expect(parseSeed003('a\n---------\nb\n-----------\nc\n----------\nd')).toMatchObject({ ok: false, part: 'file' });
	});
});

describe('goTemplateToMustache', () => {
	it('maps the three fields, with Go whitespace trimming marks', () => {
		expect(goTemplateToMustache('{{- .NameOfTheNPC -}} / {{ .Chunk }} / {{.NbEntriesPerChunk}}')).toEqual({
			ok: true,
			template: '{{character_name}} / {{chunk}} / {{entries_per_iteration}}'
		});
	});
	it('does not treat Object.prototype names as known fields', () => {
		expect(goTemplateToMustache('{{.constructor}}').ok).toBe(false);
	});
});

describe('sheetChunkToSeed003', () => {
	it('round-trips the seed-style fixture', () => {
		const first = parsedOk(seedFile);
		const exported = sheetChunkToSeed003(first.chunk);
		if (!exported.ok) throw new Error(exported.message);
		expect(exported.warnings).toEqual([]);
		expect(exported.text).toContain('{{.NameOfTheNPC}}');
		expect(exported.text).toContain('\n----------\n{"nb_dataset_entries":20,"nb_iterations":5}\n----------\n');
		const again = parsedOk(exported.text);
		expect(again.chunk).toEqual(first.chunk);
		// And once normalised, the text itself is stable.
		const twice = sheetChunkToSeed003(again.chunk);
		expect(twice.ok && twice.text).toBe(exported.text);
	});

	it('refuses variables the seed program has no field for', () => {
		const result = sheetChunkToSeed003({ context: '', document: 'doc', settings: { entriesPerIteration: 1, iterations: 2 }, promptTemplate: '{{chunk}} {{#previous_prompts}}- {{.}}{{/previous_prompts}}' });
		expect(result).toMatchObject({ ok: false, part: 'prompt template' });
	});

	it('warns when a part holds a separator line', () => {
		const result = sheetChunkToSeed003({ context: '', document: 'a\n----------\nb', settings: { entriesPerIteration: 1, iterations: 2 }, promptTemplate: '{{chunk}}' });
		expect(result.ok && result.warnings).toEqual(['document: contains a ---------- line; Skein reads it back, the seed program would cut the file there']);
	});
});
