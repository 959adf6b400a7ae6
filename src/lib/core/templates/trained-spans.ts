/**
 * Which characters of a render a trainer trains on.
 *
 * Assistant-only loss (TRL `assistant_only_loss`, transformers `return_assistant_tokens_mask`):
 * each assistant turn from the end of its header through the token that ends it. None of the
 * built-in templates mark `{% generation %}` blocks, so the turn is found the way the
 * prefix-diff method does: the conversation up to the turn, rendered with the generation prompt,
 * is what precedes the turn's trained text; where the full render first differs from that is
 * where training starts, and it runs through the first turn-end token (`<|im_end|>`,
 * `<|eot_id|>`, `<end_of_turn>`, gpt-oss's `<|end|>`/`<|call|>`/`<|return|>`). When the template
 * opens another assistant message right after (gpt-oss renders the analysis and the tool call of
 * one turn as two messages), the span runs on through that one too.
 *
 * Train on everything: the whole render.
 */
import type { ChatTemplateSpec } from './families';
import { renderChat, type RenderOptions, type TemplateConversation } from './render';
import type { CharSpan } from './token-offsets';

export interface TrainedSpan extends CharSpan {
	/** The message the span belongs to. */
	message: number;
}

export type LossMode = 'assistant-only' | 'everything';

function commonPrefix(a: string, b: string): number {
	const max = Math.min(a.length, b.length);
	let i = 0;
	while (i < max && a.charCodeAt(i) === b.charCodeAt(i)) i++;
	return i;
}

function firstTurnEnd(text: string, from: number, turnEnds: readonly string[]): number {
	let best = -1;
	for (const token of turnEnds) {
		const at = text.indexOf(token, from);
		if (at !== -1 && (best === -1 || at + token.length < best)) best = at + token.length;
	}
	return best;
}

function renderOptions(spec: ChatTemplateSpec, options: RenderOptions): RenderOptions {
	return { ...options, bosToken: spec.bosToken, eosToken: spec.eosToken };
}

/**
 * Character spans of the assistant turns in `rendered` (the full render of `conversation` under
 * `spec`, generation prompt off). Turns whose text the template does not render get no span.
 */
export function assistantSpans(spec: ChatTemplateSpec, conversation: TemplateConversation, rendered: string, options: RenderOptions = {}): TrainedSpan[] {
	const base = renderOptions(spec, { ...options, addGenerationPrompt: false });
	const spans: TrainedSpan[] = [];
	const { messages } = conversation;
	for (let i = 0; i < messages.length; i++) {
		if (messages[i].role !== 'assistant') continue;
		const head = { ...conversation, messages: messages.slice(0, i) };
		const prompt = renderChat(spec.chatTemplate, head, { ...base, addGenerationPrompt: true });
		const bare = renderChat(spec.chatTemplate, head, base);
		// The header the generation prompt adds ("<|im_start|>assistant\n", "<|start|>assistant" …).
		const header = prompt.startsWith(bare) ? prompt.slice(bare.length) : '';
		const start = commonPrefix(prompt, rendered);
		const previousEnd = spans.length > 0 ? spans[spans.length - 1].end : 0;
		if (start < previousEnd || start >= rendered.length) continue;
		let end = firstTurnEnd(rendered, start, spec.turnEnds);
		// A following assistant message gets its own span; an assistant header before any other
		// message is the same turn going on.
		const nextIsAssistant = messages[i + 1]?.role === 'assistant';
		while (end !== -1 && header !== '' && !nextIsAssistant && rendered.startsWith(header, end)) {
			const more = firstTurnEnd(rendered, end + header.length, spec.turnEnds);
			if (more === -1) break;
			end = more;
		}
		spans.push({ start, end: end === -1 ? rendered.length : end, message: i });
	}
	return spans;
}

/** The trained spans under a loss mode. */
export function trainedSpans(mode: LossMode, spec: ChatTemplateSpec, conversation: TemplateConversation, rendered: string, options: RenderOptions = {}): CharSpan[] {
	if (mode === 'everything') return rendered === '' ? [] : [{ start: 0, end: rendered.length }];
	return assistantSpans(spec, conversation, rendered, options);
}
