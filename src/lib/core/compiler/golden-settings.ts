/**
 * Fixed settings for the golden tests (one set per built-in template, chosen so that every
 * template's optional chunks appear in at least one golden file). Kept beside the library so a
 * new template gets its golden settings in the same change.
 */
import type { SettingValues } from './settings';

export const GOLDEN_SETTINGS: Record<string, SettingValues[]> = {
	conversation_scenarios: [
		{
			entry_count: 12,
			exchange_count: 3,
			content_instructions: 'A lighthouse keeper (assistant) answers questions from visitors (user) about the lamp, the weather and the island.\nKeep answers grounded in 19th-century technology.',
			system_prompt_mode: 'auto',
			custom_system_prompt: '',
			style: 'natural_dialogue',
			tone: 'warm',
			output_delivery: 'paste_jsonl',
			language: 'English',
			additional_instructions: ''
		},
		{
			entry_count: 5,
			exchange_count: 2,
			content_instructions: 'Customer support for a bicycle shop. Literal braces stay: {{entry_count}}.',
			system_prompt_mode: 'custom',
			custom_system_prompt: 'You are Spoke, the support assistant of Two Wheels bike shop.',
			style: 'instructional',
			tone: 'professional',
			output_delivery: 'download_file',
			language: 'French',
			additional_instructions: 'Mention opening hours (9–18h) at least once in a third of the entries.'
		}
	],
	roleplay_scenes: [
		{
			character_name: 'Mara',
			character_description: 'Mara keeps the Harrow Point lighthouse. Gruff, precise, secretly kind; speaks in short sentences; has never left the island.',
			entry_count: 8,
			exchange_count: 4,
			content_instructions: 'A storm is coming; the user is a stranded sailor.',
			system_prompt_mode: 'none',
			custom_system_prompt: '',
			style: 'roleplay_immersive',
			tone: 'dramatic',
			output_delivery: 'paste_jsonl',
			language: 'English',
			additional_instructions: ''
		}
	],
	identity_qa: [
		{
			identity_name: 'Aria',
			identity_document: 'Aria is an assistant made by the Lumen Lab in 2025. She helps with cooking and gardening, is patient and curious, and cannot browse the web.',
			entry_count: 30,
			negative_assertions_on: 'yes',
			system_prompt_mode: 'custom',
			custom_system_prompt: 'You are Aria.',
			tone: 'warm',
			output_delivery: 'paste_jsonl',
			language: 'English',
			additional_instructions: ''
		}
	],
	npc_chunk_qa: [
		{
			npc_name: 'Queen Pédauque',
			chunk_topic: 'Physical appearance',
			chunk_text: '## Physical Appearance\n- Tall, silver-haired, one goose foot hidden under long robes\n- Eyes that change colour with the seasons',
			entry_count: 5,
			previous_prompts: 'What do you look like?\n- Why do you wear long robes?',
			output_delivery: 'paste_jsonl',
			language: 'English',
			additional_instructions: ''
		}
	],
	in_voice_answers: [
		{
			character_name: 'Mara',
			character_description: 'Gruff lighthouse keeper, short sentences, kind underneath.',
			prompt_list: 'How do I boil an egg?\nWhat is the capital of France?\n\nCan you write me a poem?',
			system_prompt_mode: 'auto',
			custom_system_prompt: '',
			tone: 'neutral',
			output_delivery: 'paste_jsonl',
			language: 'English',
			additional_instructions: ''
		}
	],
	multi_turn_continuation: [
		{
			existing_entries: '{"messages":[{"role":"user","content":"Is the lamp lit?"},{"role":"assistant","content":"Lit and trimmed."}]}',
			exchange_count: 2,
			content_instructions: '',
			style: 'natural_dialogue',
			tone: 'playful',
			output_delivery: 'paste_jsonl',
			language: 'English',
			additional_instructions: ''
		}
	]
};
