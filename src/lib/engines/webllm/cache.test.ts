import { describe, expect, it } from 'vitest';
import { deleteCachedModel, hasCachedWeights, listCachedModels, resolvedWeightsBase, weightsNameOfUrl, type CacheLike, type CacheStorageLike, type ResponseLike } from './cache';

const HF = 'https://huggingface.co/mlc-ai';
const LIBS = 'https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/main/web-llm-models/v0_2_86/base';

interface FakeEntry {
	length?: number;
	body?: unknown;
}

/** Cache Storage in memory: cache name → URL → entry. `opened` records which caches were opened. */
class FakeCaches implements CacheStorageLike {
	readonly stores = new Map<string, Map<string, FakeEntry>>();
	readonly opened: string[] = [];

	put(cacheName: string, url: string, entry: FakeEntry = {}): void {
		const store = this.stores.get(cacheName) ?? new Map<string, FakeEntry>();
		store.set(url, entry);
		this.stores.set(cacheName, store);
	}

	async has(name: string): Promise<boolean> {
		return this.stores.has(name);
	}

	async open(name: string): Promise<CacheLike> {
		this.opened.push(name);
		const store = this.stores.get(name) ?? new Map<string, FakeEntry>();
		this.stores.set(name, store);
		const urlOf = (request: { url: string } | string) => (typeof request === 'string' ? request : request.url);
		return {
			keys: async () => [...store.keys()].map((url) => ({ url })),
			match: async (request): Promise<ResponseLike | undefined> => {
				const entry = store.get(urlOf(request));
				if (!entry) return undefined;
				return {
					headers: { get: (name: string) => (name.toLowerCase() === 'content-length' && entry.length !== undefined ? String(entry.length) : null) },
					json: async () => entry.body
				};
			},
			delete: async (request) => store.delete(urlOf(request))
		};
	}
}

function cacheQwen(caches: FakeCaches, { shards = 2, withLengths = true } = {}): void {
	const base = `${HF}/Qwen2.5-0.5B-Instruct-q4f32_1-MLC/resolve/main/`;
	const records = Array.from({ length: 2 }, (_, i) => ({ dataPath: `params_shard_${i}.bin`, nbytes: 1000 + i }));
	caches.put('webllm/model', `${base}tensor-cache.json`, { length: withLengths ? 500 : undefined, body: { records } });
	for (let i = 0; i < shards; i += 1) caches.put('webllm/model', `${base}params_shard_${i}.bin`, { length: withLengths ? 2000 : undefined });
	caches.put('webllm/model', `${base}tokenizer.json`, { length: withLengths ? 300 : undefined });
	caches.put('webllm/config', `${base}mlc-chat-config.json`, { length: 10 });
	caches.put('webllm/wasm', `${LIBS}/Qwen2-0.5B-Instruct-q4f32_1_cs1k-webgpu.wasm`, { length: 5000 });
}

