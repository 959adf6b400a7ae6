import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_OTHER_IDENTITIES, DEFAULT_OTHER_MAKERS, identitySystemPrompt } from './identity-document';
import { importedIdentityDocument, parseIdentityFile, type ImportedIdentity } from './identity-import';
import { IdentityDocumentSchema } from './sources';

const fixture = (name: string) => readFileSync(new URL(`../../../../tests/fixtures/identity/${name}`, import.meta.url), 'utf8');

function ok(result: ReturnType<typeof parseIdentityFile>): ImportedIdentity {
	if (!result.ok) throw new Error(result.error);
	return result.identity;
}

describe('parseIdentityFile: Markdown', () => {
	it('reads a heading per field, lists of identities to deny, and subheadings inside the narrative', () => {
		const identity = ok(parseIdentityFile('tidewatch.md', fixture('tidewatch.md')));
		expect(identity.format).toBe('markdown');
		expect(identity.fields.name).toBe('Tidewatch');
		expect(identity.fields.iAm).toBe('I am Tidewatch, the harbour-master assistant of Port Elin.');
		expect(identity.fields.maker).toBe("I was built in 2026 by the Port Elin harbour office, with help from the Lowmarsh pilots' guild.");
		expect(identity.fields.purpose).toMatch(/^I answer questions about tides, berths/);
		expect(identity.fields.voice).toMatch(/^Brisk and plain\./);
		expect(identity.fields.values).toMatch(/^Accuracy before speed\./);
		expect(identity.fields.calibration).toMatch(/forecast and when it is a measurement/);
		expect(identity.fields.notThis).toMatch(/^I am not a general chatbot/);
		expect(identity.fields.narrative).toMatch(/^### Early years\n\nThe harbour office first used me/);
		expect(identity.fields.narrative).toContain('### Now\n\nSkippers ask me about the bar');
		expect(identity.lists).toEqual({ otherIdentities: ['GPT-4', 'ChatGPT', 'Claude', 'Llama'], otherMakers: ['OpenAI', 'Anthropic', 'Meta', 'xAI'] });
		expect(identity.warnings).toEqual([]);
	});

	it('accepts heading variants and a title heading as the name', () => {
		const text = "# Harbour Light\nI am Harbour Light.\n\n## Who made me\nThe Lowmarsh guild.\n\n## What I'm for\nBerths.\n\n## Tone\nPlain.\n\n## What I'm not\nNot a pilot.\n\n## Story\nI began in 2024.";
		const identity = ok(parseIdentityFile('light.md', text));
		expect(identity.fields).toEqual({ name: 'Harbour Light', iAm: 'I am Harbour Light.', maker: 'The Lowmarsh guild.', purpose: 'Berths.', voice: 'Plain.', notThis: 'Not a pilot.', narrative: 'I began in 2024.' });
	});

	it('keeps an unknown section in the narrative under its heading, and says on which line', () => {
		const identity = ok(parseIdentityFile('x.md', '# Name\nTidewatch\n\n## Narrative\nI read tides.\n\n## Favourite ships\nThe Margit.'));
		expect(identity.fields.narrative).toBe('I read tides.\n\n# Favourite ships\n\nThe Margit.');
		expect(identity.warnings).toEqual(['Line 7: "Favourite ships" is not an identity field; it was added to the narrative under its heading.']);
	});

	it('says so when no heading names a field', () => {
		const result = parseIdentityFile('notes.md', '## Shopping\n- rope\n\n## Todo\n- paint');
		expect(result).toEqual({ ok: false, error: expect.stringContaining('No heading names an identity field') });
	});

	it('does not read headings inside a code fence', () => {
		const identity = ok(parseIdentityFile('x.md', '# Name\nTidewatch\n\n## Narrative\nA sample:\n```\n## Maker\nnot a heading\n```'));
		expect(identity.fields.maker).toBeUndefined();
		expect(identity.fields.narrative).toContain('## Maker\nnot a heading');
	});
});

describe('parseIdentityFile: JSON', () => {
	it("reads the document's fields by their names and common variants", () => {
		const identity = ok(parseIdentityFile('tidewatch.json', fixture('tidewatch.json')));
		expect(identity.format).toBe('json');
		expect(identity.fields).toMatchObject({ name: 'Tidewatch', maker: 'I was built in 2026 by the Port Elin harbour office.', notThis: 'I am not a general chatbot.' });
		expect(identity.lists).toEqual({ otherIdentities: ['GPT-4', 'Claude'], otherMakers: ['OpenAI', 'Anthropic'] });
		// A stored document's id and timestamps are not fields, and not worth a warning.
		expect(identity.warnings).toEqual([]);
	});

	it('says where the JSON breaks, by line and column', () => {
		const result = parseIdentityFile('bad.json', '{\n  "name": "Tidewatch",\n  "maker": "Port Elin" \n  "voice": "plain"\n}');
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.error).toBe("The JSON does not parse at line 4, column 3: Expected ',' or '}' after property value.");
	});

	it('names the key whose value has the wrong type, with its line', () => {
		expect(parseIdentityFile('bad.json', '{\n  "name": "Tidewatch",\n  "voice": 7\n}')).toEqual({ ok: false, error: '"voice" (line 3) must be text, not a number.' });
		expect(parseIdentityFile('bad.json', '{"name": "T", "otherMakers": [1, 2]}')).toEqual({ ok: false, error: '"otherMakers" (line 1) must be a list of names (text), such as ["GPT-4", "Claude"].' });
		expect(parseIdentityFile('bad.json', '[1, 2]')).toEqual({ ok: false, error: expect.stringContaining('a list of 2 items') });
		expect(parseIdentityFile('bad.json', '"Tidewatch"')).toEqual({ ok: false, error: expect.stringContaining('The JSON is not an object') });
		expect(parseIdentityFile('bad.json', '{"colour": "blue"}')).toEqual({ ok: false, error: expect.stringContaining('none of the identity fields') });
	});

	it('warns about keys that are not fields', () => {
		const identity = ok(parseIdentityFile('t.json', '{"name": "Tidewatch", "colour": "blue", "narrative": "I read tides."}'));
		expect(identity.warnings).toEqual(['Not an identity field, left out: "colour".']);
	});
});

