/**
 * Applying curation operations (operations.ts), whole or block by block, and getting back the
 * exact inverse of what was done.
 *
 * Whole dataset (tests, small datasets, the worker holding a selection in memory):
 *
 *   const { entries, inverse } = applyOperation(entries, op);
 *   applyOperation(entries, inverse).entries  // deep-equals the original entries
 *
 * Block by block (the db layer, blocks of ~1,000 entries in dataset order):
 *
 *   const run = new OperationRun(op);
 *   for (const [i, block] of blocks.entries()) {
 *     const out = run.applyBlock(block, { first: i === 0, last: i === blocks.length - 1 });
 *     if (out.changed) write(i, out.entries);   // unchanged blocks come back as the same array
 *   }
 *   const summary = run.finish();               // counts, warnings and the inverse
 *   history.add(operationRecord(op, summary));
 *
 * Blocks must be fed in dataset order; a block may grow or shrink (split, delete, join), and an
 * insert may land in a block before the one holding the removed entry (its anchor's block).
 * Blocks that hold none of `operationTargets(op).ids` may be skipped with `skipBlock`.
 *
 * Precondition for exactness: entry ids are unique, and `hash` matches the messages (it is
 * recomputed whenever messages change, so a stale hash would come back fresh after undo).
 */
import type { Entry, Message, ReviewState } from '../model';
import { setReview, setSystemPrompt, systemMessageOf, withMessages } from './entry-edits';
import { addTags, removeTags, replaceTag } from './tags';
import { describeOperation, type CurationOp, type OperationRecord, type SpliceOp } from './operations';

export interface OperationSummary {
	/** The operation that undoes what was done, on exactly the state it was applied to. */
	inverse: CurationOp;
	/** Targeted entries that changed (replaced in place counts as changed). */
	changedCount: number;
	/** Targeted entries that were already as asked (no write needed). */
	unchangedCount: number;
	removedCount: number;
	insertedCount: number;
	/** Targeted ids that were not found. */
	notFoundCount: number;
	warnings: string[];
}

export interface OperationResult extends OperationSummary {
	entries: Entry[];
	/** New or changed entries, in output order. */
	changed: Entry[];
}

export interface BlockPosition {
	first: boolean;
	last: boolean;
}

/** One operation kind at work: turns input blocks into output blocks, then knows its inverse. */
interface Runner {
	/** The output block, or null when the block is unchanged. */
	block(entries: readonly Entry[], position: BlockPosition): Entry[] | null;
	skip(lastEntryId: string | null): void;
	finish(): OperationSummary;
}

/** Applies an operation to blocks of a dataset in order; see the file comment. */
export class OperationRun {
	private readonly runner: Runner;
	private finished: OperationSummary | null = null;

	constructor(readonly op: CurationOp) {
		this.runner = runnerFor(op);
	}

	applyBlock(block: readonly Entry[], position: BlockPosition): { entries: Entry[]; changed: boolean } {
		if (this.finished) throw new Error('this operation run is finished');
		const out = this.runner.block(block, position);
		return out ? { entries: out, changed: true } : { entries: block as Entry[], changed: false };
	}

	/** A block not read because it holds nothing the operation targets: its last id (or null if empty). */
	skipBlock(lastEntryId: string | null): void {
		this.runner.skip(lastEntryId);
	}

	finish(): OperationSummary {
		this.finished ??= this.runner.finish();
		return this.finished;
	}
}

/** Applies an operation to a whole list of entries. Never mutates the input. */
export function applyOperation(entries: readonly Entry[], op: CurationOp): OperationResult {
	const run = new OperationRun(op);
	const out = run.applyBlock(entries, { first: true, last: true });
	const summary = run.finish();
	let changed: Entry[] = [];
	if (out.changed) {
		const before = new Set(entries);
		changed = out.entries.filter((entry) => !before.has(entry));
	}
	return { ...summary, entries: out.changed ? out.entries : entries.slice(), changed };
}

