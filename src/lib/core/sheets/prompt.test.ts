import { describe, expect, it } from 'vitest';
import { DEFAULT_PROMPT_TEMPLATE, SEED_SKELETON_PROMPT_TEMPLATE, answerVoiceInstruction, checkPromptTemplate, formatInstruction, generatorSystemPrompt, renderChunkPrompt } from './prompt';
import type { SheetChunk } from './sheet';

const chunk: SheetChunk = {
	id: 'c1',
	title: 'Special Triggers',
	context: 'You are Queen Pedauque.\n',
	document: '## Special Triggers\n- "Chocolatine" & <rewards> {{user}} {{.Chunk}}',
	settings: { entriesPerIteration: 3, iterations: 3 },
	// Skein's first default (kept selectable); the new default is tested below.
	promptTemplate: SEED_SKELETON_PROMPT_TEMPLATE
};

function rendered(input: Parameters<typeof renderChunkPrompt>[0]) {
	const result = renderChunkPrompt(input);
	if (!result.ok) throw new Error(result.error);
	return result;
}

describe('renderChunkPrompt', () => {
	it('renders iteration 1 without escaping and without re-rendering user text', () => {
		const result = rendered({ chunk, characterName: 'Queen Pedauque', iteration: 1, previousPrompts: ['ignored on iteration 1?'], systemMessage: 'context' });
		expect(result.system).toBe('You are Queen Pedauque.');
		// {{user}} is a card macro, filled with the user's name (issue 13); {{.Chunk}} is text.
		expect(result.prompt).toContain('- "Chocolatine" & <rewards> User {{.Chunk}}');
		expect(result.prompt).toContain('Imagine 3 questions someone could ask Queen Pedauque');
		expect(result.prompt).toContain('Write every response in the first person, as Queen Pedauque speaking in character');
		expect(result.prompt).not.toContain('already written');
		expect(result.previousPromptsShown).toEqual([]);
		expect(result.appended).toEqual(['output_format']);
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
		expect(result.prompt.endsWith(`"prompt" and "response" fields.\n\n${formatInstruction(3)}`)).toBe(true);
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
		const result = rendered({ chunk: seedLike, characterName: 'Q', iteration: 2, previousPrompts: ['Who are you?'], systemMessage: 'context' });
		expect(result.appended).toEqual(['answer_voice', 'previous_prompts', 'output_format']);
		expect(result.prompt).toMatch(/Create 3 entries\.\n\nWrite every response in the first person.*\n\nThese prompts were already written.*\n- Who are you\?\n\nReply with one JSON object.*$/s);
	});

	it('rejects bad iterations, unknown variables, partials and broken templates', () => {
		expect(renderChunkPrompt({ chunk, characterName: 'Q', iteration: 0 })).toMatchObject({ ok: false });
		expect(renderChunkPrompt({ chunk, characterName: 'Q', iteration: 4 })).toMatchObject({ ok: false, error: 'iteration must be an integer from 1 to 3, got 4' });
		expect(renderChunkPrompt({ chunk: { ...chunk, promptTemplate: '{{chunk}} {{mood}}' }, characterName: 'Q', iteration: 1 })).toMatchObject({ ok: false, error: expect.stringMatching(/unknown variable \{\{mood\}\}/) });
		expect(renderChunkPrompt({ chunk: { ...chunk, promptTemplate: '{{> header}}' }, characterName: 'Q', iteration: 1 })).toMatchObject({ ok: false, error: expect.stringMatching(/partials/) });
		expect(renderChunkPrompt({ chunk: { ...chunk, promptTemplate: '{{#chunk}} open' }, characterName: 'Q', iteration: 1 })).toMatchObject({ ok: false, error: expect.stringMatching(/^prompt template: /) });
	});

	it('exposes context and iteration as variables', () => {
		const result = rendered({ chunk: { ...chunk, promptTemplate: '{{context}}|{{iteration}}|{{answer_voice}}|{{output_format}}' }, characterName: 'Q', iteration: 3 });
		expect(result.prompt.startsWith('You are Queen Pedauque.\n|3|Write every response')).toBe(true);
	});
});

