import { describe, expect, it } from 'vitest';
import { importFixture, importInChunks, noteTexts } from '../test-utils';

describe('Alpaca', () => {
	const { entries, report } = importFixture('alpaca-history.json');

	it('imports every record of the array', () => {
		expect(report.container).toBe('json-array');
		expect(report.errors).toEqual([]);
		// The record with a boolean kto_tag is LLaMA-Factory KTO data (issue 16): a labelled answer.
		expect(report.formats).toEqual({ alpaca: 4, 'llamafactory-kto': 1 });
	});

	it('appends a non-empty input to the instruction', () => {
		expect(entries[0].messages).toEqual([
			{ role: 'user', content: 'Translate to French.\nGood morning' },
			{ role: 'assistant', content: 'Bonjour' }
		]);
		expect(entries[0].extra).toEqual({});
	});

	it('drops an empty input', () => {
		expect(entries[1].messages[0]).toEqual({ role: 'user', content: 'Give a synonym for happy.' });
	});

	it('puts system first and expands history before the instruction', () => {
		expect(entries[2].messages).toEqual([
			{ role: 'system', content: 'You are a maths tutor.' },
			{ role: 'user', content: 'What is 2+2?' },
			{ role: 'assistant', content: '4' },
			{ role: 'user', content: 'Double it.' },
			{ role: 'assistant', content: '8' },
			{ role: 'user', content: 'And times 3?' },
			{ role: 'assistant', content: '12' }
		]);
	});

	it('reads oasst INSTRUCTION/RESPONSE and alpaca_chat response, keeping other keys', () => {
		expect(entries[3].messages[1].content).toContain('Soft rain');
		expect(entries[4].messages).toEqual([
			{ role: 'user', content: 'Say hi.' },
			{ role: 'assistant', content: 'Hi!' }
		]);
		expect(entries[4].extra).toEqual({});
		expect(entries[4].preference).toEqual({ kind: 'label', label: true, origin: 'import' });
	});

	it('notes what was combined', () => {
		expect(noteTexts(report)).toEqual(
			expect.arrayContaining([
				'Alpaca input appended to the instruction (joined with a newline)',
				'Alpaca system moved to a leading system message',
				'Alpaca history pairs expanded into earlier turns',
				'Alpaca "RESPONSE" read as the output',
				'Alpaca "INSTRUCTION" read as the instruction',
				'Alpaca "response" read as the output'
			])
		);
		expect(report.notes.find((n) => n.text.startsWith('Alpaca input'))?.count).toBe(1);
	});

	it('keeps malformed history as metadata and rejects non-text fields', () => {
		const { entries, report } = importInChunks(
			'{"instruction": "a", "output": "b", "history": "oops"}\n{"instruction": 1, "output": "b"}\n{"instruction": "a", "output": ["b", "c"]}'
		);
		expect(entries[0].extra).toEqual({ history: 'oops' });
		expect(report.errors.map((e) => e.reason)).toEqual(['alpaca instruction must be text', 'alpaca output must be text']);
	});
});
