/**
 * The built-in library: prompt chunks and generation templates, as data. It seeds the registry on
 * first run; later versions of it upgrade rows the user has not edited and leave edited rows alone
 * (db/prompt-registry-repo.ts). Changing any text here changes the golden files in
 * tests/fixtures/compiler/ — review those diffs as prompt changes.
 */
import type { FieldSpec, PromptChunk, Template } from './registry';

// ---------------------------------------------------------------------------------------------
// Settings shared by several templates
// ---------------------------------------------------------------------------------------------

const entryCount = (label = 'Number of entries', def = 10, max = 200): FieldSpec => ({
	key: 'entry_count',
	label,
	kind: 'integer',
	required: true,
	min: 1,
	max,
	default: def
});

const exchangeCount = (label = 'Exchanges per entry', def = 3): FieldSpec => ({
	key: 'exchange_count',
	label,
	kind: 'integer',
	required: true,
	min: 1,
	max: 30,
	default: def,
	help: 'One exchange is one user message followed by one assistant reply.'
});

const contentInstructions = (required: boolean, label = 'Content instructions', placeholder?: string): FieldSpec => ({
	key: 'content_instructions',
	label,
	kind: 'textarea',
	required,
	default: '',
	placeholder: placeholder ?? 'The scenario, who the user and the assistant are, subject matter, constraints, examples…'
});

const systemPromptMode: FieldSpec = {
	key: 'system_prompt_mode',
	label: 'System prompt',
	kind: 'select',
	required: true,
	default: 'auto',
	options: [
		{ value: 'auto', label: 'Write one per entry' },
		{ value: 'custom', label: 'Use my system prompt' },
		{ value: 'none', label: 'No system message' }
	]
};

const customSystemPrompt: FieldSpec = {
	key: 'custom_system_prompt',
	label: 'Custom system prompt',
	kind: 'textarea',
	required: { setting: 'system_prompt_mode', equals: 'custom' },
	default: '',
	placeholder: 'Copied into every entry, word for word.'
};

const style: FieldSpec = {
	key: 'style',
	label: 'Style',
	kind: 'select',
	required: true,
	default: 'natural_dialogue',
	options: [
		{ value: 'natural_dialogue', label: 'Natural dialogue' },
		{ value: 'roleplay_immersive', label: 'Roleplay / immersive scene' },
		{ value: 'instructional', label: 'Instructional' },
		{ value: 'narrative_dialogue', label: 'Narrative prose + dialogue' }
	]
};

const tone = (def = 'neutral'): FieldSpec => ({
	key: 'tone',
	label: 'Tone',
	kind: 'select',
	required: true,
	default: def,
	options: [
		{ value: 'neutral', label: 'Neutral' },
		{ value: 'warm', label: 'Warm' },
		{ value: 'professional', label: 'Professional' },
		{ value: 'dramatic', label: 'Dramatic' },
		{ value: 'playful', label: 'Playful' }
	]
});

const outputDelivery: FieldSpec = {
	key: 'output_delivery',
	label: 'Output delivery',
	kind: 'select',
	required: true,
	default: 'paste_jsonl',
	options: [
		{ value: 'paste_jsonl', label: 'JSONL in the chat' },
		{ value: 'download_file', label: 'Downloadable .jsonl file' }
	]
};

const language: FieldSpec = {
	key: 'language',
	label: 'Language',
	kind: 'text',
	required: true,
	default: 'English',
	maxLength: 80,
	advanced: true
};

const additionalInstructions: FieldSpec = {
	key: 'additional_instructions',
	label: 'Additional instructions',
	kind: 'textarea',
	required: false,
	default: '',
	advanced: true,
	placeholder: 'Anything else the model should respect.'
};

const characterName = (label = 'Character name'): FieldSpec => ({
	key: 'character_name',
	label,
	kind: 'text',
	required: true,
	default: '',
	maxLength: 200
});

const characterDescription = (label = 'Character description'): FieldSpec => ({
	key: 'character_description',
	label,
	kind: 'textarea',
	required: true,
	default: '',
	placeholder: 'Personality, background, manner of speaking — or pick a character from your library.'
});

// ---------------------------------------------------------------------------------------------
// Chunks
// ---------------------------------------------------------------------------------------------

const chunk = (id: string, category: PromptChunk['category'], title: string, description: string, text: string, exclusiveGroup?: string): PromptChunk =>
	exclusiveGroup ? { id, category, title, description, text, exclusiveGroup } : { id, category, title, description, text };

