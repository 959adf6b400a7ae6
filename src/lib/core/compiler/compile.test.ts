import { describe, expect, it } from 'vitest';
import { chunkVariables, compileById, compilePrompt, listItems } from './compile';
import { GOLDEN_SETTINGS } from './golden-settings';
import { BUILTIN_CHUNKS, BUILTIN_TEMPLATES } from './library';
import { makeRegistry, type PromptChunk, type Template } from './registry';
import { defaultSettings } from './settings';

const registry = makeRegistry(BUILTIN_CHUNKS, BUILTIN_TEMPLATES);
const scenarios = BUILTIN_TEMPLATES.find((t) => t.id === 'conversation_scenarios') as Template;
const base = GOLDEN_SETTINGS.conversation_scenarios[0];

function withChunks(chunks: PromptChunk[], templates: Template[] = BUILTIN_TEMPLATES) {
	const byId = new Map(BUILTIN_CHUNKS.map((c) => [c.id, c]));
	for (const c of chunks) byId.set(c.id, c);
	return makeRegistry([...byId.values()], templates);
}

function errorsOf(result: ReturnType<typeof compilePrompt>) {
	if (result.ok) throw new Error('expected errors');
	return result.errors;
}

describe('compilePrompt', () => {
	it('compiles every built-in template with its defaults plus required text', () => {
		for (const template of BUILTIN_TEMPLATES) {
			const settings = { ...defaultSettings(template) };
			for (const field of template.fields) if (field.required === true && field.kind !== 'integer' && field.kind !== 'select') settings[field.key] = `Some ${field.label}`;
			const result = compilePrompt(template, settings, registry);
			expect(result.ok, template.id).toBe(true);
		}
	});

	it('reports parts that cover the prompt in mapping order, separated by one blank line', () => {
		const result = compilePrompt(scenarios, base, registry);
		if (!result.ok) throw new Error('compile failed');
		expect(result.parts.map((p) => p.chunk)).toEqual([
			'task_conversation_dataset',
			'format_chatml_jsonl',
			'quantity_entries',
			'quantity_exchanges',
			'content_scenario',
			'system_prompt_auto',
			'style_natural_dialogue',
			'tone_warm',
			'language_output',
			'delivery_paste_jsonl'
		]);
		expect(result.parts.map((p) => result.prompt.slice(p.start, p.end)).join('\n\n')).toBe(result.prompt);
		expect(result.charCount).toBe(result.prompt.length);
		expect(result.tokenEstimate).toBe(Math.ceil(result.prompt.length / 4));
	});

	it('never includes two system-prompt instructions: auto, custom and none are exclusive', () => {
		for (const mode of ['auto', 'custom', 'none']) {
			const result = compilePrompt(scenarios, { ...base, system_prompt_mode: mode, custom_system_prompt: 'Be Spoke.' }, registry);
			if (!result.ok) throw new Error(result.errors[0].message);
			expect(result.parts.filter((p) => p.chunk.startsWith('system_prompt_')).map((p) => p.chunk)).toEqual([`system_prompt_${mode}`]);
		}
	});

	it('keeps text the user typed literal: placeholders in settings are not rendered again', () => {
		const result = compilePrompt(scenarios, { ...base, content_instructions: 'Use {{entry_count}} and {{#style}}x{{/style}} and {{{language}}}' }, registry);
		if (!result.ok) throw new Error('compile failed');
		expect(result.prompt).toContain('Use {{entry_count}} and {{#style}}x{{/style}} and {{{language}}}');
	});

	it('does not HTML-escape values', () => {
		const result = compilePrompt(scenarios, { ...base, content_instructions: `<b>"Tom & Jerry's"</b>` }, registry);
		if (!result.ok) throw new Error('compile failed');
		expect(result.prompt).toContain(`<b>"Tom & Jerry's"</b>`);
	});

	it('gives the same settings hash for the same settings, whatever key order or line endings', () => {
		const a = compilePrompt(scenarios, base, registry);
		const reordered = Object.fromEntries(Object.entries({ ...base, content_instructions: String(base.content_instructions).replace(/\n/g, '\r\n') }).reverse());
		const b = compilePrompt(scenarios, reordered, registry);
		if (!a.ok || !b.ok) throw new Error('compile failed');
		expect(b.prompt).toBe(a.prompt);
		expect(b.settingsHash).toBe(a.settingsHash);
	});

	it('accepts numbers typed as strings (a form input)', () => {
		const result = compilePrompt(scenarios, { ...base, entry_count: '7' }, registry);
		expect(result.ok && result.prompt.includes('Write exactly 7 entries')).toBe(true);
	});
});

