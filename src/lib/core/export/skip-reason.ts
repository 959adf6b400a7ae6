/**
 * Why an entry was left out of an export file. Every writer and transform returns one of these
 * instead of mangling an entry it cannot express, so the export report can count skips per code
 * and show the message for each entry.
 */

export const SKIP_CODES = [
	// The format has no place for it.
	'no-messages',
	'custom-role',
	'structured-content',
	'missing-content',
	'tool-turns',
	'tool-call-with-text',
	'tool-call-shape',
	'system-not-leading',
	'has-system',
	'not-alternating',
	'ends-on-user',
	'multi-turn',
	'no-exchange',
	// Preference data (issue 16): what a format does not take, and what an SFT export never writes.
	'not-a-pair',
	'no-preference',
	'unwanted-answer',
	// Think-tag policy.
	'think-missing',
	'think-multiple-open',
	'think-unclosed',
	'think-multiple-close',
	'think-orphan-close',
	'think-nested',
	'think-empty-thinking',
	'think-empty-response',
	// Pre-rendered text: no training target, or the template refuses the entry.
	'no-target',
	'template-refused',
	// The plan listed the entry but the caller never supplied it.
	'not-supplied'
] as const;
export type SkipCode = (typeof SKIP_CODES)[number];

export interface SkipReason {
	code: SkipCode;
	/** For people: which message and what is wrong with it. */
	message: string;
}

export function skip(code: SkipCode, message: string): SkipReason {
	return { code, message };
}
