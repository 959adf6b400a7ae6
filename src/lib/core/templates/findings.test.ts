import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { templateFamily, type FamilyId } from './families';
import { lengthFinding } from './findings';
import type { TemplateConversation } from './render';
import { renderEntry } from './trainer-view';

const conversations = JSON.parse(readFileSync('tests/fixtures/templates/conversations.json', 'utf8')) as Record<string, TemplateConversation>;
const entryOf = (name: string) => ({ messages: conversations[name].messages as never, extra: conversations[name].tools ? { tools: conversations[name].tools } : {} });
const findingsOf = (id: FamilyId, name: string) => renderEntry(templateFamily(id), entryOf(name), { now: new Date(2025, 6, 10) }).findings;

describe('template findings', () => {
	it("reports a refused conversation as an error with the template's message", () => {
		const result = renderEntry(templateFamily('gemma3'), entryOf('roles-not-alternating'));
		expect(result.text).toBeNull();
		expect(result.findings).toEqual([{ code: 'template-raised', severity: 'error', text: 'The template refuses this conversation: "Conversation roles must alternate user/assistant/user/assistant/..."' }]);
	});

	it('warns that Gemma merges the system prompt into the first user turn', () => {
		const [finding] = findingsOf('gemma3', 'system-single-turn');
		expect(finding).toMatchObject({ code: 'system-merged', severity: 'warning', message: 0, expected: 'You are a concise assistant. Answer in one sentence.' });
		expect(finding.rendered).toContain('Answer in one sentence.\n\nWhat is the capital of Norway?');
		expect(findingsOf('qwen2.5', 'system-single-turn')).toEqual([]);
	});

	it('warns that Qwen3 removes the think block of an earlier turn, and only that one', () => {
		const findings = findingsOf('qwen3', 'think-inline');
		expect(findings).toHaveLength(1);
		expect(findings[0]).toMatchObject({ code: 'think-removed', message: 1, expected: '<think>\n91 = 7 × 13, so it is not prime.\n</think>', rendered: expect.stringContaining('No — 91 = 7 × 13.') });
		expect(findingsOf('qwen2.5', 'think-inline')).toEqual([]);
	});

	it('warns that gpt-oss drops the reasoning of earlier turns', () => {
		expect(findingsOf('gpt-oss', 'think-inline').map((f) => [f.code, f.message])).toEqual([['think-removed', 1]]);
	});

	it('warns about tool calls a template does not render', () => {
		const findings = findingsOf('chatml', 'tools');
		expect(findings.find((f) => f.code === 'tool-call-dropped')).toMatchObject({ message: 2, text: expect.stringContaining('get_weather') });
		expect(findingsOf('qwen2.5', 'tools')).toEqual([]);
	});

	it('warns about messages of a role the template ignores', () => {
		expect(findingsOf('qwen3', 'unknown-role')).toEqual([
			{ code: 'content-dropped', severity: 'warning', message: 1, text: 'The content of narrator message 2 is not rendered: the template ignores it.', expected: 'The room falls silent.', rendered: null }
		]);
	});

	it('warns when a tool result is rendered as a JSON string', () => {
		expect(findingsOf('llama3', 'tools')).toEqual([expect.objectContaining({ code: 'content-rewritten', message: 3, rendered: '"{\\"temperature\\": 21.5, \\"condition\\": \\"sunny\\"}"' })]);
	});

	it('warns about speaker names a template drops', () => {
		const entry = { messages: [{ role: 'user', content: 'Hello there.' }, { role: 'assistant', name: 'Mira', content: 'Aye.' }], extra: {} };
		expect(renderEntry(templateFamily('chatml'), entry).findings).toEqual([expect.objectContaining({ code: 'speaker-name-dropped', message: 1, expected: 'Mira' })]);
	});

	it('finds nothing in a conversation the template renders faithfully', () => {
		for (const id of ['qwen3', 'qwen2.5', 'llama3', 'gemma3', 'gpt-oss', 'chatml'] as const) expect(findingsOf(id, 'multi-turn'), id).toEqual([]);
	});
});

describe('max_seq_len', () => {
	it('says nothing within the budget', () => {
		expect(lengthFinding({ totalTokens: 100, maxSeqLen: 100, assistantTokenSpans: [{ start: 50, end: 100 }] })).toBeNull();
	});

	it('counts the cut tokens and says whether the last assistant turn survives', () => {
		expect(lengthFinding({ totalTokens: 5000, maxSeqLen: 4096, assistantTokenSpans: [{ start: 100, end: 3000 }, { start: 4200, end: 5000 }] })?.text).toBe(
			'5,000 tokens under the template, over max_seq_len 4,096: 904 would be cut. The last assistant turn is lost entirely.'
		);
		expect(lengthFinding({ totalTokens: 5000, maxSeqLen: 4096, assistantTokenSpans: [{ start: 4000, end: 5000 }] })?.text).toContain('The last assistant turn loses 904 of its 1000 tokens.');
		expect(lengthFinding({ totalTokens: 5000, maxSeqLen: 4096, assistantTokenSpans: [{ start: 10, end: 20 }] })?.text).toContain('The last assistant turn is kept.');
	});
});
