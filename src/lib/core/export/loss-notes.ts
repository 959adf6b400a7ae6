/**
 * Per export format, the static list of what that format never carries, for the export dialog
 * and the report. Apart from the writers so that the page loads it without them (the pre-rendered
 * text writer brings the chat-template engine).
 */
import type { ExportFileFormat } from './serialize';
import type { WriterOptions } from './writers';
import { PREFERENCE_LOSS_NOTES } from './preference-notes';

const ENTRY_FIELDS_DROPPED = 'Not written: entry id, tags, characters, review state, notes, provenance';
const KEPT_BY_SKEIN = '(Skein JSONL keeps them).';
const MEDIA_NOT_WRITTEN = 'Not written: media columns (images, videos, audios), counted per entry; the <image> tokens stay in the text (Skein, ShareGPT and Alpaca exports keep the columns).';

/** What the format never carries, whatever the entry. Per-entry losses are counted in the report. */
export function lossNotes(format: ExportFileFormat, options: WriterOptions = {}): readonly string[] {
	const everyPair = (options.promptResponseMode ?? 'single-turn') === 'every-pair';
	switch (format) {
		case 'skein':
			return [];
		case 'openai':
			return [
				...(options.openAiMetadata
					? ['Not written: notes, source and unknown top-level keys other than tools. Id, tags, review state, characters and generation provenance go under id / metadata.']
					: [`${ENTRY_FIELDS_DROPPED} and unknown top-level keys other than tools and parallel_tool_calls ${KEPT_BY_SKEIN}`]),
				MEDIA_NOT_WRITTEN,
				...(options.openAiKeepExtras
					? []
					: ['Message keys OpenAI does not define (SillyTavern send_date and swipes, ShareGPT extras…) are dropped; "Keep other message keys" writes them.'])
			];
		case 'sharegpt':
			return [
				'Variant: LLaMA-Factory ShareGPT, {conversations: [{from: system | human | gpt | function_call | observation, value}], tools?}.',
				`${ENTRY_FIELDS_DROPPED} and unknown top-level keys other than tools ${KEPT_BY_SKEIN}`,
				'Tool calls become function_call turns ({name, arguments} as JSON text; a list for parallel calls) and tool results observation turns (the results of parallel calls joined into one, as LLaMA-Factory joins them). Call ids are not written: re-importing links the results in order again as call_1, call_2, …; other ids are counted as lost.',
				'The tools list is written as JSON text, without the OpenAI {type: function, function} wrapper. Media columns (images, videos, audios) are written back.',
				'Reasoning (<think> blocks) in an assistant message that only calls tools is dropped (counted).',
				'Skipped: custom speaker roles, structured content, assistant messages with both text and tool calls.'
			];
		case 'alpaca':
			return [
				'Variant: LLaMA-Factory Alpaca, {instruction, input: "", output, system?, history?: [[user, assistant], …]}.',
				`${ENTRY_FIELDS_DROPPED}, unknown top-level keys and the tools list (counted per entry) ${KEPT_BY_SKEIN}`,
				'Message keys beyond role and content (name, weight, …) are dropped. Media columns (images, videos, audios) are written back.',
				'Skipped: tool calls and tool results (Alpaca cannot express them), and conversations that are not an optional leading system prompt followed by user → assistant pairs (ending on user, two turns of one role in a row, tool turns, later system messages, custom roles, structured content).'
			];
		case 'rendered-text':
			return [
				'Variant: {"text": …}, one line per entry: the conversation rendered with the training target\'s chat template, add_generation_prompt false, special tokens as text (TRL dataset_text_field "text", axolotl completion).',
				...(options.renderedText?.spans
					? ['"assistant_spans": [[start, end], …]: each assistant turn\'s trained text (the assistant-only loss mask), as offsets into "text" in Unicode code points, end exclusive (Python text[start:end]).']
					: []),
				`${ENTRY_FIELDS_DROPPED}, unknown top-level keys other than tools (rendered when the template renders them) ${KEPT_BY_SKEIN}`,
				'Skipped: entries the template refuses (its own message is in the report).'
			];
		case 'prompt-response':
			return [
				`Variant: {prompt, response}, one line per ${everyPair ? 'user → assistant pair of any conversation' : 'single-turn entry'}.`,
				`${ENTRY_FIELDS_DROPPED}, unknown top-level keys and the tools list ${KEPT_BY_SKEIN}`,
				'Message keys beyond role and content (name, weight, …) are dropped.',
				MEDIA_NOT_WRITTEN,
				everyPair
					? 'Each pair stands alone: earlier turns, the system prompt, tool turns and unpaired turns are dropped.'
					: 'Skipped: entries with a system prompt (omit it to include them), more than one exchange, tool turns, custom roles or structured content.'
			];
		case 'dpo':
		case 'kto':
		case 'sharegpt-ranking':
			return PREFERENCE_LOSS_NOTES[format];
	}
}
