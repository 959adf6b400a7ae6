import { describe, expect, it } from 'vitest';
import { EngineError, type ChatRequest } from '$lib/core/contracts/engine';
import { collectStream, CONTINUE_CUE, fromWebLLMResponse, isThinkingModel, normalizeMessages, OPENING_CUE, toWebLLMRequest, webllmSeed, type WebLLMChatCompletion } from './request';
import { CHUNK_RESPONSE_FORMAT } from '$lib/core/recipes/chunked';
import { CHUNK_ENTRIES_GRAMMAR } from './grammar';

const QWEN25 = 'Qwen2.5-1.5B-Instruct-q4f16_1-MLC';

const base: ChatRequest = {
	messages: [
		{ role: 'system', content: 'Answer in JSON.' },
		{ role: 'user', content: 'Three colours.' }
	],
	sampling: { max_tokens: 256 }
};

describe('toWebLLMRequest', () => {
	it('always sets max_tokens and the model, and copies only the sampling that was given', () => {
		expect(toWebLLMRequest(base, QWEN25)).toEqual({
			messages: [
				{ role: 'system', content: 'Answer in JSON.' },
				{ role: 'user', content: 'Three colours.' }
			],
			model: QWEN25,
			stream: false,
			max_tokens: 256
		});
		expect(toWebLLMRequest(base, QWEN25, { stream: true })).toMatchObject({ stream: true, stream_options: { include_usage: true } });
		// The context check only ever lowers max_tokens.
		expect(toWebLLMRequest(base, QWEN25, { maxTokens: 100 }).max_tokens).toBe(100);
		expect(toWebLLMRequest(base, QWEN25, { maxTokens: 1000 }).max_tokens).toBe(256);
	});

	it('sends temperature, top_p, a seed in web-llm’s range and stop', () => {
		const body = toWebLLMRequest({ ...base, sampling: { max_tokens: 64, temperature: 0.7, top_p: 0.9, seed: 42.9, stop: ['###'] } }, QWEN25);
		expect(body).toMatchObject({ temperature: 0.7, top_p: 0.9, seed: webllmSeed(42), stop: ['###'], max_tokens: 64 });
		expect(toWebLLMRequest({ ...base, sampling: { max_tokens: 1, stop: [] } }, QWEN25).stop).toBeUndefined();
	});

	it('sends json_object with the schema stringified, or plain json_object', () => {
		const schema = { type: 'object', properties: { colours: { type: 'array', items: { type: 'string' } } }, required: ['colours'] };
		expect(toWebLLMRequest({ ...base, responseFormat: { type: 'json_object', schema } }, QWEN25).response_format).toEqual({
			type: 'json_object',
			schema: JSON.stringify(schema)
		});
		expect(toWebLLMRequest({ ...base, responseFormat: { type: 'json_object' } }, QWEN25).response_format).toEqual({ type: 'json_object' });
	});

	it('sends the chunked recipe’s schema as XGrammar’s grammar for it with a whitespace cap', () => {
		expect(toWebLLMRequest({ ...base, responseFormat: CHUNK_RESPONSE_FORMAT }, QWEN25).response_format).toEqual({ type: 'grammar', grammar: CHUNK_ENTRIES_GRAMMAR });
	});

	it('turns thinking off for Qwen3 only', () => {
		expect(isThinkingModel('Qwen3-0.6B-q4f32_1-MLC')).toBe(true);
		expect(toWebLLMRequest(base, 'Qwen3-1.7B-q4f16_1-MLC').extra_body).toEqual({ enable_thinking: false });
		expect(toWebLLMRequest(base, QWEN25).extra_body).toBeUndefined();
	});
});

describe('fromWebLLMResponse', () => {
	const completion = (finish: string | null, content: string | null = '{"colours":["red"]}'): WebLLMChatCompletion => ({
		model: QWEN25,
		choices: [{ message: { content }, finish_reason: finish }],
		usage: {
			prompt_tokens: 20,
			completion_tokens: 10,
			total_tokens: 30,
			extra: { decode_tokens_per_s: 55.5, prefill_tokens_per_s: 400, e2e_latency_s: 0.3 }
		}
	});
	const timing = { startedAt: 1000, ms: 300 };

	it('maps content, finish reason, usage and decode speed', () => {
		expect(fromWebLLMResponse(completion('stop'), QWEN25, timing)).toEqual({
			content: '{"colours":["red"]}',
			finishReason: 'stop',
			usage: { promptTokens: 20, completionTokens: 10, totalTokens: 30 },
			model: QWEN25,
			timing,
			decodeTokensPerSecond: 55.5
		});
	});

	it('keeps length so truncated JSON counts as failed', () => {
		expect(fromWebLLMResponse(completion('length'), QWEN25, timing).finishReason).toBe('length');
	});

	it('tolerates null content, a missing finish reason, usage and model', () => {
		const bare: WebLLMChatCompletion = { model: '', choices: [{ message: { content: null }, finish_reason: null }] };
		expect(fromWebLLMResponse(bare, QWEN25, timing)).toEqual({ content: '', finishReason: 'stop', usage: undefined, model: QWEN25, timing });
	});

	it('rejects an answer without choices', () => {
		expect(() => fromWebLLMResponse({ model: QWEN25, choices: [] }, QWEN25, timing)).toThrow(EngineError);
	});
});

