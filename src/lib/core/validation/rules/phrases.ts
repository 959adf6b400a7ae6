/**
 * Text a fine-tune should not learn from: refusals and "as an AI" meta talk, another model's
 * identity, and error output saved as if it were an answer. Only assistant messages are read.
 *
 * Speed matters here (these scan every assistant message of 100k entries): each text is
 * lower-cased once (memoised across these rules), literal phrases are found with `indexOf`, and
 * the identity regex runs only when a foreign name occurs at all.
 */
import { ALARM_ERROR, ALARM_FOREIGN_NAME, ALARM_REFUSAL, alarmsOf } from '../entry-shape';
import { canonicalRole, lowerCased, makeFinding, messagesOf, quote, roleOf, textOf } from '../inspect';
import { ERROR_MARKERS, REFUSAL_PHRASES } from '../phrase-lists';
import { proseOf } from '../placeholders';
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

/**
 * An HTML document that is an error page: its title or first heading names an HTTP error status
 * or an error ("502 Bad Gateway", "Attention Required! | Cloudflare", "Internal Server Error"),
 * or it carries a proxy's error signature (nginx's centred server line, Cloudflare's Ray ID).
 * An HTML answer (a lesson, a page the user asked for) has none of these.
 */
const ERROR_TITLE = /\b[45]\d\d\b|error|bad gateway|service unavailable|gateway time-?out|not found|forbidden|access denied|too many requests|attention required|just a moment|temporarily unavailable|site can.t be reached|unavailable/i;

function htmlErrorPage(text: string, start: number): string | null {
	const head = text.slice(start, start + 15).toLowerCase();
	if (!head.startsWith('<!doctype html') && !head.startsWith('<html')) return null;
	const page = text.length > 20_000 ? text.slice(0, 20_000) : text;
	const title = /<title[^>]*>([^<]{0,200})<\/title>/i.exec(page)?.[1] ?? /<h1[^>]*>([^<]{0,200})<\/h1>/i.exec(page)?.[1] ?? '';
	if (title !== '' && ERROR_TITLE.test(title)) return `is an HTML error page ("${title.trim().slice(0, 60)}")`;
	if (/<center>\s*(?:nginx|apache|openresty|cloudflare)[^<]*<\/center>/i.test(page) || /cloudflare ray id/i.test(page)) return 'is an HTML error page from a proxy';
	return null;
}

/** A prompt that asks for a page or markup: an HTML error page is then what was asked for. */
const ASKS_FOR_HTML = /\b(?:html|web ?page|page|site|markup|404|500|error page)\b/i;

/** What may come before an error marker in an error notice: a status code, an error class, "Error code:". */
const NOTICE_PREFIX = /^(?:(?:http\/?[\d.]*\s*)?\d{3}\s*[-:]?\s*|[\w.]*(?:error|exception)\s*[-:]?\s*|error\s+code\s*[-:]?\s*\d*\s*[-:]?\s*|this model's\s+|\[?error\]?\s*[-:]?\s*)*$/i;

/** Words of an error notice, after its marker ("… reached for gpt-4 …", "Please try again in 4s"). */
const NOTICE_WORDS = /please try again|try again in|retry after|retry-after|error code|exceeded|reached for|\borg-|resulted in|request id|requested \d|limit:? \d|quota|'error'|"error"/i;

/** Words of an explanation: an answer that says what an error means is not one. */
const EXPLANATION_WORDS = /\b(?:means?|happens?|occurs?|usually|typically|because|caused by|is an?|is the|to fix|to avoid|you should|generic|refers to)\b/i;

/** A longest error notice: OpenAI's context-length and rate-limit messages are 200–400 characters. */
const NOTICE_MAX_LENGTH = 600;

/**
 * Why this answer is error output, or null. The answer must *be* an error, not talk about one: an
 * answer explaining "502 Bad Gateway", handling rate limits or teaching HTML is content. So
 * markers count only at the head of a short notice (after at most a status code or an error
 * class), an HTML document only when it is an error page, a traceback only when the answer opens
 * with it; code (fenced or inline) is never read.
 */
function errorReason(text: string, alarmed: boolean, prompt: () => string): string | null {
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
	if (first === 60 /* < */ && !ASKS_FOR_HTML.test(prompt())) {
		const page = htmlErrorPage(text, start);
		if (page !== null) return page;
	}
	if (first === 123 && text.length <= 20_000) {
		const body = apiErrorBody(text);
		if (body !== null) return body;
	}
	const prose = proseOf(text);
	const lower = lowerCased(prose);
	if (lower.startsWith('traceback (most recent call last)', start)) return 'is a Python traceback';
	if (/^\s*(?:uncaught\s+)?[\w.]*(?:error|exception)\b[^\n]*/i.test(prose) && STACK_FRAME.test(prose)) return 'is a stack trace';
	if (text.length > NOTICE_MAX_LENGTH) return null;
	for (const marker of ERROR_MARKERS) {
		if (marker.startsWith('<')) continue; // HTML is judged as a page above
		const at = lower.indexOf(marker);
		if (at === -1 || !NOTICE_PREFIX.test(lower.slice(start, at))) continue;
		if (EXPLANATION_WORDS.test(lower)) return null;
		const after = lower.slice(at + marker.length);
		if (NOTICE_WORDS.test(after) || after.replace(/[\s.!()\d:-]/g, '').length <= 8) return `is an error notice: ${quote(text.slice(start, start + 60))}`;
	}
	return null;
}

/** An API's JSON error body as the whole answer: `{"error": {...}}`, `{"detail": "..."}`. */
function apiErrorBody(text: string): string | null {
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		return null;
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
	const record = value as Record<string, unknown>;
	const keys = Object.keys(record);
	if (keys.length > 4) return null;
	const error = record.error;
	if (typeof error === 'object' && error !== null && ('message' in error || 'type' in error || 'code' in error)) return 'is an API error body ({"error": …})';
	if (typeof error === 'string' && keys.length <= 3) return 'is an API error body ({"error": …})';
	return null;
}

/** The nearest user message before message `index` ('' when none). */
function promptBefore(messages: readonly unknown[], index: number): string {
	for (let i = index - 1; i >= 0; i--) {
		const role = roleOf(messages[i]);
		if (role !== undefined && canonicalRole(role) === 'user') return textOf(messages[i]);
	}
	return '';
}

export const errorText: EntryRule = {
	scope: 'entry',
	id: 'error-text',
	title: 'Error output as an answer',
	description:
		'An assistant message is an error saved in place of an answer: "ERROR: …", an API error notice or JSON error body, a rate-limit notice, a traceback, an HTML error page (a whole page titled like "502 Bad Gateway"), or JSON cut off mid-way. Answers that explain errors, handle them in code or teach HTML are not findings.',
	defaultSeverity: 'warning',
	repairKind: 'manual',
	check(entry, ctx) {
		const messages = messagesOf(entry);
		if (messages === null) return [];
		const findings: Finding[] = [];
		forEachAssistantText(entry, (i, text) => {
			if (text.length === 0) return;
			const reason = errorReason(text, (alarmsOf(entry, ctx, i) & ALARM_ERROR) !== 0, () => promptBefore(messages, i));
			if (reason !== null) findings.push(makeFinding(errorText, entry, `Message ${i + 1} ${reason}.`, i));
		});
		return findings;
	}
};

export const PHRASE_RULES: readonly EntryRule[] = [refusalPhrase, startsWithRefusal, identityLeak, errorText];
