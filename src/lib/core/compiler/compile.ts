/**
 * The prompt compiler: (template, settings, registry) → prompt, or a list of errors. Pure and
 * deterministic: the same inputs give the same bytes (no clock, no randomness, no locale).
 *
 * Each mapped chunk is rendered once with mustache (HTML escaping off) against a view of the
 * validated settings. A value the user typed is inserted as a string and never rendered again, so
 * `{{entry_count}}` typed into the instructions stays literal text (RoleThread's search-and-replace
 * substituted it). Chunks are joined by one blank line.
 */
import Mustache from 'mustache';
import { hashText } from '../hash';
import type { Condition, PromptChunk, Registry, Template } from './registry';
import { hashValue } from './registry';
import { validateSettings, type SettingValue, type SettingValues } from './settings';

export type CompileErrorKind =
	| 'invalid-setting'
	| 'missing-chunk'
	| 'empty-chunk'
	| 'unknown-variable'
	| 'unknown-condition-setting'
	| 'chunk-syntax'
	| 'contradiction'
	| 'invalid-template';

export interface CompileError {
	kind: CompileErrorKind;
	message: string;
	/** The setting it is about, when it is about one. */
	field?: string;
	/** The chunk it is about, when it is about one. */
	chunk?: string;
}

export type CompileWarningKind = 'unused-setting' | 'value-not-used' | 'unknown-setting';

export interface CompileWarning {
	kind: CompileWarningKind;
	message: string;
	field: string;
}

/** Where one chunk's text lies in the prompt (UTF-16 offsets), for the preview's boundaries. */
export interface PromptPart {
	chunk: string;
	title: string;
	start: number;
	end: number;
}

export interface CompiledPrompt {
	ok: true;
	prompt: string;
	parts: PromptPart[];
	warnings: CompileWarning[];
	/** Hash of the template id and the normalised settings (provenance of pasted-back entries). */
	settingsHash: string;
	promptHash: string;
	charCount: number;
	tokenEstimate: number;
}

export interface CompileFailure {
	ok: false;
	errors: CompileError[];
	warnings: CompileWarning[];
}

export type CompileResult = CompiledPrompt | CompileFailure;

export const CHUNK_SEPARATOR = '\n\n';

/**
 * Variables derived from fields, for every template: a select's human label, and a list field's
 * item count and numbered items (a prompt list, previous questions).
 */
export const DERIVED_SUFFIXES = {
	select: ['_label'],
	textarea: ['_count', '_numbered']
} as const;

/** Every variable a chunk of this template may use, with the field it comes from. */
export function templateVariables(template: Template): Map<string, string> {
	const variables = new Map<string, string>();
	variables.set('template_name', '');
	for (const field of template.fields) {
		variables.set(field.key, field.key);
		if (field.kind === 'select') for (const suffix of DERIVED_SUFFIXES.select) variables.set(field.key + suffix, field.key);
		if (field.kind === 'textarea') for (const suffix of DERIVED_SUFFIXES.textarea) variables.set(field.key + suffix, field.key);
	}
	return variables;
}

/** Non-empty, trimmed lines of a list field ("- " and "1. " markers dropped). */
export function listItems(text: string): string[] {
	return text
		.split('\n')
		.map((line) => line.replace(/^\s*(?:[-*•]|\d+[.)])\s+/, '').trim())
		.filter((line) => line.length > 0);
}

function buildView(template: Template, values: SettingValues): Record<string, string | number> {
	// No prototype: a name like `constructor` must never resolve to something mustache would call.
	const view: Record<string, string | number> = Object.create(null);
	view.template_name = template.name;
	for (const field of template.fields) {
		const value = values[field.key];
		view[field.key] = value;
		if (field.kind === 'select') view[`${field.key}_label`] = field.options?.find((o) => o.value === value)?.label ?? String(value);
		if (field.kind === 'textarea') {
			const items = listItems(String(value));
			view[`${field.key}_count`] = items.length;
			view[`${field.key}_numbered`] = items.map((item, i) => `${i + 1}. ${item}`).join('\n');
		}
	}
	return view;
}

