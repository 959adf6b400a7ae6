/**
 * A small static server for the built app (build/): serves files, answers unknown paths with the
 * SPA shell, and never caches, so tests and benchmarks see the current build. Used by
 * `npm start`, the Playwright config and `npm run bench`.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';

/** @type {Record<string, string>} */
const TYPES = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.mjs': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.json': 'application/json; charset=utf-8',
	'.jsonl': 'application/jsonl; charset=utf-8',
	'.webmanifest': 'application/manifest+json; charset=utf-8',
	'.svg': 'image/svg+xml',
	'.png': 'image/png',
	'.ico': 'image/x-icon',
	'.wasm': 'application/wasm',
	'.txt': 'text/plain; charset=utf-8'
};

/**
 * @param {{ root?: string, port?: number, host?: string, extra?: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => boolean }} options
 * @returns {Promise<{ url: string, close: () => Promise<void>, server: import('node:http').Server }>}
 */
export function startStaticServer({ root = 'build', port = 0, host = '127.0.0.1', extra } = {}) {
	const base = resolve(root);
	if (!existsSync(join(base, 'index.html'))) throw new Error(`No build in ${base}: run "npm run build" first.`);
	const server = createServer((req, res) => {
		if (extra?.(req, res)) return;
		const url = new URL(req.url ?? '/', 'http://x');
		let path = normalize(join(base, decodeURIComponent(url.pathname)));
		if (!path.startsWith(base)) {
			res.writeHead(403).end();
			return;
		}
		if (!existsSync(path) || statSync(path).isDirectory()) {
			const index = join(path, 'index.html');
			path = existsSync(index) ? index : join(base, 'index.html');
		}
		res.writeHead(200, {
			'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
			'cache-control': 'no-store',
			'service-worker-allowed': '/'
		});
		createReadStream(path).pipe(res);
	});
	return new Promise((ok, fail) => {
		server.once('error', fail);
		server.listen(port, host, () => {
			const address = server.address();
			const actualPort = typeof address === 'object' && address ? address.port : port;
			ok({
				url: `http://${host}:${actualPort}`,
				server,
				close: () =>
					new Promise((done) => {
						server.closeAllConnections?.();
						server.close(() => done());
					})
			});
		});
	});
}
