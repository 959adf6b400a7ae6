import { afterEach, describe, expect, it } from 'vitest';
import { defaultAnswer, isLoopback, startModelServer, valueForSchema, type ModelServer } from './server.mjs';
import { parseFacts } from '$lib/core/recipes/identity-facts';
import { parseQuestions } from '$lib/core/recipes/identity-qa';
import { parseJudgeAnswer, judgeRequest, DEFAULT_JUDGE_RUBRIC, JudgeSettingsSchema } from '$lib/core/recipes/judge';
import { extractRecords } from '$lib/core/compiler/extract';

/**
 * The test model server, through real HTTP: what the e2e tests and the bench rely on (answers the
 * recipes accept, scripted faults, streaming, CORS, the request log, the control endpoints).
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

const LIGHTHOUSE = 'Tell me about the lighthouse on the northern cliff and the fog that comes at nine';

function chatBody(extra: Record<string, unknown> = {}, content = LIGHTHOUSE) {
	return JSON.stringify({ model: 'test-model', max_tokens: 200, messages: [{ role: 'user', content }], ...extra });
}

async function post(server: ModelServer, body: string, headers: Record<string, string> = {}): Promise<Response> {
	return fetch(`${server.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

async function contentOf(response: Response): Promise<{ content: string; finish: string }> {
	const json = (await response.json()) as { choices: { message: { content: string }; finish_reason: string }[] };
	return { content: json.choices[0].message.content, finish: json.choices[0].finish_reason };
}

/** The data lines of an SSE body, parsed (the [DONE] line as the string). */
function events(text: string): unknown[] {
	return text
		.split('\n\n')
		.map((block) => block.trim())
		.filter((block) => block.startsWith('data: '))
		.map((block) => block.slice(6))
		.map((data) => (data === '[DONE]' ? data : JSON.parse(data)));
}

type Chunk = { choices: { delta: { content?: string }; finish_reason: string | null }[]; usage?: { completion_tokens: number } };

/** Minimal JSON-schema check for what valueForSchema produces (objects, arrays, strings, numbers, enums, booleans). */
function conforms(value: unknown, schema: Record<string, unknown>): boolean {
	if (Array.isArray(schema.enum)) return schema.enum.includes(value);
	switch (schema.type) {
		case 'object': {
			if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
			const record = value as Record<string, unknown>;
			const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
			for (const key of (schema.required ?? []) as string[]) if (!(key in record)) return false;
			if (schema.additionalProperties === false && Object.keys(record).some((key) => !(key in properties))) return false;
			return Object.entries(properties).every(([key, child]) => !(key in record) || conforms(record[key], child));
		}
		case 'array':
			return Array.isArray(value) && value.length >= ((schema.minItems as number) ?? 0) && value.every((item) => conforms(item, schema.items as Record<string, unknown>));
		case 'string':
			return typeof value === 'string' && value.length >= ((schema.minLength as number) ?? 0);
		case 'integer':
			return Number.isInteger(value) && (schema.minimum === undefined || (value as number) >= (schema.minimum as number)) && (schema.maximum === undefined || (value as number) <= (schema.maximum as number));
		case 'number':
			return typeof value === 'number';
		case 'boolean':
			return typeof value === 'boolean';
		default:
			return false;
	}
}

