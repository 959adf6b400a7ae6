/**
 * Single-turn pairs: `{prompt, response}` (seed 003 output) and `{prompt, completion}` (OpenAI's
 * legacy fine-tuning and TRL). TRL's conversational variant, where prompt and completion are
 * both message lists, is joined into one conversation.
 */
import type { Message } from '../model';
import { omitKeys, type JsonRecord } from '../json-safety';
import type { Conversion, ConversionContext } from './conversion';
import { convertOpenAiMessages } from './openai';

const PROMPT_RESPONSE = new Set(['prompt', 'response']);
const PROMPT_COMPLETION = new Set(['prompt', 'completion']);

export function convertPromptResponse(record: JsonRecord, _ctx: ConversionContext): Conversion {
	const { prompt, response } = record;
	if (typeof prompt !== 'string') return 'prompt must be text';
	if (typeof response !== 'string') return 'response must be text';
	const messages: Message[] = [
		{ role: 'user', content: prompt },
		{ role: 'assistant', content: response }
	];
	return { messages, extra: omitKeys(record, PROMPT_RESPONSE) };
}

export function convertPromptCompletion(record: JsonRecord, ctx: ConversionContext): Conversion {
	const { prompt, completion } = record;
	if (Array.isArray(prompt) && Array.isArray(completion)) {
		const head = convertOpenAiMessages(prompt, 'prompt', ctx);
		if (typeof head === 'string') return head;
		const tail = convertOpenAiMessages(completion, 'completion', ctx);
		if (typeof tail === 'string') return tail;
		ctx.note('conversational prompt/completion lists joined into one conversation');
		return { messages: [...head, ...tail], extra: omitKeys(record, PROMPT_COMPLETION) };
	}
	if (typeof prompt !== 'string') return 'prompt must be text (or both prompt and completion lists of messages)';
	if (typeof completion !== 'string') return 'completion must be text';
	const messages: Message[] = [
		{ role: 'user', content: prompt },
		{ role: 'assistant', content: completion }
	];
	return { messages, extra: omitKeys(record, PROMPT_COMPLETION) };
}
