/**
 * Suggesting which role a custom speaker name plays ("Mara" → assistant, "Tom" → user), for the
 * custom-speaker rule's explanation and the map-custom-speakers repair.
 */
import { canonicalRole, LEGACY_ROLE_SET, roleOf, STANDARD_ROLE_SET } from './inspect';

export type SpeakerRole = 'user' | 'assistant';
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
 */
export function suggestSpeakerMapping(messages: readonly unknown[], names: SpeakerNames): SpeakerMapping {
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
	private readonly votes = new Map<string, { user: number; assistant: number; entries: number }>();

	constructor(private readonly names: SpeakerNames) {}

	add(messages: readonly unknown[]): void {
		const mapping = suggestSpeakerMapping(messages, this.names);
		for (const name in mapping) {
			let vote = this.votes.get(name);
			if (vote === undefined) this.votes.set(name, (vote = { user: 0, assistant: 0, entries: 0 }));
			vote[mapping[name]]++;
			vote.entries++;
		}
	}

	/** Name → suggested role and in how many entries the name speaks, most frequent first. */
	suggest(): { name: string; role: SpeakerRole; entries: number }[] {
		return [...this.votes.entries()]
			.map(([name, vote]) => ({ name, role: (vote.assistant > vote.user ? 'assistant' : 'user') as SpeakerRole, entries: vote.entries }))
			.sort((a, b) => b.entries - a.entries || (a.name < b.name ? -1 : 1));
	}
}