describe('test model server', () => {
	it('refuses to listen anywhere but loopback', async () => {
		expect(isLoopback('127.0.0.2')).toBe(true);
		expect(isLoopback('::1')).toBe(true);
		expect(isLoopback('localhost')).toBe(true);
		expect(isLoopback('0.0.0.0')).toBe(false);
		expect(isLoopback('192.168.1.4')).toBe(false);
		await expect(startModelServer({ host: '0.0.0.0' })).rejects.toThrow(/loopback only/);
	});

	it('lists its models and answers a plain request with usage', async () => {
		const server = await start({ model: ['keeper-7b', 'small'] });
		expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
		const models = (await (await fetch(`${server.url}/models`)).json()) as { data: { id: string }[] };
		expect(models.data.map((model) => model.id)).toEqual(['keeper-7b', 'small']);
		const response = await post(server, chatBody());
		expect(response.status).toBe(200);
		const json = (await response.json()) as { choices: { message: { content: string } }[]; usage: { completion_tokens: number } };
		expect(json.choices[0].message.content).toContain('lighthouse');
		expect(json.usage.completion_tokens).toBeGreaterThan(0);
		const log = server.requests();
		expect(log.map((entry) => entry.path)).toEqual(['/v1/models', '/v1/chat/completions']);
		expect(log[1]).toMatchObject({ method: 'POST', stream: false, responseFormat: null, status: 200 });
		expect(log[1].body.max_tokens).toBe(200);
	});

	it('streams server-sent events with a finish chunk, usage when asked, then [DONE]', async () => {
		const server = await start();
		const response = await post(server, chatBody({ stream: true, stream_options: { include_usage: true } }));
		expect(response.headers.get('content-type')).toContain('text/event-stream');
		const list = events(await response.text());
		expect(list.at(-1)).toBe('[DONE]');
		const chunks = list.slice(0, -1) as Chunk[];
		const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
		expect(text).toContain('lighthouse');
		expect(chunks.filter((chunk) => chunk.choices[0]?.delta.content).length).toBeGreaterThan(3);
		expect(chunks.some((chunk) => chunk.choices[0]?.finish_reason === 'stop')).toBe(true);
		expect(chunks.at(-1)?.usage?.completion_tokens).toBeGreaterThan(0);
		expect(server.requests()[0].stream).toBe(true);

		// Without include_usage there is no usage chunk; a server that does not stream answers JSON.
		const plain = events(await (await post(server, chatBody({ stream: true }))).text()) as Chunk[];
		expect(plain.some((chunk) => typeof chunk === 'object' && chunk.usage)).toBe(false);
		const noStream = await start({ streaming: false });
		const { content } = await contentOf(await post(noStream, chatBody({ stream: true })));
		expect(content).toContain('lighthouse');
	});

	it('answers json_schema requests with a value conforming to the schema, different per prompt', async () => {
		const server = await start();
		const schema = {
			type: 'object',
			properties: {
				entries: { type: 'array', minItems: 4, items: { type: 'object', properties: { prompt: { type: 'string', minLength: 1 }, response: { type: 'string', minLength: 20 } }, required: ['prompt', 'response'], additionalProperties: false } },
				mood: { type: 'string', enum: ['calm', 'stormy'] },
				score: { type: 'integer', minimum: 1, maximum: 5 },
				grounded: { type: 'boolean' },
				weight: { type: 'number' }
			},
			required: ['entries', 'mood', 'score', 'grounded', 'weight'],
			additionalProperties: false
		};
		const format = { type: 'json_schema', json_schema: { name: 'response', schema } };
		const first = JSON.parse((await contentOf(await post(server, chatBody({ response_format: format })))).content) as { entries: { prompt: string }[] };
		expect(conforms(first, schema)).toBe(true);
		expect(new Set(first.entries.map((entry) => entry.prompt)).size).toBe(first.entries.length);
		const second = JSON.parse((await contentOf(await post(server, chatBody({ response_format: format }, 'Write about bread, ovens and the baker at dawn')))).content);
		expect(conforms(second, schema)).toBe(true);
		expect(JSON.stringify(second)).not.toBe(JSON.stringify(first));
		expect(server.requests().map((entry) => entry.responseFormat)).toEqual(['json_schema', 'json_schema']);

		expect(conforms(valueForSchema({ type: 'array', minItems: 7, items: { type: 'string' } }, ['a']), { type: 'array', minItems: 7, items: { type: 'string' } })).toBe(true);
	});

	it('rejects a response_format it does not support with 400, like servers without json_schema', async () => {
		const server = await start({ responseFormats: ['json_object'] });
		const rejected = await post(server, chatBody({ response_format: { type: 'json_schema', json_schema: { name: 'r', schema: { type: 'object' } } } }));
		expect(rejected.status).toBe(400);
		expect(((await rejected.json()) as { error: { message: string } }).error.message).toContain('json_schema');
		const accepted = await post(server, chatBody({ response_format: { type: 'json_object' } }));
		expect(accepted.status).toBe(200);
		expect(JSON.parse((await contentOf(accepted)).content)).toEqual(expect.any(Object));
	});

	it('gives recipe-shaped answers: facts, questions, a judge verdict, a user turn, chunk entries, an in-voice answer', () => {
		const facts = parseFacts(
			defaultAnswer({
				messages: [
					{ role: 'system', content: 'You extract facts about Mara from a passage of Mara\'s own narrative.\nPut each fact in its own <fact></fact> tags.' },
					{ role: 'user', content: '<passage>\nI grew up on the island. My mother kept the lighthouse.\n</passage>' }
				]
			})
		).facts;
		expect(facts).toEqual(['Mara grew up on the island.', "Mara's mother kept the lighthouse."]);

		const questions = parseQuestions(
			defaultAnswer({
				messages: [
					{ role: 'system', content: 'You write questions that people ask Mara, an AI assistant, in ordinary conversations.' },
					{ role: 'user', content: 'Fact about Mara:\n<fact>Mara loves rainy days.</fact>\n\nWrite 4 different questions, each in <question></question> tags.' }
				]
			})
		);
		expect(questions).toHaveLength(4);

		const sample = { messages: [{ role: 'user' as const, content: 'Hi' }, { role: 'assistant' as const, content: 'Hello.' }], tags: [], meta: {} };
		const request = judgeRequest(sample, JudgeSettingsSchema.parse({ enabled: true, rubric: DEFAULT_JUDGE_RUBRIC, criteria: 'Be kind.', scaleMax: 7, threshold: 4 }), { max_tokens: 100 });
		const verdict = parseJudgeAnswer(defaultAnswer(request), 7);
		expect(verdict).toMatchObject({ ok: true, score: 7 });

		const userTurn = defaultAnswer({ messages: [{ role: 'system', content: 'You play the user.' }, { role: 'user', content: '<conversation>\nUSER: Hi\n\nASSISTANT: The fog rolls over the harbour.\n</conversation>\n\nWrite the next user message.' }] });
		expect(userTurn).toMatch(/\?$/);
		expect(userTurn).not.toMatch(/^(assistant|user):/i);

		const entries = defaultAnswer({
			messages: [
				{ role: 'system', content: 'The keeper of the northern light.' },
				{ role: 'user', content: 'Document: storms and lamps.\nReturn the array as the "entries" field of one JSON object, with exactly 5 entries: {"entries": [{"prompt": "...", "response": "..."}]}' }
			],
			response_format: { type: 'json_object' }
		});
		const parsed = JSON.parse(entries) as { entries: { prompt: string; response: string }[] };
		expect(parsed.entries).toHaveLength(5);
		expect(new Set(parsed.entries.map((entry) => entry.prompt)).size).toBe(5);

		const voice = defaultAnswer({
			messages: [
				{ role: 'system', content: 'You are Mara.\nI keep the light.\n## What you are not\nYou are not any of these: ChatGPT; Claude.\nYou were not made by any of these: OpenAI.' },
				{ role: 'user', content: 'Are you ChatGPT?' }
			]
		});
		expect(voice).toBe("No, I'm not ChatGPT. I'm Mara.");
		expect(defaultAnswer({ messages: [{ role: 'system', content: 'You are Mara.' }, { role: 'user', content: 'Who built you? Was it OpenAI?' }] })).toContain("I'm Mara");
	});

	it('consumes scripted faults in order, matching the last user message, and logs them', async () => {
		const server = await start();
		server.script([{ kind: '429', retryAfter: 3 }, { kind: '500', match: 'bread' }, { kind: 'empty', times: 2 }]);
		const limited = await post(server, chatBody());
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBe('3');
		// The 500 waits for a message about bread; the lighthouse gets the next fault that fits.
		expect((await contentOf(await post(server, chatBody()))).content).toBe('');
		expect((await post(server, chatBody({}, 'Bake bread'))).status).toBe(500);
		expect((await contentOf(await post(server, chatBody()))).content).toBe('');
		expect((await contentOf(await post(server, chatBody()))).content).toContain('lighthouse');
		expect(server.requests().map((entry) => [entry.status, entry.fault ?? null])).toEqual([
			[429, '429'],
			[200, 'empty'],
			[500, '500'],
			[200, 'empty'],
			[200, null]
		]);
	});

	it('mangles JSON the ways models do', async () => {
		const server = await start({ answer: () => '{"entries": [{"prompt": "Is the lamp lit?", "response": "Every night."}], "done": true}' });
		server.script([{ kind: 'cut-json' }, { kind: 'prose-wrapped' }, { kind: 'code-fence' }, { kind: 'missing-comma' }, { kind: 'in-character' }, { kind: 'unrelated' }, { kind: 'duplicate' }]);
		const cut = await contentOf(await post(server, chatBody()));
		expect(cut.finish).toBe('length');
		expect(() => JSON.parse(cut.content)).toThrow();
		const prose = (await contentOf(await post(server, chatBody()))).content;
		expect(prose).toMatch(/^Sure!/);
		expect(extractRecords(prose).records.map(({ record }) => record)).toContainEqual({ prompt: 'Is the lamp lit?', response: 'Every night.' });
		const fenced = (await contentOf(await post(server, chatBody()))).content;
		expect(fenced).toMatch(/^```json\n\{/);
		const missing = (await contentOf(await post(server, chatBody()))).content;
		expect(() => JSON.parse(missing)).toThrow();
		expect(missing.replace(/" "/, '", "').replace(/\} "/, '}, "')).not.toBe(missing);
		const character = (await contentOf(await post(server, chatBody()))).content;
		expect(character).not.toContain('{');
		const unrelated = (await contentOf(await post(server, chatBody()))).content;
		expect(unrelated).toContain('Canberra');
		expect((await contentOf(await post(server, chatBody()))).content).toBe(unrelated);
	});

	it('slow waits before answering; drop-stream cuts a streamed answer mid-way', async () => {
		const server = await start({ answer: () => 'one two three four five six seven eight nine ten' });
		server.script([{ kind: 'slow', delayMs: 300 }, { kind: 'drop-stream' }]);
		const started = Date.now();
		expect((await post(server, chatBody())).status).toBe(200);
		expect(Date.now() - started).toBeGreaterThanOrEqual(280);

		const response = await post(server, chatBody({ stream: true }));
		expect(response.status).toBe(200);
		const reader = response.body!.getReader();
		const decoder = new TextDecoder();
		let text = '';
		let failed = false;
		try {
			for (;;) {
				const { done, value } = await reader.read();
				if (done) break;
				text += decoder.decode(value, { stream: true });
			}
		} catch {
			failed = true;
		}
		expect(failed).toBe(true);
		expect(text).toContain('one');
		expect(text).not.toContain('"ten"');
		expect(text).not.toContain('six');
		expect(text).not.toContain('[DONE]');
	});

	it('allows any origin (preflight included) and checks the API key when it has one', async () => {
		const server = await start({ apiKey: 'sk-test' });
		const preflight = await fetch(`${server.url}/chat/completions`, { method: 'OPTIONS', headers: { origin: 'http://localhost:4173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
		expect(preflight.status).toBe(204);
		expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
		expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
		expect((await post(server, chatBody())).status).toBe(401);
		expect((await fetch(`${server.url}/models`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
		const ok = await post(server, chatBody(), { authorization: 'Bearer sk-test' });
		expect(ok.status).toBe(200);
		expect(ok.headers.get('access-control-expose-headers')).toContain('retry-after');
		expect(server.requests().map((entry) => entry.authorization)).toEqual([undefined, 'Bearer nope', 'Bearer sk-test']);

		const closed = await start({ cors: false });
		expect((await fetch(`${closed.url}/models`)).headers.get('access-control-allow-origin')).toBeNull();
	});

	it('is scripted, read and reset over HTTP by another process; unknown paths are 404', async () => {
		const server = await start();
		const base = server.url.replace(/\/v1$/, '');
		expect((await fetch(`${base}/__script`, { method: 'POST', body: JSON.stringify([{ kind: '500' }]) })).status).toBe(200);
		expect((await fetch(`${base}/__script`, { method: 'POST', body: '{"kind":"500"}' })).status).toBe(400);
		expect((await post(server, chatBody())).status).toBe(500);
		expect((await fetch(`${server.url.replace(/\/v1$/, '')}/models`)).status).toBe(404);
		const log = (await (await fetch(`${base}/__log`)).json()) as { status: number; path: string }[];
		expect(log.map((entry) => [entry.path, entry.status])).toEqual([
			['/v1/chat/completions', 500],
			['/models', 404]
		]);
		await fetch(`${base}/__reset`, { method: 'POST' });
		expect(server.requests()).toEqual([]);
		expect((await post(server, chatBody())).status).toBe(200);
	});

	it('setAnswer replaces the answers', async () => {
		const server = await start();
		server.setAnswer((body) => `echo ${body.messages?.length}`);
		expect((await contentOf(await post(server, chatBody()))).content).toBe('echo 1');
	});
});
