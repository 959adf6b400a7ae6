import { describe, expect, it } from 'vitest';
import { fixtureText } from '../test-utils';
import { documentToSheet, splitDocument } from './split-document';
import { CharacterSheetSchema } from './sheet';
import { DEFAULT_PROMPT_TEMPLATE } from './prompt';

const document = fixtureText('sheets/character-sheet.md');

describe('splitDocument', () => {
	it('splits by #..### and setext headings, keeping the intro and skipping empty title sections', () => {
		const sections = splitDocument(document);
		expect(sections.map((s) => s.title)).toEqual(['Introduction', 'Character Profile', 'Physical Appearance', 'Clothing and Accessories', 'Magic Powers', 'History']);
		expect(sections[0].text).toMatch(/^Queen Pédauque is a legendary sorceress/);
		expect(sections[1].text.startsWith('## Character Profile\n\n- **Name**')).toBe(true);
		// The "# not a heading" line is inside a code fence.
		expect(sections[4].text).toContain('# not a heading');
		expect(sections[4].text).toContain('Weather of the Oven');
		expect(sections[5].text).toBe('History\n=======\n\nShe invented the chocolatine during the long winter of the year 1212.');
	});

	it('leaves deeper headings inside their section', () => {
		const sections = splitDocument('## A\ntext\n#### Detail\nmore');
		expect(sections).toEqual([{ title: 'A', text: '## A\ntext\n#### Detail\nmore' }]);
		expect(splitDocument('# A\nx\n## B\ny', { maxHeadingLevel: 1 }).map((s) => s.title)).toEqual(['A']);
	});

	it('has no intro chunk when nothing precedes the first heading, and handles plain text', () => {
		expect(splitDocument('\n\n## Only\nbody').map((s) => s.title)).toEqual(['Only']);
		expect(splitDocument('Just a paragraph about Bram.')).toEqual([{ title: 'Introduction', text: 'Just a paragraph about Bram.' }]);
		expect(splitDocument('   \n\n')).toEqual([]);
	});

	it('handles CRLF and closing hashes, and names untitled headings', () => {
		expect(splitDocument('## Powers ##\r\nfire\r\n##\r\nice').map((s) => s.title)).toEqual(['Powers', 'Section 1']);
	});

	it('does not take a list item or a rule after a paragraph for a setext heading', () => {
		expect(splitDocument('intro line one\nline two\n---\nafter').length).toBe(1);
		expect(splitDocument('\n- item\n---\nafter').length).toBe(1);
	});

	it('cuts long sections at paragraph boundaries, numbering the parts', () => {
		const paragraph = (n: number) => `Paragraph ${n} ` + 'word '.repeat(30).trim();
		const text = '## Long\n\n' + [1, 2, 3, 4, 5].map(paragraph).join('\n\n');
		const sections = splitDocument(text, { maxChunkChars: 400 });
		expect(sections.length).toBeGreaterThan(1);
		expect(sections.every((s) => s.text.length <= 400)).toBe(true);
		expect(sections[0].title).toBe(`Long (part 1 of ${sections.length})`);
		expect(sections.every((s) => /^(## Long\n\n)?Paragraph \d/.test(s.text))).toBe(true);
		// Nothing lost but whitespace.
		expect(sections.map((s) => s.text).join(' ').replace(/\s+/g, ' ')).toBe(text.replace(/\s+/g, ' '));
	});

	it('hard-cuts a single huge unbroken paragraph', () => {
		const sections = splitDocument('x'.repeat(1000), { maxChunkChars: 100 });
		expect(sections).toHaveLength(10);
		expect(sections.every((s) => s.text.length === 100)).toBe(true);
	});
});

describe('documentToSheet', () => {
	it('builds a valid sheet, sized to 500–1,500 tokens by default (this small sheet is one chunk), with an introduction', () => {
		let n = 0;
		const sheet = documentToSheet(document, { characterName: ' Queen Pédauque ', newId: () => `id${++n}`, now: () => new Date('2025-10-26T10:00:00Z') });
		expect(CharacterSheetSchema.parse(sheet)).toEqual(sheet);
		expect(sheet.chunks).toHaveLength(1);
		expect(sheet.chunks[0]).toMatchObject({ context: 'You are Queen Pédauque.', settings: { entriesPerIteration: 5, iterations: 5 }, promptTemplate: DEFAULT_PROMPT_TEMPLATE });
		expect(sheet.introduction).toMatch(/^Queen Pédauque is a legendary sorceress/);
	});

	it('builds a valid sheet with one chunk per section when asked (tokenRange null)', () => {
		let n = 0;
		const sheet = documentToSheet(document, { characterName: ' Queen Pédauque ', tokenRange: null, settings: { entriesPerIteration: 20, iterations: 5 }, newId: () => `id${++n}`, now: () => new Date('2025-10-26T10:00:00Z') });
		expect(CharacterSheetSchema.parse(sheet)).toEqual(sheet);
		expect(sheet).toMatchObject({ name: 'Queen Pédauque', sourceKind: 'document', createdAt: '2025-10-26T10:00:00.000Z', id: 'id7' });
		expect(sheet.chunks).toHaveLength(6);
		expect(sheet.chunks[0]).toMatchObject({ id: 'id1', context: 'You are Queen Pédauque.', settings: { entriesPerIteration: 20, iterations: 5 }, promptTemplate: DEFAULT_PROMPT_TEMPLATE });
		expect(sheet.card).toBeUndefined();
	});
});
