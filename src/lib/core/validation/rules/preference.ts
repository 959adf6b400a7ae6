/**
 * Preference data (issue 16). A pair's `messages` are its prompt, so it must end on the user's turn
 * (the answers follow it); its chosen and rejected answers must differ and answer the same prompt,
 * or the pair teaches nothing. The conversation-shape rules that expect an answer in `messages`
 * (`ends-on-user`, `missing-assistant`) stay quiet on pairs: the answers are in `preference`.
 * The checks themselves are the pair builder's (core/preference/pair-check.ts), so the builder's
 * review list and the pre-export check agree.
 */
import { entryPairFlags, PAIR_FLAG_TEXT } from '../../preference/pair-check';
import { PreferenceSchema, type Preference } from '../../model';
import { canonicalRole, isRecord, makeFinding, messagesOf, roleOf } from '../inspect';
import type { EntryRule } from '../types';

/** The entry's pair, when it is one (read defensively: rules see raw records too). */
export function pairOf(entry: unknown): Extract<Preference, { kind: 'pair' }> | null {
	if (!isRecord(entry)) return null;
	const parsed = PreferenceSchema.safeParse(entry.preference);
	return parsed.success && parsed.data.kind === 'pair' ? parsed.data : null;
}

function flagsOf(entry: unknown) {
	const preference = pairOf(entry);
	const messages = messagesOf(entry);
	if (preference === null || messages === null) return [];
	return entryPairFlags({ messages: messages as never, preference });
}

export const pairIdentical: EntryRule = {
	scope: 'entry',
	id: 'pair-identical',
	title: 'Chosen and rejected are the same',
	description: 'The pair\'s chosen and rejected answers are identical, so a preference trainer (DPO, ORPO) learns nothing from it (its loss is zero). Edit one answer or drop the pair.',
	defaultSeverity: 'error',
	repairKind: 'manual',
	check(entry) {
		if (!flagsOf(entry).includes('identical')) return [];
		return [makeFinding(pairIdentical, entry, `${PAIR_FLAG_TEXT.identical}.`)];
	}
};

export const pairPromptsDiffer: EntryRule = {
	scope: 'entry',
	id: 'pair-prompts-differ',
	title: 'Chosen and rejected answer different prompts',
	description: 'The chosen and rejected continuations contain different user turns (or a different shape), so they do not answer the same prompt.',
	defaultSeverity: 'error',
	repairKind: 'manual',
	check(entry) {
		if (!flagsOf(entry).includes('prompts-differ')) return [];
		return [makeFinding(pairPromptsDiffer, entry, `${PAIR_FLAG_TEXT['prompts-differ']}.`)];
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

export const PREFERENCE_RULES: readonly EntryRule[] = [pairIdentical, pairPromptsDiffer, pairPromptNotUser];
