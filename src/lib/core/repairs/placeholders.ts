import type { Entry, Message } from '../model';
import { isRecord } from '../validation/inspect';
import { CHARACTER_PLACEHOLDER } from '../validation/placeholders';
import { withMessages } from './entry-update';
import type { Repair, RepairContext } from './types';

/** Names that are themselves placeholders would make the repair re-trigger; they are refused. */
function usableName(name: string): string | null {
	const trimmed = name.trim();
	if (trimmed === '') return null;
	CHARACTER_PLACEHOLDER.lastIndex = 0;
	return CHARACTER_PLACEHOLDER.test(trimmed) ? null : trimmed;
}

function substitute(text: string, charName: string | null, userName: string | null): string {
	if (text.indexOf('{') === -1 && text.indexOf('<') === -1) return text;
	CHARACTER_PLACEHOLDER.lastIndex = 0;
	return text.replace(CHARACTER_PLACEHOLDER, (match, braced: string | undefined, angled: string | undefined) => {
		const who = (braced ?? angled ?? '').toLowerCase();
		const name = who === 'user' ? userName : charName;
		return name ?? match;
	});
}

function substituteContent(message: Message, ctx: { char: string | null; user: string | null }): Message {
	const content = message.content;
	if (typeof content === 'string') {
		const replaced = substitute(content, ctx.char, ctx.user);
		return replaced === content ? message : { ...message, content: replaced };
	}
	if (Array.isArray(content)) {
		let parts: unknown[] | null = null;
		content.forEach((part, i) => {
			if (!isRecord(part) || typeof part.text !== 'string') return;
			const replaced = substitute(part.text, ctx.char, ctx.user);
			if (replaced === part.text) return;
			parts ??= content.slice();
			parts[i] = { ...part, text: replaced };
		});
		return parts === null ? message : { ...message, content: parts };
	}
	return message;
}

export const substitutePlaceholders: Repair = {
	id: 'substitute-placeholders',
	title: 'Fill character and user placeholders',
	description: 'Replaces {{char}} / <BOT> / <CHAR> with the identity name and {{user}} / <USER> with the user\'s name, in every message (names that are not configured are left as they are).',
	kind: 'suggested',
	fixes: ['placeholder'],
	apply(entry: Entry, ctx: RepairContext) {
		const names = { char: usableName(ctx.identityName), user: usableName(ctx.userName) };
		if (names.char === null && names.user === null) return entry;
		let messages: Message[] | null = null;
		entry.messages.forEach((message, i) => {
			const replaced = substituteContent(message, names);
			if (replaced === message) return;
			messages ??= entry.messages.slice();
			messages[i] = replaced;
		});
		return messages === null ? entry : withMessages(entry, messages);
	}
};
