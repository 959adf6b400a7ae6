/**
 * A template's settings form as a zod schema, built from its field specs (templates are data, so
 * the schema is too). Validation collects one clear message per field; values are normalised
 * (trimmed text, CRLF → LF, numbers from numeric strings) so that equal settings compile to equal
 * bytes whatever the form produced.
 */
import { z } from 'zod';
import type { FieldSpec, Template } from './registry';

export type SettingValue = string | number;
export type SettingValues = Record<string, SettingValue>;

export interface FieldError {
	field: string;
	message: string;
}

const DEFAULT_TEXT_LIMIT = 20_000;
const DEFAULT_TEXTAREA_LIMIT = 100_000;

function fieldSchema(field: FieldSpec): z.ZodType<SettingValue> {
	switch (field.kind) {
		case 'integer': {
			let schema = z.number({ error: 'must be a whole number' }).int('must be a whole number');
			if (field.min !== undefined) schema = schema.min(field.min, `must be at least ${field.min}`);
			if (field.max !== undefined) schema = schema.max(field.max, `must be at most ${field.max}`);
			return z.preprocess(toNumber, schema);
		}
		case 'select': {
			const values = (field.options ?? []).map((o) => o.value);
			return z.string({ error: 'must be one of the listed choices' }).refine((v) => values.includes(v), {
				message: `must be one of: ${values.join(', ')}`
			});
		}
		default: {
			const limit = field.maxLength ?? (field.kind === 'textarea' ? DEFAULT_TEXTAREA_LIMIT : DEFAULT_TEXT_LIMIT);
			let schema = z.string({ error: 'must be text' }).max(limit, `must be at most ${limit.toLocaleString('en-US')} characters`);
			if (field.required === true) schema = schema.min(1, 'is required');
			return z.preprocess(normaliseText, schema);
		}
	}
}

/** Numbers pass; numeric strings (a form's input) become numbers; anything else fails validation. */
function toNumber(value: unknown): unknown {
	if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
	return value;
}

function normaliseText(value: unknown): unknown {
	return typeof value === 'string' ? value.replace(/\r\n?/g, '\n').trim() : value;
}

export function defaultSettings(template: Template): SettingValues {
	const values: SettingValues = {};
	for (const field of template.fields) values[field.key] = field.default;
	return values;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface SettingsValidation {
	values: SettingValues;
	errors: FieldError[];
	/** Keys given that the template has no field for (ignored). */
	unknownKeys: string[];
}

/**
 * Validates raw settings against the template's fields. A missing key takes the field's default
 * (the form always sends every field; other callers may send only what they change).
 */
export function validateSettings(template: Template, raw: unknown): SettingsValidation {
	const values: SettingValues = {};
	const errors: FieldError[] = [];
	if (!isPlainObject(raw)) {
		return { values: defaultSettings(template), errors: [{ field: '', message: 'Settings must be an object of field values' }], unknownKeys: [] };
	}
	for (const field of template.fields) {
		const given = Object.hasOwn(raw, field.key) ? raw[field.key] : field.default;
		const parsed = fieldSchema(field).safeParse(given);
		if (parsed.success) values[field.key] = parsed.data;
		else {
			errors.push({ field: field.key, message: `${field.label} ${parsed.error.issues[0]?.message ?? 'is invalid'}` });
			values[field.key] = field.default;
		}
	}
	// Conditionally required fields (a custom system prompt while the mode is "custom").
	for (const field of template.fields) {
		const rule = field.required;
		if (typeof rule !== 'object') continue;
		if (String(values[rule.setting] ?? '') === rule.equals && String(values[field.key] ?? '').trim() === '') {
			if (!errors.some((e) => e.field === field.key)) {
				const other = template.fields.find((f) => f.key === rule.setting);
				const choice = other?.options?.find((o) => o.value === rule.equals)?.label ?? rule.equals;
				errors.push({ field: field.key, message: `${field.label} is required when ${other?.label ?? rule.setting} is “${choice}”` });
			}
		}
	}
	const known = new Set(template.fields.map((f) => f.key));
	const unknownKeys = Object.keys(raw)
		.filter((key) => !known.has(key))
		.sort();
	return { values, errors, unknownKeys };
}