export const BUILTIN_CHUNKS: PromptChunk[] = [
	chunk(
		'task_conversation_dataset',
		'task',
		'Task: conversational training data',
		'Frames the job: training data, not a chat with the user.',
		`You are generating conversational training data for fine-tuning a language model.

You are writing training examples, not talking to me. Do not greet me, explain your choices or comment on the data.

Prioritise, in this order: valid structure, realistic and coherent multi-turn conversation, consistent characterisation, variety between entries, and output that imports without edits.`
	),
	chunk(
		'task_roleplay_scene',
		'task',
		'Task: roleplay scenes with a character',
		'Frames roleplay-scene generation around one character.',
		`You are generating roleplay training data for fine-tuning a language model to play the character {{character_name}}.

In every entry the user is a person interacting with {{character_name}}, and the assistant is {{character_name}}, always in character. You are writing training examples, not talking to me: no greetings, explanations or commentary.`
	),
	chunk(
		'task_identity_qa',
		'task',
		'Task: identity questions and answers',
		'Frames identity Q&A generation: facts, positive and negative assertions.',
		`You are generating identity training data for fine-tuning a language model to know who it is: {{identity_name}}.

Each entry is one question from a user and one answer from {{identity_name}}, in the first person. Answers must be grounded only in the identity document below: never invent facts, names, dates or capabilities that it does not state. If the document does not answer a question, the answer says so plainly, in character.`
	),
	chunk(
		'task_npc_chunk_qa',
		'task',
		'Task: NPC character-sheet chunk Q&A',
		'The seed 003 prompt, improved: in-voice answers grounded in one section of a character sheet.',
		`You are generating training data for a non-player character (NPC) called {{npc_name}}, from one section of the character sheet{{#chunk_topic}} (topic: {{chunk_topic}}){{/chunk_topic}}.

Write questions a player might ask {{npc_name}} about what this section covers, and {{npc_name}}'s answer to each, spoken by {{npc_name}} in the first person, in character, in their own voice.`
	),
	chunk(
		'task_in_voice_answers',
		'task',
		'Task: in-voice answers to a list of prompts',
		'Frames answering given prompts in a character’s voice.',
		`You are generating training data that teaches a language model to answer as {{character_name}}.

Below is a list of prompts written by real users. For each prompt write one entry: the prompt, copied exactly, as the user message, and {{character_name}}'s answer as the assistant message. Answer what was asked, as {{character_name}} would, in their voice.`
	),
	chunk(
		'task_continuation',
		'task',
		'Task: continue existing conversations',
		'Frames multi-turn continuation of entries the user pastes.',
		`You are extending existing conversational training data for fine-tuning a language model.

Below are existing dataset entries. For each one, write a continuation: keep every existing message unchanged, then add new turns that follow naturally from where the conversation stops, with the same characters, facts and voice. You are writing training examples, not talking to me: no greetings, explanations or commentary.`
	),
	chunk(
		'format_chatml_jsonl',
		'format',
		'Format: ChatML JSON Lines',
		'The output shape: one {"messages": […]} object per line.',
		`Output format: JSON Lines in the ChatML "messages" shape.

- Write each entry as one JSON object on a single line: {"messages": [{"role": "…", "content": "…"}, …]}
- Roles are "system", "user" and "assistant" only. After the optional system message, turns alternate user, assistant, user, assistant, and every entry ends with an assistant message.
- Escape quotation marks, backslashes and line breaks inside strings (a line break is \\n). Never put a raw line break inside a JSON string.
- Do not wrap the entries in a JSON array, and do not add comments, trailing commas, numbering, metadata fields or any text between lines.`
	),
	chunk(
		'format_prompt_response_jsonl',
		'format',
		'Format: prompt / response JSON Lines',
		'The output shape for single-turn Q&A: one {"prompt", "response"} object per line.',
		`Output format: JSON Lines, one object per line with exactly two string fields: {"prompt": "…", "response": "…"}

- Both fields are non-empty. Escape quotation marks, backslashes and line breaks inside strings (a line break is \\n).
- Do not wrap the objects in a JSON array, and do not add comments, trailing commas, numbering or other fields.`
	),
	chunk('quantity_entries', 'quantity', 'Number of entries', 'How many entries to write, and not to stop early.', `Write exactly {{entry_count}} entries: not fewer, not more. Do not stop before the last entry is complete.`),
	chunk(
		'quantity_exchanges',
		'quantity',
		'Exchanges per entry',
		'How many user/assistant exchanges each entry has.',
		`Each entry has exactly {{exchange_count}} exchanges after the system message (if any). One exchange is one user message followed by one assistant message.`
	),
	chunk(
		'quantity_questions',
		'quantity',
		'Number of questions',
		'How many question/answer pairs to write.',
		`Write exactly {{entry_count}} question and answer pairs: not fewer, not more. Every question is different from the others in wording and in what it asks.`
	),
	chunk(
		'content_scenario',
		'content',
		'Scenario and behaviour',
		'The user’s content instructions, inserted as written.',
		`Scenario and behavioural requirements:

{{content_instructions}}`
	),
	chunk(
		'content_scene_direction',
		'content',
		'Scene direction',
		'Optional scene direction for roleplay and continuation.',
		`{{#content_instructions}}Direction for these scenes:

{{content_instructions}}{{/content_instructions}}`
	),
	chunk(
		'source_character',
		'source',
		'Character description',
		'The character the assistant plays, as given.',
		`Character: {{character_name}}

{{character_description}}

Stay consistent with this description in every reply: personality, knowledge, history and manner of speaking. Do not contradict it and do not add major facts it does not support.`
	),
	chunk(
		'source_identity_document',
		'source',
		'Identity document',
		'The identity document answers are grounded in.',
		`Identity document:

{{identity_document}}`
	),
	chunk(
		'identity_question_mix',
		'content',
		'Identity question mix',
		'Facts, positive and (optionally) negative “are you X?” assertions.',
		`Cover three kinds of questions, in roughly equal numbers, mixed rather than grouped:

1. Facts: questions about what the document states (name, origin, purpose, abilities, preferences, limits), asked in varied, natural ways.
2. Positive assertions: "Are you {{identity_name}}?"-style questions, direct and indirect, where the true answer is yes; the answer confirms it in the first person.
{{#negative_assertions_on}}3. Negative assertions: questions that suggest a different identity, maker or nature ("Are you ChatGPT?", "You were made by another company, right?", names of other assistants or characters). The answer politely and clearly says no and states who {{identity_name}} really is, without mocking the user.{{/negative_assertions_on}}{{^negative_assertions_on}}3. Open questions about identity ("Who are you?", "Tell me about yourself"), answered in a few sentences.{{/negative_assertions_on}}`
	),
	chunk(
		'source_npc_chunk',
		'source',
		'Character-sheet section',
		'The character-sheet section the NPC questions are about.',
		`Character-sheet section:

{{chunk_text}}`
	),
	chunk(
		'npc_answer_rules',
		'content',
		'NPC answer rules',
		'Grounding and voice rules for NPC answers (seed 003 made in-voice explicit).',
		`Rules for questions and answers:

- Questions cover different aspects of this section, asked the way a player would in the game: direct, curious, suspicious, flattering, rude.
- Every answer is spoken by {{npc_name}} in the first person, in character and in their voice — never a third-person summary such as "{{npc_name}} is…".
- Answers use only information in this section. Do not invent names, places, events or abilities. If a question goes beyond the section, {{npc_name}} deflects in character.
- Answers are concise: one to four sentences.`
	),
	chunk(
		'npc_previous_prompts',
		'content',
		'Prompts already asked',
		'Earlier iterations’ prompts, so each iteration asks different ones.',
		`These {{previous_prompts_count}} questions were already asked in earlier rounds. Do not repeat them or reword them; ask about other details and from other angles:

{{previous_prompts_numbered}}`
	),
	chunk(
		'source_prompt_list',
		'source',
		'Prompt list',
		'The prompts to answer, numbered.',
		`Prompts to answer ({{prompt_list_count}}), one entry each, in this order:

{{prompt_list_numbered}}`
	),
	chunk(
		'in_voice_rules',
		'content',
		'In-voice answer rules',
		'How in-voice answers treat prompts the character would not know about.',
		`Rules for the answers:

- Copy each prompt exactly as the user message; do not correct or rephrase it.
- Answer in {{character_name}}'s voice and point of view. If a prompt asks about something {{character_name}} would not know, answer as {{character_name}} would: with curiosity, a guess marked as a guess, or an honest "I don't know".
- Write exactly one entry per prompt, in the order given.`
	),
	chunk(
		'source_existing_entries',
		'source',
		'Existing entries',
		'The conversations to continue, as pasted.',
		`Existing entries to continue:

{{existing_entries}}`
	),
	chunk(
		'continuation_rules',
		'quantity',
		'Continuation length',
		'How many exchanges to add to each conversation.',
		`For every existing entry, output the whole entry again with exactly {{exchange_count}} new exchanges added at the end. Keep its system message and all earlier messages exactly as they were. Output one continued entry per existing entry, in the same order.`
	),
	chunk(
		'system_prompt_auto',
		'system_prompt',
		'System prompt: written per entry',
		'Asks the model to write a fitting system message for each entry.',
		`Begin every entry with one system message that you write for it: a short, specific instruction that sets up the assistant's role and situation for that conversation. Vary the system messages between entries where the scenarios differ.`,
		'system-prompt'
	),
	chunk(
		'system_prompt_custom',
		'system_prompt',
		'System prompt: the user’s own',
		'Uses the user’s system prompt verbatim (replaces the auto chunk, never adds to it).',
		`Begin every entry with one system message whose content is exactly the following text, copied character for character:

{{custom_system_prompt}}`,
		'system-prompt'
	),
	chunk(
		'system_prompt_none',
		'system_prompt',
		'System prompt: none',
		'No system message at all.',
		`Do not include a system message: every entry starts with a user message.`,
		'system-prompt'
	),
	chunk(
		'style_natural_dialogue',
		'style',
		'Style: natural dialogue',
		'',
		`Conversation style: natural dialogue. Write the way people actually talk in chat: varied sentence length, contractions, follow-up questions, small clarifications. Prioritise realism and flow. Avoid stiff, list-like replies and repeated openings such as "Certainly!".`,
		'style'
	),
	chunk(
		'style_roleplay_immersive',
		'style',
		'Style: immersive roleplay',
		'',
		`Conversation style: immersive roleplay. Keep strong scene continuity: what happened earlier in the entry matters later. Show emotion, setting and small actions in the replies. Avoid abrupt scene resets, emotionally flat answers and generic roleplay filler.`,
		'style'
	),
	chunk(
		'style_instructional',
		'style',
		'Style: instructional',
		'',
		`Conversation style: instructional. The user asks for help or explanation; the assistant answers clearly, step by step where that helps, and checks understanding. Prioritise accuracy and clarity. Avoid padding, vague generalities and lecturing.`,
		'style'
	),
	chunk(
		'style_narrative_dialogue',
		'style',
		'Style: narrative prose and dialogue',
		'',
		`Conversation style: narrative prose with dialogue. Assistant replies mix short passages of description or action with spoken lines, like a novel told turn by turn. Keep the point of view consistent. Avoid summarising events instead of playing them out.`,
		'style'
	),
	chunk('tone_neutral', 'tone', 'Tone: neutral', '', `Tone: neutral and even. Friendly without enthusiasm, direct without coldness.`, 'tone'),
	chunk('tone_warm', 'tone', 'Tone: warm', '', `Tone: warm and caring. Acknowledge feelings, encourage, and sound glad to help, without becoming saccharine.`, 'tone'),
	chunk('tone_professional', 'tone', 'Tone: professional', '', `Tone: professional and courteous. Precise wording, no slang, calm confidence.`, 'tone'),
	chunk('tone_dramatic', 'tone', 'Tone: dramatic', '', `Tone: dramatic. Heightened stakes and vivid emotion, with tension that builds across the exchanges, never tipping into parody.`, 'tone'),
	chunk('tone_playful', 'tone', 'Tone: playful', '', `Tone: playful and lighthearted. Humour, wit and expressive language, while still answering what was asked.`, 'tone'),
	chunk('language_output', 'language', 'Language', 'The language of every message.', `Write every message in {{language}}.`),
	chunk(
		'delivery_paste_jsonl',
		'output',
		'Delivery: JSONL in the chat',
		'',
		`Return all entries in a single fenced code block, one entry per line. Write nothing before or after the code block.`,
		'delivery'
	),
	chunk(
		'delivery_download_file',
		'output',
		'Delivery: downloadable .jsonl file',
		'',
		`Provide the entries as a downloadable .jsonl file, one entry per line. If you cannot create files, return them instead in a single fenced code block, one entry per line, with nothing before or after it.`,
		'delivery'
	),
	chunk(
		'additional_instructions',
		'instructions',
		'Additional instructions',
		'The user’s extra instructions, last so they take precedence.',
		`Additional instructions:

{{additional_instructions}}`
	)
];

