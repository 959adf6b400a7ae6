import { describe, expect, it } from 'vitest';
import { documentLabels } from './document-labels';
import { buildManifest, compareManifests } from './manifest';

describe('documentLabels', () => {
	const names = { 'identity:idn-7f3a': 'Tidewatch', 'facts:run-9c1e2d': 'Tidewatch facts', 'sheet:sheet-mara': 'Mara', 'dataset:ds-41': 'Keeper chats' };
	const label = documentLabels(names);

	it('names every kind of document by its source’s label, never an internal id', () => {
		expect(label('identity:Tidewatch')).toBe('The identity document "Tidewatch"');
		expect(label('facts:run-9c1e2d')).toBe('The accepted facts of the run "Tidewatch facts"');
		expect(label('facts:run-gone')).toBe('The accepted facts of a fact run');
		expect(label('chunk:Childhood')).toBe('The chunk "Childhood" of the character sheet "Mara"');
		expect(documentLabels({})('chunk:Childhood')).toBe('The chunk "Childhood"');
		expect(label('pool:Keeper prompts')).toBe('The prompt pool "Keeper prompts"');
		expect(label('entry:e-1f')).toBe('An entry of the dataset "Keeper chats"');
		expect(documentLabels({ 'dataset:a': 'A', 'dataset:b': 'B' })('entry:e-1f')).toBe('An entry of the source dataset');
		expect(label('system-prompt')).toBe('The system prompt');
		expect(label('Mara / The light')).toBe('Document "Mara / The light"');
	});

	it('words the reasons of a manifest comparison, each said once', () => {
		const manifest = (documents: Record<string, string>) => buildManifest({ recipeId: 'identity-qa', definition: {}, params: {}, documents, model: { engineId: 'test', model: 'rehearsal', sampling: { max_tokens: 64 } }, inputs: [] });
		const before = manifest({ 'identity:Tidewatch': 'I am Tidewatch.', 'facts:run-9c1e2d': 'A\nB', 'entry:e1': 'x', 'entry:e2': 'y' });
		const after = manifest({ 'identity:Tidewatch': 'I am Tidewatch of Lowmarsh.', 'facts:run-9c1e2d': 'A\nB2', 'entry:e1': 'x2', 'entry:e2': 'y2' });
		expect(compareManifests(before, after, label).map((change) => change.reason)).toEqual([
			'An entry of the dataset "Keeper chats" changed.',
			'The accepted facts of the run "Tidewatch facts" changed.',
			'The identity document "Tidewatch" changed.'
		]);
		// Without labels, the names as stored.
		expect(compareManifests(before, after).map((change) => change.reason)).toContain('Document "facts:run-9c1e2d" changed.');
	});
});
