/**
 * Guard rules: the shape every other rule needs (an object with a non-empty messages list of
 * message objects). The first four halt, so an entry without a usable messages list gets one
 * clear finding instead of twenty consequential ones.
 */
import { hasKey, isRecord, makeFinding, messagesOf } from '../inspect';
import type { EntryRule } from '../types';

export const entryNotObject: EntryRule = {
	scope: 'entry',
	id: 'entry-not-object',
	title: 'Entry is not an object',
	description: 'A training example must be a JSON object with a messages list; this one is a list, a string, a number or null.',
	defaultSeverity: 'error',
	repairKind: 'manual',
	halts: true,
	check(entry) {
		if (isRecord(entry)) return [];
		const kind = entry === null ? 'null' : Array.isArray(entry) ? 'a list' : `a ${typeof entry}`;
		return [makeFinding(entryNotObject, entry, `The example is ${kind}, not an object with a "messages" list.`)];
	}
};

export const messagesMissing: EntryRule = {
	scope: 'entry',
	id: 'messages-missing',
	title: 'No messages list',
	description: 'The entry has no "messages" key, so there is no conversation to train on.',
	defaultSeverity: 'error',
	repairKind: 'manual',
	halts: true,
	check(entry) {
		if (!isRecord(entry) || (hasKey(entry, 'messages') && entry.messages !== undefined)) return [];
		return [makeFinding(messagesMissing, entry, 'The entry has no "messages" key.')];
	}
};

export const messagesNotList: EntryRule = {
	scope: 'entry',
	id: 'messages-not-list',
	title: 'Messages is not a list',
	description: '"messages" must be a list of message objects.',
	defaultSeverity: 'error',
	repairKind: 'manual',
	halts: true,
	check(entry) {
		if (!isRecord(entry) || !hasKey(entry, 'messages') || entry.messages === undefined || Array.isArray(entry.messages)) return [];
		const value = entry.messages;
		const kind = value === null ? 'null' : `a ${typeof value}`;
		return [makeFinding(messagesNotList, entry, `"messages" is ${kind}, not a list.`)];
	}
};

export const messagesEmpty: EntryRule = {
	scope: 'entry',
	id: 'messages-empty',
	title: 'Empty messages list',
	description: 'The messages list is empty: the entry trains nothing.',
	defaultSeverity: 'error',
	repairKind: 'manual',
	halts: true,
	check(entry) {
		const messages = messagesOf(entry);
		if (messages === null || messages.length > 0) return [];
		return [makeFinding(messagesEmpty, entry, 'The messages list is empty.')];
	}
};

export const messageNotObject: EntryRule = {
	scope: 'entry',
	id: 'message-not-object',
	title: 'Message is not an object',
	description: 'Every message must be an object with "role" and "content"; other rules skip the ones that are not.',
	defaultSeverity: 'error',
	repairKind: 'manual',
	check(entry) {
		const messages = messagesOf(entry);
		if (messages === null) return [];
		const findings = [];
		for (let i = 0; i < messages.length; i++) {
			if (!isRecord(messages[i])) findings.push(makeFinding(messageNotObject, entry, `Message ${i + 1} is not an object.`, i));
		}
		return findings;
	}
};

export const GUARD_RULES: readonly EntryRule[] = [entryNotObject, messagesMissing, messagesNotList, messagesEmpty, messageNotObject];
