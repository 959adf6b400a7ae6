/**
 * Lists and deletes cached WebLLM models by reading Cache Storage directly, without importing
 * web-llm (6.8 MB), so a settings page can show "what is on this device" cheaply.
 *
 * web-llm's default `cacheBackend: "cache"` keeps three caches keyed by full URL (webllm.md B.5):
 * `webllm/model` (tensor-cache.json, params_shard_*.bin, tokenizer), `webllm/config`
 * (mlc-chat-config.json) and `webllm/wasm` (the model library). Weights live under
 * `…/mlc-ai/<weights folder>/resolve/main/…`; `-1k` variants share their base model's folder and
 * library, so one folder is one cached model here.
 */
import { WEBLLM_MODELS, type WebLLMModel } from './models';

export const WEBLLM_CACHE_NAMES = { model: 'webllm/model', config: 'webllm/config', wasm: 'webllm/wasm' } as const;

export interface ResponseLike {
	headers: { get(name: string): string | null };
	json(): Promise<unknown>;
}

export interface CacheLike {
	keys(): Promise<ReadonlyArray<{ url: string }>>;
	match(request: { url: string } | string): Promise<ResponseLike | undefined>;
	delete(request: { url: string } | string): Promise<boolean>;
}

export interface CacheStorageLike {
	has(name: string): Promise<boolean>;
	open(name: string): Promise<CacheLike>;
}

export interface CachedModel {
	/** The weights folder (a model id without `-1k`); a custom model's id. */
	weightsName: string;
	/** Set for a custom model's weights (hosted anywhere; found under its resolved URL). */
	custom?: boolean;
	/** Catalog ids served by these weights (empty for a model outside our catalog). */
	modelIds: string[];
	files: number;
	/** Bytes from content-length (or the manifest's nbytes); a lower bound when neither is known. */
	bytes: number;
	/** Every shard listed in tensor-cache.json is present: loading will not download weights. */
	complete: boolean;
}

function defaultCaches(): CacheStorageLike | undefined {
	return (globalThis as { caches?: CacheStorageLike }).caches;
}

const WEIGHTS_FOLDER = /\/mlc-ai\/([^/]+)\//;

export function weightsNameOfUrl(url: string): string | undefined {
	return WEIGHTS_FOLDER.exec(url)?.[1];
}

/** Opens a cache only if it exists (`caches.open` would create an empty one). */
async function openExisting(storage: CacheStorageLike, name: string): Promise<CacheLike | undefined> {
	return (await storage.has(name)) ? storage.open(name) : undefined;
}

interface ManifestShard {
	dataPath: string;
	nbytes?: number;
}

function manifestShards(manifest: unknown): ManifestShard[] {
	const records = (manifest as { records?: unknown })?.records;
	if (!Array.isArray(records)) return [];
	return records.flatMap((record: unknown) => {
		const { dataPath, nbytes } = (record ?? {}) as { dataPath?: unknown; nbytes?: unknown };
		return typeof dataPath === 'string' ? [{ dataPath, nbytes: typeof nbytes === 'number' ? nbytes : undefined }] : [];
	});
}

function contentLength(response: ResponseLike | undefined): number | undefined {
	const value = response?.headers.get('content-length');
	const parsed = value === null || value === undefined ? NaN : Number(value);
	return Number.isFinite(parsed) && parsed >= 0 ? parsed : undefined;
}

/** What the cache needs to know of a custom model (custom-models.ts): where its files come from. */
export interface CustomWeights {
	modelId: string;
	weightsUrl: string;
	modelLibUrl: string;
}

/**
 * The models whose files are in web-llm's cache: the catalog's by their mlc-ai folder, and
 * `customs` (self-hosted anywhere) by their resolved weights URL, so they too can be seen and
 * deleted.
 */
