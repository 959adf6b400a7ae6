import { describe, expect, it } from 'vitest';
import { fixtureText } from '../test-utils';
import { loadTokenizer } from '../analysis/tokenizer-loader';
import { checkTokenRange, estimateTokens, sizeSections } from './chunk-size';
import { documentSections, documentToSheet, splitDocument } from './split-document';

const brannoc = fixtureText('sheets/brannoc-vell.md');
const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

describe('sizeSections', () => {
	it('turns a 3,000-word sheet of 32 small ### sections into a few chunks of 500–1,500 real (Qwen) tokens', async () => {
		const count = await loadTokenizer('qwen3');
		expect(words(brannoc)).toBeGreaterThan(2800);
		// One chunk per heading, as before: many small chunks.
		const perHeading = splitDocument(brannoc);
		expect(perHeading.length).toBeGreaterThanOrEqual(32);
		expect(Math.max(...perHeading.map((section) => count(section.text)))).toBeLessThan(250);

		const sized = sizeSections(splitDocument(brannoc, { headingOnly: true, maxChunkChars: Number.MAX_SAFE_INTEGER }), { min: 500, max: 1500 }, count);
		expect(sized.length).toBeGreaterThanOrEqual(3);
		expect(sized.length).toBeLessThanOrEqual(8);
		for (const chunk of sized) {
			expect(chunk.tokens).toBe(count(chunk.text));
			expect(chunk.tokens).toBeLessThanOrEqual(1500);
			expect(chunk.tokens).toBeGreaterThanOrEqual(500);
		}
		// Nothing lost but whitespace, in order.
		const flat = (text: string) => text.replace(/\s+/g, ' ').trim();
		expect(flat(sized.map((chunk) => chunk.text).join('\n\n'))).toBe(flat(brannoc));
		// A "##" heading leads the sections under it, never dangles at the end of a chunk.
		for (const chunk of sized) expect(chunk.text.trimEnd()).not.toMatch(/\n#{1,2} [^\n]*$/);
		// Chunks break where the document's topics do.
		for (const chunk of sized.slice(1)) expect(chunk.text.startsWith('## ')).toBe(true);
		expect(sized.map((chunk) => chunk.title)).toEqual(['Brannoc Vell — The Ferryman of Greymouth · Profile', 'Appearance · Personality', 'History', 'Relationships · The Crossing', 'Knowledge of Greymouth · Quests and Secrets']);
	});

	it('merges small neighbours and names the chunk by the heading that leads it', () => {
		const sections = [
			{ title: 'Appearance', text: '## Appearance', headingOnly: true },
			{ title: 'Build', text: '### Build\n' + 'broad shoulders '.repeat(20) },
			{ title: 'Clothing', text: '### Clothing\n' + 'oilskin coat '.repeat(20) },
			{ title: 'Voice', text: '### Voice\n' + 'low voice '.repeat(20) }
		];
		const sized = sizeSections(sections, { min: 200, max: 400 });
		expect(sized).toHaveLength(1);
		expect(sized[0]).toMatchObject({ title: 'Appearance', merged: ['Appearance', 'Build', 'Clothing', 'Voice'] });
		// A heading with no text after it is no chunk.
		expect(sizeSections([{ title: 'Title only', text: '# Title only', headingOnly: true }])).toEqual([]);
		expect(sized[0].text.startsWith('## Appearance\n\n### Build\n')).toBe(true);
		// Without a leading heading the titles are listed, long lists shortened.
		expect(sizeSections(sections.slice(1), { min: 200, max: 400 })[0].title).toBe('Build · Clothing · Voice');
		const many = Array.from({ length: 5 }, (_, i) => ({ title: `S${i + 1}`, text: `### S${i + 1}\nshort` }));
		expect(sizeSections(many, { min: 200, max: 400 })[0].title).toBe('S1 … S5 (5 sections)');
	});

	it('stops merging at the maximum and leaves a chunk over the minimum alone', () => {
		const block = (title: string, tokens: number) => ({ title, text: `### ${title}\n${'word '.repeat(tokens * 0.8).trim()}` });
		const sized = sizeSections([block('A', 300), block('B', 300), block('C', 300), block('D', 300)], { min: 500, max: 800 });
		expect(sized.map((chunk) => chunk.merged)).toEqual([
			['A', 'B'],
			['C', 'D']
		]);
		for (const chunk of sized) expect(chunk.tokens).toBeLessThanOrEqual(800);
	});

	it('joins a short last chunk to the one before when both fit', () => {
		const sized = sizeSections(
			[
				{ title: 'A', text: 'a '.repeat(1100) },
				{ title: 'B', text: 'b '.repeat(100) }
			],
			{ min: 500, max: 1500 }
		);
		expect(sized).toHaveLength(1);
	});

	it('cuts a long section at paragraph boundaries into numbered parts under the maximum', () => {
		const paragraph = (n: number) => `Paragraph ${n}. ` + 'The ferry crosses the estuary at dawn. '.repeat(40);
		const text = '### The Crossing\n\n' + [1, 2, 3, 4, 5, 6].map(paragraph).join('\n\n');
		const sized = sizeSections([{ title: 'The Crossing', text }], { min: 500, max: 1000 });
		expect(sized.length).toBeGreaterThan(1);
		expect(sized[0].title).toMatch(/^The Crossing \(part 1 of \d\)/);
		for (const chunk of sized) {
			expect(chunk.tokens).toBeLessThanOrEqual(1000);
			expect(chunk.text).toMatch(/^(### The Crossing\n\n)?Paragraph \d/);
		}
		// A single paragraph longer than the maximum is cut at sentences.
		const long = sizeSections([{ title: 'One', text: 'The river is grey and slow. '.repeat(400) }], { min: 500, max: 1000 });
		expect(long.length).toBeGreaterThan(1);
		for (const chunk of long) expect(chunk.text).toMatch(/slow\.$/);
	});

	it('counts with an estimate when no tokenizer is given, and checks the range', () => {
		expect(estimateTokens('abcd'.repeat(100))).toBe(100);
		expect(checkTokenRange({ min: 500, max: 1500 })).toBeNull();
		expect(checkTokenRange({ min: 1500, max: 500 })).toMatch(/minimum is above the maximum/);
		expect(checkTokenRange({ min: 10, max: 500 })).toMatch(/from 50 to 8000/);
		expect(checkTokenRange({ min: 500.5, max: 900 })).toMatch(/whole numbers/);
	});
});

describe('documentToSheet with token-sized chunks', () => {
	it('names the character from the H1 title, keeps an introduction, and makes a few chunks', () => {
		const sheet = documentToSheet(brannoc, { characterName: 'Brannoc Vell' });
		expect(sheet.chunks.length).toBeLessThanOrEqual(8);
		expect(sheet.introduction).toMatch(/^Brannoc Vell — The Ferryman of Greymouth\. Brannoc Vell is the ferryman of Greymouth/);
		expect(sheet.chunks[0].settings).toEqual({ entriesPerIteration: 5, iterations: 5 });
		// tokenRange null keeps one chunk per heading.
		expect(documentSections(brannoc, { tokenRange: null }).length).toBeGreaterThanOrEqual(32);
	});
});
