/**
 * Pre-rendered text (issue 15): one `{"text": …}` line per entry, the conversation rendered with
 * the dataset's training target's chat template as a trainer renders it (add_generation_prompt
 * false), for trainers that take raw text (TRL's `dataset_text_field`, axolotl's `completion` /
 * `pretraining` types). Optionally `"assistant_spans": [[start, end], …]`: where each assistant
 * turn's trained text lies in `text` (the assistant-only loss mask), as offsets in Unicode code
 * points, end exclusive — Python's `text[start:end]` is the span.
 */
import type { Entry } from '../model';
import { toTemplateConversation } from '../templates/conversation';
import type { ChatTemplateSpec } from '../templates/families';
import { renderChat, TemplateRaisedError, type RenderOptions } from '../templates/render';
import { assistantSpans } from '../templates/trained-spans';
import { skip } from './skip-reason';
import { skipped, written, type WriteOutcome } from './write-outcome';

export interface RenderedTextOptions {
	/** Add `assistant_spans`. */
	spans?: boolean;
	/** The target's template (the worker resolves it from the dataset). */
	template?: ChatTemplateSpec;
	/** The date templates that print one render (one per export). */
	now?: Date;
}

/** A UTF-16 index of `text` as a code-point index (what Python's str indexes count). */
export function codePointOffsets(text: string, indexes: readonly number[]): number[] {
	const sorted = [...new Set(indexes)].sort((a, b) => a - b);
	const map = new Map<number, number>();
	let points = 0;
	let unit = 0;
	for (const target of sorted) {
		while (unit < target) {
			const code = text.charCodeAt(unit);
			unit += code >= 0xd800 && code <= 0xdbff && unit + 1 < text.length ? 2 : 1;
			points++;
		}
		map.set(target, points);
	}
	return indexes.map((index) => map.get(index) ?? 0);
}

export function writeRenderedText(entry: Entry, options: RenderedTextOptions): WriteOutcome {
	const spec = options.template;
	if (!spec) return skipped(skip('no-target', 'This dataset has no training target: choose one to render its chat template.'));
	const conversation = toTemplateConversation(entry, { thinkField: spec.thinkField });
	const render: RenderOptions = { bosToken: spec.bosToken, eosToken: spec.eosToken, now: options.now };
	let text: string;
	try {
		text = renderChat(spec.chatTemplate, conversation, render);
	} catch (error) {
		const why = error instanceof TemplateRaisedError ? `the template refuses it: ${error.templateMessage}` : error instanceof Error ? error.message : String(error);
		return skipped(skip('template-refused', `Not rendered: ${why}`));
	}
	if (!options.spans) return written([JSON.stringify({ text })]);
	let spans;
	try {
		spans = assistantSpans(spec, conversation, text, render);
	} catch (error) {
		return skipped(skip('template-refused', `Its trained spans could not be found: a shorter part of the conversation fails under the template (${error instanceof Error ? error.message : String(error)}).`));
	}
	const points = codePointOffsets(text, spans.flatMap((span) => [span.start, span.end]));
	const pairs = spans.map((_, i) => [points[2 * i], points[2 * i + 1]]);
	return written([JSON.stringify({ text, assistant_spans: pairs })]);
}
