/**
 * Test-only: what each trainer accepts, written from the trainers' own documented rules (not
 * from Skein's writers), so every export in the tests is checked against them. Each returns the
 * problems of one parsed JSONL record ([] = the trainer takes it). Nothing in the app imports this.
 *
 * - LLaMA-Factory ShareGPT: data/README.md "Sharegpt Format" and src/llamafactory/data/converter.py
 *   `SharegptDatasetConverter` (tags human/gpt/observation/function_call/system; an optional system
 *   turn first; then human/observation at even and gpt/function_call at odd positions; an even count
 *   for SFT, else the example is dropped), the v1 converter (`function_call` value is JSON of
 *   `{name, arguments}` or a list; `tools` is JSON text of a list) and the multimodal rule ("the
 *   number of images should be identical to the <image> tokens").
 * - LLaMA-Factory Alpaca: data/README.md "Alpaca Format" (instruction, output required strings;
 *   input, system strings; history a list of [prompt, response] string pairs; media columns).
 * - OpenAI chat fine-tuning: the chat format's required keys and types (messages list; roles
 *   system/user/assistant/tool; per-role keys; content text, null only beside tool_calls;
 *   tool_calls {id, type: "function", function: {name, arguments: JSON object text}}; a tool
 *   message answers an earlier call; weight 0 or 1 on assistant; top-level tools as a list of
 *   {type: "function", function: {name, description?, parameters?}}; parallel_tool_calls boolean),
 *   with at least one assistant message (the cookbook's example_missing_assistant_message).
 */

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const MEDIA = [
	['images', '<image>'],
	['videos', '<video>'],
	['audios', '<audio>']
] as const;

function mediaProblems(record: Json, texts: string[]): string[] {
	const problems: string[] = [];
	for (const [column, token] of MEDIA) {
		if (!(column in record)) continue;
		const files = record[column];
		if (!Array.isArray(files) || !files.every((f) => typeof f === 'string')) {
			problems.push(`${column} is not a list of paths`);
			continue;
		}
		const tokens = texts.reduce((n, text) => n + text.split(token).length - 1, 0);
		if (tokens !== files.length) problems.push(`${files.length} ${column} but ${tokens} ${token} tokens`);
	}
	return problems;
}

function isCall(value: unknown): boolean {
	return isObject(value) && typeof value.name === 'string' && value.name !== '' && 'arguments' in value;
}

export function llamaFactoryShareGptProblems(record: unknown): string[] {
	if (!isObject(record)) return ['not an object'];
	const problems: string[] = [];
	const turns = record.conversations;
	if (!Array.isArray(turns) || turns.length === 0) return ['conversations is not a non-empty list'];
	const texts: string[] = [];
	let start = 0;
	if (isObject(turns[0]) && turns[0].from === 'system') start = 1;
	const body = turns.slice(start);
	for (let i = 0; i < turns.length; i++) {
		const turn: unknown = turns[i];
		if (!isObject(turn) || typeof turn.from !== 'string' || typeof turn.value !== 'string') {
			problems.push(`turn ${i} is not {from, value} text`);
			continue;
		}
		texts.push(turn.value);
	}
	body.forEach((turn, i) => {
		if (!isObject(turn)) return;
		const allowed = i % 2 === 0 ? ['human', 'observation'] : ['gpt', 'function_call'];
		if (!allowed.includes(turn.from as string)) problems.push(`turn ${i + start} is "${String(turn.from)}" where ${allowed.join(' or ')} must be`);
		if (turn.from === 'function_call') {
			try {
				const parsed: unknown = JSON.parse(turn.value as string);
				const calls = Array.isArray(parsed) ? parsed : [parsed];
				if (calls.length === 0 || !calls.every(isCall)) problems.push(`turn ${i + start}: function_call is not {name, arguments}`);
			} catch {
				problems.push(`turn ${i + start}: function_call is not JSON`);
			}
		}
	});
	if (body.length % 2 !== 0) problems.push(`odd number of turns (${body.length}) after the system turn: LLaMA-Factory drops it`);
	if ('tools' in record) {
		if (typeof record.tools !== 'string') problems.push('tools is not JSON text');
		else if (record.tools !== '') {
			try {
				if (!Array.isArray(JSON.parse(record.tools))) problems.push('tools is not a JSON list');
			} catch {
				problems.push('tools is not JSON');
			}
		}
	}
	if ('system' in record && typeof record.system !== 'string') problems.push('system is not text');
	return [...problems, ...mediaProblems(record, texts)];
}

