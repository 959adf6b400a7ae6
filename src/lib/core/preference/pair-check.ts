/**
 * What is wrong with a pair before it is exported (issue 16): chosen and rejected that are the
 * same text teach nothing (and make DPO's loss zero), and answers that follow different user
 * turns do not answer the same prompt. Works on drafts (the builder's review list) and on stored
 * entries alike.
 */
import type { Entry, Message } from '../model';
import { plainMessages, sameMessages, sameNonAssistantTurns } from './drafts';

export type PairFlag = 'identical' | 'prompts-differ' | 'prompt-end' | 'empty';

export const PAIR_FLAG_TEXT: Record<PairFlag, string> = {
	identical: 'Chosen and rejected are identical',
	'prompts-differ': 'Chosen and rejected answer different prompts (their user turns differ)',
	'prompt-end': 'The prompt does not end on a user turn',
	empty: 'Chosen or rejected is empty'
};

export function pairFlags(prompt: readonly Message[], chosen: readonly Message[], rejected: readonly Message[]): PairFlag[] {
	const flags: PairFlag[] = [];
	const a = plainMessages(chosen);
	const b = plainMessages(rejected);
	if (!a.length || !b.length || [...a, ...b].every((message) => !String(message.content).trim())) flags.push('empty');
	else if (sameMessages(a, b)) flags.push('identical');
	else if (!sameNonAssistantTurns(a, b)) flags.push('prompts-differ');
	if (prompt[prompt.length - 1]?.role !== 'user') flags.push('prompt-end');
	return flags;
}

/** The flags of a stored pair entry (none for other entries). */
export function entryPairFlags(entry: Pick<Entry, 'messages' | 'preference'>): PairFlag[] {
	const preference = entry.preference;
	if (preference?.kind !== 'pair') return [];
	return pairFlags(entry.messages, preference.chosen, preference.rejected);
}
