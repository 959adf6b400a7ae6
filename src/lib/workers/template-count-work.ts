/**
 * What a token-count worker does with a template request (TemplateCountRequest), apart from the
 * worker's message plumbing so that Node tests run it in-process: loads the family tokenizer once
 * per worker, renders and counts each entry, or times a block for the benchmark.
 */
import { benchTemplateRenderTokenize } from '$lib/core/templates/bench';
import { countEntryUnderTemplate, ENTRY_COUNT_FIELDS, estimateEntryUnderTemplate, packCounts, withDecodeCache } from '$lib/core/templates/entry-counts';
import { renderChat } from '$lib/core/templates/render';
import { toTemplateConversation } from '$lib/core/templates/conversation';
import { resolveTarget } from '$lib/core/templates/target';
import { loadTemplateTokenizer, type TemplateTokenizer } from '$lib/core/templates/template-tokenizers';
import type { TemplateTokenizerId } from '$lib/core/templates/target-schema';
import type { TemplateCounted, TemplateCountRequest } from './token-pool';

const cached = new Map<TemplateTokenizerId, TemplateTokenizer>();

async function tokenizerFor(id: TemplateTokenizerId): Promise<TemplateTokenizer> {
	let tokenizer = cached.get(id);
	if (!tokenizer) {
		tokenizer = withDecodeCache(await loadTemplateTokenizer(id));
		cached.set(id, tokenizer);
	}
	return tokenizer;
}

/** Bench answers: [entries, failed, tokens, render+tokenize µs, tokenizer-alone µs]. */
export const BENCH_FIELDS = 5;

/** Loads a tokenizer (tests replace it to play a vocabulary that cannot be downloaded). */
export const loading = { tokenizerFor };

export async function countTemplateRequest(request: Omit<TemplateCountRequest, 'id' | 'kind'>): Promise<TemplateCounted> {
	const spec = resolveTarget(request.target);
	const now = new Date(request.now);
	const options = { maxSeqLen: request.target.maxSeqLen, now };
	let tokenizer: TemplateTokenizer;
	try {
		tokenizer = await loading.tokenizerFor(spec.tokenizer);
	} catch (error) {
		if (request.bench) throw error;
		// Without the vocabulary the figures are estimated, and say why.
		const packed = new Int32Array(request.entries.length * ENTRY_COUNT_FIELDS);
		for (let i = 0; i < request.entries.length; i++) packCounts(packed, i, estimateEntryUnderTemplate(spec, request.entries[i], options));
		return { counts: packed, estimated: error instanceof Error ? error.message : String(error) };
	}
	if (request.bench === 'compare') {
		const figures = benchTemplateRenderTokenize(spec, tokenizer, request.entries);
		return { counts: Int32Array.of(figures.entries, figures.failed, figures.tokens, Math.round(figures.renderTokenizeMs * 1000), Math.round(figures.tokenizerOnlyMs * 1000)) };
	}
	if (request.bench === 'render-tokenize') {
		// Only what the figure times: render, tokenize, count.
		const render = { bosToken: spec.bosToken, eosToken: spec.eosToken, now };
		let failed = 0;
		let tokens = 0;
		for (const entry of request.entries) {
			try {
				tokens += tokenizer.encode(renderChat(spec.chatTemplate, toTemplateConversation(entry, { thinkField: spec.thinkField }), render)).length;
			} catch {
				failed++;
			}
		}
		return { counts: Int32Array.of(request.entries.length, failed, tokens, 0, 0) };
	}
	const packed = new Int32Array(request.entries.length * ENTRY_COUNT_FIELDS);
	for (let i = 0; i < request.entries.length; i++) packCounts(packed, i, countEntryUnderTemplate(spec, tokenizer, request.entries[i], options));
	return { counts: packed };
}
