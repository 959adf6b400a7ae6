/**
 * Suggesting which role a custom speaker name plays ("Mara" → assistant, "Tom" → user, a
 * narrator → system), for the custom-speaker rule's explanation and the map-custom-speakers repair.
 */
import { ASSISTANT, BREAK, chooseSpeakerRoles, isNarratorName, USER, type RoleWeights, type Sequence } from '../curation/speaker-roles';
import { canonicalRole, LEGACY_ROLE_SET, roleOf, STANDARD_ROLE_SET } from './inspect';

/** `system` is narration: a speaker kept out of the user/assistant alternation. */
export type SpeakerRole = 'user' | 'assistant' | 'system';
export type SpeakerMapping = Record<string, SpeakerRole>;

export interface SpeakerNames {
	/** The identity being trained: that speaker is the assistant. */
	identityName: string;
	/** The user's name in roleplay data: that speaker is the user. */
	userName: string;
}

/** A custom speaker name: a non-empty role that is neither standard, legacy nor a known alias. */
export function isCustomSpeaker(role: string | undefined): role is string {
	return role !== undefined && role.trim() !== '' && !STANDARD_ROLE_SET.has(role) && !LEGACY_ROLE_SET.has(role) && canonicalRole(role) === null;
}

/**
 * The suggestion for one conversation:
 * 1. a name equal to the configured identity is the assistant, one equal to the user's name the user;
 * 2. the most frequent custom names fill the roles nobody holds yet: when both are free, whoever
 *    of the two most frequent speaks first is the user (the usual shape of a chat log), the other
 *    the assistant;
 * 3. any other name takes the opposite of the role spoken just before its first line.
 *
 * Those guesses alone make a narrator (a name that speaks between the others' turns) the second
 * most frequent speaker's role, and so two assistant (or user) turns in a row. So they only break
 * ties: the roles are then chosen, as the Characters page chooses them (curation/speaker-roles.ts),
 * to keep user and assistant alternating, and a speaker that cannot take either role without two
 * same-role turns in a row is proposed as narration — `system`, its line kept where it is.
 */
export function suggestSpeakerMapping(messages: readonly unknown[], names: SpeakerNames): SpeakerMapping {
	const guessed = firstGuess(messages, names);
	const speakers = Object.keys(guessed);
	if (speakers.length === 0) return guessed;
	const symbols = new Map(speakers.map((name, symbol) => [name, symbol]));
	const counts = new Map<string, number>();
	const sequence: Sequence = [];
	for (const message of messages) {
		const role = roleOf(message);
		if (role === undefined) continue;
		const symbol = symbols.get(role);
		if (symbol !== undefined) {
			sequence.push(symbol);
			counts.set(role, (counts.get(role) ?? 0) + 1);
			continue;
		}
		const canonical = canonicalRole(role) ?? role;
		if (canonical === 'system') continue;
		sequence.push(canonical === 'user' ? USER : canonical === 'assistant' ? ASSISTANT : BREAK);
	}
	const identity = names.identityName.trim().toLowerCase();
	const user = names.userName.trim().toLowerCase();
	const chosen = chooseSpeakerRoles(
		speakers.map((speaker, symbol) => {
			const lower = speaker.trim().toLowerCase();
			const fixed = identity !== '' && lower === identity ? 'assistant' : user !== '' && lower === user ? 'user' : undefined;
			return { speaker, symbol, messages: counts.get(speaker) ?? 0, voted: guessed[speaker] === 'user' ? 'user' : 'assistant', narratorName: isNarratorName(speaker), ...(fixed ? { fixed } : {}) };
		}),
		[{ sequence, count: 1 }],
		ONE_CONVERSATION
	);
	const mapping: SpeakerMapping = Object.create(null) as SpeakerMapping;
	for (const speaker of speakers) {
		const role = chosen.get(speaker);
		mapping[speaker] = role === 'narration' ? 'system' : (role ?? guessed[speaker]);
	}
	return mapping;
}

/**
 * In one conversation a doubled turn is what the repair must not make: narrating a line costs a
 * quarter of a doubled turn (a speaker is narrated when that saves one doubled turn per four of
 * its lines), and leaving the conversation without a user or an assistant turn costs a whole one
 * (a real speaker who merely speaks twice in a row keeps their role).
 */
