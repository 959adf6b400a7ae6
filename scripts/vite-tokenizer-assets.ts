/**
 * Writes the tokenizer manifest (`_app/tokenizer-assets.json`: each tokenizer's built files and
 * their sizes) from the data worker's bundle. Two plugins share one record: the worker build's
 * plugin sees the chunks with the modules they were made for (only it can tell which hashed chunk
 * holds which vocabulary); the client build's plugin, whose bundle the workers are part of, emits
 * the file. A build in which a tokenizer lost its chunk fails here instead of shipping a wrong list.
 */
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { collectTokenizerAssets, TOKENIZER_ASSETS_FILE, type BuiltChunk, type TokenizerAssetManifest } from '../src/lib/core/analysis/tokenizer-assets.ts';
import { OFFLINE_TOKENIZERS, type OfflineTokenizerId } from '../src/lib/core/analysis/offline-tokenizers.ts';

/** The file whose dynamic imports load the vocabularies: specifiers are resolved as it sees them. */
export const TOKENIZER_LOADER = fileURLToPath(new URL('../src/lib/core/analysis/tokenizer-loader.ts', import.meta.url));
/** The chat-template families' tokenizer loader (issue 15). */
export const TEMPLATE_TOKENIZER_LOADER = fileURLToPath(new URL('../src/lib/core/templates/template-tokenizers.ts', import.meta.url));

export interface TokenizerAssetsRecord {
	manifest: TokenizerAssetManifest | null;
}

/** For `worker.plugins`: records the manifest when the bundle holds the tokenizer chunks. */
export function tokenizerAssetsWorkerPlugin(record: TokenizerAssetsRecord, importer = TOKENIZER_LOADER, templateImporter = TEMPLATE_TOKENIZER_LOADER): Plugin {
	return {
		name: 'skein-tokenizer-assets-worker',
		async generateBundle(_options, bundle) {
			const chunks: BuiltChunk[] = [];
			for (const item of Object.values(bundle)) {
				if (item.type !== 'chunk') continue;
				chunks.push({ fileName: item.fileName, facadeModuleId: item.facadeModuleId, imports: item.imports, bytes: Buffer.byteLength(item.code) });
			}
			const moduleIds = new Set(Object.values(bundle).flatMap((item) => (item.type === 'chunk' ? Object.keys(item.modules) : [])));
			// Only the data and token-count workers load tokenizers (both loaders); another worker's bundle holds none of them.
			if (!moduleIds.has(importer) || !moduleIds.has(templateImporter)) return;
			const entries = {} as Record<OfflineTokenizerId, string>;
			for (const { id, module, loader } of OFFLINE_TOKENIZERS) {
				const resolved = await this.resolve(module, loader === 'analysis' ? importer : templateImporter);
				if (!resolved) this.error(`Cannot resolve ${module}, the ${id} tokenizer`);
				entries[id] = resolved.id;
			}
			record.manifest = collectTokenizerAssets(chunks, entries);
		}
	};
}

/** For the app's plugins: emits the manifest into the client build, next to the chunks it names. */
export function tokenizerAssetsPlugin(record: TokenizerAssetsRecord): Plugin {
	return {
		name: 'skein-tokenizer-assets',
		apply: 'build',
		generateBundle() {
			if (this.environment.name !== 'client') return;
			if (!record.manifest) this.error('The data worker was built without its tokenizer chunks: no tokenizer manifest to write');
			this.emitFile({ type: 'asset', fileName: TOKENIZER_ASSETS_FILE, source: JSON.stringify(record.manifest, null, '\t') + '\n' });
		}
	};
}
