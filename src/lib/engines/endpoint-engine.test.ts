import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EngineError, type ChatRequest } from '$lib/core/contracts/engine';
import { EndpointEngine, parseRetryAfter } from './endpoint-engine';

const API_KEY = 'sk-secret-test-key-1234567890';

/** What the scripted server does with the next chat request. */
type Behaviour = 'ok' | 'stall-body' | '429' | '429-date' | '500' | 'hang' | 'malformed' | 'echo-auth' | 'reasoning' | 'no-usage';

interface Received {
	method: string;
	url: string;
	authorization?: string;
	body?: Record<string, unknown>;
}

let server: Server;
let baseUrl: string;
let script: Behaviour[] = [];
let received: Received[] = [];
let modelsStatus = 200;
const hanging: ServerResponse[] = [];

function readBody(request: IncomingMessage): Promise<string> {
	return new Promise((resolve) => {
		let text = '';
		request.on('data', (chunk: Buffer) => (text += chunk.toString()));
		request.on('end', () => resolve(text));
	});
}

function json(response: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
	response.writeHead(status, { 'Content-Type': 'application/json', ...headers });
	response.end(JSON.stringify(value));
}

beforeAll(async () => {
	server = createServer(async (request, response) => {
		const entry: Received = { method: request.method ?? '', url: request.url ?? '', authorization: request.headers.authorization };
		received.push(entry);
		if (request.url === '/v1/models') {
			if (modelsStatus !== 200) return json(response, modelsStatus, { error: { message: 'nope' } });
			return json(response, 200, { object: 'list', data: [{ id: 'qwen3-0.6b' }, { id: 'llama' }] });
		}
		if (request.url !== '/v1/chat/completions') return json(response, 404, { error: { message: 'not found' } });
		entry.body = JSON.parse(await readBody(request)) as Record<string, unknown>;
		const behaviour = script.shift() ?? 'ok';
		const messages = entry.body.messages as { content: string }[];
		const completion = (message: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
			id: 'c1',
			object: 'chat.completion',
			model: 'served-model',
			choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: 'stop' }],
			usage: { prompt_tokens: 11, completion_tokens: 3, total_tokens: 14 },
			...extra
		});
		switch (behaviour) {
			case '429':
				return json(response, 429, { error: { message: 'slow down' } }, { 'Retry-After': '3' });
			case '429-date':
				return json(response, 429, { error: { message: 'slow down' } }, { 'Retry-After': new Date(Date.now() + 60_000).toUTCString() });
			case '500':
				return json(response, 500, { error: { message: 'internal' } });
			case 'hang':
				hanging.push(response);
				return;
			case 'stall-body':
				// Headers and half a body, then nothing: the timeout must cover reading the body too.
				response.writeHead(200, { 'Content-Type': 'application/json' });
				response.write('{"choices": ');
				hanging.push(response);
				return;
			case 'malformed':
				response.writeHead(200, { 'Content-Type': 'application/json' });
				return response.end('{"choices": [ {');
			case 'echo-auth':
				// A misbehaving proxy that reflects the Authorization header in its error.
				return json(response, 401, { error: { message: `bad key ${request.headers.authorization}` } });
			case 'reasoning':
				return json(response, 200, completion({ content: 'answer', reasoning_content: 'thinking' }));
			case 'no-usage':
				return json(response, 200, { choices: [{ message: { content: 'x' }, finish_reason: 'length' }] });
			default:
				return json(response, 200, completion({ content: `echo: ${messages.at(-1)?.content}` }));
		}
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
	for (const response of hanging) response.destroy();
	await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
	script = [];
	received = [];
	modelsStatus = 200;
});

