import { describe, expect, it } from 'vitest';
import { DEFAULT_BASE_URL, EndpointSettingsForm, endpointForBackup, restoreEndpointFromBackup, readEndpointSettings, savedEndpoint, savedEndpointKey, savedProtocol, type SettingsStorage } from './endpoint-settings.svelte';

/** localStorage as the browser keeps it: strings by key. */
function memoryStorage(initial: Record<string, string> = {}): SettingsStorage & { items: Map<string, string> } {
	const items = new Map(Object.entries(initial));
	return {
		items,
		getItem: (key) => items.get(key) ?? null,
		setItem: (key, value) => void items.set(key, String(value)),
		removeItem: (key) => void items.delete(key)
	};
}

describe('readEndpointSettings', () => {
	it('reads what the Engines page saved', () => {
		expect(readEndpointSettings('{"baseUrl":" http://localhost:11434/v1 ","model":"qwen2.5:7b"}')).toEqual({ baseUrl: 'http://localhost:11434/v1', model: 'qwen2.5:7b' });
	});
	it('is null for nothing saved, broken JSON or no URL', () => {
		expect(readEndpointSettings(null)).toBeNull();
		expect(readEndpointSettings('{oops')).toBeNull();
		expect(readEndpointSettings('{"model":"x"}')).toBeNull();
	});
});

describe('EndpointSettingsForm', () => {
	it('starts from a local server when nothing is saved', () => {
		const form = new EndpointSettingsForm(memoryStorage());
		form.load();
		expect({ baseUrl: form.baseUrl, model: form.model, apiKey: form.apiKey }).toEqual({ baseUrl: DEFAULT_BASE_URL, model: '', apiKey: '' });
	});

	it('saves URL and model trimmed, and the key apart from them', () => {
		const storage = memoryStorage();
		const form = new EndpointSettingsForm(storage);
		form.baseUrl = ' http://gpu-box.lan:8000/v1 ';
		form.model = ' llama-3.1-8b ';
		form.apiKey = 'sk-local-7f3a';
		form.save();
		expect(savedEndpoint(storage)).toEqual({ baseUrl: 'http://gpu-box.lan:8000/v1', model: 'llama-3.1-8b', structuredOutput: 'json_object', stream: true });
		expect(savedEndpointKey(storage)).toBe('sk-local-7f3a');
		// The settings row never carries the key.
		for (const [key, value] of storage.items) if (key !== 'skein.endpoint.key') expect(value).not.toContain('sk-local-7f3a');

		const again = new EndpointSettingsForm(storage);
		again.load();
		expect({ baseUrl: again.baseUrl, model: again.model, apiKey: again.apiKey }).toEqual({ baseUrl: 'http://gpu-box.lan:8000/v1', model: 'llama-3.1-8b', apiKey: 'sk-local-7f3a' });
	});

	it('keeps a server’s rate limits with it: valid ones saved and offered to runs, bad ones refused with why', () => {
		const storage = memoryStorage();
		const form = new EndpointSettingsForm(storage);
		form.baseUrl = 'http://gpu-box.lan:8000/v1';
		form.recall(); // the URL field's change
		form.model = 'llama-3.1-8b';
		form.requestsPerMinute = '500';
		form.tokensPerMinute = 200000;
		form.save();
		expect(form.rateLimitError).toBeNull();
		expect(savedEndpoint(storage)?.rateLimits).toEqual({ requestsPerMinute: 500, tokensPerMinute: 200_000 });

		form.requestsPerMinute = '0';
		form.save();
		expect(form.rateLimitError).toMatch(/Requests per minute/);
		expect(savedEndpoint(storage)?.rateLimits).toEqual({ requestsPerMinute: 500, tokensPerMinute: 200_000 });
		// Recalling the same server (the connection test does) keeps what was typed and why it is refused.
		form.recall();
		expect(form.requestsPerMinute).toBe('0');
		expect(form.rateLimitError).toMatch(/Requests per minute/);

		// Another server has its own limits (none here); coming back recalls these.
		form.baseUrl = 'http://localhost:11434/v1';
		form.recall();
		expect([form.requestsPerMinute, form.tokensPerMinute]).toEqual(['', '']);
		form.baseUrl = 'http://gpu-box.lan:8000/v1';
		form.recall();
		expect([form.requestsPerMinute, form.tokensPerMinute]).toEqual([500, 200_000]);
		form.requestsPerMinute = '';
		form.tokensPerMinute = '';
		form.save();
		expect(savedEndpoint(storage)?.rateLimits).toBeUndefined();
	});

	it('an emptied key field removes the saved key', () => {
		const storage = memoryStorage({ 'skein.endpoint': '{"baseUrl":"http://localhost:8000/v1","model":"m"}', 'skein.endpoint.key': 'sk-old' });
		const form = new EndpointSettingsForm(storage);
		form.load();
		form.apiKey = '';
		form.save();
		expect(savedEndpointKey(storage)).toBeNull();
		expect(storage.items.has('skein.endpoint.key')).toBe(false);
	});

	it('unreadable settings leave the defaults', () => {
		const form = new EndpointSettingsForm(memoryStorage({ 'skein.endpoint': '{oops' }));
		form.load();
		expect(form.baseUrl).toBe(DEFAULT_BASE_URL);
		expect(savedEndpoint(memoryStorage({ 'skein.endpoint': '{oops' }))).toBeNull();
	});

	it('without a browser storage nothing is read or saved', () => {
		expect(savedEndpoint(null)).toBeNull();
		expect(savedEndpointKey(null)).toBeNull();
		const form = new EndpointSettingsForm(null);
		form.load();
		form.save();
		expect(form.baseUrl).toBe(DEFAULT_BASE_URL);
	});
});