export function llamaFactoryAlpacaProblems(record: unknown): string[] {
	if (!isObject(record)) return ['not an object'];
	const problems: string[] = [];
	if (typeof record.instruction !== 'string') problems.push('instruction is not text');
	if (typeof record.output !== 'string') problems.push('output is not text');
	for (const key of ['input', 'system'] as const) if (key in record && typeof record[key] !== 'string') problems.push(`${key} is not text`);
	const texts = [record.instruction, record.input, record.output].filter((t): t is string => typeof t === 'string');
	if ('history' in record) {
		const history = record.history;
		if (!Array.isArray(history) || !history.every((pair) => Array.isArray(pair) && pair.length === 2 && pair.every((t) => typeof t === 'string'))) {
			problems.push('history is not a list of [prompt, response] pairs');
		} else for (const pair of history as string[][]) texts.push(...pair);
	}
	return [...problems, ...mediaProblems(record, texts)];
}

const OPENAI_ROLE_KEYS: Record<string, readonly string[]> = {
	system: ['role', 'content', 'name'],
	user: ['role', 'content', 'name'],
	assistant: ['role', 'content', 'name', 'tool_calls', 'weight', 'refusal', 'function_call'],
	tool: ['role', 'content', 'tool_call_id']
};
const OPENAI_TOP_KEYS = ['messages', 'tools', 'parallel_tool_calls'];

export function openAiChatProblems(record: unknown): string[] {
	if (!isObject(record)) return ['not an object'];
	const problems: string[] = [];
	for (const key of Object.keys(record)) if (!OPENAI_TOP_KEYS.includes(key)) problems.push(`unknown top-level key "${key}"`);
	const messages = record.messages;
	if (!Array.isArray(messages) || messages.length === 0) return [...problems, 'messages is not a non-empty list'];
	const calls = new Set<string>();
	let assistants = 0;
	messages.forEach((message: unknown, i) => {
		if (!isObject(message)) return problems.push(`message ${i} is not an object`);
		const role = message.role;
		const keys = typeof role === 'string' ? OPENAI_ROLE_KEYS[role] : undefined;
		if (keys === undefined) return problems.push(`message ${i} has role ${JSON.stringify(role)}`);
		for (const key of Object.keys(message)) if (!keys.includes(key)) problems.push(`message ${i} (${role}) has key "${key}"`);
		if (!('content' in message)) problems.push(`message ${i} has no content`);
		const hasCalls = Array.isArray(message.tool_calls) && message.tool_calls.length > 0;
		if (typeof message.content !== 'string' && !(message.content === null && hasCalls)) problems.push(`message ${i} content is not text`);
		if (role === 'assistant') assistants++;
		if ('tool_calls' in message) {
			if (!Array.isArray(message.tool_calls)) problems.push(`message ${i} tool_calls is not a list`);
			else
				for (const call of message.tool_calls as unknown[]) {
					if (!isObject(call) || typeof call.id !== 'string' || call.id === '' || call.type !== 'function' || !isObject(call.function) || typeof call.function.name !== 'string') {
						problems.push(`message ${i} has a malformed tool call`);
						continue;
					}
					calls.add(call.id);
					try {
						if (typeof call.function.arguments !== 'string' || !isObject(JSON.parse(call.function.arguments))) problems.push(`message ${i} call arguments are not a JSON object`);
					} catch {
						problems.push(`message ${i} call arguments are not JSON`);
					}
				}
		}
		if (role === 'tool' && (typeof message.tool_call_id !== 'string' || !calls.has(message.tool_call_id))) problems.push(`message ${i} (tool) answers no earlier call`);
		if ('weight' in message && message.weight !== 0 && message.weight !== 1) problems.push(`message ${i} weight is not 0 or 1`);
	});
	if (assistants === 0) problems.push('no assistant message');
	if ('tools' in record) {
		const tools = record.tools;
		if (!Array.isArray(tools)) problems.push('tools is not a list');
		else
			for (const tool of tools as unknown[]) {
				if (!isObject(tool) || tool.type !== 'function' || !isObject(tool.function) || typeof tool.function.name !== 'string') problems.push('a tool is not {type: "function", function: {name}}');
				else if ('parameters' in tool.function && !isObject(tool.function.parameters)) problems.push(`tool ${tool.function.name} parameters are not an object`);
			}
	}
	if ('parallel_tool_calls' in record && typeof record.parallel_tool_calls !== 'boolean') problems.push('parallel_tool_calls is not a boolean');
	return problems;
}
