/**
 * Choosing training roles for custom speakers so that user and assistant keep alternating: a
 * search over user / assistant / narration for the most frequent speakers, scored on sampled
 * conversations (as speaker sequences). Shared by the Characters page's speaker mapping
 * (characters.ts, over a whole dataset) and the validation rule and repair that map one entry's
 * speakers (validation/speakers.ts), so both make the same guess about a narrator.
 */

/** Speaker labels that name narration rather than a person. */
const NARRATOR_NAME = /^(the[ _-]?)?(narrator|narration|storyteller|scene|ooc|gm|dm|game[ _-]?master|dungeon[ _-]?master)$/i;
/** Custom speakers whose role is searched (the most frequent); the rest keep the vote. */
const SEARCHED_SPEAKERS = 6;

export function isNarratorName(speaker: string): boolean {
	return NARRATOR_NAME.test(speaker.trim());
}

/** One conversation as speaker symbols: -1 user, -2 assistant, -3 a turn that breaks the chain (tool); ≥ 0 a custom speaker. */
export type Sequence = number[];
export const USER = -1;
export const ASSISTANT = -2;
export const BREAK = -3;

export type SearchedRole = 'user' | 'assistant' | 'narration';

export interface SearchSpeaker {
	speaker: string;
	symbol: number;
	messages: number;
	voted: 'user' | 'assistant';
	narratorName: boolean;
	/** A role the speaker must take (the configured identity or user name): not searched. */
	fixed?: SearchedRole;
}

/**
 * The roles that keep the sampled conversations alternating best. Cost of an assignment: one per
 * pair of adjacent turns with the same role (user/user, assistant/assistant; narration is left
 * out of the chain), half a point per narrated message (none for a speaker called "Narrator"), and
 * below one point in all for conversations opened by the assistant and for each message whose
 * role differs from its vote — so those only break ties.
 *
 * `weights` tune it for one conversation (the validation repair): narration made cheaper, so a
 * speaker whose lines would put two same-role turns in a row is narrated rather than doubled, and
 * a cost for a conversation left without a user or without an assistant turn, so a real speaker
 * who merely speaks twice in a row is not narrated away.
 */
export interface RoleWeights {
	/** Per narrated message of a speaker not called "Narrator" (default 0.5). */
	narratedMessage: number;
	/** Per conversation with user turns but no assistant turn, or the reverse, or neither (default 0). */
	missingSide: number;
}

export function chooseSpeakerRoles(
	speakers: SearchSpeaker[],
	sequences: { sequence: Sequence; count: number }[],
	weights: RoleWeights = { narratedMessage: 0.5, missingSide: 0 }
): Map<string, SearchedRole> {
	const result = new Map<string, SearchedRole>();
	if (speakers.length === 0) return result;
	const searched = [...speakers].sort((a, b) => b.messages - a.messages).slice(0, SEARCHED_SPEAKERS);
	const roleBySymbol: SearchedRole[] = [];
	for (const speaker of speakers) roleBySymbol[speaker.symbol] = speaker.fixed ?? speaker.voted;
	const totalMessages = Math.max(1, speakers.reduce((n, s) => n + s.messages, 0));
	const totalConversations = Math.max(1, sequences.reduce((n, s) => n + s.count, 0));

	const cost = (): number => {
		let clashes = 0;
		let assistantOpens = 0;
		let missing = 0;
		for (const { sequence, count } of sequences) {
			let previous = 0;
			let first = true;
			let users = 0;
			let assistants = 0;
			for (const symbol of sequence) {
				const role = symbol === USER ? USER : symbol === ASSISTANT ? ASSISTANT : symbol === BREAK ? BREAK : roleBySymbol[symbol] === 'narration' ? 0 : roleBySymbol[symbol] === 'user' ? USER : ASSISTANT;
				if (role === 0) continue;
				if (first && role === ASSISTANT) assistantOpens += count;
				first = false;
				if (role !== BREAK && role === previous) clashes += count;
				if (role === USER) users++;
				else if (role === ASSISTANT) assistants++;
				previous = role;
			}
			if (users === 0 || assistants === 0) missing += count;
		}
		let narrated = 0;
		let disagreeing = 0;
		for (const speaker of searched) {
			const role = roleBySymbol[speaker.symbol];
			if (role === 'narration') narrated += speaker.narratorName ? 0 : speaker.messages;
			else if (role !== speaker.voted) disagreeing += speaker.messages;
			if (speaker.narratorName && role !== 'narration') disagreeing += speaker.messages;
		}
		return clashes + weights.narratedMessage * narrated + weights.missingSide * missing + 0.3 * (assistantOpens / totalConversations) + 0.15 * (disagreeing / totalMessages);
	};

	const options: SearchedRole[] = ['user', 'assistant', 'narration'];
	let best = Infinity;
	let bestRoles: SearchedRole[] = [];
	const visit = (i: number): void => {
		if (i === searched.length) {
			const c = cost();
			if (c < best - 1e-12) {
				best = c;
				bestRoles = searched.map((s) => roleBySymbol[s.symbol]);
			}
			return;
		}
		for (const option of searched[i].fixed ? [searched[i].fixed] : options) {
			roleBySymbol[searched[i].symbol] = option;
			visit(i + 1);
		}
	};
	visit(0);
	searched.forEach((speaker, i) => (roleBySymbol[speaker.symbol] = bestRoles[i]));
	for (const speaker of speakers) result.set(speaker.speaker, roleBySymbol[speaker.symbol]);
	return result;
}
