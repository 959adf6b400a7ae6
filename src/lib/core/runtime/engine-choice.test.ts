import { describe, expect, it } from 'vitest';
import type { EngineChoice } from '../contracts/rows';
import { cleanChoice, concurrencyFor, endpointProtocolText, failureHint, isPageEngine, modelKeyOf, modelOf, structuredOutputOf, validateChoice, withFailureHint } from './engine-choice';

const endpoint: EngineChoice = { kind: 'endpoint', label: 'Local', baseUrl: 'http://localhost:11434/v1', model: 'qwen2.5:7b' };
const webllm: EngineChoice = { kind: 'webllm', label: 'In this browser', modelId: 'Qwen2.5-1.5B-Instruct-q4f32_1-MLC' };
const rehearsal: EngineChoice = { kind: 'test', label: 'Rehearsal' };
const manual: EngineChoice = { kind: 'manual', label: 'Paste replies' };

describe('engine choices', () => {
	it('names the model of each kind', () => {
		expect([rehearsal, endpoint, webllm, manual].map(modelOf)).toEqual(['rehearsal', 'qwen2.5:7b', 'Qwen2.5-1.5B-Instruct-q4f32_1-MLC', 'manual']);
	});

	it('keeps only the fields a choice has (a key sent by mistake is dropped) and fills in labels', () => {
		const careless = { ...endpoint, label: '', baseUrl: ' http://localhost:11434/v1 ', model: ' qwen2.5:7b ', apiKey: 'sk-secret' } as EngineChoice;
		expect(cleanChoice(careless)).toEqual({ kind: 'endpoint', label: ' qwen2.5:7b ', baseUrl: 'http://localhost:11434/v1', model: 'qwen2.5:7b' });
		expect(JSON.stringify(cleanChoice(careless))).not.toContain('sk-secret');
		expect(cleanChoice({ kind: 'test', label: '', options: { delayMs: 12.7, failEvery: 0, badJsonEvery: Number.NaN } })).toEqual({ kind: 'test', label: 'Rehearsal', options: { delayMs: 12 } });
		expect(cleanChoice({ kind: 'test', label: 'R', options: { failEvery: -1 } })).toEqual({ kind: 'test', label: 'R' });
		expect(cleanChoice({ kind: 'webllm', label: '', modelId: 'M' })).toEqual({ kind: 'webllm', label: 'M', modelId: 'M' });
		expect(cleanChoice({ kind: 'manual', label: '' })).toEqual({ kind: 'manual', label: 'Manual' });
	});

	it('says what is wrong with a choice, by form field', () => {
		expect(validateChoice(endpoint)).toBeNull();
		expect(validateChoice(null as unknown as EngineChoice)).toEqual({ error: 'Choose an engine.', field: 'engine' });
		expect(validateChoice({ ...endpoint, baseUrl: 'localhost:11434' } as EngineChoice)).toMatchObject({ field: 'engine.baseUrl' });
		expect(validateChoice({ ...endpoint, model: '' } as EngineChoice)).toMatchObject({ field: 'engine.model' });
		expect(validateChoice({ kind: 'webllm', label: 'x', modelId: '' })).toMatchObject({ field: 'engine.modelId' });
		expect(validateChoice({ kind: 'gpu', label: 'x' } as unknown as EngineChoice)).toEqual({ error: 'Unknown engine.', field: 'engine.kind' });
	});

	it('runs page engines one request at a time, others within 1..64', () => {
		expect(isPageEngine(webllm) && isPageEngine(manual) && !isPageEngine(endpoint)).toBe(true);
		expect(concurrencyFor(webllm, 8)).toBe(1);
		expect(concurrencyFor(manual, 8)).toBe(1);
		expect(concurrencyFor(endpoint, 8.9)).toBe(8);
		expect(concurrencyFor(endpoint, 0)).toBe(1);
		expect(concurrencyFor(endpoint, 500)).toBe(64);
		expect(concurrencyFor(endpoint, Number.NaN)).toBe(4);
	});

	it('keys cached answers by the backend that answers, never by who pays', () => {
		const recipe = { id: 'chunked', version: 3 };
		expect(modelKeyOf(rehearsal, recipe)).toBe('test:rehearsal:chunked@3');
		expect(modelKeyOf(endpoint, recipe)).toBe('endpoint:http://localhost:11434/v1:qwen2.5:7b');
		expect(modelKeyOf({ ...endpoint, structuredOutput: 'json_object' }, recipe)).toBe('endpoint:http://localhost:11434/v1:qwen2.5:7b:json_object');
		expect(modelKeyOf(webllm, recipe)).toBe('webllm:Qwen2.5-1.5B-Instruct-q4f32_1-MLC');
		expect(modelKeyOf(manual, recipe)).toBe('manual');
	});

	it('tells the user where to fix an endpoint failure, and only an endpoint’s', () => {
		expect(failureHint('http-401', 'endpoint')).toBe('Check the API key on the Engines page, then retry the failed records.');
		expect(failureHint('http-403', 'endpoint')).toBe('Check the API key on the Engines page, then retry the failed records.');
		expect(failureHint('http-404', 'endpoint')).toContain('base URL');
		expect(failureHint('timeout', 'endpoint')).toBe('When the endpoint answers again, retry the failed records.');
		expect(failureHint('http-500', 'endpoint')).toBeNull();
		expect(failureHint('http-401', 'webllm')).toBeNull();
		expect(withFailureHint({ type: 'http-401', message: 'HTTP 401 Unauthorized: Invalid API key ' }, 'endpoint').message).toBe(
			'HTTP 401 Unauthorized: Invalid API key. Check the API key on the Engines page, then retry the failed records.'
		);
		expect(withFailureHint({ type: 'network', message: 'Could not reach the model!' }, 'endpoint').message).toBe('Could not reach the model! When the endpoint answers again, retry the failed records.');
		const plain = { type: 'http-500', message: 'HTTP 500' };
		expect(withFailureHint(plain, 'endpoint')).toBe(plain);
	});
});

describe('how an endpoint run talks to its server', () => {
	it('keeps a known structured-output mode and the stream flag, drops anything else', () => {
		const choice = { kind: 'endpoint', label: 'L', baseUrl: 'http://localhost:8000/v1', model: 'm', structuredOutput: 'json_schema', stream: true } as EngineChoice;
		expect(cleanChoice(choice)).toEqual(choice);
		const odd = { kind: 'endpoint', label: 'L', baseUrl: 'http://localhost:8000/v1', model: 'm', structuredOutput: 'xml', stream: 'yes' } as unknown as EngineChoice;
		expect(cleanChoice(odd)).toEqual({ kind: 'endpoint', label: 'L', baseUrl: 'http://localhost:8000/v1', model: 'm' });
	});

	it('says the mode and streaming in words; runs from before were json_object, not streamed', () => {
		const old = { kind: 'endpoint', label: 'L', baseUrl: 'http://x/v1', model: 'm' } as EngineChoice;
		expect(structuredOutputOf(old)).toBe('json_object');
		expect(endpointProtocolText(old)).toBe('structured output as response_format json_object; answers not streamed');
		expect(endpointProtocolText({ ...old, structuredOutput: 'prompt', stream: true } as EngineChoice)).toBe('structured output by prompt only (no response_format); answers streamed');
		expect(endpointProtocolText({ kind: 'test', label: 'R' })).toBe('');
		expect(structuredOutputOf({ kind: 'manual', label: 'M' })).toBeNull();
	});
});
