/**
 * OpenAI / ChatML `{messages: [...], tools?, ...}` and ISF annotated samples, which are the same
 * plus generation provenance (reference/isf.md §1.10).
 *
 * Message objects are used as parsed: `JSON.parse` already produced fresh objects with every key
 * (`name`, `weight`, `tool_calls`, `tool_call_id`, `refusal`, unknown ones) as own properties, so
 * keeping them is both lossless and the fastest thing to do.
 */
import type { Message } from '../model';
import { hasKey, isRecord, omitKeys, type JsonRecord } from '../json-safety';
import { contentAsText, type Conversion, type ConversionContext } from './conversion';
import { describeJsonType } from '../json-safety';
import { normaliseTools } from './tool-calls';
import { noteMediaColumns } from './media';

/** Validates a list of OpenAI-style messages in place; returns it, or the reason it is invalid. */
export function convertOpenAiMessages(list: readonly unknown[], label: string, ctx: ConversionContext): Message[] | string {
	let messages = list as Message[];
	for (let i = 0; i < list.length; i++) {
		const message: unknown = list[i];
		if (!isRecord(message)) return `${label}[${i}] is not an object`;
		if (typeof message.role !== 'string' || !hasKey(message, 'role')) return `${label}[${i}] has no role`;
		const content = message.content;
		if (typeof content === 'string' || content === null) continue;
		if (Array.isArray(content)) {
			ctx.note('structured content parts kept');
			continue;
		}
		if (content === undefined && !hasKey(message, 'content')) {
			// Tool-call turns sometimes omit content; the model needs the key, so it becomes null.
			if (messages === list) messages = list.slice() as Message[];
			const filled: Message = { ...message, role: message.role, content: null };
			messages[i] = filled;
			ctx.note('message without content: content set to null');
			ctx.convertedContent?.(filled, 'missing');
			continue;
		}
		if (typeof content === 'number' || typeof content === 'boolean') {
			// "content": 42 — the conversation is otherwise readable: import the text and flag it.
			if (messages === list) messages = list.slice() as Message[];
			const converted: Message = { ...message, role: message.role, content: contentAsText(content) };
			messages[i] = converted;
			ctx.note(`message content that was ${describeJsonType(content)} imported as text (flagged by "Content is not text")`);
			ctx.convertedContent?.(converted, describeJsonType(content));
			continue;
		}
		return `${label}[${i}].content must be text, a list of parts or null (it is ${describeJsonType(content)})`;
	}
	return messages;
}

const OPENAI_CONSUMED = new Set(['messages']);

export function convertOpenAi(record: JsonRecord, ctx: ConversionContext): Conversion {
	const list = record.messages;
	if (!Array.isArray(list)) return 'messages must be a list';
	const messages = convertOpenAiMessages(list, 'messages', ctx);
	if (typeof messages === 'string') return messages;
	if (messages.length === 0) ctx.note('record with an empty messages list imported as an empty conversation');
	const extra = omitKeys(record, OPENAI_CONSUMED);
	// LLaMA-Factory's openai-style files may give tools as JSON text; OpenAI's format has the list.
	if (typeof extra.tools === 'string') extra.tools = normaliseTools(extra.tools, ctx);
	noteMediaColumns(record, ctx);
	return { messages, extra };
}

/** The ISF fields that describe how a sample was generated. `id` stays in `extra`. */
export const ISF_PROVENANCE_KEYS = [
	'input_data',
	'steps',
	'pipeline_commit',
	'pipeline_file',
	'started_at',
	'completed_at'
] as const;
const ISF_CONSUMED = new Set<string>(['messages', ...ISF_PROVENANCE_KEYS]);

/** An annotated ISF sample: messages plus at least one ISF provenance field besides timestamps. */
export function isIsfAnnotated(record: JsonRecord): boolean {
	return hasKey(record, 'steps') || hasKey(record, 'input_data') || hasKey(record, 'pipeline_commit');
}

export function convertIsfAnnotated(record: JsonRecord, ctx: ConversionContext): Conversion {
	const converted = convertOpenAi(record, ctx);
	if (typeof converted === 'string') return converted;
	const fields: [string, unknown][] = [['kind', 'isf']];
	for (const key of ISF_PROVENANCE_KEYS) if (hasKey(record, key)) fields.push([key, record[key]]);
	ctx.note('ISF provenance (input_data, steps, pipeline commit and times) kept as metadata');
	return { messages: converted.messages, extra: omitKeys(record, ISF_CONSUMED), provenance: Object.fromEntries(fields) };
}
