/**
 * Why a model server cannot be used from this page, in words with the fix: mixed content (an
 * https page calling an http server elsewhere), CORS (with the setting of the server the URL
 * looks like, from the table in docs/engines.md), and the base URL's usual shape.
 */

/** Hosts browsers treat as this machine: an https page may call them over http. */
function isLocalHost(hostname: string): boolean {
	const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
	return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** True when a page at `pageUrl` may not call `baseUrl`: https page, plain http server not on this machine. */
export function isMixedContent(pageUrl: string | undefined, baseUrl: string): boolean {
	if (!pageUrl) return false;
	try {
		const page = new URL(pageUrl);
		const server = new URL(baseUrl);
		return page.protocol === 'https:' && server.protocol === 'http:' && !isLocalHost(server.hostname);
	} catch {
		return false;
	}
}

interface KnownServer {
	name: string;
	port: string;
	fix: (origin: string) => string;
}

const KNOWN_SERVERS: KnownServer[] = [
	{ name: 'Ollama', port: '11434', fix: (origin) => `set OLLAMA_ORIGINS=${origin} before starting \`ollama serve\`` },
	{ name: 'llama.cpp (llama-server)', port: '8080', fix: (origin) => `newer builds restrict origins: start it with \`--cors-origins ${origin}\` (or leave the option out to allow all)` },
	{ name: 'LM Studio', port: '1234', fix: () => 'turn on "Enable CORS" in the server settings, or start it with `lms server start --cors`' },
	{ name: 'vLLM', port: '8000', fix: (origin) => `start it with \`--allowed-origins '["${origin}"]'\`` },
	{ name: 'Docker Model Runner', port: '12434', fix: () => '`docker desktop enable model-runner --tcp 12434 --cors all`' }
];

/** The CORS fix for the server the base URL looks like (by its usual port), or the general one. */
export function corsFix(baseUrl: string, origin: string): string {
	let port = '';
	try {
		port = new URL(baseUrl).port;
	} catch {
		// An unreadable URL gets the general advice.
	}
	const known = KNOWN_SERVERS.find((server) => server.port === port);
	const general = `The server must answer OPTIONS requests and send Access-Control-Allow-Origin for ${origin} (and allow the Authorization and Content-Type headers); a reverse proxy in front can add them.`;
	return known ? `If this is ${known.name}: ${known.fix(origin)}. ${general}` : general;
}

/** The base URL with /v1 added, when it lacks one (the usual mistake behind a 404). */
export function withV1(baseUrl: string): string | null {
	const trimmed = baseUrl.replace(/\/+$/, '');
	return /\/v1$/.test(trimmed) ? null : `${trimmed}/v1`;
}
