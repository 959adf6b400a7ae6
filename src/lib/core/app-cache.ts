/**
 * The names of Skein's own Cache Storage caches, one per app version, shared by the service worker
 * (which fills and prunes them) and the page (which keeps tokenizers offline in the current one).
 * Only these are ever deleted: web-llm keeps model weights in caches named `webllm/*`, and wiping
 * those would cost users gigabytes of downloads.
 */
export const APP_CACHE_PREFIX = 'skein-app-';

export function appCacheName(version: string): string {
	return `${APP_CACHE_PREFIX}${version}`;
}

/** A cache of another Skein version than the one named `currentCache`: the only kind of cache that may be deleted. */
export function isOldAppCache(name: string, currentCache: string): boolean {
	return name.startsWith(APP_CACHE_PREFIX) && name !== currentCache;
}
