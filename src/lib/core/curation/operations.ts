/**
 * Curation operations as data: what a bulk action, an edit, a split or a join does, written so
 * that it can be stored (IndexedDB history rows, structured clone to and from the worker),
 * validated when read back (`CurationOpSchema`), shown in a history list (`describeOperation`)
 * and applied block by block (bulk.ts).
 *
 * Every operation applied by bulk.ts yields its exact inverse, computed from the state it was
 * applied to. Inverses are compact where datasets are big: adding a tag to 100k entries records
 * only the ids that lacked it; a review change records previous states grouped by state; a
 * delete keeps the removed entries with an anchor (the id of the entry they followed).
 *
 * Entries are addressed by id, never by position, so an operation stays meaningful whatever
 * the blocks look like. Ids must be unique within a dataset (merge.ts re-issues collisions).
 */
import { z } from 'zod';
import { EntrySchema, MessageSchema, ReviewStateSchema, type Entry, type Message, type ReviewState } from '../model';
import { joinEntries, splitEntry } from './split-join';

/** Appends the tags each listed entry lacks. Inverse: `remove-tags` on exactly those ids. */
export interface AddTagsOp {
	kind: 'add-tags';
	ids: string[];
	tags: string[];
}
/** Removes the tags from the listed entries. Inverse: `set-tags` with the previous lists. */
export interface RemoveTagsOp {
	kind: 'remove-tags';
	ids: string[];
	tags: string[];
}
/** Renames a tag on the listed entries (dropping it where `to` is already present). */
export interface ReplaceTagOp {
	kind: 'replace-tag';
	ids: string[];
	from: string;
	to: string;
}
/** Sets whole tag lists; entries sharing a list share a group (compact inverses). */
export interface SetTagsOp {
	kind: 'set-tags';
	groups: { tags: string[]; ids: string[] }[];
}
export interface SetReviewOp {
	kind: 'set-review';
	groups: { review: ReviewState; ids: string[] }[];
}
/** Sets the system prompt's text on the listed entries; `null` removes the system message. */
export interface SetSystemPromptOp {
	kind: 'set-system-prompt';
	ids: string[];
	content: string | null;
}
/**
 * The inverse of `set-system-prompt`: per group, put `message` back in place of the first
 * message (`replace`), put it back on top (`insert`), or take the first message away (`remove`).
 */
export interface RestoreSystemPromptOp {
	kind: 'restore-system-prompt';
	groups: { action: 'replace' | 'insert' | 'remove'; message: Message | null; ids: string[] }[];
}
export interface DeleteOp {
	kind: 'delete';
	ids: string[];
}
/**
 * The structural primitive (edits, split, join, insert, and the inverse of delete):
 * 1. each `replace` entry swaps the entry with that id for `with` in place (`[]` deletes it);
 * 2. each `insert` group goes right after the entry with id `after` (null: at the very start);
 *    `after` names an entry of the input, whether or not step 1 replaced or deleted it;
 * 3. `append` goes at the very end, and so do insert groups whose anchor was not found.
 */
export interface SpliceOp {
	kind: 'splice';
	replace: { id: string; with: Entry[] }[];
	insert: { after: string | null; entries: Entry[] }[];
	append: Entry[];
}
/** Several operations applied in order as one step (one undo). */
export interface BatchOp {
	kind: 'batch';
	ops: CurationOp[];
}

export type CurationOp =
	| AddTagsOp
	| RemoveTagsOp
	| ReplaceTagOp
	| SetTagsOp
	| SetReviewOp
	| SetSystemPromptOp
	| RestoreSystemPromptOp
	| DeleteOp
	| SpliceOp
	| BatchOp;

export type CurationOpKind = CurationOp['kind'];

/** One undoable step, as stored in the history table: undo applies `inverse`, redo `forward`. */
export interface OperationRecord {
	kind: CurationOpKind;
	/** For the history list ("Add tag slow-burn to 120 entries"). */
	label: string;
	forward: CurationOp;
	inverse: CurationOp;
}

const ids = z.array(z.string());
const entries = z.array(EntrySchema);

