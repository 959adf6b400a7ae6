import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hashMessages } from '../hash';
import type { Entry } from '../model';
import {
	assignCharacter,
	insertMessage,
	moveMessage,
	removeMessage,
	setMessageContent,
	setMessageField,
	setMessageRole,
	setNotes,
	setReview,
	setSpeakerCharacter,
	setSystemPrompt,
	setTags,
	systemMessageOf,
	type EditResult
} from './entry-edits';
import { makeEntry, msg, roleplayEntries } from './test-fixtures';

const [aria, , tavern, , identity] = roleplayEntries();

function frozen(entry: Entry): Entry {
	return structuredClone(entry);
}

function expectOk(result: EditResult): Entry {
	expect(result.ok).toBe(true);
	expect(result.entry.hash).toBe(hashMessages(result.entry.messages));
	return result.entry;
}

describe('message edits', () => {
	it('sets content and recomputes the hash without touching the input', () => {
		const before = frozen(aria);
		const edited = expectOk(setMessageContent(aria, 2, 'Twelve hours. Blame the captain.'));
		expect(edited.messages[2]).toEqual({ role: 'assistant', content: 'Twelve hours. Blame the captain.' });
		expect(edited.hash).not.toBe(aria.hash);
		expect(aria).toEqual(before);
	});

	it('returns the same entry for a no-op, flagged unchanged', () => {
		const result = setMessageContent(aria, 1, aria.messages[1].content);
		expect(result).toMatchObject({ ok: true, changed: false });
		expect(result.entry).toBe(aria);
	});

	it('sets roles, refusing blank ones', () => {
		expect(expectOk(setMessageRole(tavern, 0, 'user')).messages[0].role).toBe('user');
		expect(setMessageRole(tavern, 0, '  ')).toMatchObject({ ok: false, error: 'a role cannot be empty' });
	});

	it('sets and removes per-message fields, keeping the others', () => {
		const named = expectOk(setMessageField(aria, 1, 'name', 'Captain Reyes'));
		expect(named.messages[1]).toEqual({ role: 'user', content: 'Aria, how long until we reach the Veil?', name: 'Captain Reyes' });
		const weightless = expectOk(setMessageField(identity, 2, 'weight', undefined));
		expect('weight' in weightless.messages[2]).toBe(false);
		expect(weightless.hash).toBe(identity.hash);
		expect(setMessageField(identity, 4, 'weight', 0).changed).toBe(false);
		expect(setMessageField(aria, 1, 'content', 'x').ok).toBe(false);
	});

	it('stores a "__proto__" field as an own property', () => {
		const edited = expectOk(setMessageField(aria, 1, '__proto__', 'x'));
		expect(Object.prototype.hasOwnProperty.call(edited.messages[1], '__proto__')).toBe(true);
		expect(Object.getPrototypeOf(edited.messages[1])).toBe(Object.prototype);
	});

	it('inserts, removes and moves messages', () => {
		const inserted = expectOk(insertMessage(aria, 5, msg('user', 'Noted.')));
		expect(inserted.messages.map((m) => m.content).at(-1)).toBe('Noted.');
		const removed = expectOk(removeMessage(aria, 0));
		expect(removed.messages[0].role).toBe('user');
		const moved = expectOk(moveMessage(aria, 4, 1));
		expect(moved.messages.map((m) => m.role)).toEqual(['system', 'assistant', 'user', 'assistant', 'user']);
		expect(moved.messages[1].content).toBe(aria.messages[4].content);
		expect(moveMessage(aria, 2, 2).entry).toBe(aria);
	});

	it('flags out-of-range indices instead of throwing', () => {
		for (const result of [
			setMessageContent(aria, 9, 'x'),
			removeMessage(aria, -1),
			insertMessage(aria, 6, msg('user', 'x')),
			moveMessage(aria, 0, 5),
			setMessageRole(aria, 1.5, 'user')
		]) {
			expect(result.ok).toBe(false);
			expect(result.entry).toBe(aria);
			if (!result.ok) expect(result.error).toMatch(/does not exist/);
		}
	});
});

