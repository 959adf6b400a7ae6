import { afterEach, describe, expect, it } from 'vitest';
import { EngineError, sentResponseFormat, type ChatRequest, type StreamUpdate } from '$lib/core/contracts/engine';
import { CHUNK_RESPONSE_FORMAT, CHUNK_ENTRIES_SCHEMA } from '$lib/core/recipes/chunked';
import { EndpointEngine } from './endpoint-engine';
import { corsFix, isMixedContent, withV1 } from './endpoint-diagnosis';
import { startModelServer, type ModelServer } from '../../../tests/model-server/server.mjs';

/**
 * The endpoint engine against the committed test model server: structured output per mode, the
 * probe that picks the mode, streaming (live updates, usage, a cut stream kept as partial text)
 * and the connection test's causes.
 */

let servers: ModelServer[] = [];
async function start(options: Parameters<typeof startModelServer>[0] = {}): Promise<ModelServer> {
	const server = await startModelServer(options);
	servers.push(server);
	return server;
}
afterEach(async () => {
	await Promise.all(servers.map((server) => server.close()));
	servers = [];
});

const chunkRequest: ChatRequest = {
	messages: [
		{ role: 'system', content: 'Mara keeps the lighthouse on the northern cliff.' },
		{ role: 'user', content: 'Write prompts about the lamp and the fog.\nReturn the array as the "entries" field of one JSON object, with exactly 3 entries: {"entries": [{"prompt": "...", "response": "..."}]}' }
	],
	sampling: { max_tokens: 400 },
	responseFormat: CHUNK_RESPONSE_FORMAT
};

async function failure(promise: Promise<unknown>): Promise<EngineError> {
	try {
		await promise;
	} catch (error) {
		if (error instanceof EngineError) return error;
		throw error;
	}
	throw new Error('expected a failure');
}