describe('how each server is talked to', () => {
	it('remembers the structured-output mode and streaming per base URL, with what detection found', () => {
		const storage = memoryStorage();
		const form = new EndpointSettingsForm(storage);
		form.baseUrl = 'http://gpu-box.lan:8000/v1';
		form.model = 'llama';
		form.detected('json_schema', ['json_schema: accepted, and the answer matched the schema.']);
		expect(savedEndpoint(storage)).toMatchObject({ structuredOutput: 'json_schema', stream: true });

		// Another server: nothing remembered, the defaults; chosen by hand, streaming off.
		form.baseUrl = 'http://localhost:1234/v1/';
		form.recall();
		expect({ mode: form.structuredOutput, stream: form.stream, tried: form.tried, chosen: form.chosen }).toEqual({ mode: 'json_object', stream: true, tried: null, chosen: false });
		form.stream = false;
		form.choose('prompt');
		expect(form.chosen).toBe(true);
		expect(savedEndpoint(storage)).toMatchObject({ baseUrl: 'http://localhost:1234/v1/', structuredOutput: 'prompt', stream: false });

		// Back to the first: what was found for it comes back.
		const again = new EndpointSettingsForm(storage);
		again.load();
		expect([again.structuredOutput, again.chosen]).toEqual(['prompt', true]);
		again.baseUrl = 'http://gpu-box.lan:8000/v1';
		again.recall();
		expect({ mode: again.structuredOutput, stream: again.stream, tried: again.tried, chosen: again.chosen }).toEqual({ mode: 'json_schema', stream: true, tried: ['json_schema: accepted, and the answer matched the schema.'], chosen: false });
	});

	it('unreadable or unknown remembered values fall back to the defaults', () => {
		const storage = memoryStorage({ 'skein.endpoint.protocols': '{"http://a/v1":{"structuredOutput":"xml","stream":"yes"}}' });
		expect(savedProtocol('http://a/v1', storage)).toEqual({ structuredOutput: 'json_object', stream: true });
		expect(savedProtocol('http://a/v1', memoryStorage({ 'skein.endpoint.protocols': '{broken' }))).toEqual({ structuredOutput: 'json_object', stream: true });
	});
});

describe('model server settings in a workspace backup', () => {
	it('carries the base URL, model and protocols but never the API key, and restores them leaving the key alone', () => {
		const source = memoryStorage({
			'skein.endpoint': '{"baseUrl":"http://127.0.0.1:8080/v1","model":"qwen2.5:0.5b"}',
			'skein.endpoint.key': 'sk-never-exported',
			'skein.endpoint.protocols': '{"http://127.0.0.1:8080/v1":{"structuredOutput":"json_schema","stream":false}}'
		});
		const carried = endpointForBackup(source);
		expect(carried).toEqual({ baseUrl: 'http://127.0.0.1:8080/v1', model: 'qwen2.5:0.5b', protocols: { 'http://127.0.0.1:8080/v1': { structuredOutput: 'json_schema', stream: false } } });
		expect(JSON.stringify(carried)).not.toContain('sk-never-exported');
		const target = memoryStorage({ 'skein.endpoint.key': 'sk-of-this-browser' });
		restoreEndpointFromBackup(carried!, target);
		expect(savedEndpoint(target)).toMatchObject({ baseUrl: 'http://127.0.0.1:8080/v1', model: 'qwen2.5:0.5b', structuredOutput: 'json_schema', stream: false });
		expect(savedEndpointKey(target)).toBe('sk-of-this-browser');
		expect(endpointForBackup(memoryStorage())).toBeNull();
	});
});
