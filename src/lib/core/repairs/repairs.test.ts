import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashMessages } from '../hash';
import type { Entry, Message } from '../model';
import { chat, entryOf } from '../validation/testing';
import { createRepairContext } from './context';
import { diffEntry } from './diff';
import { applyDuplicateRemoval, planExactDuplicateRemoval } from './duplicates';
import { BUILTIN_PROFILES } from '../validation/profiles';
import { compileProfile, validateEntry } from '../validation/validate';
import { RULES_BY_ID } from '../validation/rules';
import {
	ALL_AUTOMATIC_SAFE,
	applyRepairs,
	dropEmptyTrailingUser,
	dropTrailingUser,
	REPAIRS_BY_ID,
	ENTRY_REPAIRS,
	mapCustomSpeakers,
	mergeConsecutiveSameRole,
	moveSystemToFront,
	normalizeRoleAliases,
	splitOverlongConversation,
	substitutePlaceholders,
	trimWhitespace
} from './index';

const ctx = createRepairContext({ identityName: 'Mara', userName: 'Tom' });

describe('normalize-role-aliases', () => {
	it('rewrites spellings and keeps everything else', () => {
		const entry = entryOf([['Human', 'Hi'], [' GPT ', 'Hello'], ['Narrator', 'The wind rises.']]);
		const fixed = normalizeRoleAliases.apply(entry, ctx);
		expect(fixed.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'Narrator']);
		expect(fixed.hash).toBe(hashMessages(fixed.messages));
		expect(entry.messages[0].role).toBe('Human');
	});
	it('returns the same entry when roles are standard', () => {
		const entry = chat('Hi', 'Hello');
		expect(normalizeRoleAliases.apply(entry, ctx)).toBe(entry);
	});
});

describe('trim-whitespace', () => {
	it('trims only the edges', () => {
		const fixed = trimWhitespace.apply(entryOf([['user', '  Hi there \n'], ['assistant', 'Hello.\n\nWelcome.\n']]), ctx);
		expect(fixed.messages.map((m) => m.content)).toEqual(['Hi there', 'Hello.\n\nWelcome.']);
	});
	it('is a no-op on clean text', () => {
		const entry = chat('Hi', 'Hello');
		expect(trimWhitespace.apply(entry, ctx)).toBe(entry);
	});
});

describe('merge-consecutive-same-role', () => {
	it('joins runs with a blank line, leaving tool turns apart', () => {
		const entry = entryOf([['user', 'Hi'], ['user', 'Are you there?'], ['assistant', 'Yes.'], ['assistant', 'Storm tonight.']]);
		const fixed = mergeConsecutiveSameRole.apply(entry, ctx);
		expect(fixed.messages).toEqual([
			{ role: 'user', content: 'Hi\n\nAre you there?' },
			{ role: 'assistant', content: 'Yes.\n\nStorm tonight.' }
		]);
	});
	it('does not merge messages with tool calls or different names', () => {
		const entry = entryOf([{ role: 'user', content: 'a', name: 'tom' }, { role: 'user', content: 'b', name: 'ann' }, ['assistant', 'ok']]);
		expect(mergeConsecutiveSameRole.apply(entry, ctx)).toBe(entry);
	});
});

