/**
 * Conversation shape: where the system prompt is, who speaks first and last, whether both sides
 * speak, and whether turns alternate. Roles are read through `canonicalRole`, so "human" counts
 * as a user turn here (its spelling is role-alias's business); custom speaker names are skipped.
 */
import { shapeOf } from '../entry-shape';
import { canonicalRole, hasKey, isRecord, makeFinding, messagesOf, roleOf, textOf, type StandardRoleName } from '../inspect';
import type { EntryRule, Finding } from '../types';
import { pairOf } from './preference';

/** Canonical role per message (shared with the other rules through the entry-shape cache). */
function rolesOf(messages: readonly unknown[], entry: unknown): readonly (StandardRoleName | null)[] {
	const shape = shapeOf(entry);
	if (shape !== null && shape.messages === messages) return shape.roles;
	return messages.map((message) => {
		const role = roleOf(message);
		return role === undefined ? null : canonicalRole(role);
	});
}

function isBlank(message: unknown): boolean {
	if (!isRecord(message)) return false;
	const content = message.content;
	if (typeof content === 'string') return content.trim() === '';
	if (content === null || content === undefined) return true;
	if (Array.isArray(content)) return content.length === 0 || textOf(message).trim() === '';
	return false;
}

export const systemNotFirst: EntryRule = {
	scope: 'entry',
	id: 'system-not-first',
	title: 'System message not first',
	description: 'A system message appears after the conversation started. Most chat templates only accept the system prompt as the first message.',
	defaultSeverity: 'warning',
	repair: 'move-system-to-front',
	repairKind: 'suggested',
	check(entry) {
		const messages = messagesOf(entry);
		if (messages === null) return [];
		const roles = rolesOf(messages, entry);
		let findings: Finding[] | null = null;
		for (let i = 1; i < roles.length; i++) {
			if (roles[i] === 'system' && roles.slice(0, i).some((role) => role !== 'system')) {
				(findings ??= []).push(makeFinding(systemNotFirst, entry, `Message ${i + 1} is a system message in the middle of the conversation.`, i));
			}
		}
		return findings ?? [];
	}
};

export const multipleSystem: EntryRule = {
	scope: 'entry',
	id: 'multiple-system',
	title: 'Several system messages',
	description: 'The entry has more than one system message; many trainers use only the first.',
	defaultSeverity: 'warning',
	repair: 'move-system-to-front',
	repairKind: 'suggested',
	check(entry) {
		const messages = messagesOf(entry);
		if (messages === null) return [];
		const roles = rolesOf(messages, entry);
		const first = roles.indexOf('system');
		if (first === -1) return [];
		const second = roles.indexOf('system', first + 1);
		if (second === -1) return [];
		const count = roles.filter((role) => role === 'system').length;
		return [makeFinding(multipleSystem, entry, `The entry has ${count} system messages; they can be merged into one at the front.`, second)];
	}
};

export const emptySystem: EntryRule = {
	scope: 'entry',
	id: 'empty-system',
	title: 'Empty system prompt',
	description: 'A system message has no text. Remove it or write the prompt.',
	defaultSeverity: 'warning',
	repairKind: 'manual',
	check(entry) {
		const messages = messagesOf(entry);
		if (messages === null) return [];
		let findings: Finding[] | null = null;
		for (let i = 0; i < messages.length; i++) {
			const role = roleOf(messages[i]);
			if (role !== undefined && canonicalRole(role) === 'system' && isBlank(messages[i])) {
				(findings ??= []).push(makeFinding(emptySystem, entry, `Message ${i + 1} is an empty system prompt.`, i));
			}
		}
		return findings ?? [];
	}
};

export const missingSystem: EntryRule = {
	scope: 'entry',
	id: 'missing-system',
	title: 'No system prompt',
	description: 'The entry has no system message. Fine for some targets; identity and roleplay data usually want one.',
	defaultSeverity: 'info',
	repairKind: 'manual',
	check(entry) {
		const messages = messagesOf(entry);
		if (messages === null || messages.length === 0) return [];
		if (rolesOf(messages, entry).includes('system')) return [];
		return [makeFinding(missingSystem, entry, 'The entry has no system message.')];
	}
};

/** Two messages a merge may join: plain text, no tool calls, same name and weight. */
export function mergeable(a: unknown, b: unknown): boolean {
	if (!isRecord(a) || !isRecord(b)) return false;
	if (typeof a.content !== 'string' || typeof b.content !== 'string') return false;
	for (const key of ['tool_calls', 'tool_call_id', 'function_call']) if (hasKey(a, key) || hasKey(b, key)) return false;
	return a.name === b.name && a.weight === b.weight;
}

