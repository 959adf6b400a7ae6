import { describe, expect, it } from 'vitest';
import { salvageTruncatedRecords } from './salvage';
import { parseChunkAnswer } from './chunked';

const full = JSON.stringify(
	{
		entries: [
			{ prompt: 'Who rows the ferry at Greymouth?', response: 'I do, Brannoc Vell, and my father did before me.' },
			{ prompt: 'What do you charge for the crossing?', response: 'One copper, or a story "worth the oar" — your choice.' },
			{ prompt: 'Why do you never cross at night?', response: 'The fog takes the lamp and the river takes the rest. I learned that in the flood year.' }
		]
	},
	null,
	2
);

describe('salvageTruncatedRecords', () => {
	it('keeps every complete entry before the cut and drops the one the cut went through', () => {
		const cut = full.slice(0, full.indexOf('The fog takes'));
		expect(salvageTruncatedRecords(cut).map((record) => record.prompt)).toEqual(['Who rows the ferry at Greymouth?', 'What do you charge for the crossing?']);
	});

	it('is not fooled by braces, brackets and escaped quotes inside strings', () => {
		const tricky = '{"entries": [{"prompt": "What is {this} [thing]?", "response": "A \\"}\\" brace, {not} an end."}, {"prompt": "And th';
		expect(salvageTruncatedRecords(tricky)).toEqual([{ prompt: 'What is {this} [thing]?', response: 'A "}" brace, {not} an end.' }]);
	});

	it('reads a bare array, a fenced answer and loose objects', () => {
		expect(salvageTruncatedRecords('```json\n[{"prompt": "A?", "response": "B."}, {"prompt": "C?", "resp')).toEqual([{ prompt: 'A?', response: 'B.' }]);
		expect(salvageTruncatedRecords('{"prompt": "A?", "response": "B."}\n{"prompt": "C?"')).toEqual([{ prompt: 'A?', response: 'B.' }]);
	});

	it('keeps nested values whole and skips an entry that does not parse', () => {
		const text = '{"entries": [{"prompt": "A?", "response": "B.", "tags": ["x", {"y": 1}]}, {"prompt": "bad" "response": "x"}, {"prompt": "C?", "response": "D."}, {"prompt": "E';
		expect(salvageTruncatedRecords(text).map((record) => record.prompt)).toEqual(['A?', 'C?']);
	});

	it('finds nothing when the cut came before the first entry closed, or there is no JSON', () => {
		expect(salvageTruncatedRecords('{"entries": [{"prompt": "Who rows')).toEqual([]);
		expect(salvageTruncatedRecords('I am Brannoc and I row the ferry')).toEqual([]);
	});

	it('stops at the end of the entries array (a complete answer flagged "length" loses nothing)', () => {
		expect(salvageTruncatedRecords(full)).toHaveLength(3);
	});
});

describe('parseChunkAnswer on a cut-off answer', () => {
	it('returns the salvaged pairs, flagged as truncated', () => {
		const cut = full.slice(0, full.indexOf('The fog takes'));
		expect(parseChunkAnswer({ content: cut, finishReason: 'length' })).toEqual({
			ok: true,
			truncated: true,
			dropped: 0,
			pairs: [
				{ prompt: 'Who rows the ferry at Greymouth?', response: 'I do, Brannoc Vell, and my father did before me.' },
				{ prompt: 'What do you charge for the crossing?', response: 'One copper, or a story "worth the oar" — your choice.' }
			]
		});
	});

	it('does not salvage from the reasoning of a thinking model', () => {
		const content = '<think>{"entries": [{"prompt": "Draft?", "response": "Draft."}]}</think>{"entries": [{"prompt": "Who';
		expect(parseChunkAnswer({ content, finishReason: 'length' })).toMatchObject({ ok: false });
	});
});
