/**
 * The `template_render_tokenize` micro-benchmark: render N entries under a template and tokenize
 * the renders, against the tokenizer alone on the same rendered texts, in the same run (the
 * issue's goal: at most 2× the tokenizer alone). `npm run bench` wires it in the worker.
 */
import type { Entry } from '../model';
import { toTemplateConversation } from './conversation';
import type { ChatTemplateSpec } from './families';
import { renderChat } from './render';
import type { TemplateTokenizer } from './template-tokenizers';

export interface RenderTokenizeFigures {
	entries: number;
	/** Entries the template refused or failed on (counted in the time, not in the tokens). */
	failed: number;
	tokens: number;
	renderTokenizeMs: number;
	tokenizerOnlyMs: number;
	/** renderTokenizeMs / tokenizerOnlyMs. */
	ratio: number;
}

/** Times render+tokenize over `entries`, then the tokenizer alone over the texts it rendered. */
export function benchTemplateRenderTokenize(
	spec: ChatTemplateSpec,
	tokenizer: TemplateTokenizer,
	entries: ReadonlyArray<Pick<Entry, 'messages' | 'extra'>>,
	now: () => number = () => performance.now()
): RenderTokenizeFigures {
	const options = { bosToken: spec.bosToken, eosToken: spec.eosToken };
	const texts: string[] = [];
	let failed = 0;
	let tokens = 0;
	const started = now();
	for (const entry of entries) {
		let text: string;
		try {
			text = renderChat(spec.chatTemplate, toTemplateConversation(entry, { thinkField: spec.thinkField }), options);
		} catch {
			failed++;
			continue;
		}
		tokens += tokenizer.encode(text).length;
		texts.push(text);
	}
	const renderTokenizeMs = now() - started;
	const alone = now();
	let check = 0;
	for (const text of texts) check += tokenizer.encode(text).length;
	const tokenizerOnlyMs = now() - alone;
	if (check !== tokens) throw new Error(`The tokenizer counted ${check} tokens the second time and ${tokens} the first.`);
	return { entries: entries.length, failed, tokens, renderTokenizeMs, tokenizerOnlyMs, ratio: tokenizerOnlyMs > 0 ? renderTokenizeMs / tokenizerOnlyMs : Infinity };
}