const request: ChatRequest = {
	messages: [
		{ role: 'system', content: 'Be brief.' },
		{ role: 'user', content: 'Hello' }
	],
	sampling: { temperature: 0.4, top_p: 0.95, max_tokens: 32, seed: 11, stop: ['\n\n'] },
	responseFormat: { type: 'json_object' }
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

describe('EndpointEngine against a local OpenAI-compatible server', () => {
	it('sends model, messages and every sampling parameter, and parses the answer', async () => {
		const engine = new EndpointEngine({ baseUrl: baseUrl + '/', apiKey: API_KEY, model: 'qwen3-0.6b' });
		const response = await engine.chat(request);
		expect(response).toMatchObject({ content: 'echo: Hello', finishReason: 'stop', model: 'served-model', usage: { promptTokens: 11, completionTokens: 3, totalTokens: 14 } });
		expect(received[0].authorization).toBe(`Bearer ${API_KEY}`);
		expect(received[0].body).toEqual({
			model: 'qwen3-0.6b',
			messages: request.messages,
			temperature: 0.4,
			top_p: 0.95,
			max_tokens: 32,
			seed: 11,
			stop: ['\n\n'],
			response_format: { type: 'json_object' }
		});
	});

	it('sends no Authorization header without a key; a JSON schema only when supported', async () => {
		const engine = new EndpointEngine({ baseUrl, model: 'm', supportsJsonSchema: true });
		await engine.chat({ ...request, responseFormat: { type: 'json_object', schema: { type: 'object' } } });
		expect(received[0].authorization).toBeUndefined();
		expect(received[0].body?.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'response', schema: { type: 'object' } } });
	});

	it('maps 429 with Retry-After seconds and HTTP date', async () => {
		const engine = new EndpointEngine({ baseUrl, model: 'm' });
		script = ['429'];
		const seconds = await failure(engine.chat(request));
		expect(seconds).toMatchObject({ kind: 'http', status: 429, retryAfterMs: 3000 });
		expect(seconds.message).toContain('slow down');
		script = ['429-date'];
		const dated = await failure(engine.chat(request));
		expect(dated.retryAfterMs).toBeGreaterThan(50_000);
		expect(dated.retryAfterMs).toBeLessThanOrEqual(60_000);
	});

	it('maps 500, malformed JSON, timeouts, network errors and aborts', async () => {
		const engine = new EndpointEngine({ baseUrl, model: 'm', timeoutMs: 150 });
		script = ['500'];
		expect(await failure(engine.chat(request))).toMatchObject({ kind: 'http', status: 500 });
		script = ['malformed'];
		expect(await failure(engine.chat(request))).toMatchObject({ kind: 'bad-response' });
		script = ['hang'];
		expect(await failure(engine.chat(request))).toMatchObject({ kind: 'timeout' });
		script = ['stall-body'];
		expect(await failure(engine.chat(request))).toMatchObject({ kind: 'timeout' });
		const controller = new AbortController();
		script = ['hang'];
		const pending = engine.chat({ ...request, signal: controller.signal });
		setTimeout(() => controller.abort(), 20);
		expect(await failure(pending)).toMatchObject({ kind: 'aborted' });
		const closed = new EndpointEngine({ baseUrl: 'http://127.0.0.1:9/v1', model: 'm' });
		expect(await failure(closed.chat(request))).toMatchObject({ kind: 'network' });
	});

	it('keeps reasoning as <think> and tolerates missing usage', async () => {
		const engine = new EndpointEngine({ baseUrl, model: 'm' });
		script = ['reasoning', 'no-usage'];
		expect((await engine.chat(request)).content).toBe('<think>thinking</think>answer');
		const bare = await engine.chat(request);
		expect(bare).toMatchObject({ content: 'x', finishReason: 'length', model: 'm' });
		expect(bare.usage).toBeUndefined();
	});

	it('never puts the API key in an error message', async () => {
		const engine = new EndpointEngine({ baseUrl, apiKey: API_KEY, model: 'm' });
		script = ['echo-auth'];
		const error = await failure(engine.chat(request));
		expect(error.status).toBe(401);
		expect(error.message).not.toContain(API_KEY);
		expect(error.message).toContain('[redacted]');
		const unreachable = new EndpointEngine({ baseUrl: 'http://127.0.0.1:9/v1', apiKey: API_KEY, model: 'm' });
		const network = await failure(unreachable.chat(request));
		expect(network.message).not.toContain(API_KEY);
		expect(JSON.stringify(network)).not.toContain(API_KEY);
	});

	it('testConnection lists models and explains failures in plain words', async () => {
		const engine = new EndpointEngine({ baseUrl, apiKey: API_KEY, model: 'm' });
		expect(await engine.testConnection()).toEqual({ ok: true, models: ['qwen3-0.6b', 'llama'] });
		modelsStatus = 401;
		const unauthorized = await engine.testConnection();
		expect(unauthorized).toMatchObject({ ok: false, reason: 'unauthorized' });
		const wrongPath = new EndpointEngine({ baseUrl: baseUrl.replace('/v1', '/nope'), model: 'm' });
		expect(await wrongPath.testConnection()).toMatchObject({ ok: false, reason: 'not-found' });
		const down = await new EndpointEngine({ baseUrl: 'http://127.0.0.1:9/v1', model: 'm' }).testConnection();
		// Nothing listens there: not reachable (a no-cors request fails too), not a CORS problem.
		expect(down).toMatchObject({ ok: false, reason: 'unreachable' });
		expect(down.ok ? '' : down.message).toContain('Cannot reach');
	});
});

describe('parseRetryAfter', () => {
	it('reads seconds, HTTP dates, and rejects junk', () => {
		expect(parseRetryAfter('120')).toBe(120_000);
		expect(parseRetryAfter('1.5')).toBe(1500);
		expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10_000);
		expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:29:00 GMT'))).toBe(0);
		expect(parseRetryAfter('soon')).toBeUndefined();
		expect(parseRetryAfter(null)).toBeUndefined();
	});
});
