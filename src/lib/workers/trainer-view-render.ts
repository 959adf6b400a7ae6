/**
 * "As the trainer sees it", worker side (loaded by trainer-view-service.ts the first time it is used): an entry rendered under its dataset's target template,
 * the spans trained under assistant-only loss, and the family tokenizer's tokens with their
 * character offsets, which are special, which are trained, and the counts — so the page only draws.
 * The tokenizer loads here, the first time a view needs it; when it cannot, the render and its
 * spans still come back with the reason in plain words. Also checks a custom template for the
 * target control (the Jinja engine stays off the page).
 */
import type { Entry } from '$lib/core/model';
import { checkCustomTarget } from '$lib/core/templates/custom-target';
import type { TemplateFinding } from '$lib/core/templates/findings';
import type { TemplateTarget, TemplateTokenizerId } from '$lib/core/templates/target-schema';
import { resolveTarget } from '$lib/core/templates/target';
import { loadTemplateTokenizer, type TemplateTokenizer } from '$lib/core/templates/template-tokenizers';
import { countRenderedTokens, renderEntry } from '$lib/core/templates/trainer-view';
import type { TrainedSpan } from '$lib/core/templates/trained-spans';

export interface TrainerTokens {
	ids: Int32Array;
	/** Character offsets in the rendered text, [starts[i], ends[i]) per token. */
	starts: Uint32Array;
	ends: Uint32Array;
	/** 1 for a special token of the vocabulary. */
	special: Uint8Array;
	/** 1 for a token trained under assistant-only loss (under "train on everything" every token is). */
	assistant: Uint8Array;
	total: number;
	/** Under assistant-only loss. */
	trainedAssistant: number;
}

export interface TrainerView {
	/** The rendered text; null when the template refused or failed (the findings say why). */
	text: string | null;
	assistantSpans: TrainedSpan[];
	/** What the template does to the entry, and the max_seq_len finding once tokens are counted. */
	findings: TemplateFinding[];
	tokens: TrainerTokens | null;
	tokenizer: TemplateTokenizerId | null;
	/** Why there are no tokens although there is text (the vocabulary could not be loaded…). */
	tokenizerError: string | null;
	/** The target itself no longer resolves (a stored custom template that does not parse). */
	targetError: string | null;
	ms: number;
}

type LoadTokenizer = (id: TemplateTokenizerId) => Promise<TemplateTokenizer>;

function message(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

export async function trainerView(entry: Pick<Entry, 'messages' | 'extra'>, target: TemplateTarget, load: LoadTokenizer = loadTemplateTokenizer, now: () => number = () => performance.now()): Promise<TrainerView> {
	const started = now();
	const empty = { text: null, assistantSpans: [], findings: [], tokens: null, tokenizer: null, tokenizerError: null };
	let spec;
	try {
		spec = resolveTarget(target);
	} catch (error) {
		return { ...empty, targetError: `The target's template cannot be used: ${message(error)}`, ms: now() - started };
	}
	const rendered = renderEntry(spec, entry);
	const base = { text: rendered.text, assistantSpans: rendered.assistantSpans, findings: rendered.findings, tokenizer: spec.tokenizer, targetError: null };
	if (rendered.text === null) return { ...base, tokens: null, tokenizerError: null, ms: now() - started };
	let tokenizer: TemplateTokenizer;
	try {
		tokenizer = await load(spec.tokenizer);
	} catch (error) {
		return { ...base, tokens: null, tokenizerError: message(error), ms: now() - started };
	}
	let counted;
	try {
		counted = countRenderedTokens(rendered, tokenizer, target.maxSeqLen);
	} catch (error) {
		return { ...base, tokens: null, tokenizerError: `The tokens could not be matched to the text: ${message(error)}`, ms: now() - started };
	}
	if (!counted) return { ...base, tokens: null, tokenizerError: null, ms: now() - started };
	const { tokens: counts, findings } = counted;
	const n = counts.ids.length;
	const tokens: TrainerTokens = {
		ids: Int32Array.from(counts.ids),
		starts: new Uint32Array(n),
		ends: new Uint32Array(n),
		special: new Uint8Array(n),
		assistant: new Uint8Array(n),
		total: counts.total,
		trainedAssistant: counts.trained
	};
	const special = tokenizer.specialIds;
	for (let i = 0; i < n; i++) {
		tokens.starts[i] = counts.offsets[i][0];
		tokens.ends[i] = counts.offsets[i][1];
		if (special?.has(counts.ids[i])) tokens.special[i] = 1;
		if (counts.trainedMask[i]) tokens.assistant[i] = 1;
	}
	return { ...base, findings: [...rendered.findings, ...findings], tokens, tokenizerError: null, ms: now() - started };
}

export { checkCustomTarget };
