/**
 * What the preference formats never carry, and what every export does with preference data
 * (the export dialog shows both before anything is written).
 */
import type { PreferenceExportFormat } from './write-preference';

const ENTRY_FIELDS = 'Not written: entry id, tags, characters, review state, notes, provenance and unknown top-level keys other than tools (Skein JSONL keeps them).';

export const PREFERENCE_LOSS_NOTES: Record<PreferenceExportFormat, readonly string[]> = {
	dpo: [
		'Variant: TRL conversational preference (DPO, ORPO, reward models), {"prompt": [messages], "chosen": [messages], "rejected": [messages], "tools"?}.',
		'Only pairs are written; labelled answers (KTO) and plain chats are skipped, counted.',
		ENTRY_FIELDS,
		'Media columns (images, videos, audios) are dropped, counted per entry.'
	],
	kto: [
		'Variant: TRL conversational unpaired preference (KTO), {"prompt": [messages], "completion": [messages], "label": true | false, "tools"?}.',
		'A labelled answer is one line: the completion is what follows the last user turn. A pair is two lines, chosen (true) and rejected (false), as TRL unpairs a preference dataset. Plain chats are skipped, counted.',
		ENTRY_FIELDS,
		'Media columns (images, videos, audios) are dropped, counted per entry.'
	],
	'sharegpt-ranking': [
		'Variant: LLaMA-Factory ranking ("formatting": "sharegpt", "ranking": true), {"conversations": [{from, value}], "chosen": {"from": "gpt", "value"}, "rejected": {…}, "tools"?}.',
		'Only pairs whose chosen and rejected answers are one assistant text message each; labelled answers and plain chats are skipped, counted.',
		'The prompt turns are written as the ShareGPT export writes them (tools as JSON text, media columns kept).',
		ENTRY_FIELDS
	]
};
