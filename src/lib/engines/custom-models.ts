/**
 * Custom in-browser models: MLC-converted weights the user hosts (or found on Hugging Face) plus a
 * model library (.wasm), added to web-llm's model list for one load (webllm.md B.7).
 *
 * Pure logic (validation, storage format, the web-llm record, table rows); the page keeps the list
 * in localStorage through `loadCustomModels` / `saveCustomModels`.
 */
import { z } from 'zod';
import type { PreflightResult } from './webllm/preflight';
import type { WebLLMAppConfig, WebLLMModelRecord } from './webllm/webllm-engine';

export const CUSTOM_MODELS_KEY = 'skein.webllm.customModels';

export interface CustomModel {
	/** The name web-llm loads it under (its `model_id`). */
	modelId: string;
	/** Base URL of the MLC weights, e.g. https://huggingface.co/<org>/<repo>. */
	weightsUrl: string;
	/** URL of the compiled model library (.wasm). */
	modelLibUrl: string;
	/** GPU memory it needs, in MB (weights + KV cache + workspace). */
	vramMB: number;
	/** Tokens of prompt plus answer. */
	contextWindow: number;
}

export type CustomModelField = keyof CustomModel;

/** What the form holds: text fields as typed. */
export type CustomModelInput = Record<CustomModelField, string>;

export const DEFAULT_CONTEXT_WINDOW = 4096;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * https anywhere; plain http only on this machine (a local file server while converting a model).
 * web-llm fetches from a worker on an https page, where other http URLs are blocked anyway.
 */
export function allowedModelUrl(text: string): string | undefined {
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		return 'Enter a full URL starting with https://.';
	}
	if (url.protocol === 'https:') return undefined;
	if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return undefined;
	if (url.protocol === 'http:') return 'Use https:// (plain http:// is only allowed for localhost).';
	return 'Only https:// URLs (or http://localhost) can be used.';
}

function urlField(extra?: (url: URL) => string | undefined) {
	return z
		.string()
		.trim()
		.min(1, 'Required.')
		.superRefine((text, context) => {
			const problem = allowedModelUrl(text) ?? extra?.(new URL(text));
			if (problem) context.addIssue({ code: 'custom', message: problem });
		});
}

function numberField(message: string) {
	return z.preprocess((value) => (typeof value === 'string' ? (value.trim() === '' ? undefined : Number(value.trim())) : value), z.number({ error: message }));
}

const customModelSchema = z.object({
	modelId: z
		.string()
		.trim()
		.min(1, 'Required.')
		.max(120, 'At most 120 characters.')
		.regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'Letters, digits, dots, dashes and underscores only, no spaces.'),
	weightsUrl: urlField(),
	modelLibUrl: urlField((url) => (url.pathname.toLowerCase().endsWith('.wasm') ? undefined : 'The model library is a .wasm file; the URL must end in .wasm.')),
	vramMB: numberField('Enter the GPU memory in MB, e.g. 1100.').pipe(z.number().positive('Must be more than 0 MB.').max(200_000, 'At most 200,000 MB.')),
	contextWindow: z
		.preprocess((value) => (value === '' || value === undefined ? DEFAULT_CONTEXT_WINDOW : value), numberField('Enter the context in tokens, e.g. 4096.'))
		.pipe(z.number().int('A whole number of tokens.').min(256, 'At least 256 tokens.').max(131_072, 'At most 131,072 tokens.'))
});

export type CustomModelResult = { ok: true; model: CustomModel } | { ok: false; errors: Partial<Record<CustomModelField, string>> };

/**
 * Validates what the form holds. `takenIds` are the ids already in use (the catalog's and the
 * other custom models'): a clash would make web-llm load the wrong record.
 */
