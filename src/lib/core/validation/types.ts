/**
 * The vocabulary of validation: findings, rules (per entry and per dataset) and the context a
 * rule reads its settings from.
 *
 * Rules see entries that passed the importer's zod schema, but they are written as if they did
 * not: a rule reads `entry.messages` and every message through the defensive accessors in
 * `inspect.ts`, because raw import records (`validateRawRecord`), entries from older database
 * versions and hand-edited JSON reach the same rules. A rule never throws; `validate.ts` still
 * wraps each call and turns an exception into an `internal-error` finding.
 */
import type { Entry } from '../model';
import type { TemplateFinding } from '../templates/findings';

export const SEVERITIES = ['error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * How a finding gets fixed: `automatic-safe` repairs are mechanical and may run on import when
 * the user enabled it; `suggested` ones change meaning a little and are previewed first; `manual`
 * means a person has to edit the entry.
 */
export const REPAIR_KINDS = ['automatic-safe', 'suggested', 'manual'] as const;
export type RepairKind = (typeof REPAIR_KINDS)[number];

export const THINK_TAG_POLICIES = ['require', 'forbid', 'allow'] as const;
export type ThinkTagPolicy = (typeof THINK_TAG_POLICIES)[number];

export interface Finding {
	/** The rule id (`empty-content`, or a cookbook category such as `missing_content`). */
	rule: string;
	severity: Severity;
	entryId: string;
	/** Index into `entry.messages`, when the finding is about one message (into prompt + chosen answer when `answer` is set). */
	messageIndex?: number;
	/** Set when the finding is about a preference pair's chosen answer, not its prompt (answers.ts). */
	answer?: 'chosen';
	/** A plain explanation for the person reading the report. */
	message: string;
	/** Id of the repair that fixes this finding (see `repairs/`), when there is one. */
	repair?: string;
	repairKind: RepairKind;
	/** What the data says and what the trainer's render holds instead (template findings). */
	difference?: FindingDifference;
}

export interface FindingDifference {
	data: string;
	/** null: the render holds nothing of it. */
	rendered: string | null;
}

/**
 * The dataset's training target, as the template rules read it: what its chat template does to an
 * entry (refusals, dropped or rewritten content, max_seq_len). Built by the worker when the
 * dataset has a target (core/templates/template-check.ts); absent otherwise, and then the template
 * rules say nothing. Validation itself never imports the template engine or a tokenizer.
 */
export interface TemplateCheck {
	/** The target in words ("Gemma 3, max_seq_len 1,024"). */
	readonly label: string;
	/** The template's findings for one entry (computed once per entry, whichever rule asks first). */
	findings(entry: Entry): readonly TemplateFinding[];
	/** Forgets the remembered entry (validate.ts calls it before each entry: an entry may be edited in place). */
	reset(): void;
}

/** Settings a profile carries. Every field has a default (`DEFAULT_SETTINGS` in context.ts). */
export interface ValidationSettings {
	/** The identity being trained ("Mara"); identity-leak checks do not flag it. */
	identityName: string;
	/** The user's name in roleplay data; `{{user}}` is replaced with it. */
	userName: string;
	/** Names of other models, assistants and their makers that must not appear as self-descriptions. */
	foreignIdentities: string[];
	thinkTagPolicy: ThinkTagPolicy;
	/** Context size in tokens; longer entries are flagged. */
	maxTokens: number;
	/** An entry with more user→assistant exchanges than this is a split candidate. */
	splitMaxTurns: number;
	/** An entry with more assistant words than this is a split candidate. */
	splitMaxWords: number;
	/** Extra placeholder patterns (regular-expression sources, matched case-insensitively). */
	placeholderPatterns: string[];
	/** Roles a trainer for this profile accepts. */
	allowedRoles: string[];
	/** Message keys a trainer for this profile accepts (others are flagged, never removed). */
	allowedMessageKeys: string[];
	/** Whether `content: null` is fine on an assistant message that carries `tool_calls`. */
	allowNullContentWithToolCalls: boolean;
	/** Jaccard similarity above which two entries are near-duplicates. */
	nearDuplicateThreshold: number;
	/** Whether near-duplicate detection reads system prompts too (off: shared prompts would dominate). */
	nearDuplicateIncludeSystem: boolean;
}

/** What a rule receives: the profile's settings plus the injected token counter. */
export interface ValidationContext extends ValidationSettings {
	/** Tokens in a text. The default approximates chars / 4; real tokenizers are injected later. */
	countTokens(text: string): number;
	/** The dataset's training target, when it has one (see TemplateCheck). */
	template?: TemplateCheck;
}

interface RuleInfo {
	id: string;
	title: string;
	/** What the rule checks and why it matters, for the rule list in the UI. */
	description: string;
	defaultSeverity: Severity;
	/** The repair that fixes its findings, when one exists. */
	repair?: string;
	/** Other repairs that fix them another way (split or truncate …): the repair dialog offers the choice. */
	alternativeRepairs?: readonly string[];
	repairKind: RepairKind;
}

/**
 * Checks one entry. `check` returns findings with `severity` set to the rule's default;
 * `validate.ts` applies the profile's override.
 */
export interface EntryRule extends RuleInfo {
	scope: 'entry';
	/**
	 * Guard rules (`entry-not-object`, `data_type`, …) halt: when they report something, the
	 * remaining rules of the profile are skipped for that entry, because they need a messages list.
	 */
	halts?: boolean;
	check(entry: Entry, ctx: ValidationContext): Finding[];
}

/** One streaming pass of a dataset rule: entries arrive block by block, findings come at the end. */
export interface DatasetRulePass {
	add(entry: Entry): void;
	end(): Finding[];
}

/** Checks relations between entries (duplicates). `begin` starts a fresh pass over a dataset. */
export interface DatasetRule extends RuleInfo {
	scope: 'dataset';
	begin(ctx: ValidationContext): DatasetRulePass;
}

export type Rule = EntryRule | DatasetRule;
