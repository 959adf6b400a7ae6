/**
 * Splitting a long conversation into several entries at turn boundaries.
 */
import type { Message } from '../model';
import { canonicalRole, countWords, textOf } from '../validation/inspect';
import { entryTokenCount } from '../validation/rules/length';
import { withMessages } from './entry-update';
import type { ExpandingRepair, RepairContext } from './types';

interface Exchange {
	messages: Message[];
	assistantWords: number;
	tokens: number;
}

function roleOfMessage(message: Message): string | null {
	return typeof message.role === 'string' ? canonicalRole(message.role) : null;
}

/** Leading system messages, and the rest cut into exchanges that each start at a user turn. */
function cutIntoExchanges(messages: readonly Message[], ctx: RepairContext): { system: Message[]; exchanges: Exchange[] } {
	let start = 0;
	while (start < messages.length && roleOfMessage(messages[start]) === 'system') start++;
	const system = messages.slice(0, start);
	const exchanges: Exchange[] = [];
	let current: Message[] = [];
	for (let i = start; i < messages.length; i++) {
		const message = messages[i];
		// Anything before the first user turn (a greeting) stays with the first exchange.
		if (roleOfMessage(message) === 'user' && current.some((m) => roleOfMessage(m) === 'user')) {
			exchanges.push(measure(current, ctx));
			current = [];
		}
		current.push(message);
	}
	if (current.length > 0) exchanges.push(measure(current, ctx));
	return { system, exchanges };
}

function measure(messages: Message[], ctx: RepairContext): Exchange {
	let assistantWords = 0;
	for (const message of messages) if (roleOfMessage(message) === 'assistant') assistantWords += countWords(textOf(message));
	// The 3 reply-priming tokens are counted once per part, not per exchange.
	return { messages, assistantWords, tokens: entryTokenCount(messages, ctx) - 3 };
}

export const splitOverlongConversation: ExpandingRepair = {
	id: 'split-overlong-conversation',
	title: 'Split a long conversation',
	description:
		'Cuts the conversation at user turns into parts that each stay within the exchange, assistant-word and token limits; every part starts with a copy of the system prompt and keeps the tags. The first part keeps the entry\'s id; the others get new ids and remember where they came from (meta.splitFrom).',
	kind: 'suggested',
	fixes: ['split-candidate', 'over-length'],
	apply(entry, ctx) {
		const { system, exchanges } = cutIntoExchanges(entry.messages, ctx);
		if (exchanges.length < 2) return [entry];
		const systemTokens = entryTokenCount(system, ctx);
		const parts: Exchange[][] = [];
		let part: Exchange[] = [];
		let words = 0;
		let tokens = systemTokens;
		for (const exchange of exchanges) {
			const fits =
				part.length === 0 ||
				(part.length + 1 <= Math.max(1, ctx.splitMaxTurns) && words + exchange.assistantWords <= ctx.splitMaxWords && tokens + exchange.tokens <= ctx.maxTokens);
			if (!fits) {
				parts.push(part);
				part = [];
				words = 0;
				tokens = systemTokens;
			}
			part.push(exchange);
			words += exchange.assistantWords;
			tokens += exchange.tokens;
		}
		parts.push(part);
		if (parts.length === 1) return [entry];
		return parts.map((exchangesOfPart, i) => {
			const messages = [...system, ...exchangesOfPart.flatMap((exchange) => exchange.messages)];
			const piece = withMessages(entry, messages);
			if (i === 0) return piece;
			return { ...piece, id: ctx.splitId(entry.id, i + 1), tags: [...entry.tags], meta: { ...entry.meta, splitFrom: entry.id } };
		});
	}
};
