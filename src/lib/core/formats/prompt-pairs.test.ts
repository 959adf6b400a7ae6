import { describe, expect, it } from 'vitest';
import { importFixture, importInChunks } from '../test-utils';

describe('prompt/response and prompt/completion', () => {
	it('imports seed 003 {prompt, response} arrays', () => {
		const { entries, report } = importFixture('prompt-response.json');
		expect(report.formats).toEqual({ 'prompt-response': 2 });
		expect(entries[0].messages).toEqual([
			{ role: 'user', content: 'Write a one-line pitch for a cosy mystery novel.' },
			{ role: 'assistant', content: 'A retired baker solves murders one croissant at a time.' }
		]);
		expect(entries[0].extra).toEqual({ chunk: 1 });
	});

	it('imports {prompt, completion}, including conversational lists', () => {
		const { entries, report } = importFixture('prompt-completion.jsonl');
		expect(report.formats).toEqual({ 'prompt-completion': 2 });
		expect(entries[0].messages).toEqual([
			{ role: 'user', content: 'The sky is' },
			{ role: 'assistant', content: ' blue.' }
		]);
		expect(entries[1].messages).toEqual([
			{ role: 'user', content: 'What colour is the sky?' },
			{ role: 'assistant', content: 'Blue.' }
		]);
	});

	it('rejects non-text prompts', () => {
		const { report } = importInChunks('{"prompt": 1, "response": "x"}\n{"prompt": "x", "completion": null}');
		expect(report.errors.map((e) => e.reason)).toEqual(['prompt must be text', 'completion must be text']);
	});
});
