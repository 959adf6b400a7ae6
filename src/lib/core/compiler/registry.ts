/**
 * The prompt registry's data model: prompt chunks (all prompt prose), generation templates (a
 * workflow: its settings form and its ordered, possibly conditional chunk mappings) and the JSON
 * bundle they are exported and imported as. Everything here is plain data validated with zod, so
 * that user-edited rows read back from IndexedDB or an imported file are checked at the boundary.
 */
import { z } from 'zod';
import { hashText } from '../hash';

/** Slugs name chunks, templates and settings: they appear in errors, mappings and mustache tags. */
export const SlugSchema = z
	.string()
	.min(1, 'must not be empty')
	.max(80, 'at most 80 characters')
	.regex(/^[a-z][a-z0-9_-]*$/, 'lower-case letters, digits, _ and -, starting with a letter');

export const CHUNK_CATEGORIES = ['task', 'format', 'quantity', 'content', 'system_prompt', 'style', 'tone', 'output', 'language', 'instructions', 'source'] as const;
export const ChunkCategorySchema = z.enum(CHUNK_CATEGORIES);
export type ChunkCategory = z.infer<typeof ChunkCategorySchema>;

export const PromptChunkSchema = z.object({
	id: SlugSchema,
	title: z.string().max(200),
	description: z.string().max(2000),
	category: ChunkCategorySchema,
	/** Mustache source; rendered with HTML escaping off. */
	text: z.string().max(200_000),
	/**
	 * Chunks in one group give alternative instructions (auto vs custom system prompt): the
	 * compiler refuses a prompt that would include two of them, since they would contradict.
	 */
	exclusiveGroup: z.string().max(80).optional()
});
export type PromptChunk = z.infer<typeof PromptChunkSchema>;

export const FIELD_KINDS = ['integer', 'text', 'textarea', 'select'] as const;

export const FieldOptionSchema = z.object({ value: z.string(), label: z.string() });
export type FieldOption = z.infer<typeof FieldOptionSchema>;

export const FieldSpecSchema = z.object({
	key: SlugSchema,
	label: z.string().min(1).max(200),
	kind: z.enum(FIELD_KINDS),
	help: z.string().max(1000).optional(),
	placeholder: z.string().max(1000).optional(),
	/** Required always (`true`), or only while another setting has a value (custom prompt ← mode custom). */
	required: z.union([z.boolean(), z.object({ setting: SlugSchema, equals: z.string() })]),
	min: z.number().int().optional(),
	max: z.number().int().optional(),
	/** Longest accepted text, in characters. */
	maxLength: z.number().int().positive().optional(),
	options: z.array(FieldOptionSchema).optional(),
	default: z.union([z.string(), z.number()]),
	/** Shown under "More settings" in the form rather than at the top. */
	advanced: z.boolean().optional()
});
export type FieldSpec = z.infer<typeof FieldSpecSchema>;

export const CONDITION_OPS = ['equals', 'not-equals', 'one-of', 'non-empty', 'empty'] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];
export const CONDITION_OP_LABELS: Record<ConditionOp, string> = {
	equals: 'equals',
	'not-equals': 'does not equal',
	'one-of': 'is one of',
	'non-empty': 'is filled in',
	empty: 'is empty'
};

export const ConditionSchema = z.object({
	setting: SlugSchema,
	op: z.enum(CONDITION_OPS),
	/** For equals / not-equals: one value; for one-of: values separated by commas. */
	value: z.string().max(1000).optional()
});
export type Condition = z.infer<typeof ConditionSchema>;

/** One line of a template's chunk order; a condition makes it a conditional mapping. */
export const MappingSchema = z.object({
	chunk: SlugSchema,
	when: ConditionSchema.optional()
});
export type Mapping = z.infer<typeof MappingSchema>;

/** What the external model is asked to write back; the paste-back preview explains it. */
export const REPLY_SHAPES = ['chatml-jsonl', 'prompt-response-jsonl'] as const;

export const TemplateSchema = z.object({
	id: SlugSchema,
	name: z.string().min(1).max(200),
	description: z.string().max(2000),
	replyShape: z.enum(REPLY_SHAPES),
	fields: z.array(FieldSpecSchema).max(60),
	/** Deterministic order: the prompt is these chunks, in this order, joined by one blank line. */
	mappings: z.array(MappingSchema).max(200)
});
export type Template = z.infer<typeof TemplateSchema>;

export interface Registry {
	chunks: ReadonlyMap<string, PromptChunk>;
	templates: ReadonlyMap<string, Template>;
}

export function makeRegistry(chunks: readonly PromptChunk[], templates: readonly Template[]): Registry {
	return { chunks: new Map(chunks.map((c) => [c.id, c])), templates: new Map(templates.map((t) => [t.id, t])) };
}

/** Ids of templates whose mappings use a chunk (the chunk editor shows them). */
export function templatesUsingChunk(registry: Registry, chunkId: string): Template[] {
	return [...registry.templates.values()].filter((t) => t.mappings.some((m) => m.chunk === chunkId));
}

/**
 * JSON with object keys sorted, so that the same value always hashes the same whatever order
 * its keys were written in (built-in upgrades compare these hashes).
 */
export function stableStringify(value: unknown): string {
	if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
	if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
	const record = value as Record<string, unknown>;
	const keys = Object.keys(record)
		.filter((key) => record[key] !== undefined)
		.sort();
	return `{${keys.map((key) => `${JSON.stringify(key)}:${stableStringify(record[key])}`).join(',')}}`;
}

export function hashValue(value: unknown): string {
	return hashText(stableStringify(value));
}

export const REGISTRY_BUNDLE_KIND = 'skein-prompt-registry';

/** The export / import file: the whole registry, edited flags included. */
export const RegistryBundleSchema = z.object({
	kind: z.literal(REGISTRY_BUNDLE_KIND),
	version: z.literal(1),
	exportedAt: z.string(),
	chunks: z.array(z.object({ value: PromptChunkSchema, edited: z.boolean(), builtIn: z.boolean() })),
	templates: z.array(z.object({ value: TemplateSchema, edited: z.boolean(), builtIn: z.boolean() }))
});
export type RegistryBundle = z.infer<typeof RegistryBundleSchema>;