describe('compile errors name the field or chunk', () => {
	it('invalid setting: out of range, wrong type, not a choice, required text', () => {
		const errors = errorsOf(compilePrompt(scenarios, { ...base, entry_count: 0, exchange_count: 'many', style: 'opera', content_instructions: '   ' }, registry));
		expect(errors.map((e) => [e.kind, e.field])).toEqual([
			['invalid-setting', 'entry_count'],
			['invalid-setting', 'exchange_count'],
			['invalid-setting', 'content_instructions'],
			['invalid-setting', 'style']
		]);
		expect(errors[0].message).toBe('Number of entries must be at least 1');
		expect(errors[2].message).toBe('Content instructions is required');
		expect(errors[3].message).toContain('must be one of: natural_dialogue');
	});

	it('invalid setting: a custom system prompt is required in custom mode', () => {
		const errors = errorsOf(compilePrompt(scenarios, { ...base, system_prompt_mode: 'custom', custom_system_prompt: '' }, registry));
		expect(errors).toEqual([
			{ kind: 'invalid-setting', field: 'custom_system_prompt', message: 'Custom system prompt is required when System prompt is “Use my system prompt”' }
		]);
	});

	it('invalid setting: settings that are not an object', () => {
		expect(errorsOf(compilePrompt(scenarios, null, registry))[0].kind).toBe('invalid-setting');
		expect(errorsOf(compilePrompt(scenarios, [1, 2], registry))[0].kind).toBe('invalid-setting');
	});

	it('mapped chunk missing', () => {
		const template: Template = { ...scenarios, mappings: [...scenarios.mappings, { chunk: 'no_such_chunk' }] };
		const errors = errorsOf(compilePrompt(template, base, registry));
		expect(errors).toEqual([{ kind: 'missing-chunk', chunk: 'no_such_chunk', message: 'The template maps the chunk “no_such_chunk”, which does not exist' }]);
	});

	it('mapped chunk empty', () => {
		const reg = withChunks([{ ...(BUILTIN_CHUNKS.find((c) => c.id === 'tone_warm') as PromptChunk), text: ' \n ' }]);
		const errors = errorsOf(compilePrompt(scenarios, base, reg));
		expect(errors).toEqual([{ kind: 'empty-chunk', chunk: 'tone_warm', message: 'The chunk “tone_warm” is empty' }]);
	});

	it('a variable no setting defines', () => {
		const reg = withChunks([{ ...(BUILTIN_CHUNKS.find((c) => c.id === 'tone_warm') as PromptChunk), text: 'Warm, {{mood}} and {{#weather.kind}}x{{/weather.kind}}' }]);
		const errors = errorsOf(compilePrompt(scenarios, base, reg));
		expect(errors.map((e) => [e.kind, e.chunk, e.field])).toEqual([
			['unknown-variable', 'tone_warm', 'mood'],
			['unknown-variable', 'tone_warm', 'weather']
		]);
		expect(errors[0].message).toBe('The chunk “tone_warm” uses {{mood}}, which no setting of this template defines');
	});

	it('a condition on an unknown setting', () => {
		const template: Template = { ...scenarios, mappings: [...scenarios.mappings, { chunk: 'tone_warm', when: { setting: 'mood', op: 'equals', value: 'x' } }] };
		const errors = errorsOf(compilePrompt(template, base, registry));
		expect(errors).toEqual([
			{
				kind: 'unknown-condition-setting',
				chunk: 'tone_warm',
				field: 'mood',
				message: 'The condition on chunk “tone_warm” tests the setting “mood”, which this template does not define'
			}
		]);
	});

	it('a chunk with a mustache syntax error or a partial', () => {
		const reg = withChunks([
			{ ...(BUILTIN_CHUNKS.find((c) => c.id === 'tone_warm') as PromptChunk), text: 'Warm {{#language}} never closed' },
			{ ...(BUILTIN_CHUNKS.find((c) => c.id === 'language_output') as PromptChunk), text: 'In {{> other}}' }
		]);
		const errors = errorsOf(compilePrompt(scenarios, base, reg));
		expect(errors.map((e) => [e.kind, e.chunk])).toEqual([
			['chunk-syntax', 'tone_warm'],
			['chunk-syntax', 'language_output']
		]);
	});

	it('contradicting chunks of one exclusive group', () => {
		const template: Template = { ...scenarios, mappings: [...scenarios.mappings, { chunk: 'system_prompt_none' }] };
		const errors = errorsOf(compilePrompt(template, base, registry));
		expect(errors[0].kind).toBe('contradiction');
		expect(errors[0].message).toContain('“system_prompt_auto” and “system_prompt_none”');
	});

	it('an unknown template id', () => {
		expect(errorsOf(compileById(registry, 'nope', {}))[0].message).toBe('There is no template “nope”');
	});
});

describe('warnings', () => {
	it('a setting no chunk uses', () => {
		const template: Template = { ...scenarios, fields: [...scenarios.fields, { key: 'mood', label: 'Mood', kind: 'text', required: false, default: '' }] };
		const result = compilePrompt(template, base, registry);
		expect(result.warnings).toEqual([{ kind: 'unused-setting', field: 'mood', message: 'The setting “Mood” is not used by any chunk of this template' }]);
	});

	it('a value filled in whose chunk is not included', () => {
		const result = compilePrompt(scenarios, { ...base, custom_system_prompt: 'You are Spoke.' }, registry);
		expect(result.ok).toBe(true);
		expect(result.warnings).toEqual([
			{ kind: 'value-not-used', field: 'custom_system_prompt', message: 'Custom system prompt is filled in but not used with these settings' }
		]);
	});

	it('settings the template does not have', () => {
		const result = compilePrompt(scenarios, { ...base, colour: 'blue' }, registry);
		expect(result.warnings.map((w) => [w.kind, w.field])).toEqual([['unknown-setting', 'colour']]);
	});
});

describe('helpers', () => {
	it('lists items without markers or blank lines', () => {
		expect(listItems('- one\n\n2) two\n* three\n  4. four  ')).toEqual(['one', 'two', 'three', 'four']);
	});
	it('finds the variables of nested sections', () => {
		expect(chunkVariables('{{a}} {{#b}}{{c.d}}{{.}}{{/b}} {{^e}}{{{f}}}{{/e}} {{&g}}').names.sort()).toEqual(['a', 'b', 'c', 'e', 'f', 'g']);
	});
});
