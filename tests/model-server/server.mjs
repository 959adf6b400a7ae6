/**
 * A scriptable OpenAI-compatible model server for tests and benchmarks (plain Node, no
 * dependencies, loopback only). It answers `GET /v1/models` and `POST /v1/chat/completions`
 * (streamed as server-sent events when the request asks, plain JSON otherwise), allows any origin
 * (CORS, including the preflight), can require an API key, and logs every request it gets.
 *
 * Answers are ones the app's recipes accept: a value conforming to the JSON schema of a
 * `json_schema` request, `<fact>` tags for the fact extractor, `<question>` tags for the question
 * writer, a `<rationale>`/`<score>` verdict for the judge, a user turn for the user simulator,
 * `{"entries": [...]}` for chunked generation, an in-voice answer that names itself and denies the
 * identities its system prompt lists. Text is taken from the prompt, so answers differ per prompt.
 *
 * Faults are scripted in order (`script([{ kind: '429', retryAfter: 1 }, { kind: 'drop-stream',
 * match: 'lighthouse' }])`): each chat request takes the first fault whose `match` (a substring of
 * its last user message) fits, `times` times. From another process (the bench) the same is done
 * over HTTP: `GET /__log`, `POST /__script` (a JSON array of faults), `POST /__reset`.
 *
 * CLI: `node tests/model-server/server.mjs --port 8011 [--host 127.0.0.1] [--model name]
 * [--api-key key] [--chunk-delay ms]` prints its base URL and serves until stopped.
 */
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

/**
 * @typedef {'429' | '500' | 'cut-json' | 'prose-wrapped' | 'code-fence' | 'missing-comma' | 'in-character' | 'duplicate' | 'unrelated' | 'slow' | 'drop-stream' | 'empty'} FaultKind
 */

/**
 * @typedef {object} Fault
 * @property {FaultKind} kind
 * @property {number} [times] how many matching requests it applies to (default 1)
 * @property {string} [match] only requests whose last user message contains this
 * @property {number} [retryAfter] seconds, for '429' (default 1)
 * @property {number} [delayMs] for 'slow' (default 2000)
 */

/**
 * @typedef {object} ChatBody
 * @property {string} [model]
 * @property {{ role: string, content: unknown }[]} [messages]
 * @property {boolean} [stream]
 * @property {{ include_usage?: boolean }} [stream_options]
 * @property {{ type?: string, json_schema?: { name?: string, schema?: unknown } }} [response_format]
 * @property {number} [max_tokens]
 * @property {number} [temperature]
 */

/**
 * @typedef {object} LoggedRequest
 * @property {number} at when it arrived (ms since the epoch)
 * @property {string} path
 * @property {string} method
 * @property {any} body the parsed JSON body (null when none or not JSON)
 * @property {boolean} stream whether it asked for a streamed answer
 * @property {string | null} responseFormat `response_format.type`, or null
 * @property {string | undefined} authorization the Authorization header as sent
 * @property {number} status the HTTP status answered
 * @property {FaultKind} [fault] the scripted fault it got
 * @property {string} [content] the answer text it was sent (all of it, even when a stream was dropped)
 * @property {string} [finishReason] the finish reason it was sent
 */

/** @typedef {(body: ChatBody) => string} AnswerFn */

/**
 * @typedef {object} ModelServerOptions
 * @property {string} [host] a loopback address (127.x.x.x, ::1 or localhost)
 * @property {number} [port] 0 for a free port
 * @property {string | string[]} [model] the model id(s) /v1/models lists
 * @property {AnswerFn} [answer] replaces the default answers
 * @property {string} [apiKey] when set, requests without `Authorization: Bearer <apiKey>` get 401
 * @property {boolean} [cors] answer with CORS headers (default true; false plays a server that does not allow the page)
 * @property {string[]} [responseFormats] the response_format types accepted (default json_schema and json_object); others get 400
 * @property {boolean} [streaming] stream when asked (default true; false answers plain JSON even to `stream: true`)
 * @property {number} [chunkDelayMs] pause between streamed chunks (default 0)
 */