// ---------------------------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------------------------

type MappingList = Template['mappings'];

const systemPromptMappings: MappingList = [
	{ chunk: 'system_prompt_auto', when: { setting: 'system_prompt_mode', op: 'equals', value: 'auto' } },
	{ chunk: 'system_prompt_custom', when: { setting: 'system_prompt_mode', op: 'equals', value: 'custom' } },
	{ chunk: 'system_prompt_none', when: { setting: 'system_prompt_mode', op: 'equals', value: 'none' } }
];

const styleMappings: MappingList = ['natural_dialogue', 'roleplay_immersive', 'instructional', 'narrative_dialogue'].map((value) => ({
	chunk: `style_${value}`,
	when: { setting: 'style', op: 'equals' as const, value }
}));

const toneMappings: MappingList = ['neutral', 'warm', 'professional', 'dramatic', 'playful'].map((value) => ({
	chunk: `tone_${value}`,
	when: { setting: 'tone', op: 'equals' as const, value }
}));

const closingMappings: MappingList = [
	{ chunk: 'language_output' },
	{ chunk: 'delivery_paste_jsonl', when: { setting: 'output_delivery', op: 'equals', value: 'paste_jsonl' } },
	{ chunk: 'delivery_download_file', when: { setting: 'output_delivery', op: 'equals', value: 'download_file' } },
	{ chunk: 'additional_instructions', when: { setting: 'additional_instructions', op: 'non-empty' } }
];

