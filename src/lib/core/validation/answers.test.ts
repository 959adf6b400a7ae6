/**
 * A pair's chosen answer is checked like a conversation's messages; the rejected one and the
 * cookbook's exact counts are left alone.
 */
import { describe, expect, it } from 'vitest';
import type { Entry } from '../model';
import { BUILTIN_PROFILES, compileProfile, validateEntry } from './index';

const pair = (chosen: string, rejected: string, prompt = 'The ferry to Harrow Island was cancelled. Can I get a refund?'): Entry =>
	({
		id: 'pair-1',
		messages: [
			{ role: 'system', content: 'You are a support agent for Tidewater Ferries.' },
			{ role: 'user', content: prompt }
		],
		tags: [],
		meta: { review: 'draft' },
		extra: {},
		hash: 'h',
		preference: { kind: 'pair', chosen: [{ role: 'assistant', content: chosen }], rejected: [{ role: 'assistant', content: rejected }] }
	}) as Entry;

const findings = (entry: Entry, profile: keyof typeof BUILTIN_PROFILES = 'openai-chat') => validateEntry(entry, compileProfile(BUILTIN_PROFILES[profile]));

describe('the chosen answer of a preference pair', () => {
	it('is checked: a refusal there is reported as in the chosen answer, at its place after the prompt, with no automatic repair', () => {
		const found = findings(pair("I'm sorry, but I can't help with refunds. As an AI language model I have no access to bookings.", 'Yes: cancelled crossings are refunded in full within five days.')).filter((f) => f.rule === 'refusal-phrase');
		expect(found).toHaveLength(1);
		expect(found[0]).toMatchObject({ entryId: 'pair-1', answer: 'chosen', messageIndex: 2, repairKind: 'manual', severity: 'warning' });
		expect(found[0].repair).toBeUndefined();
		expect(found[0].message).toContain('Message 3 says');
	});

	it('reports an empty chosen answer; the same text in the rejected answer is not reported', () => {
		const empty = findings(pair('   ', 'Yes, in full.'));
		expect(empty.filter((f) => f.rule === 'empty-content').map((f) => [f.answer, f.messageIndex])).toEqual([['chosen', 2]]);
		const refusingRejected = findings(pair('Yes: cancelled crossings are refunded in full within five days.', "I'm sorry, but I can't help with that. As an AI language model I cannot."));
		expect(refusingRejected.filter((f) => f.answer === 'chosen')).toEqual([]);
		expect(refusingRejected.map((f) => f.rule)).not.toContain('refusal-phrase');
	});

	it('leaves the prompt to the entry itself: a prompt problem is reported once, without `answer`', () => {
		const found = findings(pair('Yes, in full.', 'No.', '   ')).filter((f) => f.rule === 'empty-content');
		expect(found.map((f) => [f.answer, f.messageIndex])).toEqual([[undefined, 1]]);
	});

	it('is not looked into by the cookbook profile, which counts exactly what OpenAI’s notebook counts', () => {
		const bad = pair('', 'Yes, in full.');
		expect(findings(bad, 'openai-cookbook').filter((f) => f.answer === 'chosen')).toEqual([]);
	});

	it('says nothing extra for a plain chat', () => {
		const chat = { ...pair('x', 'y'), preference: undefined, messages: [...pair('x', 'y').messages, { role: 'assistant', content: '' }] } as Entry;
		expect(findings(chat).filter((f) => f.answer !== undefined)).toEqual([]);
	});
});