/** `applyOperation` under the name the bulk-action code reads best with. */
export const applyBulk = applyOperation;

/** Just the resulting entries: what undo (`record.inverse`) and redo (`record.forward`) need. */
export function applyRecord(entries: readonly Entry[], op: CurationOp): Entry[] {
	return applyOperation(entries, op).entries;
}

/** The history row for an applied operation. */
export function operationRecord(forward: CurationOp, summary: Pick<OperationSummary, 'inverse'>, label = describeOperation(forward)): OperationRecord {
	return { kind: forward.kind, label, forward, inverse: summary.inverse };
}

/** Applies `op` and returns the new entries with the history record that undoes it. */
export function recordOperation(entries: readonly Entry[], op: CurationOp, label?: string): { record: OperationRecord; result: OperationResult } {
	const result = applyOperation(entries, op);
	return { record: operationRecord(op, result, label), result };
}

// ---- runners ---------------------------------------------------------------------------------

function runnerFor(op: CurationOp): Runner {
	switch (op.kind) {
		case 'add-tags':
			return addTagsRunner(op.ids, op.tags);
		case 'remove-tags':
			return tagListRunner(op.ids, (entry) => removeTags(entry, op.tags));
		case 'replace-tag':
			return tagListRunner(op.ids, (entry) => replaceTag(entry, op.from, op.to));
		case 'set-tags': {
			const wanted = groupMap(op.groups, (group) => group.tags);
			return tagListRunner(wanted.keys(), (entry) => {
				const tags = wanted.get(entry.id) as string[];
				const same = tags.length === entry.tags.length && tags.every((tag, i) => tag === entry.tags[i]);
				return same ? { entry, changed: false } : { entry: { ...entry, tags: tags.slice() }, changed: true };
			});
		}
		case 'set-review':
			return setReviewRunner(groupMap(op.groups, (group) => group.review));
		case 'set-system-prompt': {
			const want: SystemAction = op.content === null ? { action: 'remove-if-any', content: null, message: null } : { action: 'set', content: op.content, message: null };
			return systemPromptRunner(new Map(op.ids.map((id) => [id, want])));
		}
		case 'restore-system-prompt':
			return systemPromptRunner(
				groupMap(op.groups, (group) => ({ action: group.action, content: null, message: group.message }))
			);
		case 'delete':
			return new SpliceRunner({ kind: 'splice', replace: op.ids.map((id) => ({ id, with: [] })), insert: [], append: [] });
		case 'splice':
			return new SpliceRunner(op);
		case 'batch':
			return batchRunner(op.ops.map(runnerFor));
	}
}

/** id → value for grouped operations; a later group wins for an id listed twice. */
function groupMap<G extends { ids: string[] }, V>(groups: readonly G[], value: (group: G) => V): Map<string, V> {
	const map = new Map<string, V>();
	for (const group of groups) {
		const v = value(group);
		for (const id of group.ids) map.set(id, v);
	}
	return map;
}

/** Groups ids by a value (compared by `key`), for compact grouped inverses. */
class Grouper<V> {
	private readonly groups = new Map<string, { value: V; ids: string[] }>();
	constructor(private readonly key: (value: V) => string) {}
	add(value: V, id: string): void {
		const key = this.key(value);
		let group = this.groups.get(key);
		if (!group) this.groups.set(key, (group = { value, ids: [] }));
		group.ids.push(id);
	}
	list(): { value: V; ids: string[] }[] {
		return [...this.groups.values()];
	}
}

function emptySummary(inverse: CurationOp): OperationSummary {
	return { inverse, changedCount: 0, unchangedCount: 0, removedCount: 0, insertedCount: 0, notFoundCount: 0, warnings: [] };
}

/**
 * In-place operations: each targeted entry maps to itself (unchanged) or a new version; the
 * inverse is built by `remember` as entries change.
 */