export const BUILTIN_TEMPLATES: Template[] = [
	{
		id: 'conversation_scenarios',
		name: 'Conversation scenarios',
		description: 'Multi-turn ChatML conversations from a scenario you describe (RoleThread’s generator, complete).',
		replyShape: 'chatml-jsonl',
		fields: [entryCount(), exchangeCount(), contentInstructions(true), systemPromptMode, customSystemPrompt, style, tone(), outputDelivery, language, additionalInstructions],
		mappings: [
			{ chunk: 'task_conversation_dataset' },
			{ chunk: 'format_chatml_jsonl' },
			{ chunk: 'quantity_entries' },
			{ chunk: 'quantity_exchanges' },
			{ chunk: 'content_scenario' },
			...systemPromptMappings,
			...styleMappings,
			...toneMappings,
			...closingMappings
		]
	},
	{
		id: 'roleplay_scenes',
		name: 'Roleplay scenes with a character',
		description: 'Scenes in which the assistant plays one character, from your character library or a pasted description.',
		replyShape: 'chatml-jsonl',
		fields: [
			characterName(),
			characterDescription(),
			entryCount(),
			exchangeCount('Exchanges per scene', 4),
			contentInstructions(false, 'Scene direction', 'Settings, situations, who the user is… (optional)'),
			systemPromptMode,
			customSystemPrompt,
			{ ...style, default: 'roleplay_immersive' },
			tone('dramatic'),
			outputDelivery,
			language,
			additionalInstructions
		],
		mappings: [
			{ chunk: 'task_roleplay_scene' },
			{ chunk: 'source_character' },
			{ chunk: 'format_chatml_jsonl' },
			{ chunk: 'quantity_entries' },
			{ chunk: 'quantity_exchanges' },
			{ chunk: 'content_scene_direction', when: { setting: 'content_instructions', op: 'non-empty' } },
			...systemPromptMappings,
			...styleMappings,
			...toneMappings,
			...closingMappings
		]
	},
	{
		id: 'identity_qa',
		name: 'Identity Q&A',
		description: 'Single-turn questions about who the model is: facts, and positive and negative “are you X?” assertions, grounded in an identity document.',
		replyShape: 'chatml-jsonl',
		fields: [
			{ key: 'identity_name', label: 'Identity name', kind: 'text', required: true, default: '', maxLength: 200, placeholder: 'e.g. Aria' },
			{
				key: 'identity_document',
				label: 'Identity document',
				kind: 'textarea',
				required: true,
				default: '',
				placeholder: 'Who the model is: name, maker, purpose, personality, what it can and cannot do.'
			},
			entryCount('Number of questions', 30),
			{
				key: 'negative_assertions_on',
				label: 'Negative assertions',
				kind: 'select',
				required: false,
				default: 'yes',
				options: [
					{ value: 'yes', label: 'Include “are you X?” questions answered no' },
					{ value: '', label: 'Leave them out' }
				]
			},
			systemPromptMode,
			customSystemPrompt,
			tone('warm'),
			outputDelivery,
			language,
			additionalInstructions
		],
		mappings: [
			{ chunk: 'task_identity_qa' },
			{ chunk: 'source_identity_document' },
			{ chunk: 'format_chatml_jsonl' },
			{ chunk: 'quantity_questions' },
			{ chunk: 'identity_question_mix' },
			...systemPromptMappings,
			...toneMappings,
			...closingMappings
		]
	},
	{
		id: 'npc_chunk_qa',
		name: 'NPC character-sheet chunk Q&A',
		description: 'Seed 003’s chunked generation, improved: questions about one section of a character sheet, answered by the NPC in their own voice; paste earlier prompts to get different ones each round.',
		replyShape: 'prompt-response-jsonl',
		fields: [
			{ key: 'npc_name', label: 'NPC name', kind: 'text', required: true, default: '', maxLength: 200, placeholder: 'e.g. Queen Pédauque' },
			{ key: 'chunk_topic', label: 'Section topic', kind: 'text', required: false, default: '', maxLength: 200, placeholder: 'e.g. Physical appearance' },
			{ key: 'chunk_text', label: 'Section text', kind: 'textarea', required: true, default: '', placeholder: 'One section of the character sheet.' },
			entryCount('Questions this round', 20, 100),
			{
				key: 'previous_prompts',
				label: 'Prompts from earlier rounds',
				kind: 'textarea',
				required: false,
				default: '',
				placeholder: 'One per line. Leave empty for the first round.',
				help: 'Only the questions are sent back, not whole replies: the prompt stays short for small models.'
			},
			outputDelivery,
			language,
			additionalInstructions
		],
		mappings: [
			{ chunk: 'task_npc_chunk_qa' },
			{ chunk: 'source_npc_chunk' },
			{ chunk: 'format_prompt_response_jsonl' },
			{ chunk: 'quantity_questions' },
			{ chunk: 'npc_answer_rules' },
			{ chunk: 'npc_previous_prompts', when: { setting: 'previous_prompts', op: 'non-empty' } },
			...closingMappings
		]
	},
	{
		id: 'in_voice_answers',
		name: 'In-voice answers to prompts',
		description: 'Answers to a list of real prompts, in a character’s voice: one entry per prompt.',
		replyShape: 'chatml-jsonl',
		fields: [
			characterName(),
			characterDescription('Character and voice'),
			{ key: 'prompt_list', label: 'Prompts', kind: 'textarea', required: true, default: '', placeholder: 'One prompt per line.' },
			systemPromptMode,
			customSystemPrompt,
			tone(),
			outputDelivery,
			language,
			additionalInstructions
		],
		mappings: [
			{ chunk: 'task_in_voice_answers' },
			{ chunk: 'source_character' },
			{ chunk: 'format_chatml_jsonl' },
			{ chunk: 'in_voice_rules' },
			{ chunk: 'source_prompt_list' },
			...systemPromptMappings,
			...toneMappings,
			...closingMappings
		]
	},
	{
		id: 'multi_turn_continuation',
		name: 'Multi-turn continuation',
		description: 'Longer conversations from entries you already have: each is returned with new exchanges added.',
		replyShape: 'chatml-jsonl',
		fields: [
			{
				key: 'existing_entries',
				label: 'Existing entries',
				kind: 'textarea',
				required: true,
				default: '',
				placeholder: 'Paste JSONL lines ({"messages": […]}) to continue.'
			},
			exchangeCount('Exchanges to add', 2),
			contentInstructions(false, 'Direction', 'Where the conversations should go next (optional).'),
			style,
			tone(),
			outputDelivery,
			language,
			additionalInstructions
		],
		mappings: [
			{ chunk: 'task_continuation' },
			{ chunk: 'source_existing_entries' },
			{ chunk: 'format_chatml_jsonl' },
			{ chunk: 'continuation_rules' },
			{ chunk: 'content_scene_direction', when: { setting: 'content_instructions', op: 'non-empty' } },
			...styleMappings,
			...toneMappings,
			...closingMappings
		]
	}
];