export const consecutiveSameRole: EntryRule = {
	scope: 'entry',
	id: 'consecutive-same-role',
	title: 'Consecutive messages from the same role',
	description: 'Two user or two assistant messages in a row. Templates that require alternation reject it; merging joins them with a blank line.',
	defaultSeverity: 'warning',
	repair: 'merge-consecutive-same-role',
	repairKind: 'suggested',
	check(entry) {
		const messages = messagesOf(entry);
		if (messages === null) return [];
		const roles = rolesOf(messages, entry);
		let findings: Finding[] | null = null;
		for (let i = 1; i < roles.length; i++) {
			const role = roles[i];
			// Several tool results in a row answer parallel calls; several system messages are multiple-system's.
			if (role === null || role === 'tool' || role === 'system' || role !== roles[i - 1]) continue;
			const repair = mergeable(messages[i - 1], messages[i]) ? undefined : null;
			(findings ??= []).push(makeFinding(consecutiveSameRole, entry, `Messages ${i} and ${i + 1} are both ${role} messages.`, i, repair));
		}
		return findings ?? [];
	}
};

export const assistantFirst: EntryRule = {
	scope: 'entry',
	id: 'assistant-first',
	title: 'Assistant speaks first',
	description: 'The first turn after the system prompt is the assistant\'s (no user message before it). Strict templates require user first.',
	defaultSeverity: 'warning',
	repairKind: 'manual',
	check(entry) {
		const messages = messagesOf(entry);
		if (messages === null) return [];
		const roles = rolesOf(messages, entry);
		for (let i = 0; i < roles.length; i++) {
			const role = roles[i];
			if (role === 'system' || role === null) continue;
			if (role === 'assistant') return [makeFinding(assistantFirst, entry, `The assistant speaks first (message ${i + 1}), before any user message.`, i)];
			return [];
		}
		return [];
	}
};

export const endsOnUser: EntryRule = {
	scope: 'entry',
	id: 'ends-on-user',
	title: 'Does not end on an assistant message',
	description: 'The last message is not the assistant\'s, so the final turn trains nothing (and strict templates reject it). A trailing user turn can be dropped (automatically when it is empty).',
	defaultSeverity: 'warning',
	repair: 'drop-trailing-user',
	repairKind: 'suggested',
	check(entry) {
		const messages = messagesOf(entry);
		// A preference pair's messages are its prompt: they end on the user by design.
		if (messages === null || messages.length === 0 || pairOf(entry) !== null) return [];
		const last = messages.length - 1;
		const raw = roleOf(messages[last]);
		const role = raw === undefined ? null : canonicalRole(raw);
		if (role === 'assistant' || role === null) return [];
		const droppable = role === 'user' && isBlank(messages[last]);
		const endsOnUserWithText = role === 'user' && messages.some((m) => roleOf(m) !== undefined && canonicalRole(roleOf(m) as string) === 'assistant');
		const message = droppable ? 'The conversation ends on an empty user message.' : `The conversation ends on a ${role} message, not the assistant's.`;
		const finding = makeFinding(endsOnUser, entry, message, last, droppable ? 'drop-empty-trailing-user' : endsOnUserWithText ? undefined : null);
		// An empty trailing turn goes without review; a user turn with text is a suggestion.
		if (droppable) finding.repairKind = 'automatic-safe';
		return [finding];
	}
};

export const missingAssistant: EntryRule = {
	scope: 'entry',
	id: 'missing-assistant',
	title: 'No assistant message',
	description: 'Nothing in the entry is the assistant\'s, so there is nothing to train on.',
	defaultSeverity: 'error',
	repairKind: 'manual',
	check(entry) {
		const messages = messagesOf(entry);
		if (messages === null || messages.length === 0 || pairOf(entry) !== null) return [];
		if (rolesOf(messages, entry).includes('assistant')) return [];
		return [makeFinding(missingAssistant, entry, 'The entry has no assistant message.')];
	}
};

export const missingUser: EntryRule = {
	scope: 'entry',
	id: 'missing-user',
	title: 'No user message',
	description: 'The entry has no user message: the assistant answers nobody.',
	defaultSeverity: 'warning',
	repairKind: 'manual',
	check(entry) {
		const messages = messagesOf(entry);
		if (messages === null || messages.length === 0) return [];
		if (rolesOf(messages, entry).includes('user')) return [];
		return [makeFinding(missingUser, entry, 'The entry has no user message.')];
	}
};

export const ORDER_RULES: readonly EntryRule[] = [
	systemNotFirst,
	multipleSystem,
	emptySystem,
	missingSystem,
	consecutiveSameRole,
	assistantFirst,
	endsOnUser,
	missingAssistant,
	missingUser
];
