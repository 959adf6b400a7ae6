/**
 * Every keyboard shortcut the app has, in one list: the `?` dialog shows it and docs/keyboard.md
 * carries the same table (a unit test keeps the two in step). Keys are written as a person
 * presses them; `Ctrl` means ⌘ on a Mac as well.
 */
export interface Shortcut {
	keys: string[];
	action: string;
}

export interface ShortcutGroup {
	/** Where the keys work. */
	area: string;
	shortcuts: Shortcut[];
}

export const KEYBOARD_SHORTCUTS: readonly ShortcutGroup[] = [
	{
		area: 'Anywhere',
		shortcuts: [
			{ keys: ['?'], action: 'Show this list of keyboard shortcuts' },
			{ keys: ['Tab'], action: 'First press on a page: skip links to the main content (and to the entry list on a dataset page)' },
			{ keys: ['Ctrl+V'], action: 'Paste JSONL or JSON outside a text field to import it' },
			{ keys: ['Esc'], action: 'Close a dialog or menu (focus returns to what opened it)' }
		]
	},
	{
		area: 'Entry list (dataset page)',
		shortcuts: [
			{ keys: ['↑', '↓'], action: 'Previous / next entry' },
			{ keys: ['PageUp', 'PageDown'], action: 'A page up / down' },
			{ keys: ['Home', 'End'], action: 'First / last entry' },
			{ keys: ['Space'], action: 'Tick or untick the current entry (for bulk actions)' },
			{ keys: ['Enter', 'E'], action: 'Edit the current entry' },
			{ keys: ['A'], action: 'Mark the current entry accepted' },
			{ keys: ['R'], action: 'Mark the current entry rejected' },
			{ keys: ['D'], action: 'Mark the current entry draft' },
			{ keys: ['Ctrl+Z'], action: 'Undo the last change to the dataset' },
			{ keys: ['Ctrl+Shift+Z', 'Ctrl+Y'], action: 'Redo' }
		]
	},
	{
		area: 'Entry editor',
		shortcuts: [
			{ keys: ['Ctrl+S', 'Ctrl+Enter'], action: 'Save the entry' },
			{ keys: ['Esc'], action: 'Cancel the edit' },
			{ keys: ['Alt+↑', 'Alt+↓'], action: 'Move the message you are in up / down' }
		]
	},
	{
		area: 'Export menu',
		shortcuts: [
			{ keys: ['Enter', 'Space', '↓'], action: 'Open the menu on its first item (↑: on its last)' },
			{ keys: ['↑', '↓', 'Home', 'End'], action: 'Move between formats' },
			{ keys: ['Esc'], action: 'Close the menu, back on its button' }
		]
	},
	{
		area: 'Run review (Generate › Runs › Review)',
		shortcuts: [
			{ keys: ['A'], action: 'Accept the sample and go to the next' },
			{ keys: ['R'], action: 'Reject the sample and go to the next' },
			{ keys: ['E'], action: 'Edit the sample' },
			{ keys: ['N', '→'], action: 'Next sample' },
			{ keys: ['P', '←'], action: 'Previous sample' }
		]
	},
	{
		area: 'Preference pairs (Build preference data)',
		shortcuts: [
			{ keys: ['J', '↓'], action: 'Next pair' },
			{ keys: ['K', '↑'], action: 'Previous pair' },
			{ keys: ['S'], action: 'Swap chosen and rejected (a KTO label: flip it)' },
			{ keys: ['X', 'Delete'], action: 'Drop the pair, or keep a dropped one' }
		]
	}
];

/** The list as a Markdown table (docs/keyboard.md carries exactly this). */
export function shortcutsMarkdown(groups: readonly ShortcutGroup[] = KEYBOARD_SHORTCUTS): string {
	const lines = ['| Where | Keys | What it does |', '|---|---|---|'];
	for (const group of groups) {
		for (const shortcut of group.shortcuts) lines.push(`| ${group.area} | ${shortcut.keys.map((k) => `<kbd>${k}</kbd>`).join(' / ')} | ${shortcut.action} |`);
	}
	return lines.join('\n');
}
