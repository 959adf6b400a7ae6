import { describe, expect, it } from 'vitest';
import { moveChunk, newChunk, previewText, settingProblem, templateCheck } from './sheet-draft';
import type { SheetChunk } from '$lib/core/sheets/sheet';

const chunk = (id: string, overrides: Partial<SheetChunk> = {}): SheetChunk => ({
	id,
	title: `Title ${id}`,
	context: 'You are Wren Halloway.',
	document: '## Ink\nHer ink is cuttlefish sepia cut with rust.',
	settings: { entriesPerIteration: 12, iterations: 3 },
	promptTemplate: 'About {{character_name}}:\n{{chunk}}\nWrite {{entries_per_iteration}} entries.',
	...overrides
});

describe('sheet editor steps', () => {
	it('moves chunks up and down, clamped at the ends', () => {
		expect(moveChunk(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'c', 'b']);
		expect(moveChunk(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
		expect(moveChunk(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
		expect(moveChunk(['a', 'b', 'c'], 2, 9)).toEqual(['a', 'b', 'c']);
		expect(moveChunk(['a', 'b', 'c'], 5, 0)).toEqual(['a', 'b', 'c']);
	});

	it('adds a chunk with the last chunk settings and template but an empty document', () => {
		const added = newChunk([chunk('1'), chunk('2', { settings: { entriesPerIteration: 4, iterations: 2 } })], 'new');
		expect(added).toMatchObject({ id: 'new', title: 'Chunk 3', document: '', settings: { entriesPerIteration: 4, iterations: 2 }, context: 'You are Wren Halloway.' });
		expect(newChunk([], 'x').promptTemplate).toContain('{{chunk}}');
	});

	it('checks templates live and names unknown variables', () => {
		expect(templateCheck('{{chunk}} and {{character_name}}')).toEqual({ variables: ['chunk', 'character_name'], error: null });
		expect(templateCheck('{{chunk}} for {{mood}}').error).toMatch(/unknown variable \{\{mood\}\}/);
		expect(templateCheck('{{#chunk}} unclosed').error).toMatch(/^prompt template: /);
	});

	it('explains bad settings', () => {
		expect(settingProblem(5, 100)).toBeNull();
		expect(settingProblem(null, 100)).toBe('enter a number');
		expect(settingProblem(2.5, 100)).toBe('a whole number');
		expect(settingProblem(0, 100)).toBe('from 1 to 100');
	});

	it('previews iteration 1 as text: the context as system (seed 003 way), the template filled without escaping', () => {
		const preview = previewText(chunk('1', { document: 'Rust & "sepia" <ink>' }), { characterName: 'Wren Halloway', systemMessage: 'context' });
		expect(preview).toEqual({ ok: true, system: 'You are Wren Halloway.', prompt: expect.stringContaining('About Wren Halloway:\nRust & "sepia" <ink>\nWrite 12 entries.') });
		expect(previewText(chunk('1', { promptTemplate: '{{nope}}' }), { characterName: 'W' })).toMatchObject({ ok: false });
		expect(previewText(chunk('1', { settings: { entriesPerIteration: 3, iterations: 0 } }), { characterName: 'W' })).toEqual({ ok: false, error: 'iterations: from 1 to 100' });
	});

	it('previews what a run sends by default: the generator system message, the output instruction appended once', () => {
		const preview = previewText(chunk('1', { document: 'Rust & "sepia" <ink>' }), { characterName: 'Wren Halloway' });
		if (!preview.ok) throw new Error(preview.error);
		expect(preview.system).toMatch(/^You write training data for a chat model that will play Wren Halloway\./);
		expect(preview.prompt.endsWith('with exactly 12 entries in its "entries" array: {"entries": [{"prompt": "...", "response": "..."}]}')).toBe(true);
	});
});
