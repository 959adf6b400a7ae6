/**
 * The import formats' identifiers and names, apart from the zod schemas of model.ts (which
 * re-exports them) so that a page that only names formats does not load zod.
 */
/** Format identifiers, one per adapter. `skein` is our own full-fidelity JSONL. */
export const FORMAT_IDS = [
	'skein',
	'openai',
	'llamafactory',
	'isf-annotated',
	'sharegpt',
	'sharegpt-pairs',
	'turn-list',
	'alpaca',
	'prompt-response',
	'prompt-completion',
	'sillytavern-chat',
	'llamafactory-ranking',
	'llamafactory-kto',
	'trl-preference',
	'trl-kto'
] as const;
export const FORMAT_LABELS: Record<(typeof FORMAT_IDS)[number], string> = {
	skein: 'Skein full-fidelity JSONL',
	openai: 'OpenAI / ChatML messages',
	llamafactory: 'LLaMA-Factory messages (typed content parts)',
	'isf-annotated': 'ISF annotated samples',
	sharegpt: 'ShareGPT conversations',
	'sharegpt-pairs': 'ShareGPT pairs (ms-swift conversation)',
	'turn-list': 'Bare list of turns',
	alpaca: 'Alpaca instruction / input / output',
	'prompt-response': 'Prompt / response pairs',
	'prompt-completion': 'Prompt / completion pairs',
	'sillytavern-chat': 'SillyTavern chat log',
	'llamafactory-ranking': 'LLaMA-Factory ranking (chosen / rejected)',
	'llamafactory-kto': 'LLaMA-Factory KTO (label)',
	'trl-preference': 'TRL preference (prompt / chosen / rejected)',
	'trl-kto': 'TRL unpaired preference / KTO (prompt / completion / label)'
};
