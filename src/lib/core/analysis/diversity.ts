/**
 * Prompt diversity: how much of the user side repeats. Seed 003's identity-data target is that
 * under 10% of user prompts are duplicates or near-duplicates of another prompt.
 */

export const PROMPT_DUPLICATE_TARGET = 0.1;

export interface PromptDiversity {
	/** Entries with a user prompt. */
	prompts: number;
	/** Prompts that repeat an earlier one exactly (after lower-casing and collapsing spaces). */
	exactRedundant: number;
	/** Prompts in a near-duplicate cluster other than its first member (includes exact repeats); null until measured. */
	nearRedundant: number | null;
	/** Share of prompts that are redundant (near when measured, else exact). */
	redundantShare: number;
	meetsTarget: boolean;
}

export function promptDiversity(prompts: number, exactRedundant: number, nearRedundant: number | null): PromptDiversity {
	const redundant = nearRedundant === null ? exactRedundant : Math.max(exactRedundant, nearRedundant);
	const redundantShare = prompts === 0 ? 0 : redundant / prompts;
	return { prompts, exactRedundant, nearRedundant, redundantShare, meetsTarget: redundantShare < PROMPT_DUPLICATE_TARGET };
}