type Token = [string, string, number, number, Token[]?, ...unknown[]];

/** The variable names a chunk's mustache source uses (first segment of dotted names). */
export function chunkVariables(text: string): { names: string[]; error?: string } {
	let tokens: Token[];
	try {
		tokens = Mustache.parse(text) as unknown as Token[];
	} catch (error) {
		return { names: [], error: error instanceof Error ? error.message : String(error) };
	}
	const names = new Set<string>();
	let partial: string | undefined;
	const walk = (list: Token[]) => {
		for (const token of list) {
			const [type, value] = token;
			if (type === '>') partial = value;
			if ((type === 'name' || type === '&' || type === '#' || type === '^') && value !== '.') names.add(value.split('.')[0]);
			if (Array.isArray(token[4])) walk(token[4]);
		}
	};
	walk(tokens);
	if (partial !== undefined) return { names: [...names], error: `partials ({{> ${partial}}}) are not supported` };
	return { names: [...names] };
}

function settingText(value: SettingValue | undefined): string {
	return value === undefined ? '' : String(value);
}

export function conditionHolds(condition: Condition, values: SettingValues): boolean {
	const actual = settingText(values[condition.setting]);
	const expected = condition.value ?? '';
	switch (condition.op) {
		case 'equals':
			return actual === expected;
		case 'not-equals':
			return actual !== expected;
		case 'one-of':
			return expected
				.split(',')
				.map((v) => v.trim())
				.includes(actual);
		case 'non-empty':
			return actual.trim() !== '';
		case 'empty':
			return actual.trim() === '';
	}
}

/** A rough token count for the preview: about four characters per token for English prose. */
export function estimateTokens(text: string): number {
	return Math.ceil(text.length / 4);
}

/** Checks the template and the chunks it maps, independent of any settings. */
export function checkTemplate(template: Template, registry: Registry): CompileError[] {
	const errors: CompileError[] = [];
	const variables = templateVariables(template);
	const seenKeys = new Set<string>();
	for (const field of template.fields) {
		if (seenKeys.has(field.key)) errors.push({ kind: 'invalid-template', field: field.key, message: `The template defines the setting “${field.key}” twice` });
		seenKeys.add(field.key);
		if (field.kind === 'select' && !(field.options ?? []).length)
			errors.push({ kind: 'invalid-template', field: field.key, message: `The choice setting “${field.label}” has no options` });
	}
	const reported = new Set<string>();
	for (const mapping of template.mappings) {
		if (mapping.when && !seenKeys.has(mapping.when.setting)) {
			errors.push({
				kind: 'unknown-condition-setting',
				chunk: mapping.chunk,
				field: mapping.when.setting,
				message: `The condition on chunk “${mapping.chunk}” tests the setting “${mapping.when.setting}”, which this template does not define`
			});
		}
		if (reported.has(mapping.chunk)) continue;
		reported.add(mapping.chunk);
		const chunk = registry.chunks.get(mapping.chunk);
		if (!chunk) {
			errors.push({ kind: 'missing-chunk', chunk: mapping.chunk, message: `The template maps the chunk “${mapping.chunk}”, which does not exist` });
			continue;
		}
		if (chunk.text.trim() === '') {
			errors.push({ kind: 'empty-chunk', chunk: chunk.id, message: `The chunk “${chunk.id}” is empty` });
			continue;
		}
		const used = chunkVariables(chunk.text);
		if (used.error) {
			errors.push({ kind: 'chunk-syntax', chunk: chunk.id, message: `The chunk “${chunk.id}” has a template error: ${used.error}` });
			continue;
		}
		for (const name of used.names) {
			if (!variables.has(name)) {
				errors.push({
					kind: 'unknown-variable',
					chunk: chunk.id,
					field: name,
					message: `The chunk “${chunk.id}” uses {{${name}}}, which no setting of this template defines`
				});
			}
		}
	}
	return errors;
}