describe('webllmSeed', () => {
	it('is deterministic, in [1, 2^31 − 2], and tells apart the seeds web-llm would merge', () => {
		const seeds = [0, 1, 2, 42, 43, -1, -42, 2 ** 31 - 1, 2 ** 31, 2 ** 32, -(2 ** 31), Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e300];
		for (const seed of seeds) {
			const mapped = webllmSeed(seed);
			expect(mapped).toBe(webllmSeed(seed));
			expect(Number.isInteger(mapped)).toBe(true);
			expect(mapped).toBeGreaterThanOrEqual(1);
			expect(mapped).toBeLessThanOrEqual(2 ** 31 - 2);
		}
		// web-llm: seed % (2^31 − 1), so 0 and 2^31 − 1 are one seed; here they differ.
		expect(webllmSeed(0)).not.toBe(webllmSeed(2 ** 31 - 1));
		const safe = seeds.filter(Number.isSafeInteger);
		expect(new Set(safe.map(webllmSeed)).size).toBe(safe.length);
		expect(webllmSeed(42.9)).toBe(webllmSeed(42));
	});
});

describe('normalizeMessages', () => {
	it('leaves a well-formed conversation alone', () => {
		const messages = [
			{ role: 'system' as const, content: 'You are Mara.' },
			{ role: 'user' as const, content: 'Hi.' },
			{ role: 'assistant' as const, content: 'Hello.' },
			{ role: 'user' as const, content: 'How are you?' }
		];
		expect(normalizeMessages(messages)).toEqual({ messages, changes: [] });
	});

	it('moves a later system turn into a marked user turn in its place, and ends on a user turn', () => {
		const normalized = normalizeMessages([
			{ role: 'system', content: 'You are Mara.' },
			{ role: 'user', content: 'Hi.' },
			{ role: 'assistant', content: 'Hello.' },
			{ role: 'system', content: 'The storm reaches the lighthouse.' },
			{ role: 'assistant', content: 'Mara lights the lamp.' }
		]);
		expect(normalized.messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant', 'user']);
		expect(normalized.messages[3].content).toBe('[System note] The storm reaches the lighthouse.');
		expect(normalized.messages[5].content).toBe(CONTINUE_CUE);
		expect(normalized.changes).toEqual(['system-moved', 'continue-cue']);
	});

	it('asks for an opening message when there is no user turn to answer (regenerating a greeting)', () => {
		expect(normalizeMessages([{ role: 'system', content: 'You are Mara.' }]).messages).toEqual([
			{ role: 'system', content: 'You are Mara.' },
			{ role: 'user', content: OPENING_CUE }
		]);
		expect(normalizeMessages([]).messages).toEqual([{ role: 'user', content: OPENING_CUE }]);
	});

	it('replays tool results as marked user turns', () => {
		const normalized = normalizeMessages([
			{ role: 'user', content: 'Weather?' },
			{ role: 'tool', content: '{"temp": 12}' }
		]);
		expect(normalized.messages).toEqual([
			{ role: 'user', content: 'Weather?' },
			{ role: 'user', content: '[Tool result] {"temp": 12}' }
		]);
	});
});

describe('collectStream', () => {
	/** Chunks shaped as web-llm 0.2.86 sends them (engine.ts: per-token deltas, a final finish chunk, a usage chunk without choices). */
	async function* webllmChunks() {
		const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: QWEN25 };
		for (const piece of ['{"entries": [', '{"prompt": "Hi", ', '"response": "She said \\"hello\\"."}', ']}']) {
			yield { ...base, choices: [{ delta: { content: piece, role: 'assistant' }, finish_reason: null, index: 0, logprobs: null }] };
		}
		yield { ...base, choices: [{ delta: {}, finish_reason: 'stop', index: 0 }] };
		yield { ...base, choices: [], usage: { prompt_tokens: 40, completion_tokens: 21, total_tokens: 61, extra: { decode_tokens_per_s: 48.5 } } };
	}

	it('passes each piece on as it comes and returns the whole answer with its finish reason and usage', async () => {
		const pieces: string[] = [];
		const completion = await collectStream(webllmChunks(), 'fallback', (text) => pieces.push(text));
		expect(pieces).toHaveLength(4);
		expect(completion).toEqual({
			model: QWEN25,
			choices: [{ message: { content: pieces.join('') }, finish_reason: 'stop' }],
			usage: { prompt_tokens: 40, completion_tokens: 21, total_tokens: 61, extra: { decode_tokens_per_s: 48.5 } }
		});
		expect(JSON.parse(completion.choices[0].message.content ?? '')).toEqual({ entries: [{ prompt: 'Hi', response: 'She said "hello".' }] });
		expect(fromWebLLMResponse(completion, 'fallback', { startedAt: 0, ms: 1 })).toMatchObject({ finishReason: 'stop', decodeTokensPerSecond: 48.5, usage: { completionTokens: 21 } });
	});
});
