/**
 * A dataset's training target as stored, apart from the templates themselves: the database and
 * the page validate rows with it without pulling the template data and the Jinja engine into the
 * first page load.
 */
import { z } from 'zod';

export const TEMPLATE_TOKENIZER_IDS = ['qwen3', 'llama3_1', 'gemma3', 'gptoss'] as const;
export type TemplateTokenizerId = (typeof TEMPLATE_TOKENIZER_IDS)[number];

export const FAMILY_IDS = ['qwen3', 'qwen2.5', 'llama3', 'gemma3', 'gpt-oss', 'chatml'] as const;
export type FamilyId = (typeof FAMILY_IDS)[number];

export const CustomTargetSchema = z.object({
	kind: z.literal('custom'),
	/** Where the template came from, for the user: "pasted" or the dropped file's name. */
	origin: z.string(),
	chatTemplate: z.string().min(1),
	bosToken: z.string().nullable(),
	eosToken: z.string().nullable(),
	turnEnds: z.array(z.string()),
	tokenizer: z.enum(TEMPLATE_TOKENIZER_IDS)
});

export const TemplateTargetSchema = z.object({
	template: z.union([z.object({ kind: z.literal('family'), family: z.enum(FAMILY_IDS) }), CustomTargetSchema]),
	maxSeqLen: z.number().int().positive(),
	lossMode: z.enum(['assistant-only', 'everything'])
});
export type TemplateTarget = z.infer<typeof TemplateTargetSchema>;

/** TRL's SFTConfig default max_length. */
export const DEFAULT_MAX_SEQ_LEN = 1024;