describe('listCachedModels', () => {
	it('returns nothing without Cache Storage or without the webllm caches, and creates none', async () => {
		expect(await listCachedModels(undefined)).toEqual([]);
		const caches = new FakeCaches();
		expect(await listCachedModels(caches)).toEqual([]);
		expect(caches.opened).toEqual([]);
	});

	it('groups entries by weights folder, sums content-length and checks the manifest', async () => {
		const caches = new FakeCaches();
		cacheQwen(caches);
		caches.put('webllm/model', `${HF}/gemma-2-2b-it-q4f16_1-MLC/resolve/main/tokenizer.json`, { length: 7 });
		caches.put('webllm/model', `${HF}/Custom-Model-MLC/resolve/main/tokenizer.json`, { length: 1 });
		const models = await listCachedModels(caches);
		expect(models).toEqual([
			{ weightsName: 'Custom-Model-MLC', modelIds: [], files: 1, bytes: 1, complete: false },
			{ weightsName: 'gemma-2-2b-it-q4f16_1-MLC', modelIds: ['gemma-2-2b-it-q4f16_1-MLC', 'gemma-2-2b-it-q4f16_1-MLC-1k'], files: 1, bytes: 7, complete: false },
			{ weightsName: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC', modelIds: ['Qwen2.5-0.5B-Instruct-q4f32_1-MLC'], files: 4, bytes: 500 + 2 * 2000 + 300, complete: true }
		]);
	});

	it('falls back to the manifest nbytes and reports an interrupted download as incomplete', async () => {
		const caches = new FakeCaches();
		cacheQwen(caches, { shards: 1, withLengths: false });
		const [qwen] = await listCachedModels(caches);
		expect(qwen).toMatchObject({ files: 3, bytes: 1000, complete: false });
	});
});

describe('deleteCachedModel', () => {
	it('removes weights, tokenizer, config and wasm of that model only', async () => {
		const caches = new FakeCaches();
		cacheQwen(caches);
		caches.put('webllm/model', `${HF}/Llama-3.2-1B-Instruct-q4f32_1-MLC/resolve/main/tokenizer.json`);
		caches.put('webllm/wasm', `${LIBS}/Llama-3.2-1B-Instruct-q4f32_1_cs1k-webgpu.wasm`);
		expect(await deleteCachedModel('Qwen2.5-0.5B-Instruct-q4f32_1-MLC', caches)).toBe(6);
		expect([...caches.stores.get('webllm/model')!.keys()]).toEqual([`${HF}/Llama-3.2-1B-Instruct-q4f32_1-MLC/resolve/main/tokenizer.json`]);
		expect(caches.stores.get('webllm/config')!.size).toBe(0);
		expect([...caches.stores.get('webllm/wasm')!.keys()]).toEqual([`${LIBS}/Llama-3.2-1B-Instruct-q4f32_1_cs1k-webgpu.wasm`]);
	});

	it('deletes the shared weights for a -1k id and does nothing without caches', async () => {
		const caches = new FakeCaches();
		caches.put('webllm/model', `${HF}/gemma-2-2b-it-q4f16_1-MLC/resolve/main/params_shard_0.bin`);
		expect(await deleteCachedModel('gemma-2-2b-it-q4f16_1-MLC-1k', caches)).toBe(1);
		expect(await deleteCachedModel('gemma-2-2b-it-q4f16_1-MLC', undefined)).toBe(0);
	});

	it('reads the weights folder from a URL', () => {
		expect(weightsNameOfUrl(`${HF}/SmolLM2-360M-Instruct-q4f16_1-MLC/resolve/main/tokenizer.json`)).toBe('SmolLM2-360M-Instruct-q4f16_1-MLC');
		expect(weightsNameOfUrl('https://example.com/x.bin')).toBeUndefined();
	});
});

describe('custom model weights', () => {
	it('resolves the folder web-llm caches under', () => {
		expect(resolvedWeightsBase('https://huggingface.co/my-org/tuned-MLC')).toBe('https://huggingface.co/my-org/tuned-MLC/resolve/main/');
		expect(resolvedWeightsBase('https://huggingface.co/my-org/tuned-MLC/')).toBe('https://huggingface.co/my-org/tuned-MLC/resolve/main/');
		expect(resolvedWeightsBase('http://localhost:8000/tuned/resolve/v2/')).toBe('http://localhost:8000/tuned/resolve/v2/');
	});

	it('is cached only when the manifest and every shard are there', async () => {
		const caches = new FakeCaches();
		const base = 'https://huggingface.co/my-org/tuned-MLC/resolve/main/';
		expect(await hasCachedWeights('https://huggingface.co/my-org/tuned-MLC', caches)).toBe(false);
		expect(caches.opened).toEqual([]);
		caches.put('webllm/model', `${base}tensor-cache.json`, { body: { records: [{ dataPath: 'params_shard_0.bin', nbytes: 10 }, { dataPath: 'params_shard_1.bin', nbytes: 10 }] } });
		caches.put('webllm/model', `${base}params_shard_0.bin`, { length: 10 });
		// Another model whose folder name starts the same must not count.
		caches.put('webllm/model', 'https://huggingface.co/my-org/tuned-MLC-v2/resolve/main/params_shard_1.bin', { length: 10 });
		expect(await hasCachedWeights('https://huggingface.co/my-org/tuned-MLC', caches)).toBe(false);
		caches.put('webllm/model', `${base}params_shard_1.bin`, { length: 10 });
		expect(await hasCachedWeights('https://huggingface.co/my-org/tuned-MLC', caches)).toBe(true);
		expect(await hasCachedWeights('https://huggingface.co/my-org/tuned-MLC/', caches)).toBe(true);
	});
});

describe('custom (self-hosted) weights in the cache', () => {
	const custom = { modelId: 'mara-tuned-q4f32_1', weightsUrl: 'http://127.0.0.1:4291/models/mara-tuned', modelLibUrl: 'http://127.0.0.1:4291/libs/mara-q4f32_1-webgpu.wasm' };
	const reusing = { modelId: 'mara-2', weightsUrl: 'https://example.org/mara-2/resolve/v2/', modelLibUrl: `${LIBS}/Qwen2-0.5B-Instruct-q4f32_1_cs1k-webgpu.wasm` };
	const base = 'http://127.0.0.1:4291/models/mara-tuned/resolve/main/';

	function withCustomFiles(): FakeCaches {
		const caches = new FakeCaches();
		caches.put('webllm/model', `${base}tensor-cache.json`, { length: 300, body: { records: [{ dataPath: 'params_shard_0.bin', nbytes: 1000 }] } });
		caches.put('webllm/model', `${base}params_shard_0.bin`, { length: 1000 });
		caches.put('webllm/model', `${base}tokenizer.json`, { length: 50 });
		caches.put('webllm/config', `${base}mlc-chat-config.json`, { length: 20 });
		caches.put('webllm/wasm', custom.modelLibUrl, { length: 4000 });
		caches.put('webllm/model', 'https://example.org/mara-2/resolve/v2/tensor-cache.json', { length: 10, body: { records: [{ dataPath: 'params_shard_0.bin' }] } });
		caches.put('webllm/wasm', reusing.modelLibUrl, { length: 4000 });
		caches.put('webllm/model', `${HF}/Qwen2.5-0.5B-Instruct-q4f32_1-MLC/resolve/main/tensor-cache.json`, { length: 10, body: { records: [] } });
		return caches;
	}

	it('lists weights hosted outside huggingface.co/mlc-ai under the custom model’s id', async () => {
		const caches = withCustomFiles();
		const listed = await listCachedModels(caches, undefined, [custom, reusing]);
		expect(listed.find((model) => model.weightsName === custom.modelId)).toEqual({ weightsName: custom.modelId, custom: true, modelIds: [custom.modelId], files: 3, bytes: 1350, complete: true });
		expect(listed.find((model) => model.weightsName === 'mara-2')).toMatchObject({ custom: true, complete: false });
		// Without the custom list they stay invisible, as before.
		expect((await listCachedModels(caches)).map((model) => model.weightsName)).toEqual(['Qwen2.5-0.5B-Instruct-q4f32_1-MLC']);
	});

	it('deletes a custom model’s weights, config and library, keeping a library another model uses', async () => {
		const caches = withCustomFiles();
		expect(await deleteCachedModel(custom.modelId, caches, undefined, [custom, reusing])).toBe(5);
		expect([...(caches.stores.get('webllm/model')?.keys() ?? [])].some((url) => url.startsWith(base))).toBe(false);
		expect(caches.stores.get('webllm/wasm')?.has(custom.modelLibUrl)).toBe(false);
		expect(await deleteCachedModel('mara-2', caches, undefined, [custom, reusing])).toBe(1);
		// The prebuilt library mara-2 reuses stays; so do the catalog's weights.
		expect(caches.stores.get('webllm/wasm')?.has(reusing.modelLibUrl)).toBe(true);
		expect(caches.stores.get('webllm/model')?.size).toBe(1);
		// The caches themselves are never deleted.
		expect([...caches.stores.keys()].sort()).toEqual(['webllm/config', 'webllm/model', 'webllm/wasm']);
	});
});