const ONE_CONVERSATION: RoleWeights = { narratedMessage: 0.25, missingSide: 1 };

/** The guess from names, frequency and order alone (rules 1–3 above). */
function firstGuess(messages: readonly unknown[], names: SpeakerNames): SpeakerMapping {
	const counts = new Map<string, { count: number; first: number }>();
	let hasUser = false;
	let hasAssistant = false;
	for (let i = 0; i < messages.length; i++) {
		const role = roleOf(messages[i]);
		if (isCustomSpeaker(role)) {
			const seen = counts.get(role);
			if (seen === undefined) counts.set(role, { count: 1, first: i });
			else seen.count++;
		} else if (role !== undefined) {
			const canonical = canonicalRole(role);
			if (canonical === 'user') hasUser = true;
			else if (canonical === 'assistant') hasAssistant = true;
		}
	}
	// No prototype, so a speaker called "__proto__" is an ordinary key.
	const mapping: SpeakerMapping = Object.create(null) as SpeakerMapping;
	if (counts.size === 0) return mapping;
	const identity = names.identityName.trim().toLowerCase();
	const user = names.userName.trim().toLowerCase();
	for (const name of counts.keys()) {
		const lower = name.trim().toLowerCase();
		if (identity !== '' && lower === identity) {
			mapping[name] = 'assistant';
			hasAssistant = true;
		} else if (user !== '' && lower === user) {
			mapping[name] = 'user';
			hasUser = true;
		}
	}
	const free: SpeakerRole[] = [];
	if (!hasUser) free.push('user');
	if (!hasAssistant) free.push('assistant');
	const unmapped = [...counts.entries()].filter(([name]) => mapping[name] === undefined).sort((a, b) => b[1].count - a[1].count || a[1].first - b[1].first);
	const fillers = unmapped.slice(0, free.length).sort((a, b) => a[1].first - b[1].first);
	if (free.length === 2 && fillers.length === 1) {
		// One custom name and no standard speakers: the one who opens is the user.
		mapping[fillers[0][0]] = 'user';
	} else {
		fillers.forEach(([name], i) => (mapping[name] = free[i]));
	}
	for (const [name, { first }] of unmapped) {
		if (mapping[name] !== undefined) continue;
		const before = first > 0 ? resolvedRole(roleOf(messages[first - 1]), mapping) : undefined;
		mapping[name] = before === 'user' ? 'assistant' : 'user';
	}
	return mapping;
}

function resolvedRole(role: string | undefined, mapping: SpeakerMapping): string | undefined {
	if (role === undefined) return undefined;
	return mapping[role] ?? canonicalRole(role) ?? undefined;
}

/**
 * Votes over a whole dataset: each entry's suggestion counts once per name, and the majority
 * wins. Feed entries' message lists block by block; `suggest` can be called at any time.
 */
export class SpeakerCensus {
	private readonly votes = new Map<string, { user: number; assistant: number; system: number; entries: number }>();

	constructor(private readonly names: SpeakerNames) {}

	add(messages: readonly unknown[]): void {
		const mapping = suggestSpeakerMapping(messages, this.names);
		for (const name in mapping) {
			let vote = this.votes.get(name);
			if (vote === undefined) this.votes.set(name, (vote = { user: 0, assistant: 0, system: 0, entries: 0 }));
			vote[mapping[name]]++;
			vote.entries++;
		}
	}

	/** Name → suggested role and in how many entries the name speaks, most frequent first. */
	suggest(): { name: string; role: SpeakerRole; entries: number }[] {
		return [...this.votes.entries()]
			.map(([name, vote]) => ({ name, role: majority(vote), entries: vote.entries }))
			.sort((a, b) => b.entries - a.entries || (a.name < b.name ? -1 : 1));
	}
}

/** The role most entries suggest (ties: assistant over user, either over system). */
function majority(vote: { user: number; assistant: number; system: number }): SpeakerRole {
	if (vote.system > vote.user && vote.system > vote.assistant) return 'system';
	return vote.assistant > vote.user ? 'assistant' : 'user';
}