export async function listCachedModels(
	storage: CacheStorageLike | undefined = defaultCaches(),
	catalog: readonly WebLLMModel[] = WEBLLM_MODELS,
	customs: readonly CustomWeights[] = []
): Promise<CachedModel[]> {
	if (!storage) return [];
	const cache = await openExisting(storage, WEBLLM_CACHE_NAMES.model);
	if (!cache) return [];
	const byFolder = new Map<string, Array<{ url: string }>>();
	const customIds = new Set<string>();
	const bases = customs.map((custom) => ({ id: custom.modelId, base: resolvedWeightsBase(custom.weightsUrl) }));
	for (const request of await cache.keys()) {
		const custom = bases.find((entry) => request.url.startsWith(entry.base));
		const folder = custom?.id ?? weightsNameOfUrl(request.url);
		if (!folder) continue;
		if (custom) customIds.add(custom.id);
		byFolder.set(folder, [...(byFolder.get(folder) ?? []), request]);
	}
	const models: CachedModel[] = [];
	for (const [weightsName, requests] of byFolder) {
		const urls = new Set(requests.map((request) => request.url));
		const manifestRequest = requests.find((request) => /\/(tensor|ndarray)-cache\.json$/.test(request.url));
		let shards: ManifestShard[] = [];
		if (manifestRequest) {
			try {
				shards = manifestShards(await (await cache.match(manifestRequest))?.json());
			} catch {
				// An unreadable manifest: report the files, not completeness.
			}
		}
		const shardBytes = new Map(shards.map((shard) => [manifestRequest ? new URL(shard.dataPath, manifestRequest.url).href : shard.dataPath, shard.nbytes]));
		let bytes = 0;
		for (const request of requests) {
			bytes += contentLength(await cache.match(request)) ?? shardBytes.get(request.url) ?? 0;
		}
		const custom = customIds.has(weightsName);
		models.push({
			weightsName,
			...(custom ? { custom: true } : {}),
			modelIds: custom ? [weightsName] : catalog.filter((model) => model.weightsName === weightsName).map((model) => model.modelId),
			files: requests.length,
			bytes,
			complete: shards.length > 0 && [...shardBytes.keys()].every((url) => urls.has(url))
		});
	}
	return models.sort((a, b) => a.weightsName.localeCompare(b.weightsName));
}

/**
 * Deletes a model's weights, tokenizer, config and library (what web-llm's
 * `deleteModelAllInfoInCache` does). Also removes the `-1k` sibling, which shares all of them.
 * Returns how many entries were deleted.
 */
export async function deleteCachedModel(
	modelId: string,
	storage: CacheStorageLike | undefined = defaultCaches(),
	catalog: readonly WebLLMModel[] = WEBLLM_MODELS,
	customs: readonly CustomWeights[] = []
): Promise<number> {
	if (!storage) return 0;
	const custom = customs.find((entry) => entry.modelId === modelId);
	const weightsName = modelId.replace(/-1k$/, '');
	const modelLib = catalog.find((model) => model.modelId === modelId)?.modelLib;
	// A custom model's library is kept when another model uses the same file (a fine-tune reusing a prebuilt one).
	const libShared = (url: string) => customs.some((other) => other !== custom && other.modelLibUrl === url) || catalog.some((model) => url.endsWith(`/${model.modelLib}`));
	const matches = custom
		? (url: string) => url.startsWith(resolvedWeightsBase(custom.weightsUrl)) || (url === custom.modelLibUrl && !libShared(url))
		: (url: string) => url.includes(`/mlc-ai/${weightsName}/`) || (modelLib !== undefined && url.includes(modelLib));
	let deleted = 0;
	for (const name of Object.values(WEBLLM_CACHE_NAMES)) {
		const cache = await openExisting(storage, name);
		if (!cache) continue;
		for (const request of await cache.keys()) {
			if (matches(request.url) && (await cache.delete(request))) deleted += 1;
		}
	}
	return deleted;
}

/**
 * web-llm's `cleanModelUrl` (webllm.md B.7): a trailing slash, then `resolve/main/` unless the URL
 * already names a `resolve/<revision>/` folder. Files are cached under this base.
 */
export function resolvedWeightsBase(weightsUrl: string): string {
	const base = weightsUrl.endsWith('/') ? weightsUrl : `${weightsUrl}/`;
	return /\/resolve\/[^/]+\//.test(base) ? base : `${base}resolve/main/`;
}

/**
 * Whether a custom model's weights are fully in web-llm's cache (its manifest and every shard it
 * lists), for weights outside huggingface.co/mlc-ai, which `listCachedModels` groups by folder.
 */
export async function hasCachedWeights(weightsUrl: string, storage: CacheStorageLike | undefined = defaultCaches()): Promise<boolean> {
	if (!storage) return false;
	const cache = await openExisting(storage, WEBLLM_CACHE_NAMES.model);
	if (!cache) return false;
	const base = resolvedWeightsBase(weightsUrl);
	const urls = new Set((await cache.keys()).map((request) => request.url).filter((url) => url.startsWith(base)));
	const manifestUrl = [...urls].find((url) => /^(tensor|ndarray)-cache\.json$/.test(url.slice(base.length)));
	if (!manifestUrl) return false;
	try {
		const shards = manifestShards(await (await cache.match(manifestUrl))?.json());
		return shards.length > 0 && shards.every((shard) => urls.has(new URL(shard.dataPath, manifestUrl).href));
	} catch {
		return false;
	}
}
