import { describe, expect, it } from 'vitest';
import { hashMessages } from '../hash';
import { applySpeakerMapping, findCharacter, suggestSpeakerMapping, type Character } from './characters';
import { makeEntry, msg, roleplayEntries } from './test-fixtures';

const entries = roleplayEntries();

describe('suggestSpeakerMapping', () => {
	it('suggests user for the speaker who opens, assistant for the one who answers', () => {
		const suggestions = suggestSpeakerMapping(entries);
		const byName = Object.fromEntries(suggestions.map((s) => [`${s.kind}:${s.speaker}`, s]));
		expect(byName['role:Mara']).toMatchObject({ messages: 3, entries: 2, opens: 2, suggestedRole: 'user', confidence: 1 });
		expect(byName['role:Aria']).toMatchObject({ messages: 3, entries: 2, opens: 0, suggestedRole: 'assistant', confidence: 1 });
		expect(byName['role:Aria'].reason).toBe('answers in 2 of 2 conversations');
		expect(byName['name:Mara']).toMatchObject({ messages: 2, entries: 1, suggestedRole: 'user', reason: 'already speaks as user' });
		expect(suggestions.some((s) => s.speaker === 'user' || s.speaker === 'system')).toBe(false);
	});

	it('weighs mixed evidence and group chats', () => {
		const group = [
			makeEntry('g1', [msg('system', 'Tavern.'), msg('Bram', 'Ale!'), msg('Aria', 'No.'), msg('Narrator', 'The door creaks.')]),
			makeEntry('g2', [msg('Aria', 'Again?'), msg('Bram', 'Ale!')]),
			makeEntry('g3', [msg('assistant', 'I am Aria.'), msg('Bram', 'Hi.')])
		];
		const suggestions = suggestSpeakerMapping(group);
		const bram = suggestions.find((s) => s.speaker === 'Bram');
		// Opens g1 (user), answers Aria in g2 (assistant), answers the assistant in g3 (user).
		expect(bram).toMatchObject({ suggestedRole: 'user', opens: 1 });
		expect(bram?.confidence).toBeCloseTo(2 / 3);
		expect(suggestions.find((s) => s.speaker === 'Narrator')?.suggestedRole).toBe('assistant');
	});
});

describe('applySpeakerMapping', () => {
	it('maps roles and keeps the speaker as the message name', () => {
		const tavern = entries[2];
		const { entry, changed } = applySpeakerMapping(tavern, { Mara: { role: 'user' }, Aria: { role: 'assistant', character: 'Aria Voss' } });
		expect(changed).toBe(true);
		expect(entry.messages.map((m) => [m.role, m.name])).toEqual([
			['user', 'Mara'],
			['assistant', 'Aria'],
			['user', 'Mara'],
			['assistant', 'Aria']
		]);
		expect(entry.characters).toEqual({ Aria: 'Aria Voss' });
		expect(entry.hash).toBe(hashMessages(entry.messages));
		expect(tavern.messages[0].role).toBe('Mara');
	});

	it('leaves unmapped entries alone and ignores inherited keys', () => {
		expect(applySpeakerMapping(entries[0], { Mara: { role: 'user' } }).entry).toBe(entries[0]);
		expect(applySpeakerMapping(entries[2], {}).changed).toBe(false);
		const weird = makeEntry('w', [msg('constructor', 'hi'), msg('toString', 'yo')]);
		expect(applySpeakerMapping(weird, new Map([['toString', { role: 'assistant' as const }]])).entry.messages.map((m) => m.role)).toEqual(['constructor', 'assistant']);
		expect(applySpeakerMapping(weird, {}).changed).toBe(false);
	});
});

describe('findCharacter', () => {
	it('matches names and aliases loosely', () => {
		const cast: Character[] = [{ id: 'c1', name: 'Aria Voss', description: 'Navigator of the Meridian', aliases: ['Aria', 'ARIA-7'] }];
		expect(findCharacter(cast, ' aria ')?.id).toBe('c1');
		expect(findCharacter(cast, 'aria-7')?.id).toBe('c1');
		expect(findCharacter(cast, 'Mara')).toBeUndefined();
	});
});
