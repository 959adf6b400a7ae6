import { describe, expect, it } from 'vitest';
import { customTemplate, CustomTemplateError, templateFromTokenizerConfig } from './custom-template';
import { TemplateRenderError } from './render';

const CHATML = "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}";

describe('custom templates', () => {
	it('takes a pasted template, its tokens, and the eos token as a turn end', () => {
		const spec = customTemplate({ chatTemplate: CHATML, eosToken: '<|im_end|>', tokenizer: 'qwen3' });
		expect(spec).toEqual({ chatTemplate: CHATML, bosToken: null, eosToken: '<|im_end|>', turnEnds: ['<|im_end|>'], thinkField: null, tokenizer: 'qwen3' });
	});

	it('refuses an empty template and one that does not parse, with the parser message', () => {
		expect(() => customTemplate({ chatTemplate: '  ', tokenizer: 'qwen3' })).toThrow(CustomTemplateError);
		expect(() => customTemplate({ chatTemplate: '{% if messages %}', tokenizer: 'qwen3' })).toThrow(TemplateRenderError);
	});

	it('reads chat_template and AddedToken special tokens from a tokenizer_config.json', () => {
		const config = { chat_template: CHATML, bos_token: { content: '<s>', lstrip: false }, eos_token: '</s>' };
		const spec = templateFromTokenizerConfig(JSON.stringify(config), 'llama3_1');
		expect(spec.bosToken).toBe('<s>');
		expect(spec.eosToken).toBe('</s>');
		expect(spec.turnEnds).toEqual(['</s>']);
		expect(spec.tokenizer).toBe('llama3_1');
	});

	it('picks a named template from a list (default unless told)', () => {
		const config = { chat_template: [{ name: 'default', template: 'D' }, { name: 'tool_use', template: 'T' }] };
		expect(templateFromTokenizerConfig(JSON.stringify(config), 'qwen3').chatTemplate).toBe('D');
		expect(templateFromTokenizerConfig(JSON.stringify(config), 'qwen3', 'tool_use').chatTemplate).toBe('T');
		expect(() => templateFromTokenizerConfig(JSON.stringify(config), 'qwen3', 'rag')).toThrow(/no chat template named "rag" \(it has: default, tool_use\)/);
	});

	it('says what is wrong with a bad file', () => {
		expect(() => templateFromTokenizerConfig('{"chat_template": ', 'qwen3')).toThrow(/not valid JSON/);
		expect(() => templateFromTokenizerConfig('[]', 'qwen3')).toThrow(/one JSON object/);
		expect(() => templateFromTokenizerConfig('{"eos_token": "</s>"}', 'qwen3')).toThrow(/no "chat_template"/);
		expect(() => templateFromTokenizerConfig(JSON.stringify({ chat_template: 'x', eos_token: 5 }), 'qwen3')).toThrow(/"eos_token" is neither/);
	});
});
