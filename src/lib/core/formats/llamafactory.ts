/**
 * LLaMA-Factory's newer (v1) message format: `{messages: [{role, content: [parts], loss_weight?}],
 * tools?}` where each part is `{type, value}` with `type` one of `text`, `reasoning`, `tool_call`,
 * `image_url`, `video_url`, `audio_url` (src/llamafactory/v1/utils/types.py `Content`; demos
 * data/v1_sft_demo.jsonl, data/reason_tool_use_demo_50.jsonl, data/v1_multimodal_demo.jsonl).
 * A tool result is a `tool` message with text parts; `tools` is JSON text.
 *
 * Read into the internal form the way LLaMA-Factory renders it (v1 core/rendering/format.py):
 * - text parts are concatenated;
 * - reasoning parts become one `<think>…</think>` block before the text, as Skein stores
 *   reasoning everywhere (the export's think policy then keeps, strips or requires it);
 * - `tool_call` parts (JSON text of `{name, arguments}`) become the message's `tool_calls` with
 *   generated ids, and the `tool` messages after them answer them in order (`tool_call_id`);
 * - media parts become `<image>` / `<video>` / `<audio>` tokens in the text and their values the
 *   `images` / `videos` / `audios` columns, which is exactly the inverse of LLaMA-Factory's own
 *   v1 converter (`_to_content_blocks`);
 * - `loss_weight` 1 on assistant and 0 elsewhere are LLaMA-Factory's defaults and are dropped;
 *   an assistant `loss_weight` 0 becomes OpenAI's `weight: 0`; any other value stays as
 *   `loss_weight` (the unknown-key rule reports it).
 */
import type { Message } from '../model';
import { hasKey, isRecord, omitKeys, type JsonRecord } from '../json-safety';
import type { Conversion, ConversionContext } from './conversion';
import { MEDIA_COLUMNS } from './media';
import { generatedCallId, normaliseTools, toOpenAiCall, type OpenAiToolCall } from './tool-calls';

const PART_TYPES: ReadonlySet<string> = new Set(['text', 'reasoning', 'tool_call', 'image_url', 'video_url', 'audio_url']);
const MEDIA_OF_PART = new Map<string, (typeof MEDIA_COLUMNS)[number]>(MEDIA_COLUMNS.map((media) => [media.part, media]));

function isTypedPart(value: unknown): boolean {
	return isRecord(value) && typeof value.type === 'string' && hasKey(value, 'value') && !hasKey(value, 'text');
}

/** A `messages` record whose content lists are LLaMA-Factory `{type, value}` parts (not OpenAI's `{type, text}`). */
export function isLlamaFactoryMessages(record: JsonRecord): boolean {
	const messages = record.messages;
	if (!Array.isArray(messages)) return false;
	for (const message of messages) {
		if (!isRecord(message) || !Array.isArray(message.content) || message.content.length === 0) continue;
		return isTypedPart(message.content[0]);
	}
	return false;
}

const MESSAGE_CONSUMED = new Set(['role', 'content', 'loss_weight']);
const RECORD_CONSUMED = new Set(['messages']);

export function convertLlamaFactory(record: JsonRecord, ctx: ConversionContext): Conversion {
	const list = record.messages;
	if (!Array.isArray(list)) return 'messages must be a list';
	const media = new Map<string, unknown[]>();
	const messages: Message[] = [];
	let callCount = 0;
	let open: string[] = [];
	for (let i = 0; i < list.length; i++) {
		const raw: unknown = list[i];
		if (!isRecord(raw)) return `messages[${i}] is not an object`;
		if (typeof raw.role !== 'string' || raw.role === '') return `messages[${i}] has no role`;
		const role = raw.role;
		let text = '';
		let reasoning = '';
		let hasText = false;
		const calls: OpenAiToolCall[] = [];
		const content = raw.content;
		if (typeof content === 'string') {
			text = content;
			hasText = true;
		} else if (Array.isArray(content)) {
			for (let p = 0; p < content.length; p++) {
				const part: unknown = content[p];
				const where = `messages[${i}].content[${p}]`;
				if (!isRecord(part) || typeof part.type !== 'string') return `${where} is not a {type, value} part`;
				if (!PART_TYPES.has(part.type)) return `${where} has part type ${JSON.stringify(part.type)}; LLaMA-Factory knows text, reasoning, tool_call, image_url, video_url and audio_url`;
				const value = part.value;
				if (part.type === 'tool_call') {
					let parsed: unknown = value;
					if (typeof value === 'string') {
						try {
							parsed = JSON.parse(value);
						} catch {
							return `${where}: the tool_call value is not JSON of {name, arguments}`;
						}
					}
					const call = toOpenAiCall(parsed, generatedCallId(callCount + 1));
					if (call === null) return `${where}: the tool_call value is not JSON of {name, arguments}`;
					callCount++;
					calls.push(call);
					continue;
				}
				const mediaSpec = MEDIA_OF_PART.get(part.type);
				if (mediaSpec !== undefined) {
					text += mediaSpec.token;
					hasText = true;
					let files = media.get(mediaSpec.column);
					if (files === undefined) media.set(mediaSpec.column, (files = []));
					files.push(value);
					continue;
				}
				if (typeof value !== 'string') return `${where}: the ${part.type} value is not text`;
				if (part.type === 'reasoning') reasoning += value;
				else {
					text += value;
					hasText = true;
				}
			}
		} else if (content !== null && content !== undefined) return `messages[${i}].content must be a list of {type, value} parts`;

		if (reasoning !== '') ctx.note('LLaMA-Factory reasoning parts kept as a <think> block before the answer');
		const body = reasoning !== '' ? `<think>${reasoning}</think>${text}` : hasText || calls.length === 0 ? text : null;
		const message: Message = { role, content: body, ...omitKeys(raw, MESSAGE_CONSUMED) };
		if (hasKey(raw, 'loss_weight')) {
			const weight = raw.loss_weight;
			const isAssistant = role === 'assistant';
			if (isAssistant && weight === 0) {
				message.weight = 0;
				ctx.note('LLaMA-Factory loss_weight 0 on an assistant message read as OpenAI weight 0');
			} else if (!((isAssistant && weight === 1) || (!isAssistant && weight === 0))) message.loss_weight = weight;
		}
		if (calls.length > 0) {
			message.tool_calls = calls;
			ctx.note('LLaMA-Factory tool_call parts converted to assistant tool_calls (ids generated)');
			open = calls.map((call) => call.id);
		} else if (role === 'tool') {
			if (open.length > 0) {
				message.tool_call_id = open[0];
				open = open.slice(1);
				ctx.note('LLaMA-Factory tool messages linked to their calls in order (tool_call_id)');
			} else ctx.note('tool message that follows no tool_call: kept without tool_call_id');
		} else open = [];
		messages.push(message);
	}
	ctx.note('LLaMA-Factory typed content parts read as text');
	const extra = omitKeys(record, RECORD_CONSUMED);
	if (hasKey(extra, 'tools')) extra.tools = normaliseTools(extra.tools, ctx);
	for (const [column, files] of media) {
		if (hasKey(extra, column)) {
			ctx.note(`media parts and a "${column}" column in one record: the column kept, the parts' files not added to it`);
			continue;
		}
		extra[column] = files;
		ctx.note(`LLaMA-Factory media parts read as tokens in the text and the "${column}" column`);
	}
	return { messages, extra };
}
