/**
 * A dataset's training target as stored: a built-in family or a custom template, the
 * max_seq_len a trainer cuts at, and the loss mode. Validated with zod when read back, and
 * resolved to the ChatTemplateSpec that rendering, spans and counting use.
 */
import { customTemplate } from './custom-template';
import { templateFamily, type ChatTemplateSpec } from './families';
import type { TemplateTarget } from './target-schema';

export * from './target-schema';

/** The spec a target renders with (a custom template is parsed again: it must still be valid Jinja). */
export function resolveTarget(target: TemplateTarget): ChatTemplateSpec {
	const template = target.template;
	if (template.kind === 'family') return templateFamily(template.family);
	return customTemplate({ chatTemplate: template.chatTemplate, bosToken: template.bosToken, eosToken: template.eosToken, turnEnds: template.turnEnds, tokenizer: template.tokenizer });
}
