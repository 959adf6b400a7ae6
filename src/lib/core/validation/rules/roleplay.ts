/**
 * Roleplay checks: the character speaking for the user, and narration markup left unbalanced.
 */
import { makeFinding, messagesOf } from '../inspect';
import type { EntryRule, Finding, ValidationContext } from '../types';
import { forEachAssistantText } from './think-tags';

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const userLinePatterns = new Map<string, RegExp>();

/** A line that starts with the user's name (or a user placeholder) and a colon: a script line for the user. */
function userLinePattern(ctx: ValidationContext): RegExp {
	let pattern = userLinePatterns.get(ctx.userName);
	if (pattern === undefined) {
		const names = ['\\{\\{\\s*user\\s*\\}\\}', '<user>', 'user', 'human'];
		const own = ctx.userName.trim();
		if (own !== '') names.push(escapeRegExp(own));
		pattern = new RegExp(`(?:^|\\n)[ \\t*_]*(?:${names.join('|')})[ \\t*_]*:`, 'i');
		if (userLinePatterns.size > 16) userLinePatterns.clear();
		userLinePatterns.set(ctx.userName, pattern);
	}
	return pattern;
}

export const speaksForUser: EntryRule = {
	scope: 'entry',
	id: 'speaks-for-user',
	title: 'Character speaks for the user',
	description: 'An assistant message contains a line for the user ("{{user}}:", "User:", or the user\'s name and a colon): the model would learn to write the user\'s part.',
	defaultSeverity: 'warning',
	repairKind: 'manual',
	check(entry, ctx) {
		const messages = messagesOf(entry);
		if (messages === null) return [];
		const pattern = userLinePattern(ctx);
		const findings: Finding[] = [];
		forEachAssistantText(entry, (i, text) => {
			if (text.indexOf(':') === -1) return;
			if (pattern.test(text)) findings.push(makeFinding(speaksForUser, entry, `Message ${i + 1} has a line spoken by the user.`, i));
		});
		return findings;
	}
};

/** Narration and dialogue marks that do not pair up, or null. Bold (`**`) is not narration. */
export function unbalancedMarks(text: string): string | null {
	let asterisks = 0;
	let straightQuotes = 0;
	let openCurly = 0;
	let closeCurly = 0;
	for (let i = 0; i < text.length; i++) {
		const code = text.charCodeAt(i);
		if (code === 42) {
			if (text.charCodeAt(i + 1) === 42) i++;
			else asterisks++;
		} else if (code === 34) straightQuotes++;
		else if (code === 0x201c) openCurly++;
		else if (code === 0x201d) closeCurly++;
	}
	const problems: string[] = [];
	if (asterisks % 2 === 1) problems.push('an odd number of *narration* asterisks');
	if (straightQuotes % 2 === 1) problems.push('an odd number of double quotes');
	if (openCurly !== closeCurly) problems.push(`${openCurly} opening and ${closeCurly} closing curly quotes`);
	return problems.length === 0 ? null : problems.join(', ');
}

export const unbalancedNarration: EntryRule = {
	scope: 'entry',
	id: 'unbalanced-narration',
	title: 'Unbalanced narration or dialogue marks',
	description: 'An assistant message has an unpaired *asterisk* (narration) or quotation mark, usually a cut-off or badly edited turn.',
	defaultSeverity: 'info',
	repairKind: 'manual',
	check(entry) {
		const messages = messagesOf(entry);
		if (messages === null) return [];
		const findings: Finding[] = [];
		forEachAssistantText(entry, (i, text) => {
			const problem = unbalancedMarks(text);
			if (problem !== null) findings.push(makeFinding(unbalancedNarration, entry, `Message ${i + 1} has ${problem}.`, i));
		});
		return findings;
	}
};

export const ROLEPLAY_RULES: readonly EntryRule[] = [speaksForUser, unbalancedNarration];
