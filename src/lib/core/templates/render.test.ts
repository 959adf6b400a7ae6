import { describe, expect, it } from 'vitest';
import { compileTemplate, renderChat, strftime, TemplateRaisedError, TemplateRenderError } from './render';

const chat = { messages: [{ role: 'user', content: 'Hi' }] };

describe('renderChat', () => {
	it('passes messages, tokens and add_generation_prompt=false by default', () => {
		const template = "{{ bos_token }}{% for m in messages %}[{{ m.role }}:{{ m.content }}]{% endfor %}{% if add_generation_prompt %}GEN{% endif %}{{ eos_token }}";
		expect(renderChat(template, chat, { bosToken: '<s>', eosToken: '</s>' })).toBe('<s>[user:Hi]</s>');
		expect(renderChat(template, chat, { bosToken: '<s>', eosToken: '</s>', addGenerationPrompt: true })).toBe('<s>[user:Hi]GEN</s>');
	});

	it('leaves unset special tokens undefined, as transformers does', () => {
		expect(renderChat('{{ bos_token is defined }}', chat, { bosToken: null })).toBe('false');
	});

	it('passes tools as none when there are none', () => {
		expect(renderChat('{{ tools is none }}', chat)).toBe('true');
		expect(renderChat('{{ tools | length }}', { ...chat, tools: [{ type: 'function' }] })).toBe('1');
	});

	it("raises the template's own message as a TemplateRaisedError", () => {
		const template = "{% if messages[0].role != 'system' %}{{ raise_exception('System message required') }}{% endif %}";
		let caught: unknown;
		try {
			renderChat(template, chat);
		} catch (error) {
			caught = error;
		}
		expect(caught).toBeInstanceOf(TemplateRaisedError);
		expect((caught as TemplateRaisedError).templateMessage).toBe('System message required');
	});

	it('reports a template that does not parse, and one that fails while rendering', () => {
		expect(() => compileTemplate('{% for m in messages %}')).toThrow(TemplateRenderError);
		expect(() => renderChat('{{ messages | no_such_filter }}', chat)).toThrow(/failed while rendering/);
	});

	it('trims blocks like transformers (trim_blocks, lstrip_blocks)', () => {
		expect(renderChat('{% for m in messages %}\n    {% if true %}\n{{ m.content }}\n    {% endif %}\n{% endfor %}\n', chat)).toBe('Hi\n');
	});

	it('answers strftime_now with the given date, in English whatever the locale', () => {
		const now = new Date(2025, 6, 10, 9, 5);
		expect(renderChat('{{ strftime_now("%d %b %Y") }} {{ strftime_now("%Y-%m-%d %H:%M") }} {{ strftime_now("%B") }}', chat, { now })).toBe('10 Jul 2025 2025-07-10 09:05 July');
		expect(strftime(now, '%j %y %%')).toBe('191 25 %');
	});

	it('keeps the variables a caller adds, under the reserved ones', () => {
		expect(renderChat('{{ reasoning_effort }}', chat, { variables: { reasoning_effort: 'high' } })).toBe('high');
		expect(renderChat('{{ messages | length }}', chat, { variables: { messages: [] } })).toBe('1');
	});
});
