/**
 * Role repairs: standard spellings, and custom speaker names mapped to roles.
 */
import type { Message } from '../model';
import { canonicalRole } from '../validation/inspect';
import { isCustomSpeaker, suggestSpeakerMapping } from '../validation/speakers';
import { withMessages } from './entry-update';
import type { Repair } from './types';

export const normalizeRoleAliases: Repair = {
	id: 'normalize-role-aliases',
	title: 'Normalise role spellings',
	description: 'Rewrites role spellings to the standard names: "Human", "human " → user; "GPT", "bot", "model" → assistant; "sys" → system; "observation" → tool.',
	kind: 'automatic-safe',
	fixes: ['role-alias'],
	apply(entry) {
		let messages: Message[] | null = null;
		entry.messages.forEach((message, i) => {
			if (typeof message.role !== 'string') return;
			const canonical = canonicalRole(message.role);
			if (canonical === null || canonical === message.role) return;
			messages ??= entry.messages.slice();
			messages[i] = { ...message, role: canonical };
		});
		return messages === null ? entry : withMessages(entry, messages);
	}
};

export const mapCustomSpeakers: Repair = {
	id: 'map-custom-speakers',
	title: 'Map speaker names to roles',
	description:
		'Gives each custom speaker name a role (from the mapping the user confirmed, or the suggestion for the entry: the one that keeps user and assistant alternating, with a narrator between their turns as system) and keeps the name as the message\'s "name" and in the entry\'s characters.',
	kind: 'suggested',
	fixes: ['custom-speaker'],
	apply(entry, ctx) {
		if (!entry.messages.some((message) => isCustomSpeaker(message.role))) return entry;
		const mapping = ctx.speakerMapping ?? suggestSpeakerMapping(entry.messages, ctx);
		let characters = entry.characters;
		let messages: Message[] | null = null;
		entry.messages.forEach((message, i) => {
			const speaker = message.role;
			if (!isCustomSpeaker(speaker) || !Object.hasOwn(mapping, speaker)) return;
			const role = mapping[speaker];
			messages ??= entry.messages.slice();
			const mapped: Message = { ...message, role };
			if (mapped.name === undefined) mapped.name = speaker;
			messages[i] = mapped;
			// Narration (system) is nobody's character.
			if (role !== 'system' && characters?.[role] === undefined) characters = { ...characters, [role]: speaker };
		});
		if (messages === null) return entry;
		const updated = withMessages(entry, messages);
		if (characters !== undefined) updated.characters = characters;
		return updated;
	}
};
