/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
/**
 * Precaches this build and serves it cache-first, so the app opens offline after one visit.
 * It only ever deletes its OWN old caches (prefix `skein-app-`, `core/app-cache.ts`): web-llm keeps
 * model weights in caches named `webllm/*`, and wiping those would cost users gigabytes of downloads.
 */
import { base, build, files, version } from '$service-worker';
import { appCacheName, isOldAppCache } from '$lib/core/app-cache';
import { DEFAULT_TOKENIZER } from '$lib/core/analysis/tokenizers';
import { assetPath, filesToCarryOver, parseTokenizerAssets, TOKENIZER_ASSETS_FILE, type TokenizerAssetManifest } from '$lib/core/analysis/tokenizer-assets';

const sw = self as unknown as ServiceWorkerGlobalScope;
// The version is named once, here (a test deploys "the same build, another version" by changing it).
const CACHE = appCacheName(version);
/** The SPA shell: every navigation is answered with it. */
const SHELL = '/index.html';
/** Which built files each tokenizer needs (written by the build, read by the page too). */
const TOKENIZER_MANIFEST = assetPath(base, TOKENIZER_ASSETS_FILE);
/**
 * Chunks the data worker loads only when a feature needs them (tokenizer vocabularies, several
 * MB each) stay out of the first visit's download, except the default tokenizer's, so that Analysis
 * counts tokens offline. The others are cached when the page makes them available offline, or the
 * first time they are fetched.
 */
const isLazyChunk = (path: string) => path.includes('/_app/immutable/workers/chunks/');
const PRECACHE = [...build.filter((path) => !isLazyChunk(path)), ...files, SHELL];
const PRECACHED = new Set([...PRECACHE, TOKENIZER_MANIFEST]);

async function readManifest(response: Response): Promise<TokenizerAssetManifest | null> {
	try {
		return parseTokenizerAssets(await response.json());
	} catch {
		return null;
	}
}

/**
 * Keeps what worked offline working after an update: a tokenizer that was fully cached under an
 * older version is cached again for this one (copied when its chunk is unchanged, downloaded when
 * its hash changed), and any of this build's tokenizer chunks an older cache already holds is copied.
 * Best effort: a file that cannot be had is cached on first use, and the page shows it as missing.
 */
async function carryOverTokenizers(cache: Cache, manifest: TokenizerAssetManifest): Promise<void> {
	const ours = new Set(Object.values(manifest).flatMap((assets) => assets.files));
	for (const name of await caches.keys()) {
		if (!isOldAppCache(name, CACHE)) continue;
		const old = await caches.open(name);
		const held = new Set((await old.keys()).map((request) => new URL(request.url).pathname));
		const oldManifest = await old.match(TOKENIZER_MANIFEST);
		const previous = oldManifest ? await readManifest(oldManifest) : null;
		const wanted = new Set([...ours].filter((file) => held.has(assetPath(base, file))));
		if (previous) for (const file of filesToCarryOver(previous, (f) => held.has(assetPath(base, f)), manifest)) wanted.add(file);
		for (const file of wanted) {
			const path = assetPath(base, file);
			if (await cache.match(path)) continue;
			const response = (await old.match(path)) ?? (await fetch(path).catch(() => null));
			if (response?.ok) await cache.put(path, response);
		}
	}
}

sw.addEventListener('install', (event) => {
	// No skipWaiting here: a new version waits until the page asks (workbox-window's messageSkipWaiting).
	event.waitUntil(
		(async () => {
			const cache = await caches.open(CACHE);
			const response = await fetch(TOKENIZER_MANIFEST, { cache: 'no-store' });
			const manifest = response.ok ? await readManifest(response.clone()) : null;
			if (!manifest) throw new Error(`No valid tokenizer manifest at ${TOKENIZER_MANIFEST}`);
			await cache.put(TOKENIZER_MANIFEST, response);
			const defaultTokenizer = manifest[DEFAULT_TOKENIZER].files.map((file) => assetPath(base, file));
			await cache.addAll([...PRECACHE, ...defaultTokenizer]);
			await carryOverTokenizers(cache, manifest).catch(() => undefined);
		})()
	);
});

sw.addEventListener('activate', (event) => {
	event.waitUntil(
		(async () => {
			for (const key of await caches.keys()) {
				if (isOldAppCache(key, CACHE)) await caches.delete(key);
			}
			await sw.clients.claim();
		})()
	);
});

sw.addEventListener('message', (event) => {
	if (event.data?.type === 'SKIP_WAITING') void sw.skipWaiting();
});

sw.addEventListener('fetch', (event) => {
	const request = event.request;
	if (request.method !== 'GET') return;
	const url = new URL(request.url);
	if (url.origin !== sw.location.origin) return;

	if (request.mode === 'navigate') {
		event.respondWith(
			(async () => {
				const cache = await caches.open(CACHE);
				const shell = await cache.match(SHELL);
				if (shell) return shell;
				return fetch(request);
			})()
		);
		return;
	}
	if (isLazyChunk(url.pathname)) {
		event.respondWith(
			(async () => {
				const cache = await caches.open(CACHE);
				const cached = await cache.match(url.pathname);
				if (cached) return cached;
				const response = await fetch(request);
				if (response.ok) await cache.put(url.pathname, response.clone());
				return response;
			})()
		);
		return;
	}
	if (PRECACHED.has(url.pathname)) {
		event.respondWith(
			(async () => {
				const cache = await caches.open(CACHE);
				return (await cache.match(url.pathname)) ?? fetch(request);
			})()
		);
	}
});
