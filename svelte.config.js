import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		// A single-page app: every route falls back to index.html, which the service worker precaches.
		adapter: adapter({ fallback: 'index.html', strict: true }),
		// workbox-window registers the worker so that we can offer "reload for the new version".
		serviceWorker: { register: false },
		csp: {
			mode: 'hash',
			directives: {
				'default-src': ['self'],
				'script-src': ['self', 'wasm-unsafe-eval'],
				'style-src': ['self', 'unsafe-inline'],
				'img-src': ['self', 'data:', 'blob:'],
				'worker-src': ['self', 'blob:'],
				// Model servers live wherever the user runs them: a vLLM box on the local network
				// (http://gpu-box:8000/v1) as much as Ollama on localhost. Only connections are opened
				// up; scripts stay 'self'.
				'connect-src': ['self', 'http:', 'https:'],
				'object-src': ['none'],
				'base-uri': ['self'],
				'form-action': ['self']
			}
		}
	}
};

export default config;
