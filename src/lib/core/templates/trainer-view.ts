/**
 * One entry as the trainer sees it: the render under the target's template, the spans trained
 * under assistant-only loss, the template findings, and (given the family tokenizer) the tokens
 * with their offsets, the total and trained counts and the max_seq_len check.
 */
import type { Entry } from '../model';
import { toTemplateConversation } from './conversation';
import type { ChatTemplateSpec } from './families';
import { contentFindings, lengthFinding, renderErrorFinding, type TemplateFinding } from './findings';
import { renderChat, type RenderOptions, type TemplateConversation } from './render';
import type { TemplateTokenizer } from './template-tokenizers';
import { tokenizeWithOffsets, tokensInSpans } from './token-offsets';
import { assistantSpans, type TrainedSpan } from './trained-spans';

export interface RenderedEntry {
	conversation: TemplateConversation;
	/** null when the template refused or failed (the findings say why). */
	text: string | null;
	/** Assistant-only loss; "train on everything" is the whole text. */
	assistantSpans: TrainedSpan[];
	findings: TemplateFinding[];
}

export interface EntryRenderOptions {
	now?: Date;
	variables?: Record<string, unknown>;
}

/** Renders an entry and finds what the template does to it (no tokenizer needed). */
export function renderEntry(spec: ChatTemplateSpec, entry: Pick<Entry, 'messages' | 'extra'>, options: EntryRenderOptions = {}): RenderedEntry {
	const conversation = toTemplateConversation(entry, { thinkField: spec.thinkField });
	const renderOptions: RenderOptions = { bosToken: spec.bosToken, eosToken: spec.eosToken, now: options.now, variables: options.variables };
	let text: string;
	try {
		text = renderChat(spec.chatTemplate, conversation, renderOptions);
	} catch (error) {
		return { conversation, text: null, assistantSpans: [], findings: [renderErrorFinding(error)] };
	}
	let spans: TrainedSpan[] = [];
	const findings = contentFindings(conversation, text);
	try {
		spans = assistantSpans(spec, conversation, text, renderOptions);
	} catch (error) {
		// A prefix of the conversation can be refused where the whole is not (roles must alternate
		// and a prefix ends on a user turn: no). Say so rather than show no trained spans silently.
		findings.push({ ...renderErrorFinding(error), severity: 'warning', text: `Trained spans could not be found: a shorter part of the conversation fails under the template (${error instanceof Error ? error.message : String(error)}).` });
	}
	return { conversation, text, assistantSpans: spans, findings };
}

export interface TokenCounts {
	ids: number[];
	offsets: Array<[number, number]>;
	/** Per token: trained under assistant-only loss. */
	trainedMask: boolean[];
	total: number;
	/** Under assistant-only loss; under "train on everything" every token is trained (= total). */
	trained: number;
	/** Token ranges of the assistant spans, in order. */
	assistantTokenSpans: Array<{ start: number; end: number; message: number }>;
}

/** Token counts of a rendered entry, and the max_seq_len finding when it is over. */
export function countRenderedTokens(rendered: RenderedEntry, tokenizer: TemplateTokenizer, maxSeqLen?: number): { tokens: TokenCounts; findings: TemplateFinding[] } | null {
	if (rendered.text === null) return null;
	const { ids, offsets } = tokenizeWithOffsets(tokenizer, rendered.text);
	const trainedMask = tokensInSpans(offsets, rendered.assistantSpans);
	const assistantTokenSpans = rendered.assistantSpans.map((span) => {
		const mask = tokensInSpans(offsets, [span]);
		const start = mask.indexOf(true);
		return { start: start === -1 ? ids.length : start, end: start === -1 ? ids.length : mask.lastIndexOf(true) + 1, message: span.message };
	});
	const tokens: TokenCounts = { ids, offsets, trainedMask, total: ids.length, trained: trainedMask.filter(Boolean).length, assistantTokenSpans };
	const over = maxSeqLen === undefined ? null : lengthFinding({ totalTokens: ids.length, maxSeqLen, assistantTokenSpans });
	return { tokens, findings: over ? [over] : [] };
}
