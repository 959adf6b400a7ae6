/** What the undo / redo buttons of a dataset show: read from its history rows (db/entries-repo). */
export interface HistoryState {
	canUndo: boolean;
	canRedo: boolean;
	undoLabel: string | null;
	redoLabel: string | null;
	/** The change Undo would revert (Redo would re-apply) was made in another tab: ask before. */
	undoElsewhere?: boolean;
	redoElsewhere?: boolean;
}

/** What Undo / Redo did: the label of the change, or, when it was another tab's and not confirmed, that label in `elsewhere` (nothing done). */
export interface HistoryStepResult {
	label: string | null;
	elsewhere?: string;
}
