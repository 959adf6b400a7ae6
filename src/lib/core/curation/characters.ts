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
	suggestedRole: 'user' | 'assistant';
	/** Share of the evidence behind the suggestion, 0.5 (a coin toss) to 1. */
	confidence: number;
	reason: string;
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

/**
 * Custom speakers across the entries, most frequent first, each with a suggested role.
 *
 * Evidence, per entry: the speaker of the first non-system message is a user vote, every
 * other custom speaker an assistant vote — unless the opener is a standard `assistant` (the
 * character speaks first), when the custom speakers get user votes. A `name` on a standard role
 * suggests that role.
 */
export function suggestSpeakerMapping(entries: Iterable<Entry>): SpeakerSuggestion[] {
	const tallies = new Map<string, Tally>();
	const tallyOf = (speaker: string, kind: 'role' | 'name'): Tally => {
		const key = `${kind}\u0000${speaker}`;
		let tally = tallies.get(key);
		if (!tally) tallies.set(key, (tally = { kind, messages: 0, entries: 0, opens: 0, userVotes: 0, assistantVotes: 0, roles: new Map() }));
		return tally;
	};

	for (const entry of entries) {
		const customInEntry = new Set<string>();
		const namesInEntry = new Set<string>();
		let opener: string | null = null;
		for (const message of entry.messages) {
			if (message.role === 'system') continue;
			opener ??= message.role;
			if (!isStandardRole(message.role)) {
				tallyOf(message.role, 'role').messages++;
				customInEntry.add(message.role);
			} else if (typeof message.name === 'string' && message.name !== '') {
				const tally = tallyOf(message.name, 'name');
				tally.messages++;
				tally.roles.set(message.role, (tally.roles.get(message.role) ?? 0) + 1);
				namesInEntry.add(message.name);
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
	}

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
		const role = tally.userVotes > tally.assistantVotes ? 'user' : 'assistant';
		suggestions.push({
			speaker,
			kind: 'role',
			messages: tally.messages,
			entries: tally.entries,
			opens: tally.opens,
			suggestedRole: role,
			confidence: votes === 0 ? 0.5 : Math.max(0.5, Math.max(tally.userVotes, tally.assistantVotes) / votes),
			reason:
				role === 'user'
					? `speaks first in ${tally.opens} of ${tally.entries} ${tally.entries === 1 ? 'conversation' : 'conversations'}`
					: `answers in ${tally.assistantVotes} of ${tally.entries} ${tally.entries === 1 ? 'conversation' : 'conversations'}`
		});
	}
	return suggestions.sort((a, b) => b.messages - a.messages || (a.speaker < b.speaker ? -1 : a.speaker > b.speaker ? 1 : 0));
}

export interface SpeakerMapping {
	role: StandardRole;
	/** The character's display name, when it differs from the speaker label. */
	character?: string;
}

/**
 * Maps custom speaker roles to standard roles. The speaker label stays as the message `name`
 * (an existing `name` is kept); a differing character name is recorded in `entry.characters`.
 * Returns the same entry when nothing applies.
 */
export function applySpeakerMapping(
	entry: Entry,
	mapping: ReadonlyMap<string, SpeakerMapping> | Readonly<Record<string, SpeakerMapping>>
): { entry: Entry; changed: boolean } {
	const lookup = (speaker: string): SpeakerMapping | undefined =>
		mapping instanceof Map ? mapping.get(speaker) : Object.prototype.hasOwnProperty.call(mapping, speaker) ? (mapping as Record<string, SpeakerMapping>)[speaker] : undefined;
	let messages: Message[] | null = null;
	let characters: Record<string, string> | undefined = entry.characters;
	entry.messages.forEach((message, i) => {
		const target = lookup(message.role);
		if (!target || target.role === message.role) return;
		messages ??= entry.messages.slice();
		const name = typeof message.name === 'string' && message.name !== '' ? message.name : message.role;
		messages[i] = { ...message, role: target.role, name };
		if (target.character !== undefined && target.character !== message.role) {
			characters = { ...characters, [message.role]: target.character };
		}
	});
	if (messages === null) return { entry, changed: false };
	return { entry: { ...withMessages(entry, messages), ...(characters ? { characters } : {}) }, changed: true };
}
