/** The pair review list's keys (listed in core/shortcuts.ts): next, previous, swap, drop. */
export type PairKeyAction = 'next' | 'previous' | 'swap' | 'drop';

export function pairKeyAction(event: { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean; inField: boolean }): PairKeyAction | null {
	if (event.inField || event.ctrlKey || event.metaKey || event.altKey) return null;
	switch (event.key) {
		case 'j':
		case 'J':
		case 'ArrowDown':
			return 'next';
		case 'k':
		case 'K':
		case 'ArrowUp':
			return 'previous';
		case 's':
		case 'S':
			return 'swap';
		case 'x':
		case 'X':
		case 'Delete':
			return 'drop';
		default:
			return null;
	}
}
