/**
 * Curated catalog of the small prebuilt WebLLM models worth offering for dataset generation,
 * copied from `prebuiltAppConfig.model_list` of @mlc-ai/web-llm 0.2.86 (webllm.md B.6) so the page
 * can show and filter them without loading the 6.8 MB library. `models.test.ts` checks every
 * record against the installed package, so a version bump that renames or resizes one fails CI.
 */
import type { PreflightResult } from './preflight';

export type Quantization = 'q4f16_1' | 'q4f32_1';

export interface WebLLMModel {
	/** WebLLM's `model_id`, passed to `reload`. */
	modelId: string;
	family: string;
	label: string;
	/** Nominal parameter count, in billions (as in the model's name). */
	parameters: number;
	quantization: Quantization;
	/** WebLLM's `vram_required_MB`: weights plus KV cache for `contextWindow` plus workspace. */
	vramMB: number;
	/** WebLLM's `low_resource_required`: "can run on limited devices (e.g. Android phone)". */
	lowResource: boolean;
	/**
	 * True for every f16 build, even when WebLLM's record does not list `shader-f16`: without the
	 * feature those fail with a WGSL compile error *after* the download (webllm.md B.8).
	 */
	needsShaderF16: boolean;
	/** Tokens of prompt plus answer the prebuilt build allows (its `context_window_size` override). */
	contextWindow: number;
	/** APPROXIMATE download in MB; see `approxDownloadMB`. The progress text reports the exact figure. */
	approxDownloadMB: number;
	/** File name of the model library (wasm); several ids share one (e.g. the `-1k` variants). */
	modelLib: string;
	/** Qwen3 thinks before answering unless told not to (`enable_thinking: false`). */
	thinking: boolean;
	/** Folder of the weights at huggingface.co/mlc-ai/…: the id without `-1k` (those variants reuse the weights). */
	weightsName: string;
}

/**
 * Effective bits per weight: 4-bit weights plus one scale per group of 32 (f16 scale: +0.5 bit,
 * f32 scale: +1 bit).
 */
const BITS_PER_WEIGHT: Record<Quantization, number> = { q4f16_1: 4.5, q4f32_1: 5 };
/** Margin for unquantised layers (norms, some embeddings), tokenizer and config files. */
const DOWNLOAD_MARGIN = 1.1;

/** Approximate download size in MB: parameters × bits per weight / 8, plus 10 %. An estimate, not a measurement. */
export function approxDownloadMB(parametersBillions: number, quantization: Quantization): number {
	const bytes = ((parametersBillions * 1e9 * BITS_PER_WEIGHT[quantization]) / 8) * DOWNLOAD_MARGIN;
	return Math.round(bytes / (1024 * 1024) / 10) * 10;
}

interface CatalogSource {
	modelId: string;
	family: string;
	label: string;
	parameters: number;
	vramMB: number;
	lowResource: boolean;
	contextWindow: number;
	modelLib: string;
	thinking?: boolean;
}

function quantizationOf(modelId: string): Quantization {
	return modelId.includes('q4f16_1') ? 'q4f16_1' : 'q4f32_1';
}

function entry(source: CatalogSource): WebLLMModel {
	const quantization = quantizationOf(source.modelId);
	return {
		...source,
		quantization,
		needsShaderF16: quantization === 'q4f16_1',
		approxDownloadMB: approxDownloadMB(source.parameters, quantization),
		thinking: source.thinking ?? false,
		weightsName: source.modelId.replace(/-1k$/, '')
	};
}

const lib = (name: string) => `${name}_cs1k-webgpu.wasm`;