describe('structured output per server', () => {
	it('sentResponseFormat: the schema only in json_schema mode and when the recipe has one; nothing prompt-only', () => {
		expect(sentResponseFormat('json_schema', { type: 'json_object', schema: {} })).toBe('json_schema');
		expect(sentResponseFormat('json_schema', { type: 'json_object' })).toBe('json_object');
		expect(sentResponseFormat('json_object', { type: 'json_object', schema: {} })).toBe('json_object');
		expect(sentResponseFormat('prompt', { type: 'json_object', schema: {} })).toBeNull();
		expect(sentResponseFormat('json_schema', undefined)).toBeNull();
	});

	it('sends the recipe schema as json_schema, a json_object, or no response_format, as set', async () => {
		const server = await start();
		for (const structuredOutput of ['json_schema', 'json_object', 'prompt'] as const) {
			const engine = new EndpointEngine({ baseUrl: server.url, model: 'test-model', structuredOutput });
			const response = await engine.chat(chunkRequest);
			expect(JSON.parse(response.content).entries).toHaveLength(3);
		}
		const sent = server.requests().map((entry) => entry.body.response_format);
		expect(sent[0]).toEqual({ type: 'json_schema', json_schema: { name: 'response', schema: CHUNK_ENTRIES_SCHEMA } });
		expect(sent[1]).toEqual({ type: 'json_object' });
		expect(sent[2]).toBeUndefined();
		expect(new EndpointEngine({ baseUrl: server.url, model: 'm', structuredOutput: 'json_schema' }).supportsJsonSchema).toBe(true);
		expect(new EndpointEngine({ baseUrl: server.url, model: 'm' }).structuredOutput).toBe('json_object');
	});

	it('the probe picks json_schema, json_object or prompt only by what the server accepts and answers', async () => {
		const full = await start();
		expect((await new EndpointEngine({ baseUrl: full.url, model: 'm' }).probeStructuredOutput()).mode).toBe('json_schema');
		expect(full.requests().map((entry) => entry.responseFormat)).toEqual(['json_schema']);

		const objectOnly = await start({ responseFormats: ['json_object'] });
		const second = await new EndpointEngine({ baseUrl: objectOnly.url, model: 'm' }).probeStructuredOutput();
		expect(second.mode).toBe('json_object');
		expect(second.tried[0]).toMatch(/json_schema: refused \(HTTP 400/);

		// Accepts json_schema but ignores it (answers prose): not trusted with schemas.
		const ignoring = await start({ answer: (body) => (body.response_format?.type === 'json_object' ? '{"color": "blue"}' : 'Blue, I think.') });
		expect((await new EndpointEngine({ baseUrl: ignoring.url, model: 'm' }).probeStructuredOutput()).mode).toBe('json_object');

		const neither = await start({ responseFormats: [] });
		const third = await new EndpointEngine({ baseUrl: neither.url, model: 'm' }).probeStructuredOutput();
		expect(third.mode).toBe('prompt');
		expect(third.tried).toHaveLength(3);
	});
});

describe('streaming', () => {
	it('streams: asks with stream and include_usage, reports chunks live, reads usage and the finish', async () => {
		const server = await start({ answer: () => 'The lamp is lit and the log is written; the fog came in at nine.' });
		const updates: StreamUpdate[] = [];
		const engine = new EndpointEngine({ baseUrl: server.url, model: 'm', stream: true });
		engine.onStream = (update) => updates.push(update);
		const response = await engine.chat(chunkRequest);
		expect(response.content).toBe('The lamp is lit and the log is written; the fog came in at nine.');
		expect(response.finishReason).toBe('stop');
		expect(response.usage?.completionTokens).toBeGreaterThan(0);
		expect(server.requests()[0].body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
		expect(updates.length).toBeGreaterThan(5);
		expect(updates.at(-1)).toMatchObject({ done: true, chars: response.content.length });
		expect(updates.filter((update) => update.done)).toHaveLength(1);
		expect(updates[0].messages).toBe(chunkRequest.messages);
		expect(updates.map((update) => update.chars)).toEqual([...updates.map((update) => update.chars)].sort((a, b) => a - b));
	});

	it('a stream cut off mid-way is a retryable timeout carrying the text received', async () => {
		const server = await start({ answer: () => 'one two three four five six seven eight nine ten' });
		server.script([{ kind: 'drop-stream' }]);
		const engine = new EndpointEngine({ baseUrl: server.url, model: 'm', stream: true });
		const error = await failure(engine.chat(chunkRequest));
		expect(error.kind).toBe('timeout');
		expect(error.message).toMatch(/cut off after \d+ characters/);
		expect(error.partial).toMatch(/^one two/);
		expect(error.partial).not.toContain('ten');
		// The next attempt gets the whole answer.
		expect((await engine.chat(chunkRequest)).content).toBe('one two three four five six seven eight nine ten');
	});

	it('a plain answer whose connection closes half-way is a retryable network error', async () => {
		const server = await start();
		server.script([{ kind: 'drop-stream' }]);
		const error = await failure(new EndpointEngine({ baseUrl: server.url, model: 'm' }).chat(chunkRequest));
		expect(error.kind).toBe('network');
		expect(error.message).toContain('closed before the answer was complete');
	});

	it('a stream that stalls times out with its partial text; a server that does not stream is read as JSON', async () => {
		const slow = await start({ chunkDelayMs: 400, answer: () => 'slow words keep coming here' });
		const stalled = await failure(new EndpointEngine({ baseUrl: slow.url, model: 'm', stream: true, timeoutMs: 150 }).chat(chunkRequest));
		expect(stalled.kind).toBe('timeout');
		expect(stalled.partial).toBe('slow ');
		// Streaming resets the timeout per chunk: the whole answer takes longer than timeoutMs.
		const steady = await start({ chunkDelayMs: 60, answer: () => 'a b c d e f' });
		expect((await new EndpointEngine({ baseUrl: steady.url, model: 'm', stream: true, timeoutMs: 250 }).chat(chunkRequest)).content).toBe('a b c d e f');

		const plain = await start({ streaming: false, answer: () => 'no stream here' });
		expect((await new EndpointEngine({ baseUrl: plain.url, model: 'm', stream: true }).chat(chunkRequest)).content).toBe('no stream here');
		// Not streaming: no stream fields in the body.
		const off = await start();
		await new EndpointEngine({ baseUrl: off.url, model: 'm' }).chat(chunkRequest);
		expect(off.requests()[0].body.stream).toBeUndefined();
	});
});

describe('the connection test names the cause', () => {
	it('unauthorised without a key or with a wrong one', async () => {
		const server = await start({ apiKey: 'sk-right' });
		const none = await new EndpointEngine({ baseUrl: server.url, model: 'm' }).testConnection();
		expect(none).toMatchObject({ ok: false, reason: 'unauthorized' });
		expect(none.ok ? '' : none.message).toContain('none is set');
		const wrong = await new EndpointEngine({ baseUrl: server.url, model: 'm', apiKey: 'sk-wrong' }).testConnection();
		expect(wrong.ok ? '' : wrong.message).toContain('refused the API key');
		expect(await new EndpointEngine({ baseUrl: server.url, model: 'm', apiKey: 'sk-right' }).testConnection()).toEqual({ ok: true, models: ['test-model'] });
	});

	it('wrong path: a base URL without /v1 is told to add it', async () => {
		const server = await start();
		const result = await new EndpointEngine({ baseUrl: server.url.replace(/\/v1$/, ''), model: 'm' }).testConnection();
		expect(result).toMatchObject({ ok: false, reason: 'not-found' });
		expect(result.ok ? '' : result.message).toContain(`Use ${server.url} as the base URL`);
	});

	it('CORS refused (the page cannot read, a no-cors request gets through) versus not reachable', async () => {
		const server = await start();
		// Node's fetch does not enforce CORS: this one plays the browser, failing the cors-mode request.
		const browserFetch: typeof fetch = async (input, init) => {
			if (init?.mode !== 'no-cors') throw new TypeError('Failed to fetch');
			return fetch(input, { ...init, mode: undefined });
		};
		const cors = await new EndpointEngine({ baseUrl: `http://127.0.0.1:${server.port}/v1`, model: 'm', fetch: browserFetch, pageUrl: 'https://skein.example/generate/engines' }).testConnection();
		expect(cors).toMatchObject({ ok: false, reason: 'cors' });
		expect(cors.ok ? '' : cors.message).toContain('https://skein.example');
		const ollama = await new EndpointEngine({ baseUrl: 'http://127.0.0.1:11434/v1', model: 'm', fetch: async (input, init) => (init?.mode === 'no-cors' ? new Response(null, { status: 200 }) : Promise.reject(new TypeError('Failed to fetch'))) }).testConnection();
		expect(ollama.ok ? '' : ollama.message).toContain('OLLAMA_ORIGINS');

		const closedPort = server.port;
		await server.close();
		servers = [];
		const down = await new EndpointEngine({ baseUrl: `http://127.0.0.1:${closedPort}/v1`, model: 'm' }).testConnection();
		expect(down).toMatchObject({ ok: false, reason: 'unreachable' });
	});

	it('mixed content: an https page and a plain-http server on another machine, before any request', async () => {
		let calls = 0;
		const engine = new EndpointEngine({ baseUrl: 'http://gpu-box:8000/v1', model: 'm', pageUrl: 'https://skein.example/', fetch: async () => (calls++, new Response('{}')) });
		expect(await engine.testConnection()).toMatchObject({ ok: false, reason: 'mixed-content' });
		expect(calls).toBe(0);
		expect(isMixedContent('https://skein.example/', 'http://localhost:11434/v1')).toBe(false);
		expect(isMixedContent('https://skein.example/', 'http://127.0.0.2:8000/v1')).toBe(false);
		expect(isMixedContent('http://localhost:4173/', 'http://gpu-box:8000/v1')).toBe(false);
		expect(isMixedContent('https://skein.example/', 'https://gpu-box/v1')).toBe(false);
	});

	it('server-specific CORS fixes by port; /v1 suggested only when missing', () => {
		expect(corsFix('http://localhost:1234/v1', 'http://localhost:4173')).toContain('Enable CORS');
		expect(corsFix('http://box:8000/v1', 'https://skein.example')).toContain(`--allowed-origins '["https://skein.example"]'`);
		expect(corsFix('http://box:9999/v1', 'https://skein.example')).toContain('Access-Control-Allow-Origin for https://skein.example');
		expect(withV1('http://localhost:8080/')).toBe('http://localhost:8080/v1');
		expect(withV1('http://localhost:8080/v1')).toBeNull();
	});
});
