/** Every built-in rule, in the order they run (guards first, so they can halt the rest). */
import type { DatasetRule, EntryRule, Rule } from '../types';
import { CONTENT_RULES } from './content';
import { COOKBOOK_RULES } from './cookbook';
import { DUPLICATE_RULES } from './duplicates';
import { GUARD_RULES } from './guards';
import { LENGTH_RULES } from './length';
import { MEDIA_RULES } from './media';
import { ORDER_RULES } from './order';
import { PHRASE_RULES } from './phrases';
import { PLACEHOLDER_RULES } from './placeholders';
import { PREFERENCE_RULES } from './preference';
import { ROLE_RULES } from './roles';
import { ROLEPLAY_RULES } from './roleplay';
import { TEMPLATE_RULES } from './template';
import { THINK_RULES } from './think-tags';
import { TOOL_RULES } from './tools';

export const ENTRY_RULES: readonly EntryRule[] = [
	...COOKBOOK_RULES,
	...GUARD_RULES,
	...ROLE_RULES,
	...ORDER_RULES,
	...PREFERENCE_RULES,
	...CONTENT_RULES,
	...TOOL_RULES,
	...MEDIA_RULES,
	...THINK_RULES,
	...PHRASE_RULES,
	...PLACEHOLDER_RULES,
	...ROLEPLAY_RULES,
	...LENGTH_RULES,
	...TEMPLATE_RULES
];

export const DATASET_RULES: readonly DatasetRule[] = [...DUPLICATE_RULES];

export const ALL_RULES: readonly Rule[] = [...ENTRY_RULES, ...DATASET_RULES];

export const RULES_BY_ID: ReadonlyMap<string, Rule> = new Map(ALL_RULES.map((rule) => [rule.id, rule]));