describe('the default (small-model) prompt', () => {
	const brannoc: SheetChunk = {
		id: 'b1',
		title: 'The Crossing',
		context: 'You are Brannoc Vell.',
		document: '### Rules of the Ferry\nPay before boarding; no crossings between dusk and dawn. {{user}} must sit down; {{char}} enforces it. <USER> pays <BOT> one copper.',
		settings: { entriesPerIteration: 5, iterations: 5 },
		promptTemplate: DEFAULT_PROMPT_TEMPLATE
	};
	const introduction = 'Brannoc Vell is the ferryman of Greymouth, fifty-three and slow to speak.';

	it('has a system message that is not the character: the model writes entries, the character is the subject', () => {
		const result = rendered({ chunk: brannoc, characterName: 'Brannoc Vell', iteration: 1, introduction });
		expect(result.system).toBe(generatorSystemPrompt('Brannoc Vell'));
		expect(result.system).toMatch(/^You write training data/);
		expect(result.system).not.toMatch(/^You are Brannoc/);
		expect(result.system).toContain('You are not Brannoc Vell');
		expect(result.appended).toEqual([]);
	});

	it('gives one output instruction, matching the schema sent, and no contradicting "JSON array" line', () => {
		const result = rendered({ chunk: brannoc, characterName: 'Brannoc Vell', iteration: 2, introduction, previousPrompts: ['Who rows the ferry?'] });
		expect(result.prompt.match(/JSON/g)).toHaveLength(1);
		expect(result.prompt).not.toMatch(/JSON array/);
		expect(result.prompt.endsWith(formatInstruction(5))).toBe(true);
		expect(formatInstruction(5)).toContain('{"entries": [{"prompt": "...", "response": "..."}]}');
		expect(result.prompt).toContain('\n- Who rows the ferry?\n');
	});

	it('carries the introduction, the fenced chunk, the voice, one example in that voice and the kinds of question to vary', () => {
		const result = rendered({ chunk: brannoc, characterName: 'Brannoc Vell', iteration: 1, introduction, userName: 'Tamsin' });
		expect(result.prompt.startsWith('Write 5 dataset entries for training a chat model to play Brannoc Vell.\n\nWho Brannoc Vell is:\n' + introduction)).toBe(true);
		expect(result.prompt).toContain('"""\n### Rules of the Ferry\nPay before boarding; no crossings between dusk and dawn. Tamsin must sit down; Brannoc Vell enforces it. Tamsin pays Brannoc Vell one copper.\n"""');
		expect(result.prompt).toContain(answerVoiceInstruction('first-person', 'Brannoc Vell'));
		expect(result.prompt).toContain('{"prompt":"Is it true what they say about you?","response":"Depends on who is saying it. Ask me plainly and I will answer you plainly."}');
		expect(result.prompt).toMatch(/what a traveller or player would ask here, questions about Brannoc Vell's past, asking for Brannoc Vell's opinion, and a follow-up/);
		expect(result.prompt).toContain('cover every fact');
		const third = rendered({ chunk: brannoc, characterName: 'Brannoc Vell', iteration: 1, answerVoice: 'third-person' });
		expect(third.prompt).toContain('"response":"Brannoc Vell says it depends');
	});

	it('leaves out the introduction block when there is none, and introduces the character to templates that lack it', () => {
		const result = rendered({ chunk: brannoc, characterName: 'Brannoc Vell', iteration: 1 });
		expect(result.prompt).not.toContain('Who Brannoc Vell is');
		const seed = rendered({ chunk: { ...brannoc, promptTemplate: 'From this document related to {{character_name}}:\n{{chunk}}' }, characterName: 'Brannoc Vell', iteration: 1, introduction });
		expect(seed.appended).toEqual(['introduction', 'answer_voice', 'output_format']);
		expect(seed.prompt.startsWith(`About Brannoc Vell: ${introduction}\n\nFrom this document`)).toBe(true);
	});
});

describe('checkPromptTemplate', () => {
	it('accepts the default template', () => {
		expect(checkPromptTemplate(DEFAULT_PROMPT_TEMPLATE)).toMatchObject({ ok: true });
	});
});
