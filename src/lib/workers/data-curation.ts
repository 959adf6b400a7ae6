/**
 * Curation and history, in the data worker: editor saves, bulk operations, split and join, each
 * one undoable step, and undo/redo. Used through DataService (data-service.ts).
 */
import { EntrySchema, type Entry } from '$lib/core/model';
import type { SkeinDatabase } from '$lib/db/database';
import { allocateEntryIds } from '$lib/db/datasets-repo';
import type { EntryChange } from '$lib/core/contracts/rows';
import { applyCuration, applyOperation, EntryConflictError, historyState, readEntryAt, redo, undo, type HistoryStepOptions } from '$lib/db/entries-repo';
import { type HistoryState, type HistoryStepResult } from '$lib/core/contracts/history';
import { joinOp, splitOp, type CurationOp } from '$lib/core/curation/operations';

export interface CurationOutcome {
	label: string;
	changed: number;
	removed: number;
	inserted: number;
	unchanged: number;
	warnings: string[];
	history: HistoryState;
}

/** Progress of a bulk operation, in blocks of the dataset. */
export type CurationProgress = (done: number, total: number) => void;

export type SaveResult =
	| { ok: true; history: HistoryState }
	| { ok: false; error: string; conflict?: number };

/** Told after a change made here that kept every entry's id and place, so the ids it caches stay valid (DatasetReader). */
export interface KeptIds {
	carryIds(datasetId: string, updatedAt: number): void;
}

export class DataCuration {
	constructor(
		private readonly db: SkeinDatabase,
		private readonly ids: KeptIds
	) {}

	/**
	 * Saves edits as one undoable operation. `before` is each entry as the editor loaded it: when
	 * the stored one differs (another tab saved it), nothing is written and `conflict` says where.
	 */
	async saveChanges(datasetId: string, label: string, changes: EntryChange[]): Promise<SaveResult> {
		for (const change of changes) {
			if (!change.after) continue;
			const checked = EntrySchema.safeParse(change.after);
			if (!checked.success) {
				const issue = checked.error.issues[0];
				return { ok: false, error: `Entry #${change.position + 1} is not valid: ${issue.path.join('.') || 'entry'}: ${issue.message}` };
			}
		}
		try {
			const updated = await applyOperation(this.db, datasetId, label, changes);
			if (changes.every((c) => c.before && c.after && c.before.id === c.after.id)) this.ids.carryIds(datasetId, updated.updatedAt);
			// A new operation is the one to undo, and it empties the redo stack.
			return { ok: true, history: { canUndo: true, canRedo: false, undoLabel: label, redoLabel: null } };
		} catch (error) {
			if (error instanceof EntryConflictError) return { ok: false, conflict: error.position, error: error.message };
			throw error;
		}
	}

	/** Applies a curation operation (bulk action, split, join) as one undoable step. */
	async curate(datasetId: string, op: CurationOp, label: string, onProgress?: CurationProgress): Promise<CurationOutcome> {
		const { summary, dataset } = await applyCuration(this.db, datasetId, op, label, onProgress);
		if (summary.insertedCount === 0 && summary.removedCount === 0) this.ids.carryIds(datasetId, dataset.updatedAt);
		return {
			label,
			changed: summary.changedCount,
			removed: summary.removedCount,
			inserted: summary.insertedCount,
			unchanged: summary.unchangedCount,
			warnings: summary.warnings,
			history: await historyState(this.db, datasetId)
		};
	}

	/** Splits the entry at `position` before message `at`; the second half follows it. */
	async splitAt(datasetId: string, position: number, at: number): Promise<CurationOutcome | { error: string }> {
		const entry = await readEntryAt(this.db, datasetId, position);
		if (!entry) return { error: 'That entry no longer exists.' };
		const [newId] = await allocateEntryIds(this.db, datasetId, 1);
		const split = splitOp(entry, at, newId);
		if (!split.ok) return { error: split.error };
		return this.curate(datasetId, split.op, `Split entry #${position + 1} before message ${at + 1}`);
	}

	/** Joins the entries at `positions`, in that order, into the first one's place. */
	async joinAt(datasetId: string, positions: number[]): Promise<CurationOutcome | { error: string }> {
		const entries: Entry[] = [];
		for (const position of positions) {
			const entry = await readEntryAt(this.db, datasetId, position);
			if (!entry) return { error: `Entry #${position + 1} no longer exists.` };
			entries.push(entry);
		}
		const joined = joinOp(entries);
		if (!joined.ok) return { error: joined.error };
		const outcome = await this.curate(datasetId, joined.op, `Join ${entries.length} entries`);
		return { ...outcome, warnings: [...joined.warnings, ...outcome.warnings] };
	}

	/** `anyTab`: the user confirmed reverting a change another tab made (entries-repo `undo`). */
	async undo(datasetId: string, options: HistoryStepOptions = {}): Promise<HistoryStepResult & { history: HistoryState }> {
		const step = await undo(this.db, datasetId, Date.now(), options);
		return { ...step, history: await historyState(this.db, datasetId) };
	}

	async redo(datasetId: string, options: HistoryStepOptions = {}): Promise<HistoryStepResult & { history: HistoryState }> {
		const step = await redo(this.db, datasetId, Date.now(), options);
		return { ...step, history: await historyState(this.db, datasetId) };
	}

	historyState(datasetId: string): Promise<HistoryState> {
		return historyState(this.db, datasetId);
	}
}
