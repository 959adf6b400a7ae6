import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KEYBOARD_SHORTCUTS, shortcutsMarkdown } from './shortcuts';

describe('keyboard shortcuts', () => {
	it('docs/keyboard.md carries exactly the list the ? dialog shows', () => {
		const doc = readFileSync(new URL('../../../docs/keyboard.md', import.meta.url), 'utf8');
		expect(doc).toContain(shortcutsMarkdown());
	});

	it('every shortcut names its keys and what it does, and no action is listed twice in an area', () => {
		for (const group of KEYBOARD_SHORTCUTS) {
			for (const shortcut of group.shortcuts) {
				expect(shortcut.keys.length).toBeGreaterThan(0);
				expect(shortcut.keys.every((key) => key.trim() !== '')).toBe(true);
				expect(shortcut.action.trim()).not.toBe('');
			}
			const actions = group.shortcuts.map((s) => s.action);
			expect(new Set(actions).size, group.area).toBe(actions.length);
		}
	});
});
