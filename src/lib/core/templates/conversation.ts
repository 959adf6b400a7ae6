/**
 * An entry's messages as a chat template reads them, following transformers' conventions
 * (huggingface.co/docs/transformers/chat_templating): every key of a message is kept (`name`,
 * `tool_call_id`, `reasoning_content` …: templates decide what they use), tool-call `arguments`
 * are objects, not JSON strings, and the entry's `tools` list (the OpenAI fine-tuning format's
 * top-level `tools`) is passed as `tools`.
 */
import type { Entry, Message } from '../model';
import type { TemplateConversation, TemplateMessage } from './render';

export interface ConversationOptions {
	/**
	 * The message field the template reads reasoning from (gpt-oss: `thinking`). When set, a leading
	 * `<think>…</think>` block of an assistant message moves there; when null it stays in the
	 * content, where templates such as Qwen3's look for it.
	 */
	thinkField?: 'thinking' | 'reasoning_content' | null;
}

const LEADING_THINK = /^\s*<think>([\s\S]*?)<\/think>\s*/;

/** A JSON string of an object becomes that object; anything else is left as it is. */
function argumentsObject(value: unknown): unknown {
	if (typeof value !== 'string') return value;
	try {
		const parsed: unknown = JSON.parse(value);
		return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : value;
	} catch {
		return value;
	}
}

function toolCalls(calls: unknown): unknown {
	if (!Array.isArray(calls)) return calls;
	return calls.map((call: unknown) => {
		if (call === null || typeof call !== 'object') return call;
		const record = call as Record<string, unknown>;
		const fn = record.function;
		if (fn === null || typeof fn !== 'object') return call;
		const fnRecord = fn as Record<string, unknown>;
		return { ...record, function: { ...fnRecord, arguments: argumentsObject(fnRecord.arguments) } };
	});
}

/** One message as the template reads it. */
export function toTemplateMessage(message: Message, options: ConversationOptions = {}): TemplateMessage {
	const out: TemplateMessage = { ...message, role: message.role, content: message.content };
	// A tool-call turn's null content becomes "": templates test `if message.content` and some
	// search it ('</think>' in message.content), which fails on None in Python as well.
	if (out.content === null) out.content = '';
	if ('tool_calls' in out) out.tool_calls = toolCalls(out.tool_calls);
	const field = options.thinkField;
	if (field && message.role === 'assistant' && typeof out.content === 'string' && out[field] === undefined) {
		const match = LEADING_THINK.exec(out.content);
		if (match) {
			out[field] = match[1].trim();
			out.content = out.content.slice(match[0].length);
		}
	}
	return out;
}

/** The conversation of an entry, ready for renderChat. */
export function toTemplateConversation(entry: Pick<Entry, 'messages' | 'extra'>, options: ConversationOptions = {}): TemplateConversation {
	const tools = entry.extra?.tools;
	return {
		messages: entry.messages.map((message) => toTemplateMessage(message, options)),
		...(Array.isArray(tools) && tools.length > 0 ? { tools } : {})
	};
}
