/**
 * Validation: the public API. See README.md for the rule table.
 *
 * - `validateEntry(entry, profile)` — findings for one entry (incremental, after an edit).
 * - `validateRawRecord(value, profile)` — findings for an unparsed import record.
 * - `DatasetValidator` — streams a dataset block by block; `finish()` adds duplicates and a summary.
 * - `BUILTIN_PROFILES`, `resolveProfile`, `ProfileSchema`, `CustomProfileSchema` — profiles.
 */
export * from './types';
export { approximateTokenCount, createValidationContext, DEFAULT_FOREIGN_IDENTITIES, DEFAULT_SETTINGS, OPENAI_MESSAGE_KEYS, type ContextOptions } from './context';
export * from './profiles';
export * from './validate';
export { ALL_RULES, DATASET_RULES, ENTRY_RULES, RULES_BY_ID } from './rules';
export { NearDuplicateIndex, MinHasher, chooseBanding, type NearDuplicateGroup, type NearDuplicateMember, type NearDuplicateOptions } from './near-duplicates';
export { suggestSpeakerMapping, SpeakerCensus, isCustomSpeaker, type SpeakerMapping, type SpeakerRole } from './speakers';
export { analyseThinkTags, type ThinkTagAnalysis, type ThinkTagProblem } from './think-tags';
export { findPlaceholders, type PlaceholderHit } from './placeholders';
export { canonicalRole } from './inspect';
export { entryTokenCount, conversationSize } from './rules/length';
