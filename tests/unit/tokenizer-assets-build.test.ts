import { describe, expect, it } from 'vitest';
import { rolldown } from 'rolldown';
import { tokenizerAssetsWorkerPlugin, TEMPLATE_TOKENIZER_LOADER, TOKENIZER_LOADER, type TokenizerAssetsRecord } from '../../scripts/vite-tokenizer-assets';
import { parseTokenizerAssets } from '../../src/lib/core/analysis/tokenizer-assets';
import { OFFLINE_TOKENIZER_IDS } from '../../src/lib/core/analysis/offline-tokenizers';

/**
 * The manifest is computed from a real bundle of the tokenizer loader and the vocabularies it
 * imports (the same packages the app ships), as the data worker's build does: no names or sizes
 * are written down here.
 */
describe('the tokenizer manifest plugin on a real bundle', () => {
	it('maps every tokenizer to its built files with their true sizes', async () => {
		const record: TokenizerAssetsRecord = { manifest: null };
		// Both loaders, as the data and token-count workers hold them: analysis tokenizers and chat-template families'.
		const bundle = await rolldown({ input: [TOKENIZER_LOADER, TEMPLATE_TOKENIZER_LOADER], plugins: [tokenizerAssetsWorkerPlugin(record)], logLevel: 'silent' });
		const { output } = await bundle.generate({ format: 'es', chunkFileNames: 'chunks/[hash].js' });
		await bundle.close();

		const manifest = parseTokenizerAssets(JSON.parse(JSON.stringify(record.manifest)));
		const built = new Map(output.flatMap((item) => (item.type === 'chunk' ? [[item.fileName, item] as const] : [])));
		const dynamicImports = output.flatMap((item) => (item.type === 'chunk' && item.isEntry ? item.dynamicImports : []));
		for (const id of OFFLINE_TOKENIZER_IDS) {
			const { files, sizes, bytes } = manifest[id];
			files.forEach((file, i) => expect(sizes[i]).toBe(Buffer.byteLength(built.get(file)?.code ?? '')));
			// The tokenizer's own chunk is the one the loader imports dynamically, and it is megabytes.
			expect(dynamicImports).toContain(files[0]);
			expect(bytes).toBeGreaterThan(500_000);
			// Its files are exactly its chunk and what that chunk imports, transitively.
			const reached = new Set<string>();
			const visit = (file: string) => {
				if (reached.has(file)) return;
				reached.add(file);
				built.get(file)?.imports.forEach(visit);
			};
			visit(files[0]);
			expect(new Set(files)).toEqual(reached);
		}
		// The two OpenAI encodings share gpt-tokenizer's code; the Qwen vocabulary is on its own.
		const shared = manifest.o200k_base.files.filter((file) => manifest.cl100k_base.files.includes(file));
		expect(shared.length).toBeGreaterThan(0);
		expect(manifest.qwen3.files.some((file) => manifest.o200k_base.files.includes(file))).toBe(false);
		// The template families' vocabularies each have their own chunk.
		for (const id of ['llama3_1', 'gemma3', 'gptoss'] as const) expect(manifest[id].files[0]).not.toBe(manifest.qwen3.files[0]);
	}, 60_000);

	it('records nothing for a worker that loads no tokenizer (the web-llm worker)', async () => {
		const record: TokenizerAssetsRecord = { manifest: null };
		const bundle = await rolldown({ input: new URL('../../src/lib/core/app-cache.ts', import.meta.url).pathname, plugins: [tokenizerAssetsWorkerPlugin(record)], logLevel: 'silent' });
		await bundle.generate({ format: 'es' });
		await bundle.close();
		expect(record.manifest).toBeNull();
	});
});
