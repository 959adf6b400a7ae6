/**
 * Facts about one entry that many rules need (canonical roles, which assistant messages contain
 * suspicious phrases), computed once per entry instead of once per rule.
 *
 * The cache holds the last entry only: `validateEntry` runs every rule on one entry before moving
 * on, so one slot hits for all but the first rule, costs a pointer comparison, and never grows.
 * It is keyed on the entry object, its messages list and that list's length, and `validate.ts`
 * clears it before each entry, so an entry edited in place is never judged by stale facts.
 */
import { canonicalRole, messagesOf, roleOf, textOf, type StandardRoleName } from './inspect';
import { ERROR_MARKERS, REFUSAL_PHRASES } from './phrase-lists';
import { PhraseScanner } from './phrase-scanner';
import type { ValidationContext } from './types';

export interface EntryShape {
	readonly messages: readonly unknown[];
	/** Canonical role per message; null for custom names, missing roles and non-objects. */
	readonly roles: readonly (StandardRoleName | null)[];
	/** Indices of assistant messages (any spelling of the role). */
	readonly assistant: readonly number[];
}

let cachedEntry: unknown = undefined;
let cachedMessages: readonly unknown[] | null = null;
let cachedLength = -1;
let cachedShape: EntryShape | null = null;
let cachedAlarms: { ctx: ValidationContext; alarms: Int32Array } | null = null;

export function clearEntryShapeCache(): void {
	cachedEntry = undefined;
	cachedMessages = null;
	cachedShape = null;
	cachedAlarms = null;
}

/** The entry's shape, or null when it has no messages list. */
export function shapeOf(entry: unknown): EntryShape | null {
	const messages = messagesOf(entry);
	if (messages === null) return null;
	if (entry === cachedEntry && messages === cachedMessages && messages.length === cachedLength && cachedShape !== null) return cachedShape;
	const roles = new Array<StandardRoleName | null>(messages.length);
	const assistant: number[] = [];
	for (let i = 0; i < messages.length; i++) {
		const role = roleOf(messages[i]);
		const canonical = role === undefined ? null : role === 'assistant' ? 'assistant' : canonicalRole(role);
		roles[i] = canonical;
		if (canonical === 'assistant') assistant.push(i);
	}
	cachedEntry = entry;
	cachedMessages = messages;
	cachedLength = messages.length;
	cachedShape = { messages, roles, assistant };
	cachedAlarms = null;
	return cachedShape;
}

/** Phrase groups of the alarm scan; a rule runs its exact check only when its bit is set. */
export const ALARM_REFUSAL = 1;
export const ALARM_FOREIGN_NAME = 2;
export const ALARM_ERROR = 4;
export const ALARM_THINK = 8;


const scanners = new Map<string, PhraseScanner>();

function scannerFor(ctx: ValidationContext): PhraseScanner {
	const key = ctx.foreignIdentities.join('\u0000');
	let scanner = scanners.get(key);
	if (scanner === undefined) {
		const groups: string[][] = [];
		groups[0] = [...REFUSAL_PHRASES]; // ALARM_REFUSAL
		groups[1] = ctx.foreignIdentities.map((name) => name.trim()).filter((name) => name !== ''); // ALARM_FOREIGN_NAME
		groups[2] = [...ERROR_MARKERS, '\n    at ', '\n\tat ']; // ALARM_ERROR
		groups[3] = ['think>']; // ALARM_THINK
		scanner = new PhraseScanner(groups);
		if (scanners.size > 16) scanners.clear();
		scanners.set(key, scanner);
	}
	return scanner;
}

/** Alarm bits of message `index` (assistant messages only; 0 for others). */
export function alarmsOf(entry: unknown, ctx: ValidationContext, index: number): number {
	const shape = shapeOf(entry);
	if (shape === null) return 0;
	if (cachedAlarms === null || cachedAlarms.ctx !== ctx) {
		const scanner = scannerFor(ctx);
		const alarms = new Int32Array(shape.messages.length);
		for (const i of shape.assistant) alarms[i] = scanner.scan(textOf(shape.messages[i]));
		cachedAlarms = { ctx, alarms };
	}
	return cachedAlarms.alarms[index] ?? 0;
}
