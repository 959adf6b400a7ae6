import { describe, expect, it } from 'vitest';
import { DEFAULT_SAMPLING, parseEngine, parseRateLimits, parseSettings } from './run-form';

describe('parseSettings', () => {
	it('reads the defaults into RunSettings with max_tokens and the seed', () => {
		const parsed = parseSettings(DEFAULT_SAMPLING);
		expect(parsed).toEqual({ ok: true, value: { sampling: { max_tokens: 1024, temperature: 0.8, top_p: 0.95, seed: 42 }, seed: 42 } });
	});

	it('keeps a limit (the run is then partial) and leaves out empty optional fields', () => {
		const parsed = parseSettings({ temperature: '', topP: '', maxTokens: '300', seed: '7', limit: '5' });
		expect(parsed).toEqual({ ok: true, value: { sampling: { max_tokens: 300, seed: 7 }, seed: 7, limit: 5 } });
	});

	it('names every field at fault', () => {
		const parsed = parseSettings({ temperature: '3', topP: '0', maxTokens: '', seed: '1.5', limit: '0' });
		expect(parsed.ok).toBe(false);
		if (parsed.ok) return;
		expect(Object.keys(parsed.errors).sort()).toEqual(['limit', 'maxTokens', 'seed', 'temperature', 'topP']);
		expect(parsed.errors.maxTokens).toBe('max_tokens is required.');
	});

	it('refuses text in a number field', () => {
		const parsed = parseSettings({ ...DEFAULT_SAMPLING, maxTokens: 'lots' });
		expect(parsed.ok).toBe(false);
	});
});

describe('parseEngine', () => {
	const endpoint = { baseUrl: 'http://localhost:8000/v1', model: 'llama-3.1-8b' };
	it('rehearsal needs nothing', () => {
		const parsed = parseEngine({ kind: 'test', concurrency: '' }, { endpoint: null, webllm: null });
		expect(parsed.ok && parsed.value.engine.kind).toBe('test');
	});
	it('rehearsal knobs: a pace and scripted failures, empty ones left out', () => {
		const parsed = parseEngine({ kind: 'test', concurrency: '', rehearsal: { delayMs: 250, failEvery: '3', badJsonEvery: '' } }, { endpoint: null, webllm: null });
		expect(parsed.ok && parsed.value.engine).toEqual({ kind: 'test', label: 'Rehearsal (test engine)', options: { delayMs: 250, failEvery: 3 } });
		const bad = parseEngine({ kind: 'test', concurrency: '', rehearsal: { delayMs: '-5', failEvery: '0', badJsonEvery: '2.5' } }, { endpoint: null, webllm: null });
		expect(!bad.ok && Object.keys(bad.errors).sort()).toEqual(['badJsonEvery', 'delayMs', 'failEvery']);
	});
	it('a model server carries URL and model, never the key, and the concurrency asked', () => {
		const parsed = parseEngine({ kind: 'endpoint', concurrency: '8' }, { endpoint, webllm: null });
		expect(parsed).toEqual({ ok: true, value: { engine: { kind: 'endpoint', label: 'llama-3.1-8b at http://localhost:8000/v1', ...endpoint }, concurrency: 8 } });
		expect(JSON.stringify(parsed)).not.toContain('key');
	});
	it('a model server without settings or with a bad concurrency is refused', () => {
		const parsed = parseEngine({ kind: 'endpoint', concurrency: '0' }, { endpoint: null, webllm: null });
		expect(parsed.ok).toBe(false);
		if (!parsed.ok) expect(Object.keys(parsed.errors).sort()).toEqual(['concurrency', 'engine']);
		const noModel = parseEngine({ kind: 'endpoint', concurrency: '4' }, { endpoint: { ...endpoint, model: '' }, webllm: null });
		expect(noModel.ok).toBe(false);
	});
	it('WebGPU only with a loaded model, at concurrency 1', () => {
		expect(parseEngine({ kind: 'webllm', concurrency: '4' }, { endpoint: null, webllm: null }).ok).toBe(false);
		const parsed = parseEngine({ kind: 'webllm', concurrency: '4' }, { endpoint: null, webllm: { modelId: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC', label: 'Qwen2.5 0.5B' } });
		expect(parsed.ok && parsed.value).toEqual({ engine: { kind: 'webllm', label: 'Qwen2.5 0.5B (in this browser)', modelId: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC' }, concurrency: 1 });
	});
	it('manual runs one request at a time', () => {
		const parsed = parseEngine({ kind: 'manual', concurrency: '9' }, { endpoint: null, webllm: null });
		expect(parsed.ok && parsed.value.concurrency).toBe(1);
	});
});

describe('number inputs', () => {
	it('accepts numbers as bound from type=number inputs, and null for an empty one', () => {
		const parsed = parseSettings({ temperature: 0.7, topP: null, maxTokens: 256, seed: 3, limit: null });
		expect(parsed).toEqual({ ok: true, value: { sampling: { max_tokens: 256, temperature: 0.7, seed: 3 }, seed: 3 } });
	});
});

describe('rate limits on the run form', () => {
	const endpoint = { baseUrl: 'http://gpu-box:8000/v1', model: 'qwen2.5-7b-instruct' };
	it('are optional, and only the filled-in ones reach the run', () => {
		expect(parseRateLimits({ requestsPerMinute: '', tokensPerMinute: '' })).toEqual({ ok: true, value: undefined });
		expect(parseRateLimits({ requestsPerMinute: '60', tokensPerMinute: '' })).toEqual({ ok: true, value: { requestsPerMinute: 60 } });
		const parsed = parseEngine({ kind: 'endpoint', concurrency: '8', rateLimits: { requestsPerMinute: 500, tokensPerMinute: '200000' } }, { endpoint, webllm: null });
		expect(parsed).toMatchObject({ ok: true, value: { concurrency: 8, rateLimits: { requestsPerMinute: 500, tokensPerMinute: 200_000 } } });
	});

	it('name the field that is wrong', () => {
		expect(parseRateLimits({ requestsPerMinute: '0', tokensPerMinute: '' })).toMatchObject({ ok: false, errors: { requestsPerMinute: expect.stringMatching(/whole number from 1/) } });
		expect(parseRateLimits({ requestsPerMinute: '', tokensPerMinute: '2.5' })).toMatchObject({ ok: false, errors: { tokensPerMinute: expect.stringMatching(/whole number from 100/) } });
		const parsed = parseEngine({ kind: 'endpoint', concurrency: '4', rateLimits: { requestsPerMinute: '-1', tokensPerMinute: '' } }, { endpoint, webllm: null });
		expect(parsed).toMatchObject({ ok: false, errors: { requestsPerMinute: expect.any(String) } });
	});
});
