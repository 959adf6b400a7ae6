/**
 * Characters and custom speakers.
 *
 * Imports keep custom speaker names as roles ("Aria", "Narrator") until they are mapped
 * (SPEC §1). `suggestSpeakerMapping` proposes a training role for each, from who opens
 * conversations: in a two-person roleplay log the one who speaks first is usually the human
 * (user) and the other the character (assistant). `applySpeakerMapping` then sets the role and
 * keeps the speaker as the message's `name` (see entry-edits.ts for why the speaker lives on
 * the message), recording a character's display name in `entry.characters` when it differs.
 */
import { z } from 'zod';
import { STANDARD_ROLES, type Entry, type Message, type StandardRole } from '../model';
import { withMessages } from './entry-edits';
import { ASSISTANT, BREAK, chooseSpeakerRoles, isNarratorName, USER, type Sequence } from './speaker-roles';

export const CharacterSchema = z.object({
	id: z.string().min(1),
	name: z.string().min(1),
	description: z.string(),
	/** Other speaker labels that mean this character ("Aria (v2)", "ARIA"). */
	aliases: z.array(z.string())
});
export type Character = z.infer<typeof CharacterSchema>;

const STANDARD: ReadonlySet<string> = new Set(STANDARD_ROLES);

export function isStandardRole(role: string): role is StandardRole {
	return STANDARD.has(role);
}

/** The character a speaker label stands for: by name or alias, ignoring case and outer spaces. */
export function findCharacter(characters: readonly Character[], speaker: string): Character | undefined {
	const key = speaker.trim().toLowerCase();
	return characters.find((character) => character.name.trim().toLowerCase() === key || character.aliases.some((alias) => alias.trim().toLowerCase() === key));
}

export interface SpeakerSuggestion {
	speaker: string;
	/** `role`: used as a message role (needs mapping); `name`: a message `name` on a standard role. */
	kind: 'role' | 'name';
	messages: number;
	entries: number;
	/** Entries whose first non-system message is this speaker's. */
	opens: number;
	/**
	 * `system` only for narration (`narration` set): a speaker whose lines sit between the others'
	 * turns, kept out of the user/assistant alternation (as system, or folded into the next turn).
	 */
	suggestedRole: 'user' | 'assistant' | 'system';
	/** Share of the evidence behind the suggestion, 0.5 (a coin toss) to 1. */
	confidence: number;
	reason: string;
	/** Set when the speaker looks like narration: its lines as user or assistant would put two same-role turns in a row. */
	narration?: true;
}

interface Tally {
	kind: 'role' | 'name';
	messages: number;
	entries: number;
	opens: number;
	userVotes: number;
	assistantVotes: number;
	/** For `name` speakers: the roles they already speak as. */
	roles: Map<string, number>;
}

/** Conversations kept (as speaker sequences) for the search. */
const SEARCH_SAMPLE = 2_000;

/**
 * Custom speakers across the entries, most frequent first, each with a suggested role.
 *
 * Evidence, per entry: the speaker of the first non-system message is a user vote, every
 * other custom speaker an assistant vote — unless the opener is a standard `assistant` (the
 * character speaks first), when the custom speakers get user votes. A `name` on a standard role
 * suggests that role.
 *
 * Votes alone make a narrator (a name that speaks between the others' turns) an assistant, and
 * every "Aria: … / Narrator: …" pair two assistant turns in a row. So the votes only break ties:
 * the roles are chosen to keep user and assistant alternating in the conversations (a search over
 * user / assistant / narration for the most frequent speakers), and a speaker that cannot take
 * either role without two same-role turns in a row is proposed as narration (system, or folded
 * into the following turn by `applySpeakerMapping`'s `next-turn`).
 */