describe('drop-empty-trailing-user', () => {
	it('drops empty user turns at the end', () => {
		const fixed = dropEmptyTrailingUser.apply(entryOf([['user', 'Hi'], ['assistant', 'Hello'], ['user', ' '], ['user', '']]), ctx);
		expect(fixed.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
	});
	it('keeps a trailing user turn with text', () => {
		const entry = entryOf([['user', 'Hi'], ['assistant', 'Hello'], ['user', 'Bye']]);
		expect(dropEmptyTrailingUser.apply(entry, ctx)).toBe(entry);
	});
});

describe('move-system-to-front', () => {
	it('gathers and merges system messages', () => {
		const fixed = moveSystemToFront.apply(entryOf([['user', 'Hi'], ['system', 'You are Mara.'], ['assistant', 'Hello'], ['system', 'Be brief.']]), ctx);
		expect(fixed.messages[0]).toEqual({ role: 'system', content: 'You are Mara.\n\nBe brief.' });
		expect(fixed.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant']);
	});
	it('leaves a single leading system prompt alone', () => {
		const entry = chat('Hi', 'Hello');
		expect(moveSystemToFront.apply(entry, ctx)).toBe(entry);
	});
});

describe('substitute-placeholders', () => {
	it('fills char and user placeholders in text and parts', () => {
		const entry = entryOf([
			['system', 'You are {{char}}, talking with {{ user }}.'],
			['user', [{ type: 'text', text: 'Hi <BOT>' }]],
			['assistant', 'Hello <USER>.']
		]);
		const fixed = substitutePlaceholders.apply(entry, ctx);
		expect(fixed.messages.map((m) => m.content)).toEqual(['You are Mara, talking with Tom.', [{ type: 'text', text: 'Hi Mara' }], 'Hello Tom.']);
	});
	it('does nothing without names, or with names that are placeholders', () => {
		const entry = chat('Hi {{char}}', 'Hello {{user}}');
		expect(substitutePlaceholders.apply(entry, createRepairContext({ identityName: '', userName: '' }))).toBe(entry);
		expect(substitutePlaceholders.apply(entry, createRepairContext({ identityName: '{{user}}', userName: '<bot>' }))).toBe(entry);
	});
});

describe('map-custom-speakers', () => {
	it('maps by the suggestion and keeps the speaker as name and character', () => {
		const entry = entryOf([['Tom', 'Evening.'], ['Mara', 'Evening, Tom.'], ['Tom', 'Storm?'], ['Mara', 'Soon.']]);
		const fixed = mapCustomSpeakers.apply(entry, createRepairContext({ identityName: 'Mara' }));
		expect(fixed.messages.map((m) => [m.role, m.name])).toEqual([
			['user', 'Tom'],
			['assistant', 'Mara'],
			['user', 'Tom'],
			['assistant', 'Mara']
		]);
		expect(fixed.characters).toEqual({ user: 'Tom', assistant: 'Mara' });
	});
	it('uses a given mapping and is a no-op without custom speakers', () => {
		const entry = entryOf([['Keeper', 'Hello'], ['user', 'Hi']]);
		expect(mapCustomSpeakers.apply(entry, createRepairContext({ speakerMapping: { Keeper: 'assistant' } })).messages[0].role).toBe('assistant');
		const plain = chat('Hi', 'Hello');
		expect(mapCustomSpeakers.apply(plain, ctx)).toBe(plain);
	});
});

/** A harbour roleplay log with a narrator between the two speakers' turns (as SillyTavern group chats export it). */
const NARRATED: [string, string][] = [
	['Narrator', 'The lamp gutters as the storm reaches the harbour.'],
	['Tom', 'Mara, is the ferry coming?'],
	['Narrator', 'A long silence from the lamp room.'],
	['Mara', 'Not tonight, Tom.'],
	['Narrator', 'Thunder rolls over the breakwater.'],
	['Tom', 'Then I stay.'],
	['Mara', 'Then put the kettle on.']
];

/** Adjacent user/user or assistant/assistant turns (system lines are outside the alternation). */
function sameRoleInARow(e: Entry): number {
	const chain = e.messages.map((m) => m.role).filter((r) => r === 'user' || r === 'assistant');
	return chain.filter((r, i) => i > 0 && r === chain[i - 1]).length;
}

describe('map-custom-speakers with a narrator', () => {
	it('maps the narrator to system and keeps user and assistant alternating, with or without names configured', () => {
		for (const names of [{}, { identityName: 'Mara', userName: 'Tom' }, { identityName: '', userName: '' }]) {
			const fixed = mapCustomSpeakers.apply(entryOf(NARRATED), createRepairContext(names));
			expect(fixed.messages.map((m) => [m.role, m.name]), JSON.stringify(names)).toEqual([
				['system', 'Narrator'],
				['user', 'Tom'],
				['system', 'Narrator'],
				['assistant', 'Mara'],
				['system', 'Narrator'],
				['user', 'Tom'],
				['assistant', 'Mara']
			]);
			expect(sameRoleInARow(fixed)).toBe(0);
			expect(fixed.characters).toEqual({ user: 'Tom', assistant: 'Mara' });
			expect(allTexts(fixed)).toEqual(NARRATED.map(([, text]) => text));
		}
	});

	it('treats any name that only speaks between the others’ turns as narration, not as a second assistant', () => {
		const log = NARRATED.map(([speaker, text]): [string, string] => [speaker === 'Narrator' ? 'Harbour' : speaker, text]);
		const fixed = mapCustomSpeakers.apply(entryOf(log), createRepairContext({ identityName: 'Mara' }));
		expect(fixed.messages.map((m) => m.role)).toEqual(['system', 'user', 'system', 'assistant', 'system', 'user', 'assistant']);
		expect(sameRoleInARow(fixed)).toBe(0);
	});

	it('keeps a narrator between a standard user and assistant out of the alternation', () => {
		const entry = entryOf([['user', 'Is the light lit?'], ['Narrator', 'Rain hammers the glass.'], ['assistant', 'Since dusk.'], ['Narrator', 'A gull cries.'], ['user', 'Good.']]);
		const fixed = mapCustomSpeakers.apply(entry, ctx);
		expect(fixed.messages.map((m) => m.role)).toEqual(['user', 'system', 'assistant', 'system', 'user']);
	});

	it('does not narrate away a real speaker who speaks twice in a row', () => {
		const entry = entryOf([['Tom', 'Evening.'], ['Mara', 'Evening, Tom.'], ['Tom', 'Storm?'], ['Tom', 'Hello?']]);
		expect(mapCustomSpeakers.apply(entry, ctx).messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'user']);
	});

	it('still maps a two-person log without a narrator to user and assistant', () => {
		const entry = entryOf([['Tom', 'Evening.'], ['Mara', 'Evening, Tom.'], ['Tom', 'Storm?'], ['Mara', 'Soon.'], ['Tom', 'Tea?'], ['Mara', 'Please.']]);
		expect(mapCustomSpeakers.apply(entry, ctx).messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant']);
	});
});

describe('split-overlong-conversation', () => {
	it('splits at user turns, copying the system prompt and tags', () => {
		const turns = Array.from({ length: 20 }, (_, i) => `turn ${i}`);
		const entry = { ...chat(...turns), tags: ['storm'] };
		const parts = splitOverlongConversation.apply(entry, createRepairContext({ splitMaxTurns: 4 }));
		expect(parts).toHaveLength(3);
		expect(parts[0].id).toBe(entry.id);
		expect(parts[1].id).toBe(`${entry.id}-part2`);
		for (const part of parts) {
			expect(part.messages[0].role).toBe('system');
			expect(part.tags).toEqual(['storm']);
			expect(part.hash).toBe(hashMessages(part.messages));
		}
		expect(parts.flatMap((p) => p.messages.slice(1))).toEqual(entry.messages.slice(1));
		expect(parts[1].meta.splitFrom).toBe(entry.id);
	});
	it('returns the entry itself when it fits', () => {
		const entry = chat('Hi', 'Hello');
		expect(splitOverlongConversation.apply(entry, ctx)).toEqual([entry]);
		expect(splitOverlongConversation.apply(entry, ctx)[0]).toBe(entry);
	});
});

describe('remove-exact-duplicates', () => {
	it('keeps the first, merges tags, deletes the rest', () => {
		const a = { ...chat('Hi', 'Hello'), id: 'a', tags: ['greeting'] };
		const b = { ...chat('Hi', 'Hello'), id: 'b', tags: ['greeting', 'short'] };
		const c = { ...chat('Other', 'Text'), id: 'c' };
		const plan = planExactDuplicateRemoval([a, b, c]);
		expect(plan.deleteIds).toEqual(['b']);
		expect(plan.mergedTags.get('a')).toEqual(['greeting', 'short']);
		const kept = applyDuplicateRemoval([a, b, c], plan);
		expect(kept.map((e) => [e.id, e.tags])).toEqual([
			['a', ['greeting', 'short']],
			['c', []]
		]);
		const none = planExactDuplicateRemoval([a, c]);
		expect(applyDuplicateRemoval([a, c], none)).toEqual([a, c]);
	});
});

describe('diffEntry', () => {
	it('describes a merge as a change plus a removal', () => {
		const before = entryOf([['user', 'Hi'], ['user', 'There?'], ['assistant', 'Yes.']]);
		const after = mergeConsecutiveSameRole.apply(before, ctx);
		const diff = diffEntry(before, after);
		expect(diff.changed).toBe(true);
		expect(diff.counts).toEqual({ unchanged: 1, changed: 1, added: 0, removed: 1 });
		const changed = diff.messages.find((m) => m.kind === 'changed');
		expect(changed).toMatchObject({ kind: 'changed', before: 0, after: 0, fields: [{ key: 'content', before: 'Hi', after: 'Hi\n\nThere?' }] });
	});
	it('reports entry fields and nothing for identical entries', () => {
		const entry = chat('Hi', 'Hello');
		expect(diffEntry(entry, entry)).toMatchObject({ changed: false, fields: [] });
		expect(diffEntry(entry, { ...entry, tags: ['x'] }).fields).toEqual([{ key: 'tags', before: [], after: ['x'] }]);
	});
});

/** Entries with the mess repairs meet: aliases, custom names, whitespace, placeholders, nulls, parts, tool calls. */
const role = fc.constantFrom('system', 'user', 'assistant', 'tool', 'Human', ' gpt ', 'BOT', 'model', 'Mara', 'Tom', 'Narrator');
const text = fc.oneof(
	fc.string({ maxLength: 30 }),
	fc.constantFrom('', '  ', ' Hi ', '{{char}} waves', 'Hello {{user}}', '<BOT>: hi <USER>', '\nThe storm.\n', '[Your name]')
);
const content = fc.oneof({ weight: 6, arbitrary: text }, fc.constant(null), fc.array(fc.record({ type: fc.constant('text'), text }), { maxLength: 2 }));
const message = fc
	.record(
		{ role, content, name: fc.constantFrom('tom', 'ann'), weight: fc.constantFrom(0, 1), tool_calls: fc.constant([{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }]) },
		{ requiredKeys: ['role', 'content'] }
	)
	.map((m) => m as Message);
const entry = fc.array(message, { maxLength: 10 }).map((messages) => entryOf(messages, { tags: ['t'] }));
const repairCtx = fc.record({ identityName: fc.constantFrom('Mara', '', '{{user}}', '$&'), userName: fc.constantFrom('Tom', '', '<bot>', '$1') }).map((names) => createRepairContext({ ...names, splitMaxTurns: 2 }));

function allTexts(e: Entry): string[] {
	return e.messages.flatMap((m) => (typeof m.content === 'string' ? [m.content] : Array.isArray(m.content) ? m.content.map((p) => JSON.stringify(p)) : []));
}

describe('repair properties', () => {
	for (const repair of ENTRY_REPAIRS) {
		it(`${repair.id} is idempotent, pure, returns the same object for a no-op, and keeps the hash current`, () => {
			fc.assert(
				fc.property(entry, repairCtx, (e, c) => {
					const snapshot = JSON.stringify(e);
					const once = repair.apply(e, c);
					expect(JSON.stringify(e)).toBe(snapshot);
					const twice = repair.apply(once, c);
					expect(twice).toBe(once);
					if (once !== e) expect(once.hash).toBe(hashMessages(once.messages));
				}),
				{ numRuns: 300 }
			);
		});
	}

	it('split is idempotent part by part and loses no message', () => {
		fc.assert(
			fc.property(entry, repairCtx, (e, c) => {
				const parts = splitOverlongConversation.apply(e, c);
				for (const part of parts) expect(splitOverlongConversation.apply(part, c)).toEqual([part]);
				const system = e.messages.filter((_, i) => e.messages.slice(0, i + 1).every((m) => m.role === 'system'));
				expect(parts.flatMap((p) => p.messages.slice(system.length))).toEqual(e.messages.slice(system.length));
			}),
			{ numRuns: 300 }
		);
	});

	it('trim only removes edge whitespace; role and speaker repairs never touch text; merge keeps every text', () => {
		fc.assert(
			fc.property(entry, repairCtx, (e, c) => {
				const trimmed = trimWhitespace.apply(e, c);
				trimmed.messages.forEach((m, i) => {
					const original = e.messages[i].content;
					expect(m.content).toEqual(typeof original === 'string' ? original.trim() : original);
				});
				expect(allTexts(normalizeRoleAliases.apply(e, c))).toEqual(allTexts(e));
				expect(allTexts(mapCustomSpeakers.apply(e, c))).toEqual(allTexts(e));
				const merged = allTexts(mergeConsecutiveSameRole.apply(e, c)).join('\u0000');
				for (const t of allTexts(e)) expect(merged).toContain(t);
				const front = allTexts(moveSystemToFront.apply(e, c)).join('\u0000');
				for (const t of allTexts(e)) if (t.trim() !== '') expect(front).toContain(t);
			}),
			{ numRuns: 300 }
		);
	});

	it('applyRepairs with every repair reaches a fixed point', () => {
		const ids = ENTRY_REPAIRS.map((r) => r.id);
		fc.assert(
			fc.property(entry, repairCtx, (e, c) => {
				const once = applyRepairs(e, ids, c);
				const twice = applyRepairs(once, ids, c);
				expect(twice.messages).toEqual(once.messages);
			}),
			{ numRuns: 200 }
		);
	});
});

describe('repairs that clear their finding', () => {
	const profile = BUILTIN_PROFILES['roleplay'];
	const rulesOf = (entry: Entry, c = ctx) =>
		validateEntry(entry, compileProfile({ ...profile, settings: { ...profile.settings, identityName: c.identityName, userName: c.userName } })).map((f) => f.rule);

	it('ends-on-user with a non-empty user turn: the rule offers drop-trailing-user, which clears it', () => {
		const entry = entryOf([['user', 'Light the lamp.'], ['assistant', 'Done.'], ['user', 'And the fog horn?']]);
		const finding = validateEntry(entry, BUILTIN_PROFILES['chatml-strict']).find((f) => f.rule === 'ends-on-user');
		expect(finding).toMatchObject({ repair: 'drop-trailing-user', repairKind: 'suggested' });
		expect(RULES_BY_ID.get('ends-on-user')?.repair).toBe('drop-trailing-user');
		expect(dropEmptyTrailingUser.apply(entry, ctx)).toBe(entry); // what the rule offered before: 0 entries
		const fixed = dropTrailingUser.apply(entry, ctx);
		expect(fixed.messages.map((m) => m.content)).toEqual(['Light the lamp.', 'Done.']);
		expect(validateEntry(fixed, BUILTIN_PROFILES['chatml-strict']).map((f) => f.rule)).not.toContain('ends-on-user');
		// Nothing but the user's question: not repairable by dropping it.
		const lone = entryOf([['user', 'Hello?']]);
		expect(dropTrailingUser.apply(lone, ctx)).toBe(lone);
	});

	it('an empty trailing user turn keeps its automatic-safe repair', () => {
		const entry = entryOf([['user', 'Hi'], ['assistant', 'Hello'], ['user', ' ']]);
		expect(validateEntry(entry, BUILTIN_PROFILES['chatml-strict']).find((f) => f.rule === 'ends-on-user')).toMatchObject({
			repair: 'drop-empty-trailing-user',
			repairKind: 'automatic-safe'
		});
	});

	it('the placeholder repair with both names clears {{char}} and {{user}}', () => {
		const entry = entryOf([['user', 'Hello {{char}}, I am {{user}}.'], ['assistant', 'Welcome, {{user}}. I am {{char}}.']]);
		const unnamed = createRepairContext({ identityName: '', userName: 'User' });
		const half = substitutePlaceholders.apply(entry, unnamed);
		expect(half.messages[0].content).toBe('Hello {{char}}, I am User.');
		const named = createRepairContext({ identityName: 'Mara', userName: 'Tom' });
		const fixed = substitutePlaceholders.apply(entry, named);
		expect(fixed.messages.map((m) => m.content)).toEqual(['Hello Mara, I am Tom.', 'Welcome, Tom. I am Mara.']);
		expect(rulesOf(fixed, named)).not.toContain('placeholder');
		expect(rulesOf(half, named)).toContain('placeholder');
	});

	it('apply every automatic-safe repair runs them all in one step', () => {
		const entry = entryOf([['Human', '  Hi  '], ['gpt', 'Hello.\n'], ['user', '']]);
		const fixed = ALL_AUTOMATIC_SAFE.apply(entry, ctx);
		expect(fixed.messages).toEqual([
			{ role: 'user', content: 'Hi' },
			{ role: 'assistant', content: 'Hello.' }
		]);
		expect(REPAIRS_BY_ID.get('all-automatic-safe')).toBe(ALL_AUTOMATIC_SAFE);
		expect(ALL_AUTOMATIC_SAFE.apply(fixed, ctx)).toBe(fixed);
	});
});
