/**
 * Size: entries longer than the context, and long conversations worth splitting.
 */
import { canonicalRole, countWords, isRecord, makeFinding, messagesOf, roleOf, safeJson, textOf } from '../inspect';
import type { EntryRule, ValidationContext } from '../types';

/** OpenAI's chat overhead, as the cookbook counts it: 3 tokens per message, 1 per name, 3 for the reply. */
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_NAME = 1;
const REPLY_PRIMING_TOKENS = 3;

/** Tokens of an entry-like value with the context's counter (chat-format overhead included). */
export function entryTokenCount(messages: readonly unknown[], ctx: Pick<ValidationContext, 'countTokens'>): number {
	let tokens = REPLY_PRIMING_TOKENS;
	for (const message of messages) {
		if (!isRecord(message)) continue;
		tokens += TOKENS_PER_MESSAGE + ctx.countTokens(textOf(message));
		if (typeof message.name === 'string') tokens += TOKENS_PER_NAME + ctx.countTokens(message.name);
		if (message.tool_calls !== undefined) tokens += ctx.countTokens(safeJson(message.tool_calls));
	}
	return tokens;
}

export const overLength: EntryRule = {
	scope: 'entry',
	id: 'over-length',
	title: 'Longer than the context',
	description: 'The entry has more tokens than the profile\'s context size; the trainer will truncate it (or drop it). Counted with the chosen tokenizer (default: about four characters per token).',
	defaultSeverity: 'warning',
	repair: 'split-overlong-conversation',
	repairKind: 'suggested',
	check(entry, ctx) {
		const messages = messagesOf(entry);
		if (messages === null || !(ctx.maxTokens > 0)) return [];
		const tokens = entryTokenCount(messages, ctx);
		if (tokens <= ctx.maxTokens) return [];
		return [makeFinding(overLength, entry, `The entry has about ${tokens.toLocaleString('en')} tokens; the context holds ${ctx.maxTokens.toLocaleString('en')}.`)];
	}
};

/** User→assistant exchanges (an assistant turn that answers a user turn) and assistant words. */
export function conversationSize(messages: readonly unknown[], wordLimit = Infinity): { exchanges: number; assistantWords: number } {
	// A word needs a character and a separator, so text of n characters has at most (n + 1) / 2
	// words: below the limit, counting is not needed (the count is then a lower bound of 0).
	let assistantChars = 0;
	for (const message of messages) if (roleOf(message) !== undefined) assistantChars += textOf(message).length + 1;
	const countWordsToo = (assistantChars + 1) / 2 > wordLimit;
	let exchanges = 0;
	let assistantWords = 0;
	let userWaiting = false;
	for (const message of messages) {
		const raw = roleOf(message);
		const role = raw === undefined ? null : canonicalRole(raw);
		if (role === 'user') userWaiting = true;
		else if (role === 'assistant') {
			if (userWaiting) exchanges++;
			userWaiting = false;
			if (countWordsToo) assistantWords += countWords(textOf(message));
		}
	}
	return { exchanges, assistantWords };
}

export const splitCandidate: EntryRule = {
	scope: 'entry',
	id: 'split-candidate',
	title: 'Long conversation (split candidate)',
	description: 'More exchanges than the profile\'s limit (default 8) or more assistant words (default 2,000): consider splitting it at turn boundaries.',
	defaultSeverity: 'info',
	repair: 'split-overlong-conversation',
	repairKind: 'suggested',
	check(entry, ctx) {
		const messages = messagesOf(entry);
		if (messages === null) return [];
		const { exchanges, assistantWords } = conversationSize(messages, ctx.splitMaxWords);
		const reasons: string[] = [];
		if (exchanges > ctx.splitMaxTurns) reasons.push(`${exchanges} exchanges (limit ${ctx.splitMaxTurns})`);
		if (assistantWords > ctx.splitMaxWords) reasons.push(`${assistantWords.toLocaleString('en')} assistant words (limit ${ctx.splitMaxWords.toLocaleString('en')})`);
		if (reasons.length === 0) return [];
		return [makeFinding(splitCandidate, entry, `The conversation has ${reasons.join(' and ')}.`)];
	}
};

export const LENGTH_RULES: readonly EntryRule[] = [overLength, splitCandidate];
