import 'fake-indexeddb/auto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { tokenizerUnavailable } from '$lib/core/analysis/tokenizer-loader';
import type { TokenizerId } from '$lib/core/analysis/tokenizers';
import { inProcessDataWorker, skeinLine } from './test-data-worker';

const worker = vi.hoisted(() => ({ api: null as unknown }));
vi.mock('$lib/workers/data-bridge', () => ({ dataWorker: () => worker.api }));

const { AnalysisState } = await import('./analysis.svelte');

// Offline, with only o200k_base cached: loading cl100k_base fails as the browser fails a dynamic import.
const offlineTokenizers = new Set<TokenizerId>(['cl100k_base']);
let datasetId: string;
beforeAll(async () => {
	const api = inProcessDataWorker();
	const analyzeTokens = api.analyzeTokens.bind(api);
	api.analyzeTokens = (id: string, tokenizer: TokenizerId, onProgress) =>
		offlineTokenizers.has(tokenizer)
			? Promise.reject(tokenizerUnavailable(tokenizer, new TypeError('Failed to fetch dynamically imported module: http://localhost/_app/immutable/workers/chunks/CWhQ_ZDv.js')))
			: analyzeTokens(id, tokenizer, onProgress);
	worker.api = api;
	datasetId = await api.importLines('keeper.jsonl', [skeinLine(0, [], { user: 'Is the lamp lit?', assistant: 'Lit and trimmed.' }), skeinLine(1)]);
});

describe('AnalysisState without a tokenizer', () => {
	it('says so in plain words next to the token figures, shows no other tokenizer’s counts, and estimates', async () => {
		const analysis = new AnalysisState(datasetId);
		await analysis.runStructure();
		await analysis.runTokens();
		expect(analysis.tokens?.tokenizer).toBe('o200k_base');

		analysis.setTokenizer('cl100k_base');
		await vi.waitFor(() => expect(analysis.tokenError).not.toBeNull());
		expect(analysis.tokenError).toBe(
			"The OpenAI cl100k_base tokenizer isn't available offline: connect once, or make it available offline under “Offline tokenizers” next to the tokenizer picker. Everything else on this page works without it."
		);
		// Not "the analysis stopped": everything else stands.
		expect(analysis.error).toBeNull();
		expect(analysis.tokens).toBeNull();
		expect(analysis.progress.tokens).toBeNull();
		const characters = analysis.structure!.roles.reduce((sum, role) => sum + role.characters, 0);
		expect(characters).toBeGreaterThan(0);
		expect(analysis.estimatedTokens).toBe(Math.ceil(characters / 4));

		// Made available offline: counting again clears the message.
		offlineTokenizers.delete('cl100k_base');
		await analysis.runTokens();
		expect(analysis.tokenError).toBeNull();
		expect(analysis.tokens?.tokenizer).toBe('cl100k_base');
	});
});
