/**
 * Pairs from SillyTavern swipes. The chat importer keeps a reply's swipes on its message
 * (`swipes`: every version the user generated, `swipe_id`: the one shown when the chat was saved,
 * whose text is the message's `mes`). The kept reply is the one the user chose to go on with, so
 * it is `chosen` and each other swipe is `rejected`, with the conversation before the reply as the
 * prompt. The builder proposes these; the user confirms, swaps or drops each before any is made.
 */
import type { Entry, Message } from '../model';
import { plainMessages, skip, type DraftBuild, type PairDraft } from './drafts';

const textOf = (message: Message): string => (typeof message.content === 'string' ? message.content : '');

/** The swipe texts of a message (strings only), or null when it has none to compare. */
function swipesOf(message: Message): string[] | null {
	const swipes = message.swipes;
	if (!Array.isArray(swipes)) return null;
	return swipes.filter((swipe): swipe is string => typeof swipe === 'string');
}

/**
 * Every (kept swipe, other swipe) pair of the entries, in entry and message order. A reply with
 * swipes that does not follow a user turn (the greeting and its alternates) has no prompt to
 * answer and is skipped, as are swipes that repeat the kept text or are empty.
 */
export function swipePairs(entries: readonly Pick<Entry, 'id' | 'messages'>[]): DraftBuild {
	const drafts: PairDraft[] = [];
	const skipped = {};
	for (const entry of entries) {
		entry.messages.forEach((message, at) => {
			const swipes = swipesOf(message);
			if (message.role !== 'assistant' || !swipes || swipes.length < 2) return;
			const others = swipes.length - 1;
			if (at === 0 || entry.messages[at - 1].role !== 'user') {
				skip(skipped, 'reply with swipes not after a user turn (a greeting)', others);
				return;
			}
			const kept = textOf(message);
			const keptIndex = Number.isInteger(message.swipe_id) && swipes[message.swipe_id as number] === kept ? (message.swipe_id as number) : swipes.indexOf(kept);
			const prompt = plainMessages(entry.messages.slice(0, at));
			const reply = entry.messages.slice(0, at + 1).filter((m) => m.role === 'assistant').length;
			const seen = new Set<string>([kept.trim()]);
			swipes.forEach((swipe, index) => {
				if (index === keptIndex) return;
				const text = swipe.trim();
				if (!text) return skip(skipped, 'empty swipe');
				if (seen.has(text)) return skip(skipped, 'swipe repeats another swipe or the kept reply');
				seen.add(text);
				drafts.push({
					kind: 'pair',
					key: `swipes:${entry.id}:${at}:${index}`,
					origin: 'swipes',
					prompt,
					chosen: [{ role: 'assistant', content: kept }],
					rejected: [{ role: 'assistant', content: swipe }],
					source: `Entry ${entry.id}, reply ${reply}: kept swipe${keptIndex >= 0 ? ` ${keptIndex + 1}` : ' (edited)'} vs swipe ${index + 1} of ${swipes.length}`,
					provenance: { entryId: entry.id, messageIndex: at, keptSwipe: keptIndex, rejectedSwipe: index }
				});
			});
		});
	}
	return { drafts, skipped };
}
