/**
 * Validation profiles: which rules run, at which severity, with which settings. Six built-in
 * profiles match the trainers people export for (SPEC §4); a custom profile is a built-in one
 * plus overrides, stored as `CustomProfile` and resolved with `resolveCustomProfile`.
 */
import { z } from 'zod';
import { DEFAULT_SETTINGS, OPENAI_MESSAGE_KEYS } from './context';
import { ALL_RULES, RULES_BY_ID } from './rules';
import { TEMPLATE_RULE_SEVERITIES } from './rules/template';
import { SEVERITIES, THINK_TAG_POLICIES, type Severity, type ValidationSettings } from './types';

export const SeveritySchema = z.enum(SEVERITIES);

export const RuleSettingSchema = z.object({ enabled: z.boolean(), severity: SeveritySchema });
export type RuleSetting = z.infer<typeof RuleSettingSchema>;

export const ValidationSettingsSchema = z.object({
	identityName: z.string(),
	userName: z.string(),
	foreignIdentities: z.array(z.string()),
	thinkTagPolicy: z.enum(THINK_TAG_POLICIES),
	maxTokens: z.number().int().positive(),
	splitMaxTurns: z.number().int().nonnegative(),
	splitMaxWords: z.number().int().nonnegative(),
	placeholderPatterns: z.array(z.string()),
	allowedRoles: z.array(z.string()),
	allowedMessageKeys: z.array(z.string()),
	allowNullContentWithToolCalls: z.boolean(),
	nearDuplicateThreshold: z.number().min(0.05).max(1),
	nearDuplicateIncludeSystem: z.boolean()
}) satisfies z.ZodType<ValidationSettings>;

/** A complete profile: every known rule has a setting (unknown ids are kept and ignored). */
export const ProfileSchema = z.object({
	id: z.string().min(1),
	label: z.string(),
	description: z.string(),
	rules: z.record(z.string(), RuleSettingSchema),
	settings: ValidationSettingsSchema
});
export type Profile = z.infer<typeof ProfileSchema>;

/** Changes a user made to a profile: toggled rules, changed severities, changed settings. */
export const ProfileOverridesSchema = z.object({
	label: z.string().optional(),
	description: z.string().optional(),
	rules: z.record(z.string(), RuleSettingSchema.partial()).optional(),
	settings: ValidationSettingsSchema.partial().optional()
});
export type ProfileOverrides = z.infer<typeof ProfileOverridesSchema>;

export const BUILTIN_PROFILE_IDS = ['openai-chat', 'openai-cookbook', 'chatml-strict', 'sharegpt', 'roleplay', 'reasoning'] as const;
export type BuiltinProfileId = (typeof BUILTIN_PROFILE_IDS)[number];

/** What a saved custom profile stores: its base and the overrides, so base updates still reach it. */
export const CustomProfileSchema = z.object({
	id: z.string().min(1),
	base: z.enum(BUILTIN_PROFILE_IDS),
	overrides: ProfileOverridesSchema
});
export type CustomProfile = z.infer<typeof CustomProfileSchema>;

type RuleSeverities = Record<string, Severity>;

function defineProfile(id: BuiltinProfileId, label: string, description: string, ownRules: RuleSeverities, settings: Partial<ValidationSettings>): Profile {
	// Template findings run in every profile; they say nothing until the dataset has a training
	// target. The cookbook's errors stay exactly what OpenAI's notebook counts, so there they warn.
	const template = id === 'openai-cookbook' ? Object.fromEntries(Object.keys(TEMPLATE_RULE_SEVERITIES).map((rule) => [rule, 'warning' as const])) : TEMPLATE_RULE_SEVERITIES;
	const enabled: RuleSeverities = { ...ownRules, ...template };
	const rules: Record<string, RuleSetting> = {};
	for (const rule of ALL_RULES) {
		const severity = enabled[rule.id];
		rules[rule.id] = { enabled: severity !== undefined, severity: severity ?? rule.defaultSeverity };
	}
	for (const ruleId of Object.keys(enabled)) if (!RULES_BY_ID.has(ruleId)) throw new Error(`profile ${id} names unknown rule ${ruleId}`);
	return { id, label, description, rules, settings: { ...DEFAULT_SETTINGS, ...settings } };
}

const GUARDS: RuleSeverities = {
	'entry-not-object': 'error',
	'messages-missing': 'error',
	'messages-not-list': 'error',
	'messages-empty': 'error',
	'message-not-object': 'error'
};

