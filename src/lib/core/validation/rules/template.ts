/**
 * Template findings: what the dataset's training target (a model family's chat template and its
 * max_seq_len) does to an entry, found by rendering it as the trainer will (core/templates). The
 * worker attaches the target to the context (`ctx.template`); without one these rules say nothing.
 * Each rule reports one kind of finding, so the rule list and the "has finding" filter separate
 * a refused conversation from a merged system prompt or a cut one.
 */
import type { TemplateFindingCode } from '../../templates/findings';
import type { Entry } from '../../model';
import { makeFinding, messagesOf } from '../inspect';
import type { EntryRule, Finding, Severity } from '../types';

interface TemplateRuleSpec {
	id: string;
	title: string;
	description: string;
	codes: readonly TemplateFindingCode[];
	defaultSeverity: Severity;
	repair?: string;
	alternativeRepairs?: readonly string[];
}

function templateRule(spec: TemplateRuleSpec): EntryRule {
	const rule: EntryRule = {
		scope: 'entry',
		id: spec.id,
		title: spec.title,
		description: spec.description,
		defaultSeverity: spec.defaultSeverity,
		...(spec.repair ? { repair: spec.repair } : {}),
		...(spec.alternativeRepairs ? { alternativeRepairs: spec.alternativeRepairs } : {}),
		repairKind: spec.repair ? 'suggested' : 'manual',
		check(entry, ctx) {
			const template = ctx.template;
			if (template === undefined || messagesOf(entry) === null) return [];
			const found: Finding[] = [];
			for (const finding of template.findings(entry as Entry)) {
				if (!spec.codes.includes(finding.code)) continue;
				const made = makeFinding(rule, entry, finding.text, finding.message);
				if (finding.expected !== undefined) made.difference = { data: finding.expected, rendered: finding.rendered ?? null };
				found.push(made);
			}
			return found;
		}
	};
	return rule;
}

export const templateRefused = templateRule({
	id: 'template-refused',
	title: 'The chat template refuses the conversation',
	description:
		'Rendered with the target model\'s chat template, the conversation stops with the template\'s own error ("Conversation roles must alternate…", "System role not supported"): the trainer fails on it. Only when the dataset has a training target.',
	codes: ['template-raised', 'template-failed'],
	defaultSeverity: 'error',
	repair: 'merge-consecutive-same-role',
	alternativeRepairs: ['merge-system-into-first-user']
});

export const templateSystemMerged = templateRule({
	id: 'template-system-merged',
	title: 'System prompt merged into the first user turn',
	description:
		'The target template has no system turn (Gemma): it writes the system prompt at the top of the first user turn. Merge it in the data so what you read is what the model is trained on.',
	codes: ['system-merged'],
	defaultSeverity: 'warning',
	repair: 'merge-system-into-first-user'
});

export const templateThinkRemoved = templateRule({
	id: 'template-think-removed',
	title: 'Reasoning removed from earlier turns',
	description:
		'The target template (Qwen3, gpt-oss) drops the <think> block of every assistant turn before the last user message: that reasoning is never trained on. Drop it from the data, or keep it by making one entry per reasoning turn.',
	codes: ['think-removed'],
	defaultSeverity: 'warning',
	repair: 'drop-earlier-think',
	alternativeRepairs: ['keep-think-one-entry-per-turn']
});

export const templateToolCallDropped = templateRule({
	id: 'template-tool-call-dropped',
	title: 'Tool call not rendered',
	description: 'The target template does not render this tool call (or not all its arguments): the model never sees it. Choose a template with tool support.',
	codes: ['tool-call-dropped'],
	defaultSeverity: 'warning'
});

export const templateNameDropped = templateRule({
	id: 'template-name-dropped',
	title: 'Speaker name not rendered',
	description: 'The target template ignores the message\'s "name": the model cannot tell who speaks. Write the name into the content if it matters.',
	codes: ['speaker-name-dropped'],
	defaultSeverity: 'warning'
});

export const templateContentChanged = templateRule({
	id: 'template-content-changed',
	title: 'Content dropped or rewritten by the template',
	description: 'The target template leaves out a message (a role it does not know) or renders its content differently (a tool result as a quoted JSON string).',
	codes: ['content-dropped', 'content-rewritten'],
	defaultSeverity: 'warning'
});

export const templateOverMaxSeqLen = templateRule({
	id: 'template-over-max-seq-len',
	title: 'Longer than max_seq_len under the template',
	description:
		'Counted with the target model\'s tokenizer on the rendered text: the trainer cuts the tokens past max_seq_len, and with them the end of the conversation (often the last answer). Split or truncate at turn boundaries.',
	codes: ['over-max-seq-len'],
	defaultSeverity: 'warning',
	repair: 'split-to-template-budget',
	alternativeRepairs: ['truncate-to-template-budget']
});

export const TEMPLATE_RULES: readonly EntryRule[] = [
	templateRefused,
	templateSystemMerged,
	templateThinkRemoved,
	templateToolCallDropped,
	templateNameDropped,
	templateContentChanged,
	templateOverMaxSeqLen
];

/** Every template rule id, on at its default severity: profiles switch them all on (they need a target to say anything). */
export const TEMPLATE_RULE_SEVERITIES: Readonly<Record<string, Severity>> = Object.fromEntries(TEMPLATE_RULES.map((rule) => [rule.id, rule.defaultSeverity]));
