/**
 * Pure edits of one entry. Every function returns a NEW entry and never mutates its input; when
 * the messages change, `hash` is recomputed with `hashMessages`. An edit that cannot apply (an
 * index out of range, an empty role) returns `{ ok: false, error }` together with the untouched
 * entry, so that the editor can flag it where it happened instead of throwing or silently
 * ignoring it. An edit that changes nothing returns the same entry object (`changed: false`),
 * which lets callers skip a write cheaply.
 *
 * Characters (decision): a message's speaker is its OpenAI-style `name` field. Assigning a
 * character to a message sets `name`; `entry.characters` maps a speaker (a role or a `name`) to
 * the character it stands for, for speakers that need a display name different from their
 * label. Keeping the speaker on the message (and not in a side table keyed by turn index, as
 * RoleThread does) means it survives move, split and join without re-indexing, and it exports
 * losslessly as OpenAI's `name`.
 */
import { hashMessages } from '../hash';
import type { Entry, Message, ReviewState } from '../model';

export type EditResult =
	| { ok: true; entry: Entry; changed: boolean }
	| { ok: false; entry: Entry; changed: false; error: string };

/** Keys edited through their own functions; `setMessageField` refuses them. */
const STRUCTURAL_KEYS: ReadonlySet<string> = new Set(['role', 'content']);

function done(before: Entry, after: Entry): EditResult {
	return { ok: true, entry: after, changed: after !== before };
}

function failed(entry: Entry, error: string): EditResult {
	return { ok: false, entry, changed: false, error };
}

function indexError(entry: Entry, index: number, allowEnd = false): string | null {
	const limit = allowEnd ? entry.messages.length : entry.messages.length - 1;
	if (!Number.isInteger(index) || index < 0 || index > limit) {
		return `message ${index} does not exist (the entry has ${entry.messages.length} messages)`;
	}
	return null;
}

/** The entry with new messages and the matching hash. The one place messages are swapped. */
export function withMessages(entry: Entry, messages: Message[]): Entry {
	return { ...entry, messages, hash: hashMessages(messages) };
}

/** A copy of a message with one own property set (safe for `__proto__`) or removed. */
function withField(message: Message, field: string, value: unknown): Message {
	const pairs = Object.entries(message).filter(([key]) => key !== field);
	if (value !== undefined) pairs.push([field, value]);
	return Object.fromEntries(pairs) as Message;
}

function replaceMessage(entry: Entry, index: number, message: Message): Entry {
	const messages = entry.messages.slice();
	messages[index] = message;
	return withMessages(entry, messages);
}

export function setMessageContent(entry: Entry, index: number, content: Message['content']): EditResult {
	const error = indexError(entry, index);
	if (error) return failed(entry, error);
	const message = entry.messages[index];
	if (message.content === content) return done(entry, entry);
	return done(entry, replaceMessage(entry, index, { ...message, content }));
}

/** Any non-blank role: custom speaker names are allowed until mapped (SPEC §1). */
export function setMessageRole(entry: Entry, index: number, role: string): EditResult {
	const error = indexError(entry, index);
	if (error) return failed(entry, error);
	if (role.trim() === '') return failed(entry, 'a role cannot be empty');
	const message = entry.messages[index];
	if (message.role === role) return done(entry, entry);
	return done(entry, replaceMessage(entry, index, { ...message, role }));
}

/**
 * Sets a per-message field (`name`, `weight`, `tool_call_id`, …); `undefined` removes it. Role and
 * content have their own functions because they are required.
 */
export function setMessageField(entry: Entry, index: number, field: string, value: unknown): EditResult {
	const error = indexError(entry, index);
	if (error) return failed(entry, error);
	if (STRUCTURAL_KEYS.has(field)) return failed(entry, `"${field}" is edited with its own control`);
	if (field === '') return failed(entry, 'a field needs a name');
	const message = entry.messages[index];
	const present = Object.prototype.hasOwnProperty.call(message, field);
	if (value === undefined ? !present : present && Object.is(message[field], value)) return done(entry, entry);
	return done(entry, replaceMessage(entry, index, withField(message, field, value)));
}

