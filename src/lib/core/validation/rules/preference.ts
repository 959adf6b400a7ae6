/**
 * Preference data (issue 16). A pair's `messages` are its prompt, so it must end on the user's turn
 * (the answers follow it); its chosen and rejected answers must differ, or the pair teaches nothing.
 * The conversation-shape rules that expect an answer in `messages` (`ends-on-user`,
 * `missing-assistant`) stay quiet on pairs: the answers are in `preference`.
 */
import { canonicalRole, isRecord, makeFinding, messagesOf, roleOf } from '../inspect';
import type { EntryRule } from '../types';

interface PairLike {
	chosen: readonly unknown[];
	rejected: readonly unknown[];
}

/** The entry's pair, when it is one (read defensively: rules see raw records too). */
export function pairOf(entry: unknown): PairLike | null {
	if (!isRecord(entry) || !isRecord(entry.preference)) return null;
	const preference = entry.preference;
	if (preference.kind !== 'pair' || !Array.isArray(preference.chosen) || !Array.isArray(preference.rejected)) return null;
	return { chosen: preference.chosen, rejected: preference.rejected };
}

function sameAnswer(a: readonly unknown[], b: readonly unknown[]): boolean {
	if (a.length !== b.length) return false;
	for (let i = 0; i < a.length; i++) {
		const x = a[i];
		const y = b[i];
		if (!isRecord(x) || !isRecord(y)) return false;
		if (x.role !== y.role || JSON.stringify(x.content) !== JSON.stringify(y.content)) return false;
	}
	return true;
}

export const pairIdentical: EntryRule = {
	scope: 'entry',
	id: 'pair-identical',
	title: 'Chosen and rejected are the same',
	description: 'The pair\'s chosen and rejected answers are identical, so a preference trainer (DPO, ORPO) learns nothing from it. Edit one answer or drop the pair.',
	defaultSeverity: 'error',
	repairKind: 'manual',
	check(entry) {
		const pair = pairOf(entry);
		if (pair === null || !sameAnswer(pair.chosen, pair.rejected)) return [];
		return [makeFinding(pairIdentical, entry, 'The chosen and the rejected answer are identical.')];
	}
};

export const pairPromptNotUser: EntryRule = {
	scope: 'entry',
	id: 'pair-prompt-not-user',
	title: 'Pair prompt does not end on the user',
	description: 'A preference pair\'s prompt should end on the user\'s turn, which both answers reply to; otherwise the answers continue another turn (TRL then continues the last message instead of starting a reply).',
	defaultSeverity: 'warning',
	repairKind: 'manual',
	check(entry) {
		if (pairOf(entry) === null) return [];
		const messages = messagesOf(entry);
		if (messages === null) return [];
		if (messages.length === 0) return [makeFinding(pairPromptNotUser, entry, 'The pair has no prompt: the answers reply to nothing.')];
		const last = messages.length - 1;
		const raw = roleOf(messages[last]);
		const role = raw === undefined ? null : canonicalRole(raw);
		if (role === 'user') return [];
		return [makeFinding(pairPromptNotUser, entry, `The pair's prompt ends on a ${role ?? 'message without a role'}, not the user's turn.`, last)];
	}
};

export const PREFERENCE_RULES: readonly EntryRule[] = [pairIdentical, pairPromptNotUser];
