/**
 * Text a fine-tune should not learn from: refusals and "as an AI" meta talk, another model's
 * identity, and error output saved as if it were an answer. Only assistant messages are read.
 *
 * Speed matters here (these scan every assistant message of 100k entries): each text is
 * lower-cased once (memoised across these rules), literal phrases are found with `indexOf`, and
 * the identity regex runs only when a foreign name occurs at all.
 */
import { ALARM_ERROR, ALARM_FOREIGN_NAME, ALARM_REFUSAL, alarmsOf } from '../entry-shape';
import { lowerCased, makeFinding, messagesOf, quote } from '../inspect';
import { ERROR_MARKERS, REFUSAL_PHRASES } from '../phrase-lists';
import type { EntryRule, Finding, ValidationContext } from '../types';
import { forEachAssistantText } from './think-tags';

export { ERROR_MARKERS, REFUSAL_PHRASES };


export const refusalPhrase: EntryRule = {
	scope: 'entry',
	id: 'refusal-phrase',
	title: 'Refusal or "as an AI" phrase',
	description: 'An assistant message contains a stock refusal or AI disclaimer ("As an AI language model", "I\'m sorry, but I can\'t"). The model would learn to refuse or break character.',
	defaultSeverity: 'warning',
	repairKind: 'manual',
	check(entry, ctx) {
		const messages = messagesOf(entry);
		if (messages === null) return [];
		const findings: Finding[] = [];
		forEachAssistantText(entry, (i, text) => {
			if (text.length < 10 || (alarmsOf(entry, ctx, i) & ALARM_REFUSAL) === 0) return;
			const lower = lowerCased(text);
			for (const phrase of REFUSAL_PHRASES) {
				const at = lower.indexOf(phrase);
				if (at !== -1) {
					findings.push(makeFinding(refusalPhrase, entry, `Message ${i + 1} says ${quote(text.slice(at, at + phrase.length))}.`, i));
					return;
				}
			}
		});
		return findings;
	}
};

/** Openings that make the whole answer a refusal (after any leading think block). */
const REFUSAL_OPENINGS: readonly string[] = [
	'i cannot',
	"i can't",
	'i can not',
	"i'm sorry",
	'i am sorry',
	'i apologize',
	'i apologise',
	'sorry,',
	"i'm unable",
	'i am unable',
	"i won't",
	'i will not',
	'unfortunately, i'
];

/** Index of the first non-space character of the answer (skipping a leading think block). */
function answerStart(lower: string): number {
	let start = 0;
	while (start < lower.length && lower.charCodeAt(start) <= 32) start++;
	if (lower.startsWith('<think>', start)) {
		const close = lower.indexOf('</think>', start);
		if (close === -1) return lower.length;
		start = close + '</think>'.length;
		while (start < lower.length && lower.charCodeAt(start) <= 32) start++;
	}
	return start;
}

export const startsWithRefusal: EntryRule = {
	scope: 'entry',
	id: 'starts-with-refusal',
	title: 'Answer opens with a refusal',
	description: 'An assistant answer begins with "I cannot", "I\'m sorry" or similar. Often fine in character; worth a review, since a run of them teaches refusing.',
	defaultSeverity: 'info',
	repairKind: 'manual',
	check(entry) {
		const messages = messagesOf(entry);
		if (messages === null) return [];
		const findings: Finding[] = [];
		forEachAssistantText(entry, (i, text) => {
			if (text.length < 5) return;
			// Only the opening matters: lower-case a short head (longer when a think block comes first).
			const head = text.trimStart().startsWith('<think>') ? text : text.slice(0, 200);
			const lower = head.toLowerCase().replace(/\u2019/g, "'");
			const start = answerStart(lower);
			for (const opening of REFUSAL_OPENINGS) {
				if (lower.startsWith(opening, start)) {
					findings.push(makeFinding(startsWithRefusal, entry, `Message ${i + 1} opens with ${quote(text.slice(start, start + 40))}; review it.`, i));
					return;
				}
			}
		});
		return findings;
	}
};

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface IdentityMatcher {
	names: string[];
	pattern: RegExp | null;
}

/** One compiled matcher per distinct setting (profiles rarely change; the cache stays tiny). */
const identityMatchers = new Map<string, IdentityMatcher>();

function identityMatcher(ctx: ValidationContext): IdentityMatcher {
	const key = ctx.identityName + '\u0000' + ctx.foreignIdentities.join('\u0000');
	let matcher = identityMatchers.get(key);
	if (matcher !== undefined) return matcher;
	const own = ctx.identityName.trim().toLowerCase();
	const names = ctx.foreignIdentities.map((name) => name.trim().toLowerCase()).filter((name) => name !== '' && name !== own);
	let pattern: RegExp | null = null;
	if (names.length > 0) {
		const alternatives = names.sort((a, b) => b.length - a.length).map(escapeRegExp).join('|');
		const who = `(?:an? |the )?(${alternatives})(?![\\w-])`;
		const made = '(?:created|developed|made|built|trained|designed|programmed|fine-tuned)';
		pattern = new RegExp(
			[
				`\\b(?:i am|i'm|my name is|call me)\\s+${who}`,
				`\\b(?:i was|i've been|i have been|i am|i'm)\\s+(?:an? [\\w -]{0,40}?\\s)?${made}\\s+by\\s+(?:the )?(?:team at |researchers at |engineers at )?${who}`,
				`\\b(?:as an ai|as a language model|as a large language model|an ai (?:assistant|model|language model)|a (?:large )?language model)\\s+${made}\\s+by\\s+${who}`,
				`\\bmy (?:creators?|developers?|makers?) (?:is|are|at|from)\\s+${who}`
			].join('|')
		);
	}
	matcher = { names, pattern };
	if (identityMatchers.size > 16) identityMatchers.clear();
	identityMatchers.set(key, matcher);
	return matcher;
}

