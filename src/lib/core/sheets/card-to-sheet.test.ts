import { describe, expect, it } from 'vitest';
import { fixtureBytes, fixtureText } from '../test-utils';
import { cardObjectToSheet, cardToSheet, pngCardToSheet, substituteCardMacros } from './card-to-sheet';
import { CharacterSheetSchema } from './sheet';

const cardText = fixtureText('sheets/card-v2-with-book.json');
const ids = () => {
	let n = 0;
	return { newId: () => `id${++n}`, now: () => new Date('2025-01-01T00:00:00Z') };
};

describe('cardObjectToSheet', () => {
	it('turns prose fields and enabled lorebook entries into chunks', () => {
		const card: unknown = JSON.parse(cardText);
		const result = cardObjectToSheet(card, ids());
		if (!result.ok) throw new Error(result.error);
		const { sheet, spec, warnings } = result;
		expect(spec).toBe('chara_card_v2');
		expect(CharacterSheetSchema.safeParse(sheet).success).toBe(true);
		expect(sheet.name).toBe('Bram the Lighthouse Keeper');
		expect(sheet.chunks.map((c) => c.title)).toEqual(['Description', 'Personality', 'Scenario', 'System prompt', 'Lore: The lamp', 'Lore: The great storm', 'Lore: gull, Pip']);
		expect(warnings).toEqual(['character_book: 1 disabled entry left out']);
		expect(sheet.chunks.map((c) => c.document).join('\n')).not.toContain('smugglers');
		expect(sheet.chunks[0].document).toBe('Bram the Lighthouse Keeper has kept the Greyhaven lighthouse for forty years. He distrusts ships from the south.');
		expect(sheet.chunks[2].document).toBe("{{user}} is shipwrecked near Greyhaven and knocks on Bram the Lighthouse Keeper's door at midnight.");
		expect(sheet.chunks[6].document).toBe('Pip is a one-legged gull that {{user}} will see on the railing.');
	});

	it('keeps greeting and example dialogues in the context, and creator notes nowhere', () => {
		const result = cardObjectToSheet(JSON.parse(cardText), ids());
		if (!result.ok) throw new Error(result.error);
		const context = result.sheet.chunks[0].context;
		expect(context).toBe(
			'You are Bram the Lighthouse Keeper.\n\nExample opening message:\n*Bram the Lighthouse Keeper opens the door a crack.* Who goes there, at this hour?\n\nExample dialogues:\n<START>\n{{user}}: Do you live here alone?\nBram the Lighthouse Keeper: Alone with the lamp, and the lamp is enough.'
		);
		expect(result.sheet.chunks.every((c) => c.context === context)).toBe(true);
		expect(JSON.stringify(result.sheet.chunks)).not.toContain('Never put these notes');
	});

	it('keeps the original card object whole and unmodified', () => {
		const card: unknown = JSON.parse(cardText);
		const before = structuredClone(card);
		const result = cardObjectToSheet(card, ids());
		if (!result.ok) throw new Error(result.error);
		expect(result.sheet.card).toBe(card);
		expect(card).toEqual(before);
		expect(JSON.stringify(result.sheet.card)).toContain('x_unknown_app');
	});

	it('uses the V3 nickname for {{char}}', () => {
		const card = { spec: 'chara_card_v3', spec_version: '3.0', data: { name: 'Aurélie Dubois', nickname: 'Lili', description: '{{CHAR}} smiles at <user>.', personality: '', scenario: '', first_mes: '', mes_example: '', extensions: {} } };
		const result = cardObjectToSheet(card, ids());
		expect(result.ok && result.sheet.name).toBe('Lili');
		expect(result.ok && result.sheet.chunks.map((c) => c.document)).toEqual(['Lili smiles at {{user}}.']);
	});

	it('reads V1 cards from the top level', () => {
		const v1 = { name: 'Tom', description: 'A cat.', personality: 'lazy', scenario: '', first_mes: 'Mrow.', mes_example: '' };
		const result = cardObjectToSheet(v1, ids());
		expect(result.ok && result.spec).toBe('chara_card_v1');
		expect(result.ok && result.sheet.chunks.map((c) => c.title)).toEqual(['Description', 'Personality']);
	});

	it('rejects what is not a card, and warns on empty or odd ones', () => {
		expect(cardObjectToSheet(null)).toEqual({ ok: false, error: 'not a character card: expected a JSON object' });
		expect(cardObjectToSheet({ messages: [] }).ok).toBe(false);
		const empty = cardObjectToSheet({ spec: 'chara_card_v2', data: { name: 'X', character_book: { entries: 'nope' } } }, ids());
		expect(empty.ok && empty.warnings).toEqual([
			'character_book: no "entries" array; lorebook skipped',
			'card: no description, personality, scenario, system prompt or lorebook text; the sheet has no chunks'
		]);
	});
});

describe('pngCardToSheet', () => {
	it('reads the ccv3 chunk of a PNG card', () => {
		const result = cardToSheet(fixtureBytes('card-v3.png'), ids());
		if (!result.ok) throw new Error(result.error);
		expect(result.spec).toBe('chara_card_v3');
		expect(result.sheet.sourceKind).toBe('card');
		expect(result.sheet.card).toMatchObject({ spec: 'chara_card_v3' });
	});

	it('explains failures', () => {
		expect(pngCardToSheet(new Uint8Array([1, 2, 3]))).toEqual({ ok: false, error: 'not a PNG file' });
		const bytes = fixtureBytes('card-v3.png');
		const plain = new Uint8Array([...bytes.slice(0, 8 + 8 + 13 + 4), ...bytes.slice(bytes.length - 12)]);
		expect(pngCardToSheet(plain)).toMatchObject({ ok: false, error: expect.stringMatching(/no character card/) });
	});
});

describe('substituteCardMacros', () => {
	it('is case-insensitive and leaves {{user}} as a placeholder', () => {
		expect(substituteCardMacros('{{Char}} <BOT> {{ user }} <User> {{random:a,b}}', 'Bram')).toBe('Bram Bram {{user}} {{user}} {{random:a,b}}');
	});
	it('inserts a name containing $ patterns literally', () => {
		expect(substituteCardMacros('{{char}}', "$& $1 $'")).toBe("$& $1 $'");
	});
});
