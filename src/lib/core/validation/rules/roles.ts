/**
 * Roles and message keys: what a trainer for the profile accepts, spellings of the standard
 * roles ("Human", "GPT", " bot ") and custom speaker names ("Mara", "Narrator").
 */
import { canonicalRole, isRecord, LEGACY_ROLE_SET, makeFinding, messagesOf, quote, roleOf, STANDARD_ROLE_SET } from '../inspect';
import { suggestSpeakerMapping } from '../speakers';
import type { EntryRule, Finding } from '../types';

export const unknownMessageKey: EntryRule = {
	scope: 'entry',
	id: 'unknown-message-key',
	title: 'Unknown message key',
	description: "A message has a key the profile's trainer does not accept. Skein keeps it; the export may drop it or the trainer may reject it.",
	defaultSeverity: 'warning',
	repairKind: 'manual',
	check(entry, ctx) {
		const messages = messagesOf(entry);
		if (messages === null) return [];
		const allowed = ctx.allowedMessageKeys;
		const findings: Finding[] = [];
		for (let i = 0; i < messages.length; i++) {
			const message = messages[i];
			if (!isRecord(message)) continue;
			let unknown: string[] | null = null;
			for (const key of Object.keys(message)) {
				if (!allowed.includes(key)) (unknown ??= []).push(key);
			}
			if (unknown !== null) {
				const keys = unknown.map((key) => JSON.stringify(key)).join(', ');
				findings.push(makeFinding(unknownMessageKey, entry, `Message ${i + 1} has ${unknown.length > 1 ? 'keys' : 'a key'} this profile does not accept: ${keys}.`, i));
			}
		}
		return findings;
	}
};

export const unknownRole: EntryRule = {
	scope: 'entry',
	id: 'unknown-role',
	title: 'Missing or unsupported role',
	description: 'A message has no role, a role that is not text, or a standard role this profile does not accept (for example "tool" for a strict chat template).',
	defaultSeverity: 'error',
	repairKind: 'manual',
	check(entry, ctx) {
		const messages = messagesOf(entry);
		if (messages === null) return [];
		const findings: Finding[] = [];
		for (let i = 0; i < messages.length; i++) {
			const message = messages[i];
			if (!isRecord(message)) continue;
			const role = roleOf(message);
			if (role === undefined || role.trim() === '') {
				findings.push(makeFinding(unknownRole, entry, `Message ${i + 1} has no role.`, i));
			} else if ((STANDARD_ROLE_SET.has(role) || LEGACY_ROLE_SET.has(role)) && !ctx.allowedRoles.includes(role)) {
				findings.push(makeFinding(unknownRole, entry, `Message ${i + 1} has role "${role}", which this profile does not accept (${ctx.allowedRoles.join(', ')}).`, i));
			}
		}
		return findings;
	}
};

export const roleAlias: EntryRule = {
	scope: 'entry',
	id: 'role-alias',
	title: 'Role spelling variant',
	description: 'A role is another spelling of a standard role ("Human", "gpt", "bot", "model", " User "). Trainers expect the exact standard names.',
	defaultSeverity: 'warning',
	repair: 'normalize-role-aliases',
	repairKind: 'automatic-safe',
	check(entry) {
		const messages = messagesOf(entry);
		if (messages === null) return [];
		let findings: Finding[] | null = null;
		for (let i = 0; i < messages.length; i++) {
			const role = roleOf(messages[i]);
			if (role === undefined || STANDARD_ROLE_SET.has(role)) continue;
			const canonical = canonicalRole(role);
			if (canonical === null) continue;
			(findings ??= []).push(makeFinding(roleAlias, entry, `Message ${i + 1}: role ${quote(role)} is a spelling of "${canonical}".`, i));
		}
		return findings ?? [];
	}
};

export const customSpeaker: EntryRule = {
	scope: 'entry',
	id: 'custom-speaker',
	title: 'Custom speaker name',
	description: 'A message is attributed to a speaker name ("Mara", "Narrator") instead of a role. Map each name to user or assistant, or a narrator to system (the name is kept as the message name).',
	defaultSeverity: 'warning',
	repair: 'map-custom-speakers',
	repairKind: 'suggested',
	check(entry, ctx) {
		const messages = messagesOf(entry);
		if (messages === null) return [];
		let first: Map<string, number> | null = null;
		for (let i = 0; i < messages.length; i++) {
			const role = roleOf(messages[i]);
			if (role === undefined || role.trim() === '' || STANDARD_ROLE_SET.has(role) || LEGACY_ROLE_SET.has(role) || canonicalRole(role) !== null) continue;
			first ??= new Map();
			if (!first.has(role)) first.set(role, i);
		}
		if (first === null) return [];
		const mapping = suggestSpeakerMapping(messages, ctx);
		const findings: Finding[] = [];
		for (const [name, index] of first) {
			const suggestion = mapping[name];
			const hint =
				suggestion === undefined
					? ''
					: suggestion === 'system'
						? ' Suggested: map it to "system" (narration: as user or assistant it would put two same-role turns in a row).'
						: ` Suggested: map it to "${suggestion}".`;
			findings.push(makeFinding(customSpeaker, entry, `Speaker ${quote(name)} is not a role.${hint}`, index));
		}
		return findings;
	}
};

export const ROLE_RULES: readonly EntryRule[] = [unknownMessageKey, unknownRole, roleAlias, customSpeaker];
