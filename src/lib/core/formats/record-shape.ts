/**
 * Which format a parsed record is, judged by its shape (its keys), never by the file name.
 * The order matters: more specific shapes first (Skein before OpenAI, ISF before OpenAI, cards
 * before anything with a `name`).
 */
import type { FormatId } from '../model';
import { hasKey, type JsonRecord } from '../json-safety';
import { alpacaInstructionKey, alpacaOutputKey } from './alpaca';
import { isIsfAnnotated } from './openai';
import { isLlamaFactoryMessages } from './llamafactory';
import { isSillyTavernHeader, isSillyTavernMessage } from './sillytavern-chat';
import { isSkeinRecord } from './skein';
import { recogniseCharacterCard } from './character-card';
import { recogniseLorebook } from './lorebook';
import { detectPreferenceShape } from './preference';

export type RecordShape =
	| Exclude<FormatId, 'sillytavern-chat' | 'turn-list'>
	| 'isf-error'
	| 'character-card'
	| 'lorebook'
	| 'sillytavern-header'
	| 'sillytavern-message'
	| 'unknown';

export function detectRecordShape(record: JsonRecord): RecordShape {
	// Skein first: its preserved extra keys may be anything, `__ERROR__` included.
	if (isSkeinRecord(record)) return 'skein';
	if (hasKey(record, '__ERROR__')) return 'isf-error';
	// Pairs and labels before the chat shapes they contain (issue 16).
	const preference = detectPreferenceShape(record);
	if (preference !== null) return preference;
	if (hasKey(record, 'messages')) return isIsfAnnotated(record) ? 'isf-annotated' : isLlamaFactoryMessages(record) ? 'llamafactory' : 'openai';
	if (hasKey(record, 'conversations')) return 'sharegpt';
	if (hasKey(record, 'conversation')) return 'sharegpt-pairs';
	if (isSillyTavernMessage(record)) return 'sillytavern-message';
	if (isSillyTavernHeader(record)) return 'sillytavern-header';
	if (recogniseCharacterCard(record) !== null) return 'character-card';
	if (alpacaInstructionKey(record) !== undefined && alpacaOutputKey(record) !== undefined) return 'alpaca';
	if (hasKey(record, 'prompt')) {
		if (hasKey(record, 'response')) return 'prompt-response';
		if (hasKey(record, 'completion')) return 'prompt-completion';
	}
	if (hasKey(record, 'entries') && recogniseLorebook(record) !== null) return 'lorebook';
	return 'unknown';
}