describe('parseIdentityFile: text and bad files', () => {
	it('takes plain text as the narrative and the name from the file name', () => {
		const identity = ok(parseIdentityFile('harbour-light.txt', 'I began in 2024 at the Lowmarsh pier.\n\nI read tides.'));
		expect(identity.fields).toEqual({ name: 'harbour light', narrative: 'I began in 2024 at the Lowmarsh pier.\n\nI read tides.' });
		expect(identity.warnings[0]).toMatch(/^Plain text/);
	});

	it('refuses an empty or binary file, naming it', () => {
		expect(parseIdentityFile('empty.md', '  \n')).toEqual({ ok: false, error: 'empty.md is empty.' });
		expect(parseIdentityFile('a.md', 'PK\u0003\u0004\u0000\u0000')).toEqual({ ok: false, error: expect.stringContaining('a.md is not text') });
	});
});

describe('importedIdentityDocument', () => {
	it('makes a new, valid document with the imported fields', () => {
		const doc = importedIdentityDocument(ok(parseIdentityFile('tidewatch.md', fixture('tidewatch.md'))), 1_764_800_000_000, 'identity-import-1');
		expect(IdentityDocumentSchema.parse(doc)).toEqual(doc);
		expect(doc).toMatchObject({ id: 'identity-import-1', name: 'Tidewatch', otherMakers: ['OpenAI', 'Anthropic', 'Meta', 'xAI'], createdAt: 1_764_800_000_000 });
		expect(identitySystemPrompt(doc)).toContain('## Who made you\nI was built in 2026 by the Port Elin harbour office');
		expect(identitySystemPrompt(doc)).toContain('## Your purpose\nI answer questions about tides');
	});

	it('fills what the file leaves out with the defaults of a new document', () => {
		const doc = importedIdentityDocument(ok(parseIdentityFile('harbour-light.txt', 'I read tides.')), 5, 'identity-5');
		expect(doc).toMatchObject({ name: 'harbour light', iAm: 'I am harbour light.', narrative: 'I read tides.', otherIdentities: DEFAULT_OTHER_IDENTITIES, otherMakers: DEFAULT_OTHER_MAKERS });
	});
});