describe('system prompt', () => {
	it('replaces the text, keeping the message', () => {
		const edited = expectOk(setSystemPrompt(aria, 'You are Aria.'));
		expect(systemMessageOf(edited)).toEqual({ role: 'system', content: 'You are Aria.' });
		expect(edited.messages).toHaveLength(5);
	});

	it('creates one where there is none, and removes it with null', () => {
		const created = expectOk(setSystemPrompt(tavern, 'Night watch on the Meridian.'));
		expect(created.messages[0]).toEqual({ role: 'system', content: 'Night watch on the Meridian.' });
		expect(created.messages).toHaveLength(5);
		const removed = expectOk(setSystemPrompt(aria, null));
		expect(systemMessageOf(removed)).toBeNull();
		expect(setSystemPrompt(tavern, null).entry).toBe(tavern);
	});
});

describe('meta, tags and characters', () => {
	it('sets review and notes', () => {
		expect(expectOk(setReview(tavern, 'accepted')).meta).toMatchObject({ review: 'accepted', source: tavern.meta.source });
		expect(setReview(tavern, 'draft').changed).toBe(false);
		const noted = expectOk(setNotes(tavern, 'great atmosphere'));
		expect(noted.meta.notes).toBe('great atmosphere');
		expect('notes' in expectOk(setNotes(noted, '')).meta).toBe(false);
	});

	it('sets tags without repeats', () => {
		expect(expectOk(setTags(aria, ['banter', 'roleplay', 'banter'])).tags).toEqual(['banter', 'roleplay']);
		expect(setTags(aria, ['roleplay', 'banter']).changed).toBe(false);
	});

	it('assigns characters as message names and speaker mappings', () => {
		const assigned = expectOk(assignCharacter(aria, 2, 'Aria'));
		expect(assigned.messages[2].name).toBe('Aria');
		expect(assignCharacter(aria, 2, ' ').ok).toBe(false);
		expect('name' in expectOk(assignCharacter(assigned, 2, undefined)).messages[2]).toBe(false);
		const mapped = expectOk(setSpeakerCharacter(tavern, 'Aria', 'Aria Voss'));
		expect(mapped.characters).toEqual({ Aria: 'Aria Voss' });
		expect('characters' in expectOk(setSpeakerCharacter(mapped, 'Aria', undefined))).toBe(false);
	});
});

describe('properties', () => {
	const entryArb = fc
		.array(fc.record({ role: fc.constantFrom('system', 'user', 'assistant', 'Aria'), content: fc.oneof(fc.string(), fc.constant(null)) }), { maxLength: 6 })
		.map((messages) => makeEntry('e1', messages));

	it('no edit throws or mutates, and every result has a matching hash', () => {
		fc.assert(
			fc.property(entryArb, fc.integer({ min: -2, max: 8 }), fc.integer({ min: -2, max: 8 }), fc.string(), (entry, i, j, text) => {
				const before = structuredClone(entry);
				const results = [
					setMessageContent(entry, i, text),
					setMessageRole(entry, i, text),
					setMessageField(entry, i, text, j),
					insertMessage(entry, i, msg('user', text)),
					removeMessage(entry, i),
					moveMessage(entry, i, j),
					setSystemPrompt(entry, text),
					setSystemPrompt(entry, null),
					assignCharacter(entry, i, text)
				];
				for (const result of results) expect(result.entry.hash).toBe(hashMessages(result.entry.messages));
				expect(entry).toEqual(before);
			})
		);
	});

	it('moving there and back is the identity', () => {
		fc.assert(
			fc.property(entryArb, fc.nat(), fc.nat(), (entry, a, b) => {
				fc.pre(entry.messages.length > 0);
				const from = a % entry.messages.length;
				const to = b % entry.messages.length;
				const there = moveMessage(entry, from, to).entry;
				expect(moveMessage(there, to, from).entry).toEqual(entry);
			})
		);
	});
});