export const identityLeak: EntryRule = {
	scope: 'entry',
	id: 'identity-leak',
	title: 'Another model\'s identity',
	description:
		'An assistant message claims to be another model or to be made by another company ("I am ChatGPT", "developed by Alibaba"), unless that is the configured identity. The base model\'s identity leaking is the main failure of identity fine-tunes.',
	defaultSeverity: 'warning',
	repairKind: 'manual',
	check(entry, ctx) {
		const messages = messagesOf(entry);
		if (messages === null) return [];
		const matcher = identityMatcher(ctx);
		if (matcher.pattern === null) return [];
		const pattern = matcher.pattern;
		const findings: Finding[] = [];
		forEachAssistantText(entry, (i, text) => {
			if (text.length < 4 || (alarmsOf(entry, ctx, i) & ALARM_FOREIGN_NAME) === 0) return;
			const lower = lowerCased(text);
			const match = pattern.exec(lower);
			if (match === null) return;
			findings.push(makeFinding(identityLeak, entry, `Message ${i + 1} says ${quote(text.slice(match.index, match.index + match[0].length), 60)}.`, i));
		});
		return findings;
	}
};


const ERROR_OPENINGS: readonly string[] = ['error:', 'error -', '[error]', 'exception:', 'failed to generate', 'null', 'undefined', 'none'];

/** A JavaScript or Java stack frame line. */
const STACK_FRAME = /\n\s+at [\w.$<>[\]]+ ?\(?[^\n]*:\d+(?::\d+)?\)?/;

/** Whether text that opens like JSON leaves a bracket or string open at the end. */
export function looksLikeTruncatedJson(text: string): boolean {
	let depth = 0;
	let inString = false;
	for (let i = 0; i < text.length; i++) {
		const code = text.charCodeAt(i);
		if (inString) {
			if (code === 92) i++;
			else if (code === 34) inString = false;
		} else if (code === 34) inString = true;
		else if (code === 123 || code === 91) depth++;
		else if (code === 125 || code === 93) depth--;
	}
	return inString || depth > 0;
}

function errorReason(text: string, alarmed: boolean): string | null {
	let start = 0;
	while (start < text.length && text.charCodeAt(start) <= 32) start++;
	const head = text.slice(start, start + 40).toLowerCase();
	for (const opening of ERROR_OPENINGS) {
		if (!head.startsWith(opening)) continue;
		// "None" and "null" count only as the whole answer.
		const whole = opening === 'null' || opening === 'undefined' || opening === 'none';
		if (!whole || text.trim().toLowerCase() === opening) return `starts with ${quote(text.slice(start, start + 40))}`;
	}
	const first = text.charCodeAt(start);
	if ((first === 123 || first === 91) && looksLikeTruncatedJson(text)) return 'is JSON that breaks off before it closes';
	if (!alarmed) return null;
	const lower = lowerCased(text);
	const fenced = lower.indexOf('```') !== -1;
	for (const marker of ERROR_MARKERS) {
		if (fenced && marker.startsWith('<')) continue; // HTML inside a code answer is content
		const at = lower.indexOf(marker);
		if (at !== -1) return `contains ${quote(text.slice(at, at + 40))}`;
	}
	if (!fenced && STACK_FRAME.test(text)) return 'contains a stack trace';
	return null;
}

export const errorText: EntryRule = {
	scope: 'entry',
	id: 'error-text',
	title: 'Error output as an answer',
	description: 'An assistant message looks like an error saved in place of an answer: "ERROR: …", an API error code, a rate-limit notice, a stack trace, an HTML error page, or JSON cut off mid-way.',
	defaultSeverity: 'warning',
	repairKind: 'manual',
	check(entry, ctx) {
		const messages = messagesOf(entry);
		if (messages === null) return [];
		const findings: Finding[] = [];
		forEachAssistantText(entry, (i, text) => {
			if (text.length === 0) return;
			const reason = errorReason(text, (alarmsOf(entry, ctx, i) & ALARM_ERROR) !== 0);
			if (reason !== null) findings.push(makeFinding(errorText, entry, `Message ${i + 1} ${reason}.`, i));
		});
		return findings;
	}
};

export const PHRASE_RULES: readonly EntryRule[] = [refusalPhrase, startsWithRefusal, identityLeak, errorText];
