import { describe, expect, it } from 'vitest';
import { DEFAULT_PROMPT_TEMPLATE, answerVoiceInstruction, checkPromptTemplate, renderChunkPrompt } from './prompt';
import type { SheetChunk } from './sheet';

const chunk: SheetChunk = {
	id: 'c1',
	title: 'Special Triggers',
	context: 'You are Queen Pedauque.\n',
	document: '## Special Triggers\n- "Chocolatine" & <rewards> {{user}} {{.Chunk}}',
	settings: { entriesPerIteration: 3, iterations: 3 },
	promptTemplate: DEFAULT_PROMPT_TEMPLATE
};

function rendered(input: Parameters<typeof renderChunkPrompt>[0]) {
	const result = renderChunkPrompt(input);
	if (!result.ok) throw new Error(result.error);
	return result;
}

describe('renderChunkPrompt', () => {
	it('renders iteration 1 without escaping and without re-rendering user text', () => {
		const result = rendered({ chunk, characterName: 'Queen Pedauque', iteration: 1, previousPrompts: ['ignored on iteration 1?'] });
		expect(result.system).toBe('You are Queen Pedauque.');
		expect(result.prompt).toContain('- "Chocolatine" & <rewards> {{user}} {{.Chunk}}');
		expect(result.prompt).toContain('Imagine 3 questions someone could ask Queen Pedauque');
		expect(result.prompt).toContain('Write every response in the first person, as Queen Pedauque speaking in character');
		expect(result.prompt).not.toContain('already written');
		expect(result.previousPromptsShown).toEqual([]);
		expect(result.appended).toEqual([]);
	});

	it('lists only previous prompts on later iterations, de-duplicated and bounded', () => {
		const result = rendered({
			chunk,
			characterName: 'Queen Pedauque',
			iteration: 2,
			previousPrompts: ['What is a chocolatine?', '  what is a   CHOCOLATINE? ', '', 'Why do you hate pain au chocolat?', 'Who are you?'],
			maxPreviousPrompts: 2
		});
		expect(result.previousPromptsShown).toEqual(['Why do you hate pain au chocolat?', 'Who are you?']);
		expect(result.prompt).toContain('Write 3 NEW entries whose prompts are DIFFERENT from all of them:\n- Why do you hate pain au chocolat?\n- Who are you?\n');
		expect(result.prompt.endsWith('"prompt" and "response" fields.')).toBe(true);
	});

	it('stays linear: prompt size grows only by the listed prompts', () => {
		const prompts = Array.from({ length: 20 }, (_, i) => `Question number ${i}?`);
		const sizes = [1, 2, 3].map((iteration) => rendered({ chunk, characterName: 'Q', iteration, previousPrompts: prompts.slice(0, (iteration - 1) * 10) }).prompt.length);
		expect(sizes[2] - sizes[1]).toBeLessThan(sizes[1] - sizes[0] + 10);
	});

	it('offers a third-person voice', () => {
		const result = rendered({ chunk, characterName: 'Bram', iteration: 1, answerVoice: 'third-person' });
		expect(result.prompt).toContain(answerVoiceInstruction('third-person', 'Bram'));
		expect(answerVoiceInstruction('first-person', ' ')).toMatch(/as the character speaking/);
	});

	it('appends the voice and previous prompts to templates that lack them (imported seed templates)', () => {
		const seedLike = { ...chunk, promptTemplate: 'From this document about {{character_name}}:\n{{chunk}}\nCreate {{entries_per_iteration}} entries.' };
		const result = rendered({ chunk: seedLike, characterName: 'Q', iteration: 2, previousPrompts: ['Who are you?'] });
		expect(result.appended).toEqual(['answer_voice', 'previous_prompts']);
		expect(result.prompt).toMatch(/Create 3 entries\.\n\nWrite every response in the first person.*\n\nThese prompts were already written.*\n- Who are you\?$/s);
	});

	it('rejects bad iterations, unknown variables, partials and broken templates', () => {
		expect(renderChunkPrompt({ chunk, characterName: 'Q', iteration: 0 })).toMatchObject({ ok: false });
		expect(renderChunkPrompt({ chunk, characterName: 'Q', iteration: 4 })).toMatchObject({ ok: false, error: 'iteration must be an integer from 1 to 3, got 4' });
		expect(renderChunkPrompt({ chunk: { ...chunk, promptTemplate: '{{chunk}} {{mood}}' }, characterName: 'Q', iteration: 1 })).toMatchObject({ ok: false, error: expect.stringMatching(/unknown variable \{\{mood\}\}/) });
		expect(renderChunkPrompt({ chunk: { ...chunk, promptTemplate: '{{> header}}' }, characterName: 'Q', iteration: 1 })).toMatchObject({ ok: false, error: expect.stringMatching(/partials/) });
		expect(renderChunkPrompt({ chunk: { ...chunk, promptTemplate: '{{#chunk}} open' }, characterName: 'Q', iteration: 1 })).toMatchObject({ ok: false, error: expect.stringMatching(/^prompt template: /) });
	});

	it('exposes context and iteration as variables', () => {
		const result = rendered({ chunk: { ...chunk, promptTemplate: '{{context}}|{{iteration}}|{{answer_voice}}' }, characterName: 'Q', iteration: 3 });
		expect(result.prompt.startsWith('You are Queen Pedauque.\n|3|Write every response')).toBe(true);
	});
});

describe('checkPromptTemplate', () => {
	it('accepts the default template', () => {
		expect(checkPromptTemplate(DEFAULT_PROMPT_TEMPLATE)).toMatchObject({ ok: true });
	});
});
