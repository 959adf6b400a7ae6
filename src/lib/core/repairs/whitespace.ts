import type { Message } from '../model';
import { withMessages } from './entry-update';
import type { Repair } from './types';

export const trimWhitespace: Repair = {
	id: 'trim-whitespace',
	title: 'Trim whitespace',
	description: 'Removes spaces and blank lines at the start and end of each text content (nothing inside the text changes).',
	kind: 'automatic-safe',
	fixes: ['surrounding-whitespace'],
	apply(entry) {
		let messages: Message[] | null = null;
		entry.messages.forEach((message, i) => {
			if (typeof message.content !== 'string') return;
			const trimmed = message.content.trim();
			if (trimmed === message.content) return;
			messages ??= entry.messages.slice();
			messages[i] = { ...message, content: trimmed };
		});
		return messages === null ? entry : withMessages(entry, messages);
	}
};
