import { approximateTokenCount, DEFAULT_SETTINGS } from '../validation/context';
import type { ValidationContext } from '../validation/types';
import type { RepairContext } from './types';

/** A repair context from a validation context (or defaults), so repairs use the profile's names and limits. */
export function createRepairContext(from: Partial<ValidationContext> & Partial<RepairContext> = {}): RepairContext {
	const ctx: RepairContext = {
		identityName: from.identityName ?? DEFAULT_SETTINGS.identityName,
		userName: from.userName ?? DEFAULT_SETTINGS.userName,
		splitMaxTurns: from.splitMaxTurns ?? DEFAULT_SETTINGS.splitMaxTurns,
		splitMaxWords: from.splitMaxWords ?? DEFAULT_SETTINGS.splitMaxWords,
		maxTokens: from.maxTokens ?? DEFAULT_SETTINGS.maxTokens,
		countTokens: from.countTokens ?? approximateTokenCount,
		splitId: from.splitId ?? ((id, part) => `${id}-part${part}`)
	};
	if (from.speakerMapping !== undefined) ctx.speakerMapping = from.speakerMapping;
	if (from.templateBudget !== undefined) ctx.templateBudget = from.templateBudget;
	return ctx;
}
