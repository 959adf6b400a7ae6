import { prebuiltAppConfig } from '@mlc-ai/web-llm';
import { describe, expect, it } from 'vitest';
import { approxDownloadMB, findWebLLMModel, modelsFor, WEBLLM_MODELS } from './models';
import type { PreflightResult } from './preflight';

function preflight(overrides: Partial<PreflightResult> = {}): PreflightResult {
	return {
		status: 'ready',
		reason: 'This device can run in-browser models.',
		shaderF16: true,
		fallbackAdapter: false,
		adapter: { vendor: 'x', architecture: 'y', description: 'z' },
		limits: { maxBufferSize: 2 ** 31, maxStorageBufferBindingSize: 2 ** 30, maxComputeWorkgroupStorageSize: 32768, maxStorageBuffersPerShaderStage: 10 },
		...overrides
	};
}

describe('WEBLLM_MODELS against the installed @mlc-ai/web-llm', () => {
	const records = new Map(prebuiltAppConfig.model_list.map((record) => [record.model_id, record]));

	it.each(WEBLLM_MODELS.map((model) => [model.modelId, model] as const))('%s matches its prebuilt record', (modelId, model) => {
		const record = records.get(modelId);
		expect(record, `${modelId} is not in prebuiltAppConfig.model_list`).toBeDefined();
		if (!record) return;
		expect(model.vramMB).toBe(record.vram_required_MB);
		expect(model.lowResource).toBe(record.low_resource_required);
		if (record.required_features?.includes('shader-f16')) expect(model.needsShaderF16).toBe(true);
		expect(model.needsShaderF16).toBe(/f16/.test(modelId));
		expect(model.contextWindow).toBe(record.overrides?.context_window_size);
		expect(record.model_lib.endsWith(`/${model.modelLib}`)).toBe(true);
		expect(record.model.replace(/\/+$/, '').endsWith(`/mlc-ai/${model.weightsName}`)).toBe(true);
		expect(record.buffer_size_required_bytes).toBeUndefined();
		expect(modelId).toContain(model.quantization);
	});

	it('has unique ids and both quantizations for every model', () => {
		expect(new Set(WEBLLM_MODELS.map((model) => model.modelId)).size).toBe(WEBLLM_MODELS.length);
		for (const model of WEBLLM_MODELS.filter((candidate) => candidate.quantization === 'q4f16_1')) {
			expect(findWebLLMModel(model.modelId.replace('q4f16_1', 'q4f32_1'))).toBeDefined();
		}
	});

	it('marks only Qwen3 as a thinking model', () => {
		expect(WEBLLM_MODELS.filter((model) => model.thinking).every((model) => model.family === 'Qwen3')).toBe(true);
		expect(findWebLLMModel('Qwen3-0.6B-q4f16_1-MLC')?.thinking).toBe(true);
	});
});

describe('approxDownloadMB', () => {
	it('is parameters × bits per weight / 8 plus a margin', () => {
		// 1.5e9 × 4.5 / 8 × 1.1 bytes ≈ 885 MiB
		expect(approxDownloadMB(1.5, 'q4f16_1')).toBe(890);
		expect(approxDownloadMB(1.5, 'q4f32_1')).toBeGreaterThan(approxDownloadMB(1.5, 'q4f16_1'));
		for (const model of WEBLLM_MODELS) expect(model.approxDownloadMB).toBeLessThan(model.vramMB);
	});
});

describe('modelsFor', () => {
	it('offers everything and recommends Qwen2.5-1.5B f16 on a GPU with shader-f16', () => {
		const choices = modelsFor(preflight());
		expect(choices.models.every((model) => model.runnable)).toBe(true);
		expect(choices.recommended).toBe('Qwen2.5-1.5B-Instruct-q4f16_1-MLC');
	});

	it('blocks f16 builds without shader-f16, saying why, and recommends the f32 build', () => {
		const choices = modelsFor(preflight({ shaderF16: false }));
		for (const model of choices.models) {
			expect(model.runnable).toBe(!model.needsShaderF16);
			if (!model.runnable) expect(model.whyNot).toMatch(/shader-f16.*q4f32_1/);
		}
		expect(choices.recommended).toBe('Qwen2.5-1.5B-Instruct-q4f32_1-MLC');
		expect(choices.models.find((model) => model.modelId === choices.recommended)?.runnable).toBe(true);
	});

	it('recommends the 0.5B model on a software GPU', () => {
		expect(modelsFor(preflight({ shaderF16: false, fallbackAdapter: true })).recommended).toBe('Qwen2.5-0.5B-Instruct-q4f32_1-MLC');
	});

	it('offers nothing when WebGPU is unusable, with the preflight reason', () => {
		const choices = modelsFor(preflight({ status: 'no-adapter', reason: 'No GPU here.' }));
		expect(choices.recommended).toBeUndefined();
		expect(choices.models.every((model) => !model.runnable && model.whyNot === 'No GPU here.')).toBe(true);
	});
});
