import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';
import { tokenizerAssetsPlugin, tokenizerAssetsWorkerPlugin, type TokenizerAssetsRecord } from './scripts/vite-tokenizer-assets.ts';

// The data worker's build records which chunks hold each tokenizer; the client build writes it down.
const tokenizerAssets: TokenizerAssetsRecord = { manifest: null };

export default defineConfig({
	plugins: [sveltekit(), tokenizerAssetsPlugin(tokenizerAssets)],
	worker: { format: 'es', plugins: () => [tokenizerAssetsWorkerPlugin(tokenizerAssets)] },
	test: {
		include: ['src/**/*.test.ts', 'tests/unit/**/*.test.ts', 'tests/model-server/**/*.test.ts'],
		environment: 'node',
		setupFiles: ['tests/unit/fast-check-setup.ts'],
		// Property tests run thousands of cases; a busy 2-core CI machine must not time them out.
		testTimeout: 30_000
	}
});