/** Inserts before `index`; `index === messages.length` appends. */
export function insertMessage(entry: Entry, index: number, message: Message): EditResult {
	const error = indexError(entry, index, true);
	if (error) return failed(entry, error);
	const messages = entry.messages.slice();
	messages.splice(index, 0, message);
	return done(entry, withMessages(entry, messages));
}

export function removeMessage(entry: Entry, index: number): EditResult {
	const error = indexError(entry, index);
	if (error) return failed(entry, error);
	const messages = entry.messages.slice();
	messages.splice(index, 1);
	return done(entry, withMessages(entry, messages));
}

/** Moves the message at `from` so that it ends up at index `to`. */
export function moveMessage(entry: Entry, from: number, to: number): EditResult {
	const error = indexError(entry, from) ?? indexError(entry, to);
	if (error) return failed(entry, error);
	if (from === to) return done(entry, entry);
	const messages = entry.messages.slice();
	const [moved] = messages.splice(from, 1);
	messages.splice(to, 0, moved);
	return done(entry, withMessages(entry, messages));
}

/** The system prompt is the first message when its role is `system` (null when there is none). */
export function systemMessageOf(entry: Entry): Message | null {
	const first = entry.messages[0];
	return first !== undefined && first.role === 'system' ? first : null;
}

/**
 * Sets the system prompt's text (keeping the system message's other fields), creates a system
 * message at the top when there is none, or removes it with `null`. Only the first message is
 * the system prompt; a second system message further down is left alone (validation flags it).
 */
export function setSystemPrompt(entry: Entry, content: string | null): EditResult {
	const current = systemMessageOf(entry);
	if (content === null) {
		if (!current) return done(entry, entry);
		return done(entry, withMessages(entry, entry.messages.slice(1)));
	}
	if (current) {
		if (current.content === content) return done(entry, entry);
		return done(entry, replaceMessage(entry, 0, { ...current, content }));
	}
	return done(entry, withMessages(entry, [{ role: 'system', content }, ...entry.messages]));
}

export function setReview(entry: Entry, review: ReviewState): EditResult {
	if (entry.meta.review === review) return done(entry, entry);
	return done(entry, { ...entry, meta: { ...entry.meta, review } });
}

/** Notes; `undefined` or an empty string removes them. */
export function setNotes(entry: Entry, notes: string | undefined): EditResult {
	const next = notes === '' ? undefined : notes;
	if (entry.meta.notes === next) return done(entry, entry);
	const { notes: _previous, ...rest } = entry.meta;
	return done(entry, { ...entry, meta: next === undefined ? rest : { ...rest, notes: next } });
}

/**
 * Replaces the tags, dropping repeats and keeping order. Tags are taken as given: turn what
 * a person typed into registry slugs with `resolveTag` (tags.ts) first.
 */
export function setTags(entry: Entry, tags: readonly string[]): EditResult {
	const unique = [...new Set(tags)];
	if (unique.length === entry.tags.length && unique.every((tag, i) => tag === entry.tags[i])) return done(entry, entry);
	return done(entry, { ...entry, tags: unique });
}

/**
 * Makes `character` the speaker of one message (its `name`); `undefined` removes the name. The
 * role is not touched: a character can speak as `user` or `assistant`.
 */
export function assignCharacter(entry: Entry, index: number, character: string | undefined): EditResult {
	if (character !== undefined && character.trim() === '') return failed(entry, 'a character needs a name');
	return setMessageField(entry, index, 'name', character);
}

/** Sets (or with `undefined` removes) the character a speaker label stands for. */
export function setSpeakerCharacter(entry: Entry, speaker: string, character: string | undefined): EditResult {
	const current = entry.characters ?? {};
	const present = Object.prototype.hasOwnProperty.call(current, speaker);
	if (character === undefined ? !present : present && current[speaker] === character) return done(entry, entry);
	const pairs = Object.entries(current).filter(([key]) => key !== speaker);
	if (character !== undefined) pairs.push([speaker, character]);
	const { characters: _previous, ...rest } = entry;
	return done(entry, pairs.length === 0 ? rest : { ...rest, characters: Object.fromEntries(pairs) });
}