export function suggestSpeakerMapping(entries: Iterable<Entry>): SpeakerSuggestion[] {
	const tallies = new Map<string, Tally>();
	const tallyOf = (speaker: string, kind: 'role' | 'name'): Tally => {
		const key = `${kind}\u0000${speaker}`;
		let tally = tallies.get(key);
		if (!tally) tallies.set(key, (tally = { kind, messages: 0, entries: 0, opens: 0, userVotes: 0, assistantVotes: 0, roles: new Map() }));
		return tally;
	};
	const symbols = new Map<string, number>();
	const sequences = new Map<string, { sequence: Sequence; count: number }>();
	let sampled = 0;

	for (const entry of entries) {
		const customInEntry = new Set<string>();
		const namesInEntry = new Set<string>();
		let opener: string | null = null;
		const sequence: Sequence = [];
		for (const message of entry.messages) {
			if (message.role === 'system') continue;
			opener ??= message.role;
			if (!isStandardRole(message.role)) {
				tallyOf(message.role, 'role').messages++;
				customInEntry.add(message.role);
				let symbol = symbols.get(message.role);
				if (symbol === undefined) symbols.set(message.role, (symbol = symbols.size));
				sequence.push(symbol);
			} else {
				sequence.push(message.role === 'user' ? USER : message.role === 'assistant' ? ASSISTANT : BREAK);
				if (typeof message.name === 'string' && message.name !== '') {
					const tally = tallyOf(message.name, 'name');
					tally.messages++;
					tally.roles.set(message.role, (tally.roles.get(message.role) ?? 0) + 1);
					namesInEntry.add(message.name);
				}
			}
		}
		for (const name of namesInEntry) tallyOf(name, 'name').entries++;
		for (const speaker of customInEntry) {
			const tally = tallyOf(speaker, 'role');
			tally.entries++;
			if (speaker === opener) {
				tally.opens++;
				tally.userVotes++;
			} else if (opener === 'assistant') tally.userVotes++;
			else tally.assistantVotes++;
		}
		if (customInEntry.size > 0 && sampled < SEARCH_SAMPLE) {
			sampled++;
			const key = sequence.join(',');
			const seen = sequences.get(key);
			if (seen) seen.count++;
			else sequences.set(key, { sequence, count: 1 });
		}
	}

	const voted = (tally: Tally): 'user' | 'assistant' => (tally.userVotes > tally.assistantVotes ? 'user' : 'assistant');
	const chosen = chooseSpeakerRoles(
		[...symbols].map(([speaker, symbol]) => {
			const tally = tallyOf(speaker, 'role');
			return { speaker, symbol, messages: tally.messages, voted: voted(tally), narratorName: isNarratorName(speaker) };
		}),
		[...sequences.values()]
	);

	const suggestions: SpeakerSuggestion[] = [];
	for (const [key, tally] of tallies) {
		const speaker = key.slice(key.indexOf('\u0000') + 1);
		if (tally.kind === 'name') {
			const user = tally.roles.get('user') ?? 0;
			const assistant = tally.roles.get('assistant') ?? 0;
			const total = Math.max(1, user + assistant);
			const role = user > assistant ? 'user' : 'assistant';
			suggestions.push({
				speaker,
				kind: 'name',
				messages: tally.messages,
				entries: tally.entries,
				opens: 0,
				suggestedRole: role,
				confidence: Math.max(0.5, Math.max(user, assistant) / total),
				reason: `already speaks as ${role}`
			});
			continue;
		}
		const votes = tally.userVotes + tally.assistantVotes;
		const byVote = voted(tally);
		const choice = { role: chosen.get(speaker) ?? byVote };
		const conversations = `${tally.entries} ${tally.entries === 1 ? 'conversation' : 'conversations'}`;
		const base = { speaker, kind: 'role' as const, messages: tally.messages, entries: tally.entries, opens: tally.opens };
		if (choice.role === 'narration') {
			suggestions.push({
				...base,
				suggestedRole: 'system',
				narration: true,
				confidence: isNarratorName(speaker) ? 1 : 0.75,
				reason: `speaks between the others’ turns in ${conversations}; as user or assistant it would make two same-role turns in a row, so it is proposed as system (or fold it into the next turn)`
			});
			continue;
		}
		const role = choice.role;
		const agreeing = role === 'user' ? tally.userVotes : tally.assistantVotes;
		suggestions.push({
			...base,
			suggestedRole: role,
			confidence: votes === 0 ? 0.5 : Math.max(0.5, agreeing / votes),
			reason:
				role !== byVote
					? `keeps user and assistant turns alternating (the first-speaker guess, ${byVote}, would not)`
					: role === 'user'
						? `speaks first in ${tally.opens} of ${conversations}`
						: `answers in ${tally.assistantVotes} of ${conversations}`
		});
	}
	return suggestions.sort((a, b) => b.messages - a.messages || (a.speaker < b.speaker ? -1 : a.speaker > b.speaker ? 1 : 0));
}