/** Validates operations read back from storage (history rows written by an older version…). */
export const CurationOpSchema: z.ZodType<CurationOp> = z.lazy(() =>
	z.discriminatedUnion('kind', [
		z.object({ kind: z.literal('add-tags'), ids, tags: z.array(z.string()) }),
		z.object({ kind: z.literal('remove-tags'), ids, tags: z.array(z.string()) }),
		z.object({ kind: z.literal('replace-tag'), ids, from: z.string(), to: z.string() }),
		z.object({ kind: z.literal('set-tags'), groups: z.array(z.object({ tags: z.array(z.string()), ids })) }),
		z.object({ kind: z.literal('set-review'), groups: z.array(z.object({ review: ReviewStateSchema, ids })) }),
		z.object({ kind: z.literal('set-system-prompt'), ids, content: z.string().nullable() }),
		z.object({
			kind: z.literal('restore-system-prompt'),
			groups: z.array(z.object({ action: z.enum(['replace', 'insert', 'remove']), message: MessageSchema.nullable(), ids }))
		}),
		z.object({ kind: z.literal('delete'), ids }),
		z.object({
			kind: z.literal('splice'),
			replace: z.array(z.object({ id: z.string(), with: entries })),
			insert: z.array(z.object({ after: z.string().nullable(), entries })),
			append: entries
		}),
		z.object({ kind: z.literal('batch'), ops: z.array(CurationOpSchema) })
	])
) as z.ZodType<CurationOp>;

export const OperationRecordSchema = z.object({
	kind: z.string(),
	label: z.string(),
	forward: CurationOpSchema,
	inverse: CurationOpSchema
});

// ---- builders: what the UI calls to describe an action ------------------------------------

export function addTagsOp(entryIds: readonly string[], tags: readonly string[]): AddTagsOp {
	return { kind: 'add-tags', ids: [...entryIds], tags: [...new Set(tags)] };
}
export function removeTagsOp(entryIds: readonly string[], tags: readonly string[]): RemoveTagsOp {
	return { kind: 'remove-tags', ids: [...entryIds], tags: [...new Set(tags)] };
}
export function replaceTagOp(entryIds: readonly string[], from: string, to: string): ReplaceTagOp {
	return { kind: 'replace-tag', ids: [...entryIds], from, to };
}
export function setTagsOp(entryIds: readonly string[], tags: readonly string[]): SetTagsOp {
	return { kind: 'set-tags', groups: [{ tags: [...new Set(tags)], ids: [...entryIds] }] };
}
export function setReviewOp(entryIds: readonly string[], review: ReviewState): SetReviewOp {
	return { kind: 'set-review', groups: [{ review, ids: [...entryIds] }] };
}
export function setSystemPromptOp(entryIds: readonly string[], content: string | null): SetSystemPromptOp {
	return { kind: 'set-system-prompt', ids: [...entryIds], content };
}
export function deleteOp(entryIds: readonly string[]): DeleteOp {
	return { kind: 'delete', ids: [...entryIds] };
}
/** A single-entry edit (any edit from entry-edits.ts or the raw JSON editor): `before` → `after`. */
export function editOp(before: Entry, after: Entry): SpliceOp {
	return { kind: 'splice', replace: [{ id: before.id, with: [after] }], insert: [], append: [] };
}
/** New entries (generated data, a copy from another dataset): after `after`, at the start (null) or at the end. */
export function insertOp(newEntries: readonly Entry[], after: string | null | 'end' = 'end'): SpliceOp {
	if (after === 'end') return { kind: 'splice', replace: [], insert: [], append: [...newEntries] };
	return { kind: 'splice', replace: [], insert: [{ after, entries: [...newEntries] }], append: [] };
}
export function batchOp(ops: readonly CurationOp[]): BatchOp {
	return { kind: 'batch', ops: [...ops] };
}

/** Splits `entry` before message `at` (split-join.ts rules): the halves replace it in place. */
export function splitOp(entry: Entry, at: number, newId: string): { ok: true; op: SpliceOp } | { ok: false; error: string } {
	const split = splitEntry(entry, at, newId);
	if (!split.ok) return split;
	return { ok: true, op: { kind: 'splice', replace: [{ id: entry.id, with: [split.first, split.second] }], insert: [], append: [] } };
}

/**
 * Joins entries (in the given order) into one that takes the place of the first; the others
 * are removed. Their original positions are restored by the inverse.
 */
export function joinOp(
	sources: readonly Entry[],
	newId?: string
): { ok: true; op: SpliceOp; warnings: string[] } | { ok: false; error: string } {
	const joined = joinEntries(sources, newId);
	if (!joined.ok) return joined;
	const [first, ...rest] = sources;
	return {
		ok: true,
		warnings: joined.warnings,
		op: {
			kind: 'splice',
			replace: [{ id: first.id, with: [joined.entry] }, ...rest.map((entry) => ({ id: entry.id, with: [] }))],
			insert: [],
			append: []
		}
	};
}

// ---- descriptions ----------------------------------------------------------------------------

