/**
 * A preference pair's chosen answer, checked like a conversation's own messages. A pair's
 * `messages` are only its prompt; the answer a preference trainer pulls the model towards is in
 * `preference.chosen`, so an empty turn, a refusal, a placeholder or a stray think tag there
 * would otherwise pass every check. The rejected answer is not checked: it is meant to be the
 * worse one (a refusal there is often the point), and the pair rules already say when it equals
 * the chosen one.
 *
 * The entry's rules run on the prompt followed by the chosen answer (the conversation an SFT
 * export of the pair writes); what they find in the answer's messages is reported with
 * `answer: 'chosen'` and the message's index in that conversation, as the rules' texts say. These
 * rules stay out: the cookbook's (which count exactly what OpenAI's notebook counts), the
 * template's (they render the entry as a whole), the pair rules, and the guards that halt.
 * Findings there have no automatic repair: repairs change `messages`, not the answers.
 */
import { pairOf } from './rules/preference';
import { COOKBOOK_RULES } from './rules/cookbook';
import type { EntryRule, Finding } from './types';

const COOKBOOK_IDS: ReadonlySet<string> = new Set(COOKBOOK_RULES.map((rule) => rule.id));

/** Whether a rule also looks into a pair's chosen answer. */
export function checksAnswers(rule: EntryRule): boolean {
	return rule.halts !== true && !COOKBOOK_IDS.has(rule.id) && !rule.id.startsWith('template-') && !rule.id.startsWith('pair-');
}

/**
 * The entry as the rules see its chosen answer (prompt + chosen, no preference), and where the
 * answer starts; null when the entry is not a pair.
 */
export function chosenView(entry: unknown): { view: Record<string, unknown>; answerStart: number } | null {
	const pair = pairOf(entry);
	if (pair === null || pair.chosen.length === 0) return null;
	const record = entry as Record<string, unknown>;
	const prompt = Array.isArray(record.messages) ? record.messages : [];
	const { preference: _preference, ...rest } = record;
	return { view: { ...rest, messages: [...prompt, ...pair.chosen] }, answerStart: prompt.length };
}

/** A finding about the view, as a finding about the chosen answer (null when it is about the prompt or the whole entry). */
export function asAnswerFinding(finding: Finding, answerStart: number): Finding | null {
	if (finding.messageIndex === undefined || finding.messageIndex < answerStart) return null;
	const { repair: _repair, ...rest } = finding;
	return { ...rest, answer: 'chosen', repairKind: 'manual' };
}