/** Settings that no mapped chunk and no condition reads (a template defect, reported as a warning). */
function unusedSettingWarnings(template: Template, registry: Registry): CompileWarning[] {
	const variables = templateVariables(template);
	const read = new Set<string>();
	for (const mapping of template.mappings) {
		if (mapping.when) read.add(mapping.when.setting);
		const chunk = registry.chunks.get(mapping.chunk);
		if (!chunk) continue;
		for (const name of chunkVariables(chunk.text).names) {
			const field = variables.get(name);
			if (field) read.add(field);
		}
	}
	for (const field of template.fields) if (typeof field.required === 'object') read.add(field.required.setting);
	return template.fields
		.filter((f) => !read.has(f.key))
		.map((f) => ({ kind: 'unused-setting' as const, field: f.key, message: `The setting “${f.label}” is not used by any chunk of this template` }));
}

export function compilePrompt(template: Template, settings: unknown, registry: Registry): CompileResult {
	const validation = validateSettings(template, settings);
	const errors: CompileError[] = validation.errors.map((e) => ({ kind: 'invalid-setting', field: e.field, message: e.message }));
	errors.push(...checkTemplate(template, registry));
	const warnings: CompileWarning[] = unusedSettingWarnings(template, registry);
	for (const key of validation.unknownKeys) {
		warnings.push({ kind: 'unknown-setting', field: key, message: `The setting “${key}” is not part of this template and was ignored` });
	}
	if (errors.length) return { ok: false, errors, warnings };

	const values = validation.values;
	const included: PromptChunk[] = [];
	for (const mapping of template.mappings) {
		if (mapping.when && !conditionHolds(mapping.when, values)) continue;
		const chunk = registry.chunks.get(mapping.chunk) as PromptChunk;
		if (!included.includes(chunk)) included.push(chunk);
	}

	const groups = new Map<string, PromptChunk>();
	for (const chunk of included) {
		if (!chunk.exclusiveGroup) continue;
		const first = groups.get(chunk.exclusiveGroup);
		if (first) {
			errors.push({
				kind: 'contradiction',
				chunk: chunk.id,
				message: `The chunks “${first.id}” and “${chunk.id}” are alternatives (group “${chunk.exclusiveGroup}”) but both apply with these settings: make their conditions exclusive`
			});
		} else groups.set(chunk.exclusiveGroup, chunk);
	}
	if (errors.length) return { ok: false, errors, warnings };

	const view = buildView(template, values);
	const variables = templateVariables(template);
	const reachingPrompt = new Set<string>();
	const parts: PromptPart[] = [];
	let prompt = '';
	for (const chunk of included) {
		// One render per chunk; the view's strings are data to mustache, never templates.
		const rendered = Mustache.render(chunk.text, view, undefined, { escape: (value: unknown) => String(value) }).trim();
		for (const name of chunkVariables(chunk.text).names) reachingPrompt.add(variables.get(name) ?? name);
		if (rendered === '') continue;
		if (prompt.length) prompt += CHUNK_SEPARATOR;
		parts.push({ chunk: chunk.id, title: chunk.title, start: prompt.length, end: prompt.length + rendered.length });
		prompt += rendered;
	}

	for (const field of template.fields) {
		if (field.kind !== 'text' && field.kind !== 'textarea') continue;
		if (settingText(values[field.key]).trim() === '' || reachingPrompt.has(field.key)) continue;
		if (warnings.some((w) => w.field === field.key)) continue;
		warnings.push({ kind: 'value-not-used', field: field.key, message: `${field.label} is filled in but not used with these settings` });
	}

	return {
		ok: true,
		prompt,
		parts,
		warnings,
		settingsHash: hashValue({ template: template.id, settings: values }),
		promptHash: hashText(prompt),
		charCount: prompt.length,
		tokenEstimate: estimateTokens(prompt)
	};
}

/** Compiles a template of the registry by id. */
export function compileById(registry: Registry, templateId: string, settings: unknown): CompileResult {
	const template = registry.templates.get(templateId);
	if (!template) return { ok: false, errors: [{ kind: 'invalid-template', message: `There is no template “${templateId}”` }], warnings: [] };
	return compilePrompt(template, settings, registry);
}