function inPlaceRunner(
	targets: Iterable<string>,
	transform: (entry: Entry) => Entry | null,
	inverse: () => CurationOp
): Runner {
	const pending = new Set(targets);
	const total = pending.size;
	let changedCount = 0;
	let unchangedCount = 0;
	return {
		block(entries) {
			if (pending.size === 0) return null;
			let out: Entry[] | null = null;
			for (let i = 0; i < entries.length; i++) {
				const entry = entries[i];
				// Each id once: with (invalid) duplicate ids the first occurrence is the one changed.
				if (!pending.delete(entry.id)) continue;
				const next = transform(entry);
				if (next === null || next === entry) {
					unchangedCount++;
					continue;
				}
				changedCount++;
				out ??= entries.slice();
				out[i] = next;
			}
			return out;
		},
		skip() {},
		finish() {
			return { ...emptySummary(inverse()), changedCount, unchangedCount, notFoundCount: total - changedCount - unchangedCount };
		}
	};
}

function addTagsRunner(ids: readonly string[], tags: readonly string[]): Runner {
	const unique = [...new Set(tags)];
	const lackedBy = new Map<string, string[]>(unique.map((tag) => [tag, []]));
	return inPlaceRunner(
		ids,
		(entry) => {
			const result = addTags(entry, unique);
			if (!result.changed) return null;
			for (const tag of unique) if (!entry.tags.includes(tag)) lackedBy.get(tag)?.push(entry.id);
			return result.entry;
		},
		() => {
			// Tags lacked by exactly the same entries share one `remove-tags` (the usual case).
			const tagsByLackers = new Map<string, { ids: string[]; tags: string[] }>();
			for (const [tag, lacking] of lackedBy) {
				if (lacking.length === 0) continue;
				const key = lacking.join('\u0000');
				const group = tagsByLackers.get(key);
				if (group) group.tags.push(tag);
				else tagsByLackers.set(key, { ids: lacking, tags: [tag] });
			}
			const ops: CurationOp[] = [...tagsByLackers.values()].map((group) => ({ kind: 'remove-tags', ...group }));
			return ops.length === 1 ? ops[0] : { kind: 'batch', ops };
		}
	);
}

/** Operations that rewrite tag lists; the inverse restores previous lists, grouped. */
function tagListRunner(ids: Iterable<string>, edit: (entry: Entry) => { entry: Entry; changed: boolean }): Runner {
	const previous = new Grouper<string[]>((tags) => JSON.stringify(tags));
	return inPlaceRunner(
		ids,
		(entry) => {
			const result = edit(entry);
			if (!result.changed) return null;
			previous.add(entry.tags, entry.id);
			return result.entry;
		},
		() => ({ kind: 'set-tags', groups: previous.list().map((group) => ({ tags: group.value, ids: group.ids })) })
	);
}

function setReviewRunner(wanted: Map<string, ReviewState>): Runner {
	const previous = new Grouper<ReviewState>((review) => review);
	return inPlaceRunner(
		wanted.keys(),
		(entry) => {
			const result = setReview(entry, wanted.get(entry.id) as ReviewState);
			if (!result.changed) return null;
			previous.add(entry.meta.review, entry.id);
			return result.entry;
		},
		() => ({ kind: 'set-review', groups: previous.list().map((group) => ({ review: group.value, ids: group.ids })) })
	);
}

type SystemAction =
	| { action: 'set'; content: string | null; message: null }
	| { action: 'remove-if-any'; content: null; message: null }
	| { action: 'replace' | 'insert' | 'remove'; content: null; message: Message | null };

