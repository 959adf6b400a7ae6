/// <reference lib="webworker" />
/**
 * A token-count worker (one of TokenCountPool's): counts the texts it is sent with the chosen
 * tokenizer (loaded once per worker) and answers with their counts. Token counting is most of
 * the analysis page's work, so the data worker hands it to a few of these, one per core.
 */
import { loadTokenizer } from '$lib/core/analysis/tokenizer-loader';
import type { TokenCountReply, TokenCountRequest } from './token-pool';

self.onmessage = async (event: MessageEvent<TokenCountRequest>) => {
	const { id, tokenizer, texts } = event.data;
	try {
		const count = await loadTokenizer(tokenizer);
		const counts = new Int32Array(texts.length);
		for (let i = 0; i < texts.length; i++) counts[i] = count(texts[i]);
		const reply: TokenCountReply = { id, counts };
		postMessage(reply, [counts.buffer]);
	} catch (error) {
		const reply: TokenCountReply = { id, error: error instanceof Error ? error.message : String(error) };
		postMessage(reply);
	}
};