export const WEBLLM_MODELS: readonly WebLLMModel[] = [
	// Qwen2.5 (its wasm is named Qwen2-… up to 1.5B)
	{ modelId: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC', family: 'Qwen2.5', label: 'Qwen2.5 0.5B', parameters: 0.5, vramMB: 944.62, lowResource: true, contextWindow: 4096, modelLib: lib('Qwen2-0.5B-Instruct-q4f16_1') },
	{ modelId: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC', family: 'Qwen2.5', label: 'Qwen2.5 0.5B', parameters: 0.5, vramMB: 1060.2, lowResource: true, contextWindow: 4096, modelLib: lib('Qwen2-0.5B-Instruct-q4f32_1') },
	{ modelId: 'Qwen2.5-1.5B-Instruct-q4f16_1-MLC', family: 'Qwen2.5', label: 'Qwen2.5 1.5B', parameters: 1.5, vramMB: 1629.75, lowResource: true, contextWindow: 4096, modelLib: lib('Qwen2-1.5B-Instruct-q4f16_1') },
	{ modelId: 'Qwen2.5-1.5B-Instruct-q4f32_1-MLC', family: 'Qwen2.5', label: 'Qwen2.5 1.5B', parameters: 1.5, vramMB: 1888.97, lowResource: true, contextWindow: 4096, modelLib: lib('Qwen2-1.5B-Instruct-q4f32_1') },
	{ modelId: 'Qwen2.5-3B-Instruct-q4f16_1-MLC', family: 'Qwen2.5', label: 'Qwen2.5 3B', parameters: 3, vramMB: 2504.76, lowResource: true, contextWindow: 4096, modelLib: lib('Qwen2.5-3B-Instruct-q4f16_1') },
	{ modelId: 'Qwen2.5-3B-Instruct-q4f32_1-MLC', family: 'Qwen2.5', label: 'Qwen2.5 3B', parameters: 3, vramMB: 2893.64, lowResource: true, contextWindow: 4096, modelLib: lib('Qwen2.5-3B-Instruct-q4f32_1') },
	// Qwen3
	{ modelId: 'Qwen3-0.6B-q4f16_1-MLC', family: 'Qwen3', label: 'Qwen3 0.6B', parameters: 0.6, vramMB: 1403.34, lowResource: true, contextWindow: 4096, modelLib: lib('Qwen3-0.6B-q4f16_1'), thinking: true },
	{ modelId: 'Qwen3-0.6B-q4f32_1-MLC', family: 'Qwen3', label: 'Qwen3 0.6B', parameters: 0.6, vramMB: 1924.98, lowResource: true, contextWindow: 4096, modelLib: lib('Qwen3-0.6B-q4f32_1'), thinking: true },
	{ modelId: 'Qwen3-1.7B-q4f16_1-MLC', family: 'Qwen3', label: 'Qwen3 1.7B', parameters: 1.7, vramMB: 2036.66, lowResource: true, contextWindow: 4096, modelLib: lib('Qwen3-1.7B-q4f16_1'), thinking: true },
	{ modelId: 'Qwen3-1.7B-q4f32_1-MLC', family: 'Qwen3', label: 'Qwen3 1.7B', parameters: 1.7, vramMB: 2635.44, lowResource: true, contextWindow: 4096, modelLib: lib('Qwen3-1.7B-q4f32_1'), thinking: true },
	// Llama 3.2
	{ modelId: 'Llama-3.2-1B-Instruct-q4f16_1-MLC', family: 'Llama-3.2', label: 'Llama 3.2 1B', parameters: 1, vramMB: 879.04, lowResource: true, contextWindow: 4096, modelLib: lib('Llama-3.2-1B-Instruct-q4f16_1') },
	{ modelId: 'Llama-3.2-1B-Instruct-q4f32_1-MLC', family: 'Llama-3.2', label: 'Llama 3.2 1B', parameters: 1, vramMB: 1128.82, lowResource: true, contextWindow: 4096, modelLib: lib('Llama-3.2-1B-Instruct-q4f32_1') },
	{ modelId: 'Llama-3.2-3B-Instruct-q4f16_1-MLC', family: 'Llama-3.2', label: 'Llama 3.2 3B', parameters: 3, vramMB: 2263.69, lowResource: true, contextWindow: 4096, modelLib: lib('Llama-3.2-3B-Instruct-q4f16_1') },
	{ modelId: 'Llama-3.2-3B-Instruct-q4f32_1-MLC', family: 'Llama-3.2', label: 'Llama 3.2 3B', parameters: 3, vramMB: 2951.51, lowResource: true, contextWindow: 4096, modelLib: lib('Llama-3.2-3B-Instruct-q4f32_1') },
	// SmolLM2
	{ modelId: 'SmolLM2-360M-Instruct-q4f16_1-MLC', family: 'SmolLM2', label: 'SmolLM2 360M', parameters: 0.36, vramMB: 376.06, lowResource: true, contextWindow: 4096, modelLib: lib('SmolLM2-360M-Instruct-q4f16_1') },
	{ modelId: 'SmolLM2-360M-Instruct-q4f32_1-MLC', family: 'SmolLM2', label: 'SmolLM2 360M', parameters: 0.36, vramMB: 579.61, lowResource: true, contextWindow: 4096, modelLib: lib('SmolLM2-360M-Instruct-q4f32_1') },
	{ modelId: 'SmolLM2-1.7B-Instruct-q4f16_1-MLC', family: 'SmolLM2', label: 'SmolLM2 1.7B', parameters: 1.7, vramMB: 1774.19, lowResource: true, contextWindow: 4096, modelLib: lib('SmolLM2-1.7B-Instruct-q4f16_1') },
	{ modelId: 'SmolLM2-1.7B-Instruct-q4f32_1-MLC', family: 'SmolLM2', label: 'SmolLM2 1.7B', parameters: 1.7, vramMB: 2692.38, lowResource: true, contextWindow: 4096, modelLib: lib('SmolLM2-1.7B-Instruct-q4f32_1') },
	// Gemma 2 (the -1k variants share the weights and wasm; a 1024-token context needs less VRAM)
	{ modelId: 'gemma-2-2b-it-q4f16_1-MLC', family: 'Gemma-2', label: 'Gemma 2 2B', parameters: 2.6, vramMB: 1895.3, lowResource: false, contextWindow: 4096, modelLib: lib('gemma-2-2b-it-q4f16_1') },
	{ modelId: 'gemma-2-2b-it-q4f32_1-MLC', family: 'Gemma-2', label: 'Gemma 2 2B', parameters: 2.6, vramMB: 2508.75, lowResource: false, contextWindow: 4096, modelLib: lib('gemma-2-2b-it-q4f32_1') },
	{ modelId: 'gemma-2-2b-it-q4f16_1-MLC-1k', family: 'Gemma-2', label: 'Gemma 2 2B (1k context)', parameters: 2.6, vramMB: 1583.3, lowResource: true, contextWindow: 1024, modelLib: lib('gemma-2-2b-it-q4f16_1') },
	{ modelId: 'gemma-2-2b-it-q4f32_1-MLC-1k', family: 'Gemma-2', label: 'Gemma 2 2B (1k context)', parameters: 2.6, vramMB: 1884.75, lowResource: true, contextWindow: 1024, modelLib: lib('gemma-2-2b-it-q4f32_1') },
	// Phi-3.5-mini
	{ modelId: 'Phi-3.5-mini-instruct-q4f16_1-MLC', family: 'Phi-3.5', label: 'Phi-3.5 mini 3.8B', parameters: 3.8, vramMB: 3672.07, lowResource: false, contextWindow: 4096, modelLib: lib('Phi-3.5-mini-instruct-q4f16_1') },
	{ modelId: 'Phi-3.5-mini-instruct-q4f32_1-MLC', family: 'Phi-3.5', label: 'Phi-3.5 mini 3.8B', parameters: 3.8, vramMB: 5483.12, lowResource: false, contextWindow: 4096, modelLib: lib('Phi-3.5-mini-instruct-q4f32_1') },
	{ modelId: 'Phi-3.5-mini-instruct-q4f16_1-MLC-1k', family: 'Phi-3.5', label: 'Phi-3.5 mini 3.8B (1k context)', parameters: 3.8, vramMB: 2520.07, lowResource: true, contextWindow: 1024, modelLib: lib('Phi-3.5-mini-instruct-q4f16_1') },
	{ modelId: 'Phi-3.5-mini-instruct-q4f32_1-MLC-1k', family: 'Phi-3.5', label: 'Phi-3.5 mini 3.8B (1k context)', parameters: 3.8, vramMB: 3179.12, lowResource: true, contextWindow: 1024, modelLib: lib('Phi-3.5-mini-instruct-q4f32_1') },
	// TinyLlama
	{ modelId: 'TinyLlama-1.1B-Chat-v1.0-q4f16_1-MLC', family: 'TinyLlama', label: 'TinyLlama 1.1B', parameters: 1.1, vramMB: 697.24, lowResource: true, contextWindow: 2048, modelLib: lib('TinyLlama-1.1B-Chat-v1.0-q4f16_1') },
	{ modelId: 'TinyLlama-1.1B-Chat-v1.0-q4f32_1-MLC', family: 'TinyLlama', label: 'TinyLlama 1.1B', parameters: 1.1, vramMB: 839.98, lowResource: true, contextWindow: 2048, modelLib: lib('TinyLlama-1.1B-Chat-v1.0-q4f32_1') }
].map(entry);

export function findWebLLMModel(modelId: string): WebLLMModel | undefined {
	return WEBLLM_MODELS.find((model) => model.modelId === modelId);
}

export interface ModelChoice extends WebLLMModel {
	runnable: boolean;
	/** Plain words, set when `runnable` is false. */
	whyNot?: string;
}

export interface ModelChoices {
	models: ModelChoice[];
	/** The default to preselect; undefined when nothing can run here. */
	recommended?: string;
}

/** Practical pick (webllm.md B.6): Qwen2.5-1.5B, f16 when the GPU can; 0.5B on a software GPU. */
function recommendedId(preflight: PreflightResult): string {
	const quantization: Quantization = preflight.shaderF16 ? 'q4f16_1' : 'q4f32_1';
	const size = preflight.fallbackAdapter ? '0.5B' : '1.5B';
	return `Qwen2.5-${size}-Instruct-${quantization}-MLC`;
}

/** The catalog marked with what this device (as seen by `preflightWebGPU`) can run, and a default. */
export function modelsFor(preflight: PreflightResult): ModelChoices {
	const models = WEBLLM_MODELS.map((model): ModelChoice => {
		if (preflight.status !== 'ready') return { ...model, runnable: false, whyNot: preflight.reason };
		if (model.needsShaderF16 && !preflight.shaderF16) {
			return {
				...model,
				runnable: false,
				whyNot: 'This build needs 16-bit GPU support (shader-f16), which this device lacks. Pick the q4f32_1 build of the same model.'
			};
		}
		return { ...model, runnable: true };
	});
	if (preflight.status !== 'ready') return { models };
	return { models, recommended: recommendedId(preflight) };
}
