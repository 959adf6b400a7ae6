/**
 * Preference pairs (issue 16): the pre-export check flags a pair that cannot teach a preference —
 * chosen and rejected the same, or answering different prompts (their user turns differ), or a
 * prompt that does not end on the user's turn. Entries without a pair are not looked at.
 */
import { entryPairFlags, PAIR_FLAG_TEXT } from '../../preference/pair-check';
import { PreferenceSchema } from '../../model';
import { isRecord, makeFinding, messagesOf } from '../inspect';
import type { EntryRule } from '../types';

/** The pair of an entry as the rule reads it (defensively: raw records reach rules too). */
function pairOf(entry: unknown) {
	if (!isRecord(entry)) return null;
	const parsed = PreferenceSchema.safeParse(entry.preference);
	const messages = messagesOf(entry);
	if (!parsed.success || parsed.data.kind !== 'pair' || messages === null) return null;
	return { messages: messages as never, preference: parsed.data };
}

export const pairIdentical: EntryRule = {
	scope: 'entry',
	id: 'pair-identical',
	title: 'Chosen and rejected are identical',
	description: 'A preference pair whose chosen and rejected answers are the same text teaches nothing (DPO’s loss for it is zero). Drop it or write a different rejected answer.',
	defaultSeverity: 'error',
	repairKind: 'manual',
	check(entry) {
		const pair = pairOf(entry);
		if (!pair || !entryPairFlags(pair).includes('identical')) return [];
		return [makeFinding(pairIdentical, entry, `${PAIR_FLAG_TEXT.identical}.`)];
	}
};

export const pairPromptsDiffer: EntryRule = {
	scope: 'entry',
	id: 'pair-prompts-differ',
	title: 'Chosen and rejected answer different prompts',
	description: 'The chosen and rejected continuations contain different user turns (or a different shape), so they do not answer the same prompt; or the shared prompt does not end on the user’s turn.',
	defaultSeverity: 'error',
	repairKind: 'manual',
	check(entry) {
		const pair = pairOf(entry);
		if (!pair) return [];
		const flags = entryPairFlags(pair);
		const found = [];
		if (flags.includes('prompts-differ')) found.push(makeFinding(pairPromptsDiffer, entry, `${PAIR_FLAG_TEXT['prompts-differ']}.`));
		if (flags.includes('prompt-end')) found.push(makeFinding(pairPromptsDiffer, entry, `${PAIR_FLAG_TEXT['prompt-end']}: a pair's prompt is the conversation up to the user's turn its answers reply to.`));
		return found;
	}
};

export const PREFERENCE_RULES: readonly EntryRule[] = [pairIdentical, pairPromptsDiffer];