function count(n: number): string {
	return `${n.toLocaleString('en-US')} ${n === 1 ? 'entry' : 'entries'}`;
}
function list(values: readonly string[]): string {
	return values.length <= 3 ? values.join(', ') : `${values.slice(0, 3).join(', ')} and ${values.length - 3} more`;
}
function groupTotal(groups: readonly { ids: readonly string[] }[]): number {
	return groups.reduce((sum, group) => sum + group.ids.length, 0);
}

/** A one-line label for the history list. */
export function describeOperation(op: CurationOp): string {
	switch (op.kind) {
		case 'add-tags':
			return `Add ${op.tags.length === 1 ? 'tag' : 'tags'} ${list(op.tags)} to ${count(op.ids.length)}`;
		case 'remove-tags':
			return `Remove ${op.tags.length === 1 ? 'tag' : 'tags'} ${list(op.tags)} from ${count(op.ids.length)}`;
		case 'replace-tag':
			return `Replace tag ${op.from} with ${op.to} on ${count(op.ids.length)}`;
		case 'set-tags':
			return `Set tags on ${count(groupTotal(op.groups))}`;
		case 'set-review': {
			const states = [...new Set(op.groups.map((group) => group.review))];
			return states.length === 1 ? `Mark ${count(groupTotal(op.groups))} ${states[0]}` : `Set review state of ${count(groupTotal(op.groups))}`;
		}
		case 'set-system-prompt':
			return op.content === null ? `Remove the system prompt from ${count(op.ids.length)}` : `Set the system prompt of ${count(op.ids.length)}`;
		case 'restore-system-prompt':
			return `Restore the system prompt of ${count(groupTotal(op.groups))}`;
		case 'delete':
			return `Delete ${count(op.ids.length)}`;
		case 'splice': {
			const removed = op.replace.filter((r) => r.with.length === 0).length;
			const replaced = op.replace.length - removed;
			const inserted = op.insert.reduce((sum, group) => sum + group.entries.length, op.append.length);
			if (replaced === 1 && removed === 0 && inserted === 0) {
				const only = op.replace[0];
				return only.with.length === 1 ? `Edit ${only.id}` : `Split ${only.id} into ${only.with.length}`;
			}
			if (replaced === 1 && removed > 0 && inserted === 0 && op.replace[0].with.length === 1) return `Join ${count(removed + 1)}`;
			const parts: string[] = [];
			if (replaced) parts.push(`replace ${count(replaced)}`);
			if (removed) parts.push(`remove ${count(removed)}`);
			if (inserted) parts.push(`insert ${count(inserted)}`);
			const text = parts.join(', ') || 'change nothing';
			return text.charAt(0).toUpperCase() + text.slice(1);
		}
		case 'batch':
			return op.ops.length === 1 ? describeOperation(op.ops[0]) : `${op.ops.length} changes`;
	}
}

export interface OperationTargets {
	/** Ids the operation reads, changes or anchors on. */
	ids: Set<string>;
	/** Whether it inserts at the very start (the first block must be applied). */
	atStart: boolean;
	/** Whether it appends at the very end (the last block must be applied). */
	atEnd: boolean;
}

/**
 * What an operation touches, so that a block-by-block caller can skip blocks: a block none of
 * whose ids is in `ids` — and that is not the first block when `atStart`, nor the last when
 * `atEnd` — may be passed to `OperationRun.skipBlock` instead of being read.
 */
export function operationTargets(op: CurationOp, into: OperationTargets = { ids: new Set(), atStart: false, atEnd: false }): OperationTargets {
	const add = (values: readonly string[]) => {
		for (const value of values) into.ids.add(value);
	};
	switch (op.kind) {
		case 'set-tags':
		case 'set-review':
		case 'restore-system-prompt':
			for (const group of op.groups) add(group.ids);
			break;
		case 'splice':
			add(op.replace.map((r) => r.id));
			for (const group of op.insert) {
				if (group.after === null) into.atStart = true;
				else into.ids.add(group.after);
			}
			// An insert whose anchor is missing ends up at the end, so any insert may touch it.
			if (op.append.length > 0 || op.insert.some((group) => group.after !== null)) into.atEnd = true;
			break;
		case 'batch':
			for (const inner of op.ops) operationTargets(inner, into);
			// A step after a structural step may see entries moved across blocks.
			if (op.ops.length > 1 && op.ops.some((inner) => inner.kind === 'splice' || inner.kind === 'delete')) {
				into.atStart = true;
				into.atEnd = true;
			}
			break;
		default:
			add(op.ids);
	}
	return into;
}
