/**
 * A dataset's training target as stored: a built-in family or a custom template, the
 * max_seq_len a trainer cuts at, and the loss mode. Validated with zod when read back, and
 * resolved to the ChatTemplateSpec that rendering, spans and counting use.
 */
import { z } from 'zod';
import { customTemplate } from './custom-template';
import { FAMILY_IDS, TEMPLATE_TOKENIZER_IDS, templateFamily, type ChatTemplateSpec } from './families';

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

/** The spec a target renders with (a custom template is parsed again: it must still be valid Jinja). */
export function resolveTarget(target: TemplateTarget): ChatTemplateSpec {
	const template = target.template;
	if (template.kind === 'family') return templateFamily(template.family);
	return customTemplate({ chatTemplate: template.chatTemplate, bosToken: template.bosToken, eosToken: template.eosToken, turnEnds: template.turnEnds, tokenizer: template.tokenizer });
}
