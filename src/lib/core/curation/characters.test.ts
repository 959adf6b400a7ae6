import { describe, expect, it } from 'vitest';
import { hashMessages } from '../hash';
import { applySpeakerMapping, findCharacter, suggestSpeakerMapping, type Character } from './characters';
import { makeEntry, msg, roleplayEntries } from './test-fixtures';
import type { Entry } from '../model';

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
		// Issue 18: after Aria (assistant) the narrator as assistant made two assistant turns in a row.
		expect(suggestions.find((s) => s.speaker === 'Narrator')).toMatchObject({ suggestedRole: 'system', narration: true });
	});
});

/** A SillyTavern-style log: Tom and Aria take turns and a narrator describes the scene between them. */
function tavernLog(id: string, narrator = 'Narrator', rounds = 3): Entry {
	const messages = [msg('system', 'A roleplay in the Lantern tavern.')];
	for (let i = 0; i < rounds; i++) {
		messages.push(msg('Tom', `Round ${i}: another ale, please.`));
		messages.push(msg('Aria', `Round ${i}: coming right up, Tom.`));
		messages.push(msg(narrator, `*Rain drums on the shutters (${i}).*`));
	}
	return makeEntry(id, messages);
}

/** Checks the suggestion keeps user/assistant alternating in every entry. */
function alternates(entries: Entry[], suggestions: ReturnType<typeof suggestSpeakerMapping>): boolean {
	const role = new Map(suggestions.filter((s) => s.kind === 'role').map((s) => [s.speaker, s.suggestedRole]));
	return entries.every((entry) => {
		const chain = entry.messages.map((m) => role.get(m.role) ?? m.role).filter((r) => r === 'user' || r === 'assistant');
		return chain.every((r, i) => i === 0 || r !== chain[i - 1]);
	});
}

describe('suggestSpeakerMapping with a narrator', () => {
	it('proposes the narrator as narration (system) and keeps user/assistant alternating', () => {
		const log = [tavernLog('t1'), tavernLog('t2'), tavernLog('t3', 'Narrator', 5)];
		const suggestions = suggestSpeakerMapping(log);
		const by = Object.fromEntries(suggestions.map((s) => [s.speaker, s]));
		expect(by.Tom).toMatchObject({ suggestedRole: 'user' });
		expect(by.Aria).toMatchObject({ suggestedRole: 'assistant' });
		expect(by.Narrator).toMatchObject({ suggestedRole: 'system', narration: true, messages: 11, entries: 3 });
		expect(by.Narrator.reason).toMatch(/between the others’ turns in 3 conversations/);
		expect(alternates(log, suggestions)).toBe(true);
	});

	it('a narrator with an ordinary name that speaks between the turns is not made a second assistant', () => {
		const log = [tavernLog('t1', 'Rain'), tavernLog('t2', 'Rain')];
		const suggestions = suggestSpeakerMapping(log);
		const rain = suggestions.find((s) => s.speaker === 'Rain');
		expect(rain?.suggestedRole).not.toBe('assistant');
		expect(rain).toMatchObject({ suggestedRole: 'system', narration: true });
		expect(alternates(log, suggestions)).toBe(true);
	});

	it('a narrator who opens the scene does not take the user role from the first speaker', () => {
		const log = [0, 1, 2].map((i) =>
			makeEntry(`o${i}`, [msg('Narrator', 'The tavern is quiet.'), msg('Tom', 'Hello?'), msg('Aria', 'Welcome.'), msg('Narrator', 'Thunder.'), msg('Tom', 'Ale.'), msg('Aria', 'Here.')])
		);
		const suggestions = suggestSpeakerMapping(log);
		const by = Object.fromEntries(suggestions.map((s) => [s.speaker, s]));
		expect([by.Tom.suggestedRole, by.Aria.suggestedRole, by.Narrator.suggestedRole]).toEqual(['user', 'assistant', 'system']);
	});

	it('a second character answering in turn stays an assistant (no narration where nothing clashes)', () => {
		const log = [
			makeEntry('g1', [msg('Tom', 'Hi Aria.'), msg('Aria', 'Hi.'), msg('Tom', 'Hi Bram.'), msg('Bram', 'Hm.')]),
			makeEntry('g2', [msg('Tom', 'Ale?'), msg('Bram', 'Sure.')])
		];
		const by = Object.fromEntries(suggestSpeakerMapping(log).map((s) => [s.speaker, s]));
		expect([by.Tom.suggestedRole, by.Aria.suggestedRole, by.Bram.suggestedRole]).toEqual(['user', 'assistant', 'assistant']);
		expect(by.Bram.narration).toBeUndefined();
	});
});

describe('applySpeakerMapping: narration folded into the next turn', () => {
	it('puts the narrator’s lines at the start of the following message, so the roles alternate', () => {
		const { entry, changed } = applySpeakerMapping(tavernLog('t', 'Narrator', 2), { Tom: { role: 'user' }, Aria: { role: 'assistant' }, Narrator: { role: 'next-turn' } });
		expect(changed).toBe(true);
		expect(entry.messages.map((m) => [m.role, m.name, m.content])).toEqual([
			['system', undefined, 'A roleplay in the Lantern tavern.'],
			['user', 'Tom', 'Round 0: another ale, please.'],
			['assistant', 'Aria', 'Round 0: coming right up, Tom.'],
			['user', 'Tom', '*Rain drums on the shutters (0).*\n\nRound 1: another ale, please.'],
			// Nothing follows the last narration: it joins the turn before it.
			['assistant', 'Aria', 'Round 1: coming right up, Tom.\n\n*Rain drums on the shutters (1).*']
		]);
		expect(entry.hash).toBe(hashMessages(entry.messages));
	});

	it('narration before a message whose content is not text becomes a system message instead', () => {
		const parts = [{ type: 'text', text: 'look' }];
		const source = makeEntry('p', [msg('Narrator', 'A map unrolls.'), msg('Tom', parts as unknown as string)]);
		const { entry } = applySpeakerMapping(source, { Narrator: { role: 'next-turn' }, Tom: { role: 'user' } });
		expect(entry.messages.map((m) => [m.role, m.name])).toEqual([
			['system', 'Narrator'],
			['user', 'Tom']
		]);
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