/** Checks every profile but the cookbook shares, at their usual severities. */
const COMMON: RuleSeverities = {
	...GUARDS,
	'unknown-message-key': 'warning',
	'unknown-role': 'error',
	'role-alias': 'warning',
	'custom-speaker': 'warning',
	'system-not-first': 'warning',
	'multiple-system': 'warning',
	'empty-system': 'warning',
	'consecutive-same-role': 'warning',
	'assistant-first': 'warning',
	'ends-on-user': 'warning',
	'missing-assistant': 'error',
	'missing-user': 'warning',
	// Preference pairs (issue 16): quiet on everything that is not a pair.
	'pair-identical': 'error',
	'pair-prompt-not-user': 'warning',
	'empty-content': 'error',
	'non-string-content': 'warning',
	'surrounding-whitespace': 'info',
	'think-tag-structure': 'warning',
	'think-tag-policy': 'error',
	'refusal-phrase': 'warning',
	'starts-with-refusal': 'info',
	'identity-leak': 'warning',
	'error-text': 'warning',
	placeholder: 'warning',
	'over-length': 'warning',
	'split-candidate': 'info',
	'exact-duplicate': 'warning',
	// LLaMA-Factory stops on a media column whose files and <image> tokens disagree (issue 17).
	'media-count-mismatch': 'error',
	// The same question answered twice differently (issue 14): a map lookup per entry.
	'duplicate-prompt': 'info',
	// Preference pairs that teach nothing (issue 16): only entries with a pair are looked at.
	'pair-prompts-differ': 'error'
	// 'near-duplicate' is off in the general profiles: MinHash over 100k conversations costs more
	// than all per-entry rules together, and the Analysis page has the interactive tool for it
	// (clusters, threshold, resolve). Roleplay (character sets are small) has it on.
};

/** Tool calls, their results and the tools list. */
const TOOL_CALLS: RuleSeverities = {
	'tool-call-id-missing': 'error',
	'tool-call-id-unmatched': 'error',
	'tool-call-malformed': 'error',
	'tool-call-arguments-invalid': 'error',
	// The tools list itself (issue 17): a malformed one used to pass the pre-export check.
	'tools-malformed': 'error'
};

const TOOLS: RuleSeverities = { ...TOOL_CALLS, 'weight-invalid': 'error' };

/** Strict alternation: system?, then user/assistant pairs, ending on the assistant. */
const ALTERNATION: RuleSeverities = {
	'system-not-first': 'error',
	'multiple-system': 'error',
	'consecutive-same-role': 'error',
	'assistant-first': 'error',
	'ends-on-user': 'error',
	'missing-user': 'error',
	'role-alias': 'error',
	'custom-speaker': 'error',
	'non-string-content': 'error'
};

const openAiChat = defineProfile(
	'openai-chat',
	'OpenAI chat fine-tuning',
	'The current OpenAI chat format: system/user/assistant/tool roles, tool calls, name, weight (0 or 1). Role spellings and speaker names are errors because the API rejects them.',
	{ ...COMMON, ...TOOLS, 'role-alias': 'error', 'custom-speaker': 'error', 'consecutive-same-role': 'info', 'assistant-first': 'info' },
	// gpt-4o and gpt-4o-mini fine-tuning accept examples up to 65,536 tokens.
	{ maxTokens: 65_536, allowedRoles: ['system', 'user', 'assistant', 'tool'], allowedMessageKeys: [...OPENAI_MESSAGE_KEYS] }
);

const openAiCookbook = defineProfile(
	'openai-cookbook',
	'OpenAI cookbook format check',
	'Exactly the seven error categories of OpenAI\'s data-prep notebook, counted as it counts them, plus its warnings (no system or user message, over 16,385 tokens).',
	{
		data_type: 'error',
		missing_messages_list: 'error',
		message_missing_key: 'error',
		message_unrecognized_key: 'error',
		unrecognized_role: 'error',
		missing_content: 'error',
		example_missing_assistant_message: 'error',
		'missing-system': 'warning',
		'missing-user': 'warning',
		'over-length': 'warning'
	},
	{ maxTokens: 16_385, allowedRoles: ['system', 'user', 'assistant', 'function'], allowedMessageKeys: ['role', 'content', 'name', 'function_call', 'weight'] }
);

