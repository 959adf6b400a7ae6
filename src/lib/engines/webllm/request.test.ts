import { describe, expect, it } from 'vitest';
import { EngineError, type ChatRequest } from '$lib/core/contracts/engine';
import { fromWebLLMResponse, isThinkingModel, toWebLLMRequest, type WebLLMChatCompletion } from './request';

const QWEN25 = 'Qwen2.5-1.5B-Instruct-q4f16_1-MLC';

const base: ChatRequest = {
	messages: [
		{ role: 'system', content: 'Answer in JSON.' },
		{ role: 'user', content: 'Three colours.' }
	],
	sampling: { max_tokens: 256 }
};

describe('toWebLLMRequest', () => {
	it('always sets max_tokens and non-streaming, and copies only the sampling that was given', () => {
		expect(toWebLLMRequest(base, QWEN25)).toEqual({
			messages: [
				{ role: 'system', content: 'Answer in JSON.' },
				{ role: 'user', content: 'Three colours.' }
			],
			stream: false,
			max_tokens: 256
		});
	});

	it('sends temperature, top_p, an integer seed and stop', () => {
		const body = toWebLLMRequest({ ...base, sampling: { max_tokens: 64, temperature: 0.7, top_p: 0.9, seed: 42.9, stop: ['###'] } }, QWEN25);
		expect(body).toMatchObject({ temperature: 0.7, top_p: 0.9, seed: 42, stop: ['###'], max_tokens: 64 });
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