function systemPromptRunner(wanted: Map<string, SystemAction>): Runner {
	type Restore = { action: 'replace' | 'insert' | 'remove'; message: Message | null };
	const previous = new Grouper<Restore>((restore) => restore.action + JSON.stringify(restore.message));
	const warnings: string[] = [];
	const runner = inPlaceRunner(
		wanted.keys(),
		(entry) => {
			const want = wanted.get(entry.id) as SystemAction;
			const current = systemMessageOf(entry);
			let next: Entry;
			switch (want.action) {
				case 'set':
				case 'remove-if-any':
					next = setSystemPrompt(entry, want.content).entry;
					break;
				case 'replace':
				case 'remove':
					if (!current) {
						warnings.push(`${entry.id} has no system message to ${want.action}; left as it is`);
						return null;
					}
					next = withMessages(entry, want.action === 'replace' && want.message ? [want.message, ...entry.messages.slice(1)] : entry.messages.slice(1));
					break;
				case 'insert':
					next = want.message ? withMessages(entry, [want.message, ...entry.messages]) : entry;
					break;
			}
			if (next === entry) return null;
			// Every action adds, removes or replaces exactly the first message; undo does the opposite.
			const grown = next.messages.length - entry.messages.length;
			if (grown > 0) previous.add({ action: 'remove', message: null }, entry.id);
			else if (grown < 0) previous.add({ action: 'insert', message: entry.messages[0] }, entry.id);
			else previous.add({ action: 'replace', message: entry.messages[0] }, entry.id);
			return next;
		},
		() => ({ kind: 'restore-system-prompt', groups: previous.list().map((group) => ({ ...group.value, ids: group.ids })) })
	);
	return {
		...runner,
		finish() {
			const summary = runner.finish();
			return { ...summary, warnings: [...summary.warnings, ...warnings] };
		}
	};
}

/** Sub-operations in order; each sees the blocks the previous one produced. */
function batchRunner(runners: Runner[]): Runner {
	return {
		block(entries, position) {
			let current: readonly Entry[] = entries;
			let changed = false;
			for (const runner of runners) {
				const out = runner.block(current, position);
				if (out) {
					current = out;
					changed = true;
				}
			}
			return changed ? (current as Entry[]) : null;
		},
		skip(lastEntryId) {
			for (const runner of runners) runner.skip(lastEntryId);
		},
		finish() {
			const summaries = runners.map((runner) => runner.finish());
			const total = (key: 'changedCount' | 'unchangedCount' | 'removedCount' | 'insertedCount' | 'notFoundCount') =>
				summaries.reduce((sum, summary) => sum + summary[key], 0);
			return {
				inverse: { kind: 'batch', ops: summaries.map((summary) => summary.inverse).reverse() },
				changedCount: total('changedCount'),
				unchangedCount: total('unchangedCount'),
				removedCount: total('removedCount'),
				insertedCount: total('insertedCount'),
				notFoundCount: total('notFoundCount'),
				warnings: summaries.flatMap((summary) => summary.warnings)
			};
		}
	};
}

/**
 * The structural runner. Removed entries are remembered with an anchor: the id of the last
 * entry written to the output before them (null: none yet). In the output, that entry sits
 * right where they were, so the inverse — "insert them after that id" — restores the order
 * exactly, even across blocks and whatever else the same operation replaced or inserted.
 */
class SpliceRunner implements Runner {
	private readonly replacements = new Map<string, Entry[]>();
	private readonly anchored = new Map<string, Entry[]>();
	private readonly atStart: Entry[] = [];
	private readonly append: Entry[];
	private startPlaced = false;
	private lastOutputId: string | null = null;

	private readonly inverseReplace: { id: string; with: Entry[] }[] = [];
	private readonly inverseInsert = new Map<string | null, Entry[]>();
	private changedCount = 0;
	private removedCount = 0;
	private insertedCount = 0;
	private readonly warnings: string[] = [];

	constructor(op: SpliceOp) {
		for (const { id, with: replacement } of op.replace) this.replacements.set(id, replacement);
		for (const group of op.insert) {
			if (group.after === null) this.atStart.push(...group.entries);
			else {
				const list = this.anchored.get(group.after);
				if (list) list.push(...group.entries);
				else this.anchored.set(group.after, group.entries.slice());
			}
		}
		this.append = op.append.slice();
	}

