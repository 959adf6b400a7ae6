import { describe, expect, it } from 'vitest';
import { checkCustomTarget } from './custom-target';
import { resolveTarget } from './target';

const CHATML = '{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}';

describe('checking a custom target', () => {
	it('takes a pasted template with its special tokens, turn ends included', () => {
		const check = checkCustomTarget({ source: 'paste', text: CHATML, tokenizer: 'qwen3', eosToken: '<|endoftext|>', turnEnds: ['<|im_end|>'] });
		expect(check).toEqual({
			ok: true,
			template: { kind: 'custom', origin: 'pasted', chatTemplate: CHATML, bosToken: null, eosToken: '<|endoftext|>', turnEnds: ['<|im_end|>', '<|endoftext|>'], tokenizer: 'qwen3' },
			templateNames: []
		});
		if (check.ok) expect(resolveTarget({ template: check.template, maxSeqLen: 10, lossMode: 'assistant-only' }).turnEnds).toEqual(['<|im_end|>', '<|endoftext|>']);
	});

	it('says at which line and column a pasted template does not parse', () => {
		const check = checkCustomTarget({ source: 'paste', text: '{% for m in messages %}\n{{ m.content | }}\n{% endfor %}', tokenizer: 'qwen3' });
		expect(check).toMatchObject({ ok: false, line: 2, column: 1 });
		if (!check.ok) expect(check.error).toBe('The chat template could not be read: at line 2, column 1 ({{ m.content | }}), Unexpected token: CloseExpression.');
		const unclosed = checkCustomTarget({ source: 'paste', text: 'a\nb {% if messages %}', tokenizer: 'qwen3' });
		expect(unclosed).toMatchObject({ ok: false, line: 2, column: 3, error: expect.stringMatching(/never closed with \{% endif %\}/) });
	});

	it('refuses a template that breaks on a plain chat, and keeps one that raises on purpose', () => {
		const broken = checkCustomTarget({ source: 'paste', text: '{{ messages | nosuchfilter }}', tokenizer: 'qwen3' });
		expect(broken).toMatchObject({ ok: false, error: expect.stringMatching(/failed while rendering.*two-turn/) });
		const strict = checkCustomTarget({ source: 'paste', text: "{% if messages[0].role != 'system' %}{{ raise_exception('system first') }}{% endif %}", tokenizer: 'qwen3' });
		expect(strict.ok).toBe(true);
	});

	it('reads a tokenizer_config.json, its named templates and tokens, with the file name as origin', () => {
		const config = JSON.stringify({ chat_template: [{ name: 'default', template: CHATML }, { name: 'tool_use', template: CHATML + '{{ tools }}' }], eos_token: { content: '<|im_end|>' } });
		const check = checkCustomTarget({ source: 'file', text: config, fileName: 'tokenizer_config.json', tokenizer: 'qwen3' });
		expect(check).toMatchObject({ ok: true, templateNames: ['default', 'tool_use'], template: { origin: 'tokenizer_config.json', chatTemplate: CHATML, eosToken: '<|im_end|>', turnEnds: ['<|im_end|>'] } });
		const tool = checkCustomTarget({ source: 'file', text: config, fileName: 'tc.json', templateName: 'tool_use', tokenizer: 'qwen3' });
		expect(tool).toMatchObject({ ok: true, template: { origin: 'tc.json · tool_use' } });
	});

	it('says where a bad file goes wrong: its JSON, or a line of its template', () => {
		const bad = checkCustomTarget({ source: 'file', text: '{\n  "chat_template": "x",\n  oops\n}', fileName: 'tokenizer_config.json', tokenizer: 'qwen3' });
		expect(bad).toMatchObject({ ok: false, error: expect.stringMatching(/not valid JSON/) });
		const badTemplate = checkCustomTarget({ source: 'file', text: JSON.stringify({ chat_template: 'hi\n{% for m in %}{% endfor %}' }), tokenizer: 'qwen3' });
		expect(badTemplate).toMatchObject({ ok: false, line: 2, column: 1, error: expect.stringMatching(/line 2, column 1 of its chat_template/) });
		expect(checkCustomTarget({ source: 'file', text: '{"eos_token": "</s>"}', tokenizer: 'qwen3' })).toMatchObject({ ok: false, error: expect.stringMatching(/no "chat_template"/) });
	});
});
