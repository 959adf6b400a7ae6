import { describe, expect, it } from 'vitest';
import { characterNameFromTitle, documentIntroduction, introductionFromContext, leadText, substituteNames } from './character-name';

describe('characterNameFromTitle', () => {
	it('takes the name from a sheet title, not the title verbatim', () => {
		expect(characterNameFromTitle('Brannoc Vell — The Ferryman of Greymouth')).toBe('Brannoc Vell');
		expect(characterNameFromTitle('Brannoc Vell - The Ferryman')).toBe('Brannoc Vell');
		expect(characterNameFromTitle('Wren Halloway: keeper of the Gull Rock light')).toBe('Wren Halloway');
		expect(characterNameFromTitle('Mara Quinn, lighthouse keeper')).toBe('Mara Quinn');
		expect(characterNameFromTitle('Queen Pédauque (the Goose-Footed Queen)')).toBe('Queen Pédauque');
		expect(characterNameFromTitle('**Queen Pédauque**')).toBe('Queen Pédauque');
		expect(characterNameFromTitle('Character sheet: Old Oar')).toBe('Old Oar');
		expect(characterNameFromTitle('Jean-Luc Picard')).toBe('Jean-Luc Picard');
	});
});

describe('substituteNames', () => {
	it('fills {{char}}, {{user}}, <BOT> and <USER> in any case with the chosen names', () => {
		const text = '{{user}} asks {{Char}} about the fog. <USER> waits; <bot> answers {{ USER }}.';
		expect(substituteNames(text, { char: 'Brannoc', user: 'Tamsin' })).toBe('Tamsin asks Brannoc about the fog. Tamsin waits; Brannoc answers Tamsin.');
		expect(substituteNames('Hello {{user}}', { char: 'B', user: '  ' })).toBe('Hello User');
		expect(substituteNames('{{chunk}} {{.Chunk}} {{users}}', { char: 'B', user: 'T' })).toBe('{{chunk}} {{.Chunk}} {{users}}');
	});
});

describe('introductions', () => {
	it('rewrites a seed context about the character', () => {
		const context = '# Queen Pédauque - Legendary Sorceress NPC System Instructions\nYou are Queen Pédauque, a legendary sorceress NPC in a fantasy role-playing game.';
		expect(introductionFromContext(context, 'Queen Pédauque')).toBe('Queen Pédauque is a legendary sorceress NPC in a fantasy role-playing game.');
		expect(introductionFromContext('You are Wren Halloway.', 'Wren Halloway')).toBe('');
		expect(introductionFromContext('You are Wren Halloway.\n\nExample opening message:\nThe lamp is lit.', 'Wren Halloway')).toBe('Example opening message:\nThe lamp is lit.');
	});

	it('takes a document title line and its first prose paragraph, shortened at a sentence', () => {
		const doc = '# Brannoc Vell — The Ferryman\n\nBrannoc rows the ferry across the Osk every day. He is fifty-three.\n\n## Profile\n- **Name**: Brannoc';
		expect(documentIntroduction(doc, 'Brannoc Vell')).toBe('Brannoc Vell — The Ferryman. Brannoc rows the ferry across the Osk every day. He is fifty-three.');
		expect(documentIntroduction('# Brannoc Vell\n\n- a list\n- only', 'Brannoc Vell')).toBe('');
		const long = 'The river is grey. '.repeat(60);
		expect(leadText(long, 100)).toMatch(/grey\.$/);
		expect(leadText(long, 100).length).toBeLessThanOrEqual(100);
	});
});
