/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
/**
 * Precaches this build and serves it cache-first, so the app opens offline after one visit.
 * It only ever deletes its OWN old caches (prefix `skein-app-`): web-llm keeps model weights in
 * caches named `webllm/*`, and wiping those would cost users gigabytes of downloads.
 */
import { build, files, version } from '$service-worker';

const sw = self as unknown as ServiceWorkerGlobalScope;
const CACHE_PREFIX = 'skein-app-';
const CACHE = `${CACHE_PREFIX}${version}`;
/** The SPA shell: every navigation is answered with it. */
const SHELL = '/index.html';
/**
 * Chunks the data worker loads only when a feature needs them (tokenizer vocabularies, several
 * MB each) are cached the first time they are fetched instead of on the first visit, which stays
 * light. After one use they work offline too.
 */
const isLazyChunk = (path: string) => path.includes('/_app/immutable/workers/chunks/');
const PRECACHE = [...build.filter((path) => !isLazyChunk(path)), ...files, SHELL];
const PRECACHED = new Set(PRECACHE);

sw.addEventListener('install', (event) => {
	// No skipWaiting here: a new version waits until the page asks (workbox-window's messageSkipWaiting).
	event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)));
});

sw.addEventListener('activate', (event) => {
	event.waitUntil(
		(async () => {
			for (const key of await caches.keys()) {
				if (key.startsWith(CACHE_PREFIX) && key !== CACHE) await caches.delete(key);
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