const chatMlStrict = defineProfile(
	'chatml-strict',
	'ChatML, strict alternation',
	'What LLaMA-Factory and most chat templates accept: an optional system prompt first, then strictly alternating user/assistant turns ending on the assistant, plain-text content.',
	{ ...COMMON, ...ALTERNATION },
	{ maxTokens: 8_192, allowedRoles: ['system', 'user', 'assistant'], allowedMessageKeys: ['role', 'content'], allowNullContentWithToolCalls: false }
);

const shareGpt = defineProfile(
	'sharegpt',
	'ShareGPT (LLaMA-Factory, axolotl)',
	'ShareGPT conversations as LLaMA-Factory reads them: alternating human/gpt turns ending on gpt, system first, text values. Extra message keys are dropped on export.',
	// function_call / observation turns are LLaMA-Factory ShareGPT: its tool calls are checked like OpenAI's (weights are not written).
	{ ...COMMON, ...ALTERNATION, ...TOOL_CALLS, 'unknown-message-key': 'info', 'multiple-system': 'warning' },
	{ maxTokens: 8_192, allowedRoles: ['system', 'user', 'assistant', 'tool'], allowedMessageKeys: ['role', 'content', 'tool_calls', 'tool_call_id'], allowNullContentWithToolCalls: true }
);

const roleplay = defineProfile(
	'roleplay',
	'Roleplay / character',
	'Character chat: placeholders are errors, the character must not speak for the user, narration marks should pair up, a system prompt (the card) is expected. Greeting-first conversations are fine.',
	{
		...COMMON,
		placeholder: 'error',
		'speaks-for-user': 'warning',
		'unbalanced-narration': 'info',
		'missing-system': 'warning',
		'assistant-first': 'info',
		'identity-leak': 'warning',
		'duplicate-prompt': 'warning',
		'near-duplicate': 'info'
	},
	{ maxTokens: 8_192 }
);

const reasoning = defineProfile(
	'reasoning',
	'Reasoning (think tags)',
	'Reasoning-model SFT: think-tag policy (default "require": every assistant answer starts with one non-empty <think> block and has an answer after it), broken tags are errors.',
	{ ...COMMON, ...TOOLS, 'think-tag-structure': 'error', 'think-tag-policy': 'error' },
	{ thinkTagPolicy: 'require', maxTokens: 32_768 }
);

export const BUILTIN_PROFILES: Readonly<Record<BuiltinProfileId, Profile>> = {
	'openai-chat': openAiChat,
	'openai-cookbook': openAiCookbook,
	'chatml-strict': chatMlStrict,
	sharegpt: shareGpt,
	roleplay,
	reasoning
};

export function builtinProfile(id: BuiltinProfileId): Profile {
	return BUILTIN_PROFILES[id];
}

/**
 * The profile `base` with `overrides` applied. Rule overrides for unknown rule ids are ignored
 * (a profile saved by a newer version still loads); missing rules take their base setting.
 */
export function resolveProfile(base: Profile, overrides: ProfileOverrides, id: string = base.id): Profile {
	const rules: Record<string, RuleSetting> = {};
	for (const [ruleId, setting] of Object.entries(base.rules)) rules[ruleId] = { ...setting };
	for (const rule of ALL_RULES) rules[rule.id] ??= { enabled: false, severity: rule.defaultSeverity };
	for (const [ruleId, change] of Object.entries(overrides.rules ?? {})) {
		const current = rules[ruleId];
		if (current === undefined || !RULES_BY_ID.has(ruleId)) continue;
		rules[ruleId] = { enabled: change.enabled ?? current.enabled, severity: change.severity ?? current.severity };
	}
	const settings: ValidationSettings = { ...base.settings };
	for (const [key, value] of Object.entries(overrides.settings ?? {})) {
		// Only known settings: a stored object with stray keys (or "__proto__") cannot leak in.
		if (value !== undefined && Object.hasOwn(DEFAULT_SETTINGS, key)) (settings as unknown as Record<string, unknown>)[key] = value;
	}
	return {
		id,
		label: overrides.label ?? base.label,
		description: overrides.description ?? base.description,
		rules,
		settings
	};
}

/** Parses a stored custom profile (throws a ZodError when it is not one) and resolves it. */
export function resolveCustomProfile(stored: unknown): Profile {
	const custom = CustomProfileSchema.parse(stored);
	return resolveProfile(BUILTIN_PROFILES[custom.base], custom.overrides, custom.id);
}
