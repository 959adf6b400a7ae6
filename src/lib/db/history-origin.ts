/**
 * Which tab a history row came from. Each tab has its own data worker; the page tells it the tab's
 * id once (sessionStorage keeps it across reloads of that tab), and every operation recorded for
 * undo carries it. Undo then knows when the change it would revert was made in another tab, and
 * asks first instead of silently reverting someone else's later work.
 */
let origin: string | undefined;

export function setHistoryOrigin(id: string | undefined): void {
	origin = id;
}

/** This tab's id, or undefined when none was given (tests, tools): every row then counts as this tab's. */
export function historyOrigin(): string | undefined {
	return origin;
}

/** A row made elsewhere: both origins known and different (rows from before origins were kept count as ours). */
export function madeElsewhere(rowOrigin: string | undefined): boolean {
	return origin !== undefined && rowOrigin !== undefined && rowOrigin !== origin;
}
