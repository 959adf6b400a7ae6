import { describe, expect, it } from 'vitest';
import {
	appConfigFor,
	CUSTOM_MODELS_KEY,
	customModelChoices,
	loadCustomModels,
	parseCustomModel,
	saveCustomModels,
	toModelRecord,
	withCustomModel,
	withoutCustomModel,
	type CustomModel,
	type CustomModelInput
} from './custom-models';
import { WEBLLM_MODELS } from './webllm/models';
import type { PreflightResult } from './webllm/preflight';

const form: CustomModelInput = {
	modelId: 'skein-qwen2.5-0.5b-tuned-q4f32_1',
	weightsUrl: 'https://huggingface.co/my-org/skein-qwen2.5-0.5b-tuned-q4f32_1-MLC',
	modelLibUrl: 'https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/main/web-llm-models/v0_2_80/Qwen2-0.5B-Instruct-q4f32_1-ctx4k_cs1k-webgpu.wasm',
	vramMB: '1060',
	contextWindow: '2048'
};

class MemoryStorage {
	readonly items = new Map<string, string>();
	getItem(key: string): string | null {
		return this.items.get(key) ?? null;
	}
	setItem(key: string, value: string): void {
		this.items.set(key, value);
	}
}

const ready: PreflightResult = {
	status: 'ready',
	reason: 'This device can run in-browser models.',
	shaderF16: false,
	fallbackAdapter: true,
	adapter: { vendor: 'google', architecture: 'swiftshader', description: '' },
	limits: { maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 2 ** 30, maxComputeWorkgroupStorageSize: 32768, maxStorageBuffersPerShaderStage: 10 }
};

function errorsOf(input: Partial<CustomModelInput>, taken: string[] = []) {
	const result = parseCustomModel(input, taken);
	if (result.ok) throw new Error('expected errors');
	return result.errors;
}