/**
 * @typedef {object} ModelServer
 * @property {string} url the base URL, `http://HOST:PORT/v1`
 * @property {string} host
 * @property {number} port
 * @property {() => LoggedRequest[]} requests every /v1 request so far, oldest first
 * @property {(faults: Fault[]) => void} script appends faults
 * @property {() => void} reset clears the faults and the log
 * @property {(fn: AnswerFn) => void} setAnswer
 * @property {() => Promise<void>} close
 */

const JUDGE_OPENING = 'You are a careful, impartial reviewer';
const EXTRACTOR_OPENING = 'You extract facts about';
const QUESTION_WRITER_OPENING = 'You write questions that people ask';
const NEXT_USER = 'Write the next user message.';
const NOT_IDENTITIES = 'You are not any of these: ';
const NOT_MAKERS = 'You were not made by any of these: ';

/** @param {string} host */
export function isLoopback(host) {
	return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** @param {unknown} content */
function textOf(content) {
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) return content.map((part) => (part && typeof part === 'object' && typeof part.text === 'string' ? part.text : '')).join('\n');
	return '';
}

/** @param {ChatBody} body @param {string} role */
function lastOf(body, role) {
	const messages = Array.isArray(body.messages) ? body.messages : [];
	for (let i = messages.length - 1; i >= 0; i--) if (messages[i]?.role === role) return textOf(messages[i].content);
	return '';
}

/** @param {ChatBody} body */
function systemOf(body) {
	const messages = Array.isArray(body.messages) ? body.messages : [];
	const system = messages.find((message) => message?.role === 'system');
	return system ? textOf(system.content) : '';
}

/** A small stable hash (FNV-1a), so the same prompt always gets the same answer. @param {string} text */
function hash(text) {
	let h = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		h ^= text.charCodeAt(i);
		h = Math.imul(h, 0x01000193);
	}
	return h >>> 0;
}

const STOP_WORDS = new Set('the a an and or of to in on at for with is are was were be it this that you your i me my we our they their he she his her as by from about into what which who how why when write return json field one each only'.split(' '));

