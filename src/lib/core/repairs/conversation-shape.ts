/**
 * Repairs of the conversation's shape: merging consecutive turns of one role, dropping an empty
 * trailing user turn, and gathering system messages at the front.
 */
import type { Message } from '../model';
import { canonicalRole } from '../validation/inspect';
import { mergeable } from '../validation/rules/order';
import { isBlankContent, withMessages } from './entry-update';
import type { Repair } from './types';

const TURN_SEPARATOR = '\n\n';

/** Joins two texts with a blank line; an empty side adds no separator. */
function joinTexts(a: string, b: string): string {
	if (a === '') return b;
	if (b === '') return a;
	return a + TURN_SEPARATOR + b;
}

function roleOfMessage(message: Message): string | null {
	return typeof message.role === 'string' ? canonicalRole(message.role) : null;
}

export const mergeConsecutiveSameRole: Repair = {
	id: 'merge-consecutive-same-role',
	title: 'Merge consecutive turns of one role',
	description:
		'Joins two or more user (or assistant) messages in a row into one, separated by a blank line. Messages with tool calls, different names or weights, or non-text content are left apart.',
	kind: 'suggested',
	fixes: ['consecutive-same-role'],
	apply(entry) {
		const source = entry.messages;
		let merged: Message[] | null = null;
		for (let i = 1; i < source.length; i++) {
			const role = roleOfMessage(source[i]);
			const previous = merged === null ? source[i - 1] : merged[merged.length - 1];
			const joinable = (role === 'user' || role === 'assistant') && role === roleOfMessage(previous) && mergeable(previous, source[i]);
			if (joinable) {
				merged ??= source.slice(0, i);
				merged[merged.length - 1] = { ...previous, content: joinTexts(previous.content as string, source[i].content as string) };
			} else if (merged !== null) merged.push(source[i]);
		}
		return merged === null ? entry : withMessages(entry, merged);
	}
};

export const dropEmptyTrailingUser: Repair = {
	id: 'drop-empty-trailing-user',
	title: 'Drop empty trailing user turns',
	description: 'Removes user messages with no text at the end of the conversation (they train nothing and break strict templates).',
	kind: 'automatic-safe',
	fixes: ['ends-on-user'],
	apply(entry) {
		let end = entry.messages.length;
		while (end > 0) {
			const last = entry.messages[end - 1];
			if (roleOfMessage(last) !== 'user' || !isBlankContent(last)) break;
			end--;
		}
		return end === entry.messages.length ? entry : withMessages(entry, entry.messages.slice(0, end));
	}
};

export const dropTrailingUser: Repair = {
	id: 'drop-trailing-user',
	title: 'Drop the trailing user turn',
	description:
		'Removes the user message(s) after the last assistant reply, text and all, so the conversation ends on the assistant (the dropped question trained nothing). Review it: the text is gone from the working copy (Undo brings it back).',
	kind: 'suggested',
	fixes: ['ends-on-user'],
	apply(entry) {
		let end = entry.messages.length;
		while (end > 0 && roleOfMessage(entry.messages[end - 1]) === 'user') end--;
		// Nothing would be left but a system prompt: that is not a repair.
		if (end === entry.messages.length || !entry.messages.slice(0, end).some((m) => roleOfMessage(m) === 'assistant')) return entry;
		return withMessages(entry, entry.messages.slice(0, end));
	}
};

export const moveSystemToFront: Repair = {
	id: 'move-system-to-front',
	title: 'Gather system messages at the front',
	description:
		'Moves system messages to the start and merges them into one (texts joined by a blank line, empty ones dropped). System messages with non-text content are moved but not merged.',
	kind: 'suggested',
	fixes: ['system-not-first', 'multiple-system'],
	apply(entry) {
		const systems: Message[] = [];
		const others: Message[] = [];
		for (const message of entry.messages) (roleOfMessage(message) === 'system' ? systems : others).push(message);
		if (systems.length === 0) return entry;
		const allText = systems.every((message) => typeof message.content === 'string');
		let front: Message[];
		if (allText && systems.length > 1) {
			const text = systems.reduce((joined, message) => joinTexts(joined, (message.content as string).trim() === '' ? '' : (message.content as string)), '');
			front = [{ ...systems[0], content: text }];
		} else front = systems;
		const atFront = entry.messages.slice(0, systems.length).every((message) => roleOfMessage(message) === 'system');
		if (atFront && front === systems) return entry;
		return withMessages(entry, [...front, ...others]);
	}
};