export function parseCustomModel(input: Partial<CustomModelInput>, takenIds: Iterable<string> = []): CustomModelResult {
	const parsed = customModelSchema.safeParse(input);
	const errors: Partial<Record<CustomModelField, string>> = {};
	if (!parsed.success) {
		for (const issue of parsed.error.issues) {
			const field = issue.path[0] as CustomModelField | undefined;
			if (field && !errors[field]) errors[field] = issue.message;
		}
	}
	const id = (input.modelId ?? '').trim();
	if (!errors.modelId && id && new Set(takenIds).has(id)) errors.modelId = 'A model with this id is already listed; pick another name.';
	if (!parsed.success || Object.keys(errors).length) return { ok: false, errors };
	return { ok: true, model: parsed.data };
}

/** f16 builds need the GPU's shader-f16 feature (q4f16_1, q0f16 … in the id or the library name). */
export function customNeedsShaderF16(model: CustomModel): boolean {
	const libName = model.modelLibUrl.split('/').pop() ?? '';
	return /q\d+f16/i.test(model.modelId) || /q\d+f16/i.test(libName);
}

/**
 * The record web-llm loads. Listing shader-f16 makes web-llm refuse before downloading weights.
 * `sliding_window_size: -1` goes with the context window, as in web-llm's prebuilt records: a
 * conversion whose mlc-chat-config.json sets a sliding window (Mistral family) would otherwise
 * fail with WindowSizeConfigurationError after the whole download.
 */
export function toModelRecord(model: CustomModel): WebLLMModelRecord {
	return {
		model: model.weightsUrl,
		model_id: model.modelId,
		model_lib: model.modelLibUrl,
		vram_required_MB: model.vramMB,
		low_resource_required: false,
		required_features: customNeedsShaderF16(model) ? ['shader-f16'] : [],
		overrides: { context_window_size: model.contextWindow, sliding_window_size: -1 }
	};
}

export function appConfigFor(model: CustomModel): WebLLMAppConfig {
	return { model_list: [toModelRecord(model)] };
}

export interface StorageLike {
	getItem(key: string): string | null;
	setItem(key: string, value: string): void;
}

/** Reads the stored list; entries that no longer validate (edited by hand, older format) are dropped. */
export function loadCustomModels(storage: Pick<StorageLike, 'getItem'>): CustomModel[] {
	let raw: unknown;
	try {
		raw = JSON.parse(storage.getItem(CUSTOM_MODELS_KEY) ?? '[]');
	} catch {
		return [];
	}
	if (!Array.isArray(raw)) return [];
	const models: CustomModel[] = [];
	for (const item of raw) {
		const parsed = customModelSchema.safeParse(item);
		if (parsed.success && !models.some((model) => model.modelId === parsed.data.modelId)) models.push(parsed.data);
	}
	return models;
}

export function saveCustomModels(storage: Pick<StorageLike, 'setItem'>, models: readonly CustomModel[]): void {
	storage.setItem(CUSTOM_MODELS_KEY, JSON.stringify(models));
}

/** Adds or replaces (same id) a model, keeping the order models were added in. */
export function withCustomModel(models: readonly CustomModel[], model: CustomModel): CustomModel[] {
	const index = models.findIndex((existing) => existing.modelId === model.modelId);
	if (index === -1) return [...models, model];
	return models.map((existing, i) => (i === index ? model : existing));
}

export function withoutCustomModel(models: readonly CustomModel[], modelId: string): CustomModel[] {
	return models.filter((model) => model.modelId !== modelId);
}

export interface CustomModelChoice extends CustomModel {
	runnable: boolean;
	whyNot?: string;
	needsShaderF16: boolean;
}

/** The custom models marked with what this device can run, like the catalog's `modelsFor`. */
export function customModelChoices(models: readonly CustomModel[], preflight: PreflightResult): CustomModelChoice[] {
	return models.map((model) => {
		const needsShaderF16 = customNeedsShaderF16(model);
		if (preflight.status !== 'ready') return { ...model, needsShaderF16, runnable: false, whyNot: preflight.reason };
		if (needsShaderF16 && !preflight.shaderF16) {
			return { ...model, needsShaderF16, runnable: false, whyNot: 'This build needs 16-bit GPU support (shader-f16), which this device lacks. Use a q4f32_1 build.' };
		}
		return { ...model, needsShaderF16, runnable: true };
	});
}