/** Where a speaker's lines go: a standard role, or folded into the following turn (narration). */
export type SpeakerTarget = StandardRole | 'next-turn';

export interface SpeakerMapping {
	role: SpeakerTarget;
	/** The character's display name, when it differs from the speaker label. */
	character?: string;
}

/**
 * Maps custom speaker roles to standard roles. The speaker label stays as the message `name`
 * (an existing `name` is kept); a differing character name is recorded in `entry.characters`.
 * A speaker mapped to `next-turn` (narration) has its lines put at the start of the following
 * message, separated by a blank line (at the end of the previous one when nothing follows; as a
 * system message when that message's content is not text), so no text is lost and user and
 * assistant keep alternating. Returns the same entry when nothing applies.
 */
export function applySpeakerMapping(
	entry: Entry,
	mapping: ReadonlyMap<string, SpeakerMapping> | Readonly<Record<string, SpeakerMapping>>
): { entry: Entry; changed: boolean } {
	const lookup = (speaker: string): SpeakerMapping | undefined =>
		mapping instanceof Map ? mapping.get(speaker) : Object.prototype.hasOwnProperty.call(mapping, speaker) ? (mapping as Record<string, SpeakerMapping>)[speaker] : undefined;
	let changed = false;
	const out: Message[] = [];
	let characters: Record<string, string> | undefined = entry.characters;
	/** Narration waiting for the next message (its original messages, in order). */
	let held: Message[] = [];
	const asSystem = (message: Message): Message => {
		const { name: _name, ...rest } = message;
		return { ...rest, role: 'system', name: typeof message.name === 'string' && message.name !== '' ? message.name : message.role };
	};
	for (const message of entry.messages) {
		const target = lookup(message.role);
		if (target && target.role !== message.role) {
			changed = true;
			if (target.character !== undefined && target.character !== message.role) characters = { ...characters, [message.role]: target.character };
		}
		if (target?.role === 'next-turn') {
			held.push(message);
			continue;
		}
		let next = message;
		if (target && target.role !== message.role) {
			const name = typeof message.name === 'string' && message.name !== '' ? message.name : message.role;
			next = { ...message, role: target.role, name };
		}
		if (held.length > 0) {
			if (typeof next.content === 'string' && held.every((m) => typeof m.content === 'string')) {
				next = { ...next, content: [...held.map((m) => m.content as string), next.content].join('\n\n') };
			} else out.push(...held.map(asSystem));
			held = [];
		}
		out.push(next);
	}
	if (held.length > 0) {
		const last = out.at(-1);
		if (last && typeof last.content === 'string' && held.every((m) => typeof m.content === 'string')) {
			out[out.length - 1] = { ...last, content: [last.content, ...held.map((m) => m.content as string)].join('\n\n') };
		} else out.push(...held.map(asSystem));
	}
	if (!changed) return { entry, changed: false };
	return { entry: { ...withMessages(entry, out), ...(characters ? { characters } : {}) }, changed: true };
}
