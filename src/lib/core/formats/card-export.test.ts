import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeBase64Utf8, findCardChunk, readPngTextChunks } from '../import/png-card';
import { cardFileName, exportCard } from './card-export';

const v2Card = JSON.parse(readFileSync('tests/fixtures/sheets/card-v2-with-book.json', 'utf8'));
const v3Card = (() => {
	const chunk = findCardChunk(readPngTextChunks(new Uint8Array(readFileSync('tests/fixtures/card-v3.png'))) ?? []);
	return JSON.parse(decodeBase64Utf8(chunk?.text ?? '') ?? 'null');
})();

describe('exportCard', () => {
	it('gives a V2 card back as it was kept, and as V3 with only the spec and V3’s required greetings added', () => {
		const same = exportCard(v2Card, 'v2');
		expect(same.ok && same.card).toBe(v2Card);
		const v3 = exportCard(v2Card, 'v3');
		if (!v3.ok) throw new Error(v3.error);
		expect(v3.card).toMatchObject({ spec: 'chara_card_v3', spec_version: '3.0' });
		const data = v3.card.data as Record<string, unknown>;
		expect(data.character_book).toStrictEqual(v2Card.data.character_book);
		expect(data.extensions).toStrictEqual(v2Card.data.extensions);
		expect(data.group_only_greetings).toEqual([]);
		const { group_only_greetings, ...rest } = data;
		void group_only_greetings;
		expect(rest).toStrictEqual(v2Card.data);
		// The kept card is not changed by the export.
		expect(v2Card.spec).toBe('chara_card_v2');
		expect(v2Card.data.group_only_greetings).toBeUndefined();
	});

	it('gives a V3 card (read from a PNG) as V2 with every field of its data kept', () => {
		expect(v3Card.spec).toBe('chara_card_v3');
		const v2 = exportCard(v3Card, 'v2');
		if (!v2.ok) throw new Error(v2.error);
		expect(v2.card).toMatchObject({ spec: 'chara_card_v2', spec_version: '2.0' });
		expect(v2.card.data).toStrictEqual(v3Card.data);
		expect(exportCard(v3Card, 'v3')).toMatchObject({ ok: true, card: v3Card });
	});

	it('writes a V1 card’s six fields into data with V2’s empty defaults, keeping the top-level fields', () => {
		const v1 = { name: 'Ines', description: 'A ferry pilot.', personality: 'dry', scenario: 'The last crossing.', first_mes: 'Tickets?', mes_example: '<START>' };
		const out = exportCard(v1, 'v2');
		if (!out.ok) throw new Error(out.error);
		expect(out.card).toMatchObject({ ...v1, spec: 'chara_card_v2', spec_version: '2.0' });
		expect(out.card.data).toStrictEqual({ ...v1, creator_notes: '', system_prompt: '', post_history_instructions: '', alternate_greetings: [], tags: [], creator: '', character_version: '', extensions: {} });
		expect(out.name).toBe('Ines');
	});

	it('says why when the sheet kept no card, or something that is not one', () => {
		expect(exportCard(undefined, 'v2')).toEqual({ ok: false, error: 'This sheet keeps no character card (it was not made from one).' });
		expect(exportCard({ title: 'notes' }, 'v3')).toEqual({ ok: false, error: 'The kept card is not a V1, V2 or V3 character card.' });
	});

	it('names the file after the character, safely', () => {
		expect(cardFileName('Bram: the "Keeper"/North', 'v3')).toBe('Bram the Keeper North.card-v3.json');
		expect(cardFileName('  ', 'png')).toBe('character.png');
	});
});
