import { describe, expect, it } from 'vitest';
import { templateFamily, FAMILY_IDS } from './families';
import { locateTemplateProblem } from './template-location';

describe('where a chat template goes wrong', () => {
	it('finds nothing wrong in the built-in templates', () => {
		for (const id of FAMILY_IDS) expect(locateTemplateProblem(templateFamily(id).chatTemplate)).toBeNull();
	});

	it('points at an expression that does not parse', () => {
		const source = "{% for m in messages %}\n  <|im_start|>{{ m.role }}\n{{ m.content | }}<|im_end|>\n{% endfor %}";
		expect(locateTemplateProblem(source)).toEqual({ line: 3, column: 1, tag: '{{ m.content | }}', problem: 'Unexpected token: CloseExpression' });
	});

	it('points at a block that is never closed', () => {
		expect(locateTemplateProblem('hello\n   {%- if messages %}{{ messages[0].content }}')).toMatchObject({ line: 2, column: 4, problem: 'this {% if %} is never closed with {% endif %}' });
	});

	it('points at a closer that does not match', () => {
		const found = locateTemplateProblem('{% for m in messages %}\n{% if m %}x{% endfor %}');
		expect(found).toMatchObject({ line: 2, column: 12, problem: '{% endfor %} cannot close the {% if %} opened at line 2, column 1' });
		expect(locateTemplateProblem('a {% endif %}')).toMatchObject({ line: 1, column: 3, problem: '{% endif %} has no block to close' });
	});

	it('points at an unknown statement, a broken for, an unclosed tag and a stray else', () => {
		expect(locateTemplateProblem('x\n{% bogus %}')).toMatchObject({ line: 2, column: 1, problem: 'Unknown statement type: bogus' });
		expect(locateTemplateProblem('{% for x in %}{% endfor %}')).toMatchObject({ line: 1, column: 1, tag: '{% for x in %}' });
		expect(locateTemplateProblem('ok {{ messages[0]')).toMatchObject({ line: 1, column: 4, problem: 'this {{ is never closed with }}' });
		expect(locateTemplateProblem('{% else %}')).toMatchObject({ problem: '{% else %} is outside any {% if %}' });
	});

	it('reads strings holding delimiters, comments, inline sets and raw blocks', () => {
		expect(locateTemplateProblem("{{ '%}' + \"}}\" }}{# {% if #}{% set x = 1 %}{% raw %}{% if {% endraw %}")).toBeNull();
		expect(locateTemplateProblem('{% set ns %}a{% endset %}')).toBeNull();
	});
});
