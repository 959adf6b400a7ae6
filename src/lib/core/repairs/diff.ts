/**
 * A compact before/after description of an entry for repair previews: messages aligned (a
 * longest common subsequence over identical messages), then unmatched messages in the same gap
 * paired as "changed" with their differing fields, the rest "added" or "removed".
 */
import type { Entry, Message } from '../model';
import { safeJson } from '../validation/inspect';

export interface FieldChange {
	key: string;
	/** Absent when the field did not exist before. */
	before?: unknown;
	/** Absent when the field was removed. */
	after?: unknown;
}

export type MessageChange =
	| { kind: 'unchanged'; before: number; after: number; role: string }
	| { kind: 'changed'; before: number; after: number; role: string; fields: FieldChange[] }
	| { kind: 'added'; after: number; role: string; message: Message }
	| { kind: 'removed'; before: number; role: string; message: Message };

export interface EntryDiff {
	/** Whether anything differs (messages or entry fields). */
	changed: boolean;
	/** One item per message of either side, in conversation order. */
	messages: MessageChange[];
	/** Entry-level fields that differ (id, tags, characters, meta, extra). The hash is left out. */
	fields: FieldChange[];
	/** Counts for a one-line summary ("2 changed, 1 removed"). */
	counts: { unchanged: number; changed: number; added: number; removed: number };
}

function sameValue(a: unknown, b: unknown): boolean {
	return a === b || (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null && safeJson(a) === safeJson(b));
}

function sameMessage(a: Message, b: Message): boolean {
	if (a === b) return true;
	const keysA = Object.keys(a);
	const keysB = Object.keys(b);
	if (keysA.length !== keysB.length) return false;
	for (const key of keysA) if (!Object.hasOwn(b, key) || !sameValue(a[key], b[key])) return false;
	return true;
}

function fieldChanges(before: Record<string, unknown>, after: Record<string, unknown>, skip: ReadonlySet<string> = new Set()): FieldChange[] {
	const changes: FieldChange[] = [];
	const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
	for (const key of keys) {
		if (skip.has(key)) continue;
		const inBefore = Object.hasOwn(before, key);
		const inAfter = Object.hasOwn(after, key);
		if (inBefore && inAfter && sameValue(before[key], after[key])) continue;
		const change: FieldChange = { key };
		if (inBefore) change.before = before[key];
		if (inAfter) change.after = after[key];
		changes.push(change);
	}
	return changes;
}

const MAX_LCS_CELLS = 4_000_000;

/** Index pairs of a longest common subsequence of identical messages. */
function alignMessages(before: readonly Message[], after: readonly Message[]): [number, number][] {
	const n = before.length;
	const m = after.length;
	if ((n + 1) * (m + 1) > MAX_LCS_CELLS) {
		// Huge conversations: align position by position instead.
		const pairs: [number, number][] = [];
		for (let i = 0; i < Math.min(n, m); i++) if (sameMessage(before[i], after[i])) pairs.push([i, i]);
		return pairs;
	}
	const table = new Uint32Array((n + 1) * (m + 1));
	const at = (i: number, j: number) => i * (m + 1) + j;
	for (let i = n - 1; i >= 0; i--) {
		for (let j = m - 1; j >= 0; j--) {
			table[at(i, j)] = sameMessage(before[i], after[j]) ? table[at(i + 1, j + 1)] + 1 : Math.max(table[at(i + 1, j)], table[at(i, j + 1)]);
		}
	}
	const pairs: [number, number][] = [];
	let i = 0;
	let j = 0;
	while (i < n && j < m) {
		if (sameMessage(before[i], after[j]) && table[at(i, j)] === table[at(i + 1, j + 1)] + 1) {
			pairs.push([i, j]);
			i++;
			j++;
		} else if (table[at(i + 1, j)] >= table[at(i, j + 1)]) i++;
		else j++;
	}
	return pairs;
}

function roleLabel(message: Message): string {
	return typeof message.role === 'string' ? message.role : '?';
}

export function diffEntry(before: Entry, after: Entry): EntryDiff {
	const messages: MessageChange[] = [];
	const counts = { unchanged: 0, changed: 0, added: 0, removed: 0 };
	const pairs = alignMessages(before.messages, after.messages);
	let i = 0;
	let j = 0;
	const flushGap = (untilBefore: number, untilAfter: number) => {
		// Pair the gap's messages in order as "changed"; the surplus on either side is removed/added.
		while (i < untilBefore && j < untilAfter) {
			const a = before.messages[i];
			const b = after.messages[j];
			messages.push({ kind: 'changed', before: i, after: j, role: roleLabel(b), fields: fieldChanges(a, b) });
			counts.changed++;
			i++;
			j++;
		}
		for (; i < untilBefore; i++) {
			messages.push({ kind: 'removed', before: i, role: roleLabel(before.messages[i]), message: before.messages[i] });
			counts.removed++;
		}
		for (; j < untilAfter; j++) {
			messages.push({ kind: 'added', after: j, role: roleLabel(after.messages[j]), message: after.messages[j] });
			counts.added++;
		}
	};
	for (const [pb, pa] of pairs) {
		flushGap(pb, pa);
		messages.push({ kind: 'unchanged', before: pb, after: pa, role: roleLabel(after.messages[pa]) });
		counts.unchanged++;
		i = pb + 1;
		j = pa + 1;
	}
	flushGap(before.messages.length, after.messages.length);
	const fields = fieldChanges(before, after, new Set(['messages', 'hash']));
	return { changed: fields.length > 0 || counts.changed + counts.added + counts.removed > 0, messages, fields, counts };
}
