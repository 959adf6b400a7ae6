/**
 * WebGPU pre-flight: decides, before any download, whether this browser can run an in-browser
 * model at all, and whether it can run the faster f16 builds.
 *
 * WebLLM itself only finds out after fetching the config and the model library (webllm.md B.8),
 * and some of its failures are untyped, so the page asks the GPU directly. Structural types keep
 * this testable with a fake `gpu` object (and free of @webgpu/types).
 */

export interface GpuAdapterInfoLike {
	vendor?: string;
	architecture?: string;
	description?: string;
}

export interface GpuAdapterLike {
	features: { has(feature: string): boolean };
	limits: { maxBufferSize: number; maxStorageBufferBindingSize: number; maxComputeWorkgroupStorageSize?: number; maxStorageBuffersPerShaderStage?: number };
	/** Chrome 114+; Firefox reports empty strings. */
	info?: GpuAdapterInfoLike;
	/** Older Chromium exposed the flag on the adapter; newer ones on `info`. */
	isFallbackAdapter?: boolean;
}

export interface GpuLike {
	requestAdapter(options?: { powerPreference?: 'low-power' | 'high-performance' }): Promise<GpuAdapterLike | null>;
}

export type PreflightStatus = 'ready' | 'no-webgpu' | 'no-adapter' | 'limits-too-low';

export interface PreflightResult {
	status: PreflightStatus;
	/** Plain words for the user: what works, or why not and what to do instead. */
	reason: string;
	shaderF16: boolean;
	/** A software adapter (SwiftShader): works, but orders of magnitude slower than a real GPU. */
	fallbackAdapter: boolean;
	adapter: { vendor: string; architecture: string; description: string };
	/** The two workgroup limits are 0 when the browser does not report them. */
	limits: { maxBufferSize: number; maxStorageBufferBindingSize: number; maxComputeWorkgroupStorageSize: number; maxStorageBuffersPerShaderStage: number };
}

/** WebLLM refuses to start below these (webllm.md B.8, "Cannot initialize runtime because of requested …"). */
export const MIN_MAX_BUFFER_SIZE = 256 * 1024 * 1024;
export const MIN_MAX_STORAGE_BUFFER_BINDING_SIZE = 128 * 1024 * 1024;
/** web-llm's kernels need 32 KiB of workgroup memory and 10 storage buffers per shader stage (it asks for both when creating the device). */
export const MIN_MAX_COMPUTE_WORKGROUP_STORAGE_SIZE = 32 * 1024;
export const MIN_MAX_STORAGE_BUFFERS_PER_SHADER_STAGE = 10;

const USE_ENDPOINT = 'or use a model server (endpoint) instead.';

function emptyResult(status: PreflightStatus, reason: string): PreflightResult {
	return {
		status,
		reason,
		shaderF16: false,
		fallbackAdapter: false,
		adapter: { vendor: '', architecture: '', description: '' },
		limits: { maxBufferSize: 0, maxStorageBufferBindingSize: 0, maxComputeWorkgroupStorageSize: 0, maxStorageBuffersPerShaderStage: 0 }
	};
}

function defaultGpu(): GpuLike | undefined {
	const navigatorLike = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator;
	return navigatorLike?.gpu;
}

function mb(bytes: number): string {
	return `${Math.round(bytes / (1024 * 1024))} MB`;
}

export async function preflightWebGPU(gpu: GpuLike | undefined = defaultGpu()): Promise<PreflightResult> {
	if (!gpu) {
		return emptyResult('no-webgpu', `This browser has no WebGPU. Use Chrome or Edge 113+, ${USE_ENDPOINT}`);
	}
	let adapter: GpuAdapterLike | null;
	try {
		adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
	} catch {
		// Some browsers throw instead of resolving null when the GPU process is gone.
		adapter = null;
	}
	if (!adapter) {
		return emptyResult(
			'no-adapter',
			`This browser has WebGPU but found no usable graphics card (it may be blocked or disabled). Update the browser or graphics driver, ${USE_ENDPOINT}`
		);
	}
	const info = adapter.info ?? {};
	const infoFallback = (info as { isFallbackAdapter?: boolean }).isFallbackAdapter;
	const result: PreflightResult = {
		status: 'ready',
		reason: '',
		shaderF16: adapter.features.has('shader-f16'),
		fallbackAdapter: Boolean(infoFallback ?? adapter.isFallbackAdapter ?? false),
		adapter: { vendor: info.vendor ?? '', architecture: info.architecture ?? '', description: info.description ?? '' },
		limits: {
			maxBufferSize: adapter.limits.maxBufferSize,
			maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
			maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize ?? 0,
			maxStorageBuffersPerShaderStage: adapter.limits.maxStorageBuffersPerShaderStage ?? 0
		}
	};
	if (result.limits.maxBufferSize < MIN_MAX_BUFFER_SIZE || result.limits.maxStorageBufferBindingSize < MIN_MAX_STORAGE_BUFFER_BINDING_SIZE) {
		return {
			...result,
			status: 'limits-too-low',
			reason: `This graphics card allows too little memory per buffer (${mb(result.limits.maxBufferSize)} / ${mb(result.limits.maxStorageBufferBindingSize)}; in-browser models need ${mb(MIN_MAX_BUFFER_SIZE)} / ${mb(MIN_MAX_STORAGE_BUFFER_BINDING_SIZE)}). Try another device, ${USE_ENDPOINT}`
		};
	}
	const workgroup = adapter.limits.maxComputeWorkgroupStorageSize;
	const buffers = adapter.limits.maxStorageBuffersPerShaderStage;
	if ((workgroup !== undefined && workgroup < MIN_MAX_COMPUTE_WORKGROUP_STORAGE_SIZE) || (buffers !== undefined && buffers < MIN_MAX_STORAGE_BUFFERS_PER_SHADER_STAGE)) {
		return {
			...result,
			status: 'limits-too-low',
			reason: `This graphics card's compute limits are too low for in-browser models (${Math.round((workgroup ?? 0) / 1024)} KiB workgroup memory, ${buffers ?? 0} storage buffers per shader; they need ${MIN_MAX_COMPUTE_WORKGROUP_STORAGE_SIZE / 1024} KiB and ${MIN_MAX_STORAGE_BUFFERS_PER_SHADER_STAGE}). Try another device or browser, ${USE_ENDPOINT}`
		};
	}
	const parts = ['This device can run in-browser models.'];
	if (!result.shaderF16) parts.push('It lacks 16-bit GPU support (shader-f16), so only the larger, slower f32 builds will work.');
	if (result.fallbackAdapter) parts.push('It is using a software GPU, which is very slow; a model server (endpoint) will be much faster.');
	return { ...result, reason: parts.join(' ') };
}
