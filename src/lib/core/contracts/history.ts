/** What the undo / redo buttons of a dataset show: read from its history rows (db/entries-repo). */
export interface HistoryState {
	canUndo: boolean;
	canRedo: boolean;
	undoLabel: string | null;
	redoLabel: string | null;
}
