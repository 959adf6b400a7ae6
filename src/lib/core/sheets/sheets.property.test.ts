import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixtureBytes, fixtureText } from '../test-utils';
import { cardToSheet } from './card-to-sheet';
import { renderChunkPrompt } from './prompt';
import { parseSeed003, sheetChunkToSeed003 } from './seed003';
import { splitDocument } from './split-document';

const seedFile = fixtureText('sheets/04.special-triggers.md');
const pieces = fc.constantFrom('----------', '\r\n', '\n', '{{.Chunk}}', '{{.X}}', '{{', '}}', '#', '## T', '===', '---', '```', '{"nb_dataset_entries": 2, "nb_iterations": 1}', ' ', 'text');
const markdownish = fc.array(fc.oneof(pieces, fc.string()), { maxLength: 40 }).map((parts) => parts.join(''));

describe('parsers never throw', () => {
	it('parseSeed003 and splitDocument on arbitrary text', () => {
		fc.assert(
			fc.property(fc.oneof(markdownish, fc.string({ unit: 'grapheme' }), fc.string()), fc.integer({ min: -5, max: 5000 }), (text, max) => {
				const parsed = parseSeed003(text);
				if (parsed.ok) expect(parsed.chunk.settings.entriesPerIteration).toBeGreaterThanOrEqual(1);
				else expect(parsed.message.startsWith(`${parsed.part}: `)).toBe(true);
				const sections = splitDocument(text, { maxChunkChars: max });
				for (const s of sections) expect(s.text.trim()).not.toBe('');
			}),
			{ numRuns: 500 }
		);
	});

	it('parseSeed003 on mutations of a real chunk file', () => {
		fc.assert(
			fc.property(fc.nat(seedFile.length), fc.nat(seedFile.length), fc.string(), (a, b, insert) => {
				const [from, to] = a < b ? [a, b] : [b, a];
				expect(() => parseSeed003(seedFile.slice(0, from) + insert + seedFile.slice(to))).not.toThrow();
			}),
			{ numRuns: 300 }
		);
	});

	it('cardToSheet on arbitrary JSON values and byte soup', () => {
		const cardLike = fc.record({ spec: fc.constantFrom('chara_card_v2', 'chara_card_v3', 'x'), data: fc.anything() }, { requiredKeys: [] });
		fc.assert(
			fc.property(fc.oneof(fc.anything(), fc.jsonValue(), cardLike), (value) => {
				const result = cardToSheet(value);
				if (result.ok) expect(result.sheet.sourceKind).toBe('card');
			}),
			{ numRuns: 500 }
		);
		const png = fixtureBytes('card-v3.png');
		fc.assert(
			fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(png.length), (bytes, cut) => {
				expect(() => cardToSheet(bytes)).not.toThrow();
				expect(() => cardToSheet(png.slice(0, cut))).not.toThrow();
			}),
			{ numRuns: 200 }
		);
	});

	it('renderChunkPrompt on arbitrary templates and text', () => {
		fc.assert(
			fc.property(markdownish, fc.string(), fc.array(fc.string(), { maxLength: 5 }), fc.integer({ min: -1, max: 4 }), (template, document, previous, iteration) => {
				const result = renderChunkPrompt({
					chunk: { id: 'c', title: 't', context: '', document, settings: { entriesPerIteration: 2, iterations: 3 }, promptTemplate: template },
					characterName: 'Q',
					iteration,
					previousPrompts: previous
				});
				if (result.ok && template.includes('{{chunk}}') && !template.includes('{{#') && !template.includes('{{^') && !template.includes('{{=')) expect(result.prompt).toContain(document.trimEnd());
			}),
			{ numRuns: 500 }
		);
	});
});

describe('seed 003 round trip', () => {
	it('export then parse gives the chunk back for tidy parts', () => {
		const tidyText = fc
			.array(fc.constantFrom('Queen', 'Pédauque', 'chocolatine', '-', '#', '\n', ' ', '"', '{', '}', '*'), { minLength: 1, maxLength: 30 })
			.map((parts) => parts.join('').replace(/^(?:[ \t]*\n)+/, '').trimEnd())
			.filter((text) => text !== '' && !text.split('\n').some((line) => /^[ \t]*-{10}[ \t]*$/.test(line)));
		const template = fc
			.array(fc.constantFrom('{{character_name}}', '{{chunk}}', '{{entries_per_iteration}}', 'Ask ', 'questions', '\n', ' - '), { minLength: 1, maxLength: 12 })
			.map((parts) => parts.join('').replace(/^(?:[ \t]*\n)+/, '').trimEnd())
			.filter((text) => text !== '');
		fc.assert(
			fc.property(fc.oneof(fc.constant(''), tidyText), tidyText, fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 100 }), template, (context, document, entries, iterations, promptTemplate) => {
				const chunk = { context, document, settings: { entriesPerIteration: entries, iterations }, promptTemplate };
				const exported = sheetChunkToSeed003(chunk);
				if (!exported.ok) throw new Error(exported.message);
				const parsed = parseSeed003(exported.text);
				if (!parsed.ok) throw new Error(parsed.message);
				expect(parsed.chunk).toEqual(chunk);
			}),
			{ numRuns: 300 }
		);
	});
});
