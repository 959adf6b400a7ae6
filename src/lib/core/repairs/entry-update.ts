import { hashMessages } from '../hash';
import type { Entry, Message } from '../model';

/** A copy of `entry` with new messages and their content hash. */
export function withMessages(entry: Entry, messages: Message[]): Entry {
	return { ...entry, messages, hash: hashMessages(messages) };
}

/** Whether a message's content is blank: whitespace-only text, null, or parts without text. */
export function isBlankContent(message: Message): boolean {
	const content = message.content;
	if (typeof content === 'string') return content.trim() === '';
	if (content === null) return !Array.isArray(message.tool_calls) || message.tool_calls.length === 0;
	return content.length === 0;
}