	private emitInserted(out: Entry[], inserted: readonly Entry[]): void {
		for (const entry of inserted) {
			out.push(entry);
			this.inverseReplace.push({ id: entry.id, with: [] });
			this.lastOutputId = entry.id;
		}
		this.insertedCount += inserted.length;
	}

	block(entries: readonly Entry[], position: BlockPosition): Entry[] | null {
		const nothingLeft = this.replacements.size === 0 && this.anchored.size === 0;
		const startDue = position.first && !this.startPlaced && this.atStart.length > 0;
		const endDue = position.last && (this.append.length > 0 || this.anchored.size > 0 || (!this.startPlaced && this.atStart.length > 0));
		if (nothingLeft && !startDue && !endDue) {
			if (entries.length > 0) this.lastOutputId = entries[entries.length - 1].id;
			if (position.first) this.startPlaced = true;
			return null;
		}
		const out: Entry[] = [];
		let changed = false;
		if (position.first && !this.startPlaced) {
			this.startPlaced = true;
			if (this.atStart.length > 0) {
				this.emitInserted(out, this.atStart);
				changed = true;
			}
		}
		for (const entry of entries) {
			const replacement = this.replacements.get(entry.id);
			if (replacement === undefined) {
				out.push(entry);
				this.lastOutputId = entry.id;
			} else {
				this.replacements.delete(entry.id);
				changed = true;
				if (replacement.length === 0) {
					this.removedCount++;
					const run = this.inverseInsert.get(this.lastOutputId);
					if (run) run.push(entry);
					else this.inverseInsert.set(this.lastOutputId, [entry]);
				} else {
					this.changedCount++;
					this.insertedCount += replacement.length - 1;
					out.push(...replacement);
					this.inverseReplace.push({ id: replacement[0].id, with: [entry] });
					for (let i = 1; i < replacement.length; i++) this.inverseReplace.push({ id: replacement[i].id, with: [] });
					this.lastOutputId = replacement[replacement.length - 1].id;
				}
			}
			const following = this.anchored.get(entry.id);
			if (following !== undefined) {
				this.anchored.delete(entry.id);
				this.emitInserted(out, following);
				changed = true;
			}
		}
		if (position.last) {
			if (!this.startPlaced) {
				// No first block was ever seen (an empty dataset): the start is the end.
				this.startPlaced = true;
				if (this.atStart.length > 0) changed = true;
				this.emitInserted(out, this.atStart);
			}
			for (const [anchor, orphans] of this.anchored) {
				changed = true;
				this.warnings.push(`${orphans.length} inserted ${orphans.length === 1 ? 'entry' : 'entries'} meant to follow ${anchor}, which was not found, went to the end`);
				this.emitInserted(out, orphans);
			}
			this.anchored.clear();
			if (this.append.length > 0) changed = true;
			this.emitInserted(out, this.append);
			this.append.length = 0;
		}
		return changed ? out : null;
	}

	skip(lastEntryId: string | null): void {
		if (lastEntryId !== null) this.lastOutputId = lastEntryId;
	}

	finish(): OperationSummary {
		const notFound = [...this.replacements.keys()];
		if (notFound.length > 0) this.warnings.push(`${notFound.length} ${notFound.length === 1 ? 'entry was' : 'entries were'} not found: ${notFound.slice(0, 5).join(', ')}${notFound.length > 5 ? ', …' : ''}`);
		return {
			inverse: {
				kind: 'splice',
				replace: this.inverseReplace,
				insert: [...this.inverseInsert].map(([after, entries]) => ({ after, entries })),
				append: []
			},
			changedCount: this.changedCount,
			unchangedCount: 0,
			removedCount: this.removedCount,
			insertedCount: this.insertedCount,
			notFoundCount: notFound.length,
			warnings: this.warnings
		};
	}
}