/** The prompt's content words, in order, without repeats. @param {string} text */
function wordsOf(text) {
	const seen = new Set();
	/** @type {string[]} */
	const out = [];
	for (const word of text.toLowerCase().match(/[\p{L}][\p{L}\p{N}'-]*/gu) ?? []) {
		if (word.length < 3 || STOP_WORDS.has(word) || seen.has(word)) continue;
		seen.add(word);
		out.push(word);
	}
	return out;
}

/** @param {string} text @param {number} max */
function clip(text, max) {
	const flat = text.replace(/\s+/g, ' ').trim();
	return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** @param {string} text */
function sentencesOf(text) {
	return (text.replace(/\s+/g, ' ').match(/[^.!?]+[.!?]+/g) ?? [text]).map((s) => s.trim()).filter((s) => s.length > 3);
}

/**
 * A value conforming to a JSON schema (objects, arrays with minItems/maxItems, strings with
 * minLength/enum, numbers and integers with bounds, booleans, const, anyOf/oneOf), its strings
 * made of the prompt's words so answers differ per prompt.
 * @param {any} schema
 * @param {string[]} words
 * @param {string} [path]
 * @returns {unknown}
 */
export function valueForSchema(schema, words, path = 'value') {
	if (!schema || typeof schema !== 'object') return `${path} ${words.slice(0, 3).join(' ')}`.trim();
	if ('const' in schema) return schema.const;
	if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[hash(path + words.join(' ')) % schema.enum.length];
	const choices = schema.anyOf ?? schema.oneOf;
	if (Array.isArray(choices) && choices.length) return valueForSchema(choices.find((choice) => choice?.type !== 'null') ?? choices[0], words, path);
	if (Array.isArray(schema.allOf) && schema.allOf.length) return valueForSchema(Object.assign({}, ...schema.allOf), words, path);
	const type = Array.isArray(schema.type) ? (schema.type.find((/** @type {string} */ t) => t !== 'null') ?? schema.type[0]) : schema.type;
	const offset = hash(path) % Math.max(1, words.length);
	switch (type ?? (schema.properties ? 'object' : schema.items ? 'array' : 'string')) {
		case 'object': {
			/** @type {Record<string, unknown>} */
			const out = {};
			for (const [key, child] of Object.entries(schema.properties ?? {})) out[key] = valueForSchema(child, words, `${path}.${key}`);
			return out;
		}
		case 'array': {
			const min = Number.isInteger(schema.minItems) ? schema.minItems : 1;
			const max = Number.isInteger(schema.maxItems) ? schema.maxItems : Math.max(min, 3);
			const count = Math.max(min, Math.min(max, 3));
			return Array.from({ length: count }, (_, i) => valueForSchema(schema.items, words, `${path}[${i}]`));
		}
		case 'integer':
		case 'number': {
			const min = typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + 1 : 1;
			const max = typeof schema.maximum === 'number' ? schema.maximum : typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum - 1 : min + 9;
			const value = min + (hash(path + words.join(' ')) % Math.max(1, Math.floor(max - min) + 1));
			return type === 'integer' ? Math.floor(value) : value;
		}
		case 'boolean':
			return hash(path + words.join(' ')) % 2 === 0;
		case 'null':
			return null;
		default: {
			const picked = words.length ? [0, 1, 2, 3].map((i) => words[(offset + i * 5) % words.length]) : ['answer'];
			// Prompts differ per item and per prompt (recipes drop exact repeats).
			const tag = (hash(path + words.join(' ')) % 9000) + 1000;
			let text = /prompt|question/i.test(path) ? `What about ${picked.slice(0, 3).join(' and ')}? (${tag})` : `${picked.join(' ')}.`;
			text = text.charAt(0).toUpperCase() + text.slice(1);
			const minLength = Number.isInteger(schema.minLength) ? schema.minLength : 0;
			while (text.length < minLength) text += ` ${picked[0] ?? 'more'}`;
			if (Number.isInteger(schema.maxLength) && text.length > schema.maxLength) text = text.slice(0, schema.maxLength);
			return text;
		}
	}
}

/** `{"entries": [...]}` for the chunked recipe: prompts about the chunk's words, different per iteration. @param {ChatBody} body */
function chunkEntries(body) {
	const user = lastOf(body, 'user');
	const count = Number(/exactly (\d+) entries/.exec(user)?.[1] ?? 3);
	const words = wordsOf(`${systemOf(body)}\n${user}`);
	const salt = hash(user);
	const entries = Array.from({ length: Math.max(1, Math.min(count, 50)) }, (_, i) => {
		const a = words[(salt + i * 7) % Math.max(1, words.length)] ?? 'this';
		const b = words[(salt + i * 7 + 3) % Math.max(1, words.length)] ?? 'that';
		return {
			prompt: `What do you think about ${a} and ${b}? (${(salt % 997) + i})`,
			response: `I think ${a} matters to me, and ${b} even more; that is how I see it.`
		};
	});
	return JSON.stringify({ entries });
}

/**
 * The default answers: ones the app's recipes accept (see the file comment).
 * @type {AnswerFn}
 */
export function defaultAnswer(body) {
	const system = systemOf(body);
	const user = lastOf(body, 'user');
	const format = body.response_format?.type;
	if (format === 'json_schema') return JSON.stringify(valueForSchema(body.response_format?.json_schema?.schema, wordsOf(`${user}\n${system}`)));
	if (system.startsWith(JUDGE_OPENING)) {
		const max = Number(/to (\d+) \(meets/.exec(user)?.[1] ?? 5);
		return `<rationale>The reply answers the message and stays in voice; it reads naturally.</rationale>\n<score>${max}</score>`;
	}
	if (system.startsWith(EXTRACTOR_OPENING)) {
		const name = /^You extract facts about (.+?) from (?:a passage|one field)/.exec(system)?.[1] ?? 'The speaker';
		const passage = /<passage>([\s\S]*?)<\/passage>/.exec(user)?.[1] ?? user;
		const facts = sentencesOf(passage)
			.slice(0, 8)
			.map((sentence) => sentence.replace(/\bMy name is\b/g, `${name}'s name is`).replace(/\bI am\b/g, `${name} is`).replace(/\bI'm\b/g, `${name} is`).replace(/\b(I|me)\b/g, name).replace(/\bmy\b/gi, `${name}'s`));
		return (facts.length ? facts : [`${name} has a story worth telling.`]).map((fact) => `<fact>${fact}</fact>`).join('\n');
	}
	if (system.startsWith(QUESTION_WRITER_OPENING) || /<question><\/question> tags/.test(user)) {
		const fact = /<fact>([\s\S]*?)<\/fact>/.exec(user)?.[1] ?? user;
		const count = Number(/Write (\d+) different questions/.exec(user)?.[1] ?? 3);
		const words = wordsOf(fact);
		const forms = ['What can you tell me about {w}?', 'How do you feel about {w}?', 'Has {w} ever mattered to you?', 'Where would you start with {w}?', 'Do you have a story about {w}?', 'Why does {w} come up so often?'];
		return Array.from({ length: Math.max(1, Math.min(count, 20)) }, (_, i) => `<question>${forms[i % forms.length].replace('{w}', words[i % Math.max(1, words.length)] ?? 'that')}${i >= forms.length ? ` (${i})` : ''}</question>`).join('\n');
	}
	if (user.trimEnd().endsWith(NEXT_USER)) {
		const assistant = /ASSISTANT: ([^\n]*)\n*(?:<\/conversation>)/.exec(user)?.[1] ?? '';
		const words = wordsOf(assistant || user);
		return `And ${words[hash(user) % Math.max(1, words.length)] ?? 'then'}, what happened after that?`;
	}
	if (format === 'json_object' || /"entries"/.test(user)) {
		if (/"entries"/.test(user)) return chunkEntries(body);
		return JSON.stringify({ answer: `About ${clip(user, 60)}: yes.` });
	}
	if (system.startsWith('You are ')) {
		const name = /^You are ([^.\n]+)\./.exec(system)?.[1]?.trim() ?? 'the assistant';
		/** @param {string} prefix */
		const listAfter = (prefix) => (system.split('\n').find((line) => line.startsWith(prefix)) ?? prefix).slice(prefix.length).replace(/\.$/, '').split(';').map((item) => item.trim()).filter(Boolean);
		const lower = user.toLowerCase();
		const maker = listAfter(NOT_MAKERS).find((candidate) => lower.includes(candidate.toLowerCase()));
		if (maker) return `No, I wasn't made by ${maker}. I'm ${name}, and that is who you are talking to.`;
		const other = listAfter(NOT_IDENTITIES).find((candidate) => lower.includes(candidate.toLowerCase()));
		if (other) return `No, I'm not ${other}. I'm ${name}.`;
		const words = wordsOf(user);
		return `I'm ${name}. About ${words.slice(0, 3).join(', ') || 'that'}: I have thought about it often, and here is my honest answer.`;
	}
	const words = wordsOf(user);
	return `Here is an answer about ${words.slice(0, 5).join(' ') || 'your message'}: it depends, and I will say why.`;
}

/** @param {import('node:http').IncomingMessage} req @returns {Promise<string>} */
function readBody(req) {
	return new Promise((resolve, reject) => {
		let text = '';
		req.setEncoding('utf8');
		req.on('data', (chunk) => (text += chunk));
		req.on('end', () => resolve(text));
		req.on('error', reject);
	});
}

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Streamed pieces: words with their following space. @param {string} text */
function piecesOf(text) {
	return text.match(/\S+\s*|\s+/g) ?? [];
}

/** A rough token count (4 characters a token), for usage figures. @param {string} text */
const tokensOf = (text) => Math.max(1, Math.ceil(text.length / 4));

/** The answer as JSON for the faults that mangle JSON; a prose answer is wrapped first. @param {string} answer */
function asJson(answer) {
	try {
		JSON.parse(answer);
		return answer;
	} catch {
		return JSON.stringify({ answer });
	}
}

/**
 * Starts a server on loopback.
 * @param {ModelServerOptions} [options]
 * @returns {Promise<ModelServer>}
 */
export async function startModelServer({ host = '127.0.0.1', port = 0, model = 'test-model', answer, apiKey, cors = true, responseFormats = ['json_schema', 'json_object'], streaming = true, chunkDelayMs = 0 } = {}) {
	if (!isLoopback(host)) throw new Error(`The test model server listens on loopback only (127.x.x.x, ::1, localhost), not on ${host}.`);
	const models = Array.isArray(model) ? model : [model];
	/** @type {AnswerFn} */
	let answerFn = answer ?? defaultAnswer;
	/** @type {(Fault & { left: number })[]} */
	let faults = [];
	/** @type {LoggedRequest[]} */
	let log = [];
	let previousAnswer = '';
	let counter = 0;

	/** @type {Record<string, string>} */
	const corsHeaders = cors
		? {
				'access-control-allow-origin': '*',
				'access-control-allow-methods': 'GET, POST, OPTIONS',
				'access-control-allow-headers': 'authorization, content-type',
				'access-control-expose-headers': 'retry-after',
				'access-control-max-age': '600'
			}
		: {};

	/** @param {Fault[]} list */
	const script = (list) => {
		for (const fault of list) faults.push({ ...fault, left: fault.times ?? 1 });
	};
	const reset = () => {
		faults = [];
		log = [];
		previousAnswer = '';
	};

	/** @param {string} lastUser */
	const takeFault = (lastUser) => {
		const index = faults.findIndex((fault) => fault.match === undefined || lastUser.includes(fault.match));
		if (index < 0) return undefined;
		const fault = faults[index];
		fault.left--;
		if (fault.left <= 0) faults.splice(index, 1);
		return fault;
	};

	/** @param {import('node:http').ServerResponse} res @param {number} status @param {unknown} value @param {Record<string, string>} [extra] */
	const sendJson = (res, status, value, extra = {}) => {
		res.writeHead(status, { ...corsHeaders, 'content-type': 'application/json', ...extra });
		res.end(JSON.stringify(value));
	};

	/**
	 * @param {import('node:http').ServerResponse} res
	 * @param {ChatBody} body
	 * @param {LoggedRequest} entry
	 */
	const chat = async (res, body, entry) => {
		const lastUser = lastOf(body, 'user');
		const format = body.response_format?.type;
		if (format !== undefined && format !== 'text' && !responseFormats.includes(format)) {
			entry.status = 400;
			return sendJson(res, 400, { error: { message: `response_format type "${format}" is not supported by this server`, type: 'invalid_request_error' } });
		}
		if (format === 'json_schema' && (typeof body.response_format?.json_schema !== 'object' || body.response_format?.json_schema?.schema === undefined)) {
			entry.status = 400;
			return sendJson(res, 400, { error: { message: 'response_format json_schema needs json_schema.schema', type: 'invalid_request_error' } });
		}
		const fault = takeFault(lastUser);
		if (fault) entry.fault = fault.kind;
		if (fault?.kind === '429') {
			entry.status = 429;
			return sendJson(res, 429, { error: { message: 'Rate limit reached; slow down.', type: 'rate_limit' } }, { 'retry-after': String(fault.retryAfter ?? 1) });
		}
		if (fault?.kind === '500') {
			entry.status = 500;
			return sendJson(res, 500, { error: { message: 'The model server is overloaded.', type: 'server_error' } });
		}
		if (fault?.kind === 'slow') await sleep(fault.delayMs ?? 2000);
		if (res.destroyed) return;

		let content = answerFn(body);
		let finishReason = 'stop';
		switch (fault?.kind) {
			case 'cut-json': {
				const json = asJson(content);
				content = json.slice(0, Math.max(1, Math.floor(json.length / 2)));
				finishReason = 'length';
				break;
			}
			case 'prose-wrapped':
				content = `Sure! Here is the JSON you asked for:\n${asJson(content)}\nLet me know if you need anything else.`;
				break;
			case 'code-fence':
				content = `\`\`\`json\n${asJson(content)}\n\`\`\``;
				break;
			case 'missing-comma': {
				const json = asJson(content);
				const mangled = json.replace(/,(\s*")/, '$1');
				content = mangled === json ? json.replace(/,/, ' ') : mangled;
				break;
			}
			case 'in-character':
				content = '*leans back and smiles* Lists and braces? No, friend. Sit down and I will tell it to you the way it happened, like a story by the fire.';
				break;
			case 'duplicate':
				content = previousAnswer || content;
				break;
			case 'unrelated':
				content = 'Bananas are rich in potassium, and the capital of Australia is Canberra.';
				break;
			case 'empty':
				content = '';
				break;
		}
		previousAnswer = content;
		entry.content = content;
		entry.finishReason = finishReason;
		const id = `chatcmpl-${++counter}`;
		const created = Math.floor(Date.now() / 1000);
		const answeredModel = body.model || models[0];
		const promptText = (Array.isArray(body.messages) ? body.messages : []).map((message) => textOf(message?.content)).join('\n');
		const usage = { prompt_tokens: tokensOf(promptText), completion_tokens: content ? tokensOf(content) : 0, total_tokens: tokensOf(promptText) + (content ? tokensOf(content) : 0) };
		entry.status = 200;

		if (body.stream === true && streaming) {
			res.writeHead(200, { ...corsHeaders, 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
			/** @param {unknown} value @returns {Promise<void>} resolves once the chunk is handed to the socket */
			const send = (value) => new Promise((resolve) => res.write(`data: ${JSON.stringify(value)}\n\n`, () => resolve()));
			/** @param {Record<string, unknown>} delta @param {string | null} finish */
			const chunk = (delta, finish) => ({ id, object: 'chat.completion.chunk', created, model: answeredModel, choices: [{ index: 0, delta, finish_reason: finish }] });
			await send(chunk({ role: 'assistant', content: '' }, null));
			const pieces = piecesOf(content);
			const cutAt = fault?.kind === 'drop-stream' ? Math.max(1, Math.floor(pieces.length / 2)) : pieces.length;
			for (let i = 0; i < cutAt; i++) {
				if (res.destroyed) return;
				await send(chunk({ content: pieces[i] }, null));
				if (chunkDelayMs > 0) await sleep(chunkDelayMs);
			}
			if (fault?.kind === 'drop-stream') {
				// Cut off mid-way, as a crashed server or a dropped connection does.
				await sleep(20);
				res.socket?.destroy();
				return;
			}
			await send(chunk({}, finishReason));
			if (body.stream_options?.include_usage) await send({ id, object: 'chat.completion.chunk', created, model: answeredModel, choices: [], usage });
			res.end('data: [DONE]\n\n');
			return;
		}
		const text = JSON.stringify({
			id,
			object: 'chat.completion',
			created,
			model: answeredModel,
			choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finishReason }],
			usage
		});
		if (fault?.kind === 'drop-stream') {
			// Not streamed: the body stops half-way and the connection closes.
			res.writeHead(200, { ...corsHeaders, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
			res.write(text.slice(0, Math.floor(text.length / 2)));
			setTimeout(() => res.socket?.destroy(), 10);
			return;
		}
		res.writeHead(200, { ...corsHeaders, 'content-type': 'application/json' });
		res.end(text);
	};

	const server = createServer((req, res) => {
		void (async () => {
			const path = (req.url ?? '/').split('?')[0];
			const method = req.method ?? 'GET';
			if (method === 'OPTIONS') return void res.writeHead(204, corsHeaders).end();
			if (path === '/__log' && method === 'GET') return sendJson(res, 200, log);
			if (path === '/__reset' && method === 'POST') {
				reset();
				return sendJson(res, 200, { ok: true });
			}
			if (path === '/__script' && method === 'POST') {
				try {
					const list = JSON.parse(await readBody(req));
					if (!Array.isArray(list)) throw new Error('expected a JSON array of faults');
					script(list);
					return sendJson(res, 200, { ok: true, faults: faults.length });
				} catch (error) {
					return sendJson(res, 400, { error: { message: error instanceof Error ? error.message : String(error) } });
				}
			}
			const text = method === 'POST' ? await readBody(req) : '';
			/** @type {any} */
			let body = null;
			try {
				body = text ? JSON.parse(text) : null;
			} catch {
				body = null;
			}
			/** @type {LoggedRequest} */
			const entry = {
				at: Date.now(),
				path,
				method,
				body,
				stream: body?.stream === true,
				responseFormat: typeof body?.response_format?.type === 'string' ? body.response_format.type : null,
				authorization: req.headers.authorization,
				status: 0
			};
			log.push(entry);
			if (apiKey !== undefined && req.headers.authorization !== `Bearer ${apiKey}`) {
				entry.status = 401;
				return sendJson(res, 401, { error: { message: 'Invalid API key.', type: 'invalid_api_key' } });
			}
			if (path === '/v1/models' && method === 'GET') {
				entry.status = 200;
				return sendJson(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', owned_by: 'skein-tests' })) });
			}
			if (path === '/v1/chat/completions' && method === 'POST') {
				if (!body || typeof body !== 'object') {
					entry.status = 400;
					return sendJson(res, 400, { error: { message: 'The body is not JSON.', type: 'invalid_request_error' } });
				}
				return chat(res, body, entry);
			}
			entry.status = 404;
			return sendJson(res, 404, { error: { message: `Not found: ${method} ${path}` } });
		})().catch((error) => {
			if (!res.headersSent) sendJson(res, 500, { error: { message: error instanceof Error ? error.message : String(error) } });
			else res.destroy();
		});
	});

	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host === '[::1]' ? '::1' : host, () => resolve(undefined));
	});
	const address = server.address();
	const boundPort = typeof address === 'object' && address ? address.port : port;
	const urlHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
	return {
		url: `http://${urlHost}:${boundPort}/v1`,
		host,
		port: boundPort,
		requests: () => log.slice(),
		script,
		reset,
		setAnswer: (fn) => (answerFn = fn),
		close: () =>
			new Promise((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			})
	};
}

/** The CLI: `--port`, `--host`, `--model`, `--api-key`, `--chunk-delay`. @param {string[]} argv */
async function main(argv) {
	/** @param {string} name */
	const arg = (name) => {
		const index = argv.indexOf(name);
		return index >= 0 ? argv[index + 1] : undefined;
	};
	const server = await startModelServer({
		host: arg('--host') ?? '127.0.0.1',
		port: Number(arg('--port') ?? 0),
		model: arg('--model') ?? 'test-model',
		apiKey: arg('--api-key'),
		chunkDelayMs: Number(arg('--chunk-delay') ?? 0)
	});
	console.log(server.url);
	const stop = () => void server.close().then(() => process.exit(0));
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	main(process.argv.slice(2)).catch((error) => {
		console.error(error instanceof Error ? error.message : error);
		process.exit(1);
	});
}
