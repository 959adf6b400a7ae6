/// <reference lib="webworker" />
/**
 * A token-count worker (one of TokenCountPool's): counts the texts it is sent with the chosen
 * tokenizer (loaded once per worker) and answers with their counts, or renders entries under a
 * training target's chat template and answers their token figures. Token counting is most of
 * the analysis page's work, so the data worker hands it to a few of these, one per core.
 */
import { loadTokenizer } from '$lib/core/analysis/tokenizer-loader';
import { countTemplateRequest } from './template-count-work';
import type { TemplateCounted, TemplateCountRequest, TokenCountReply, TokenCountRequest } from './token-pool';

async function answer(request: TokenCountRequest | TemplateCountRequest): Promise<TemplateCounted> {
	if ('kind' in request) return countTemplateRequest(request);
	const count = await loadTokenizer(request.tokenizer);
	const counts = new Int32Array(request.texts.length);
	for (let i = 0; i < request.texts.length; i++) counts[i] = count(request.texts[i]);
	return { counts };
}

self.onmessage = async (event: MessageEvent<TokenCountRequest | TemplateCountRequest>) => {
	const { id } = event.data;
	try {
		const { counts, estimated } = await answer(event.data);
		const reply: TokenCountReply = estimated === undefined ? { id, counts } : { id, counts, estimated };
		postMessage(reply, [counts.buffer]);
	} catch (error) {
		const reply: TokenCountReply = { id, error: error instanceof Error ? error.message : String(error) };
		postMessage(reply);
	}
};