describe('parseCustomModel', () => {
	it('accepts a Hugging Face repo with a prebuilt library and converts the numbers', () => {
		const result = parseCustomModel({ ...form, modelId: `  ${form.modelId} ` });
		expect(result).toEqual({ ok: true, model: { ...form, vramMB: 1060, contextWindow: 2048 } });
	});

	it('defaults the context to 4096 tokens when left empty', () => {
		const result = parseCustomModel({ ...form, contextWindow: '' });
		expect(result.ok && result.model.contextWindow).toBe(4096);
	});

	it('allows plain http only for this machine', () => {
		expect(parseCustomModel({ ...form, weightsUrl: 'http://localhost:8000/models/tuned/resolve/main/' }).ok).toBe(true);
		expect(parseCustomModel({ ...form, weightsUrl: 'http://127.0.0.1:8000/tuned' }).ok).toBe(true);
		expect(errorsOf({ ...form, weightsUrl: 'http://models.example.org/tuned' }).weightsUrl).toMatch(/https:\/\//);
		expect(errorsOf({ ...form, weightsUrl: 'ftp://example.org/tuned' }).weightsUrl).toMatch(/Only https/);
		expect(errorsOf({ ...form, weightsUrl: 'huggingface.co/my-org/tuned' }).weightsUrl).toMatch(/full URL/);
		expect(errorsOf({ ...form, weightsUrl: 'javascript:alert(1)' }).weightsUrl).toBeDefined();
	});

	it('wants a .wasm model library', () => {
		expect(errorsOf({ ...form, modelLibUrl: 'https://example.org/libs/qwen.js' }).modelLibUrl).toMatch(/\.wasm/);
		expect(parseCustomModel({ ...form, modelLibUrl: 'https://example.org/libs/QWEN.WASM' }).ok).toBe(true);
	});

	it('reports every bad field once, next to the field', () => {
		const errors = errorsOf({ modelId: 'has spaces', weightsUrl: '', modelLibUrl: 'http://evil.example/x.wasm', vramMB: 'lots', contextWindow: '100.5' });
		expect(errors).toEqual({
			modelId: expect.stringMatching(/no spaces/),
			weightsUrl: 'Required.',
			modelLibUrl: expect.stringMatching(/localhost/),
			vramMB: expect.stringMatching(/MB/),
			contextWindow: expect.stringMatching(/whole number/)
		});
		expect(errorsOf({ ...form, vramMB: '0' }).vramMB).toMatch(/more than 0/);
		expect(errorsOf({ ...form, vramMB: '' }).vramMB).toMatch(/MB/);
		expect(errorsOf({ ...form, contextWindow: '64' }).contextWindow).toMatch(/256/);
	});

	it('refuses an id already in the catalog or the custom list', () => {
		const catalogIds = WEBLLM_MODELS.map((model) => model.modelId);
		expect(errorsOf({ ...form, modelId: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC' }, catalogIds).modelId).toMatch(/already listed/);
		expect(parseCustomModel(form, catalogIds).ok).toBe(true);
	});
});

describe('the web-llm record', () => {
	it('carries the URLs, VRAM and context; f32 builds need no GPU feature', () => {
		const model = (parseCustomModel(form) as { model: CustomModel }).model;
		expect(appConfigFor(model)).toEqual({
			model_list: [
				{
					model: form.weightsUrl,
					model_id: form.modelId,
					model_lib: form.modelLibUrl,
					vram_required_MB: 1060,
					low_resource_required: false,
					required_features: [],
					// Sliding window off, as in web-llm's prebuilt records: a Mistral-family
					// config would otherwise fail with WindowSizeConfigurationError after the download.
					overrides: { context_window_size: 2048, sliding_window_size: -1 }
				}
			]
		});
	});

	it('lists shader-f16 for f16 builds, so web-llm refuses before downloading', () => {
		const f16 = (parseCustomModel({ ...form, modelLibUrl: 'https://example.org/Llama-3.2-1B-Instruct-q4f16_1-ctx4k_cs1k-webgpu.wasm' }) as { model: CustomModel }).model;
		expect(toModelRecord(f16).required_features).toEqual(['shader-f16']);
		const [choice] = customModelChoices([f16], ready);
		expect(choice).toMatchObject({ runnable: false, needsShaderF16: true, whyNot: expect.stringMatching(/shader-f16/) });
		expect(customModelChoices([f16], { ...ready, shaderF16: true })[0].runnable).toBe(true);
		expect(customModelChoices([f16], { ...ready, status: 'no-adapter', reason: 'No GPU.' })[0]).toMatchObject({ runnable: false, whyNot: 'No GPU.' });
	});
});

describe('storage', () => {
	it('round-trips through localStorage, replacing by id and removing', () => {
		const storage = new MemoryStorage();
		expect(loadCustomModels(storage)).toEqual([]);
		const first = (parseCustomModel(form) as { model: CustomModel }).model;
		const second: CustomModel = { ...first, modelId: 'other-model', vramMB: 900 };
		let list = withCustomModel(withCustomModel([], first), second);
		list = withCustomModel(list, { ...first, vramMB: 1200 });
		expect(list.map((model) => [model.modelId, model.vramMB])).toEqual([
			[first.modelId, 1200],
			['other-model', 900]
		]);
		saveCustomModels(storage, list);
		expect(loadCustomModels(storage)).toEqual(list);
		expect(withoutCustomModel(list, 'other-model')).toEqual([list[0]]);
	});

	it('drops stored entries that no longer validate and survives garbage', () => {
		const storage = new MemoryStorage();
		const good = (parseCustomModel(form) as { model: CustomModel }).model;
		storage.setItem(CUSTOM_MODELS_KEY, JSON.stringify([good, { ...good, modelId: 'bad', weightsUrl: 'http://evil.example/x' }, { modelId: 42 }, good]));
		expect(loadCustomModels(storage)).toEqual([good]);
		storage.setItem(CUSTOM_MODELS_KEY, '{not json');
		expect(loadCustomModels(storage)).toEqual([]);
		storage.setItem(CUSTOM_MODELS_KEY, '{"modelId":"x"}');
		expect(loadCustomModels(storage)).toEqual([]);
	});
});
