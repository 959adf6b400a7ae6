import { describe, expect, it } from 'vitest';
import { preflightWebGPU, type GpuAdapterLike, type GpuLike } from './preflight';

const GiB = 1024 * 1024 * 1024;

function fakeGpu(adapter: GpuAdapterLike | null): GpuLike {
	return { requestAdapter: async () => adapter };
}

function adapter(overrides: Partial<Omit<GpuAdapterLike, 'features'>> & { features?: string[] } = {}): GpuAdapterLike {
	const features = new Set(overrides.features ?? ['shader-f16']);
	return {
		features: { has: (feature) => features.has(feature) },
		limits: overrides.limits ?? { maxBufferSize: 4 * GiB, maxStorageBufferBindingSize: 2 * GiB },
		info: overrides.info ?? { vendor: 'nvidia', architecture: 'ampere', description: 'RTX 3060' },
		isFallbackAdapter: overrides.isFallbackAdapter
	};
}

describe('preflightWebGPU', () => {
	it('reports no WebGPU when navigator.gpu is missing (Node has none)', async () => {
		const result = await preflightWebGPU(undefined);
		expect(result.status).toBe('no-webgpu');
		expect(result.reason).toMatch(/no WebGPU.*Chrome or Edge 113\+.*endpoint/);
		expect(await preflightWebGPU()).toMatchObject({ status: 'no-webgpu' });
	});

	it('reports no adapter when requestAdapter resolves null or throws', async () => {
		expect((await preflightWebGPU(fakeGpu(null))).status).toBe('no-adapter');
		const throwing: GpuLike = { requestAdapter: () => Promise.reject(new Error('GPU process gone')) };
		const result = await preflightWebGPU(throwing);
		expect(result.status).toBe('no-adapter');
		expect(result.reason).toMatch(/no usable graphics card/);
	});

	it('is ready with shader-f16 on a real GPU and copies adapter info and limits', async () => {
		const result = await preflightWebGPU(fakeGpu(adapter()));
		expect(result).toMatchObject({
			status: 'ready',
			shaderF16: true,
			fallbackAdapter: false,
			adapter: { vendor: 'nvidia', architecture: 'ampere', description: 'RTX 3060' },
			limits: { maxBufferSize: 4 * GiB, maxStorageBufferBindingSize: 2 * GiB, maxComputeWorkgroupStorageSize: 0, maxStorageBuffersPerShaderStage: 0 }
		});
		expect(result.reason).not.toMatch(/f32|software/);
	});

	it('flags a SwiftShader fallback adapter without shader-f16 (headless Chromium, webllm.md C.1)', async () => {
		const swiftshader = adapter({
			features: ['subgroups', 'timestamp-query'],
			limits: { maxBufferSize: GiB, maxStorageBufferBindingSize: GiB },
			info: { vendor: 'google', architecture: 'swiftshader', description: '', isFallbackAdapter: true } as GpuAdapterLike['info']
		});
		const result = await preflightWebGPU(fakeGpu(swiftshader));
		expect(result).toMatchObject({ status: 'ready', shaderF16: false, fallbackAdapter: true });
		expect(result.reason).toMatch(/f32/);
		expect(result.reason).toMatch(/software GPU/);
	});

	it('reads the fallback flag from the adapter itself on older browsers', async () => {
		expect((await preflightWebGPU(fakeGpu(adapter({ isFallbackAdapter: true })))).fallbackAdapter).toBe(true);
	});

	it('reports limits too low below 256 MB buffers or 128 MB storage bindings', async () => {
		const small = adapter({ limits: { maxBufferSize: 128 * 1024 * 1024, maxStorageBufferBindingSize: 128 * 1024 * 1024 } });
		const result = await preflightWebGPU(fakeGpu(small));
		expect(result.status).toBe('limits-too-low');
		expect(result.reason).toMatch(/128 MB.*256 MB/);
		const smallBinding = adapter({ limits: { maxBufferSize: GiB, maxStorageBufferBindingSize: 64 * 1024 * 1024 } });
		expect((await preflightWebGPU(fakeGpu(smallBinding))).status).toBe('limits-too-low');
	});

	it('reports limits too low below 32 KiB of workgroup memory or 10 storage buffers per shader stage (web-llm fails after the download)', async () => {
		const base = { maxBufferSize: GiB, maxStorageBufferBindingSize: GiB };
		const swiftshaderLike = await preflightWebGPU(fakeGpu(adapter({ limits: { ...base, maxComputeWorkgroupStorageSize: 32768, maxStorageBuffersPerShaderStage: 10 } })));
		expect(swiftshaderLike.status).toBe('ready');
		expect(swiftshaderLike.limits).toMatchObject({ maxComputeWorkgroupStorageSize: 32768, maxStorageBuffersPerShaderStage: 10 });
		const workgroup = await preflightWebGPU(fakeGpu(adapter({ limits: { ...base, maxComputeWorkgroupStorageSize: 16384, maxStorageBuffersPerShaderStage: 10 } })));
		expect(workgroup.status).toBe('limits-too-low');
		expect(workgroup.reason).toMatch(/16 KiB workgroup memory.*need 32 KiB and 10/);
		const buffers = await preflightWebGPU(fakeGpu(adapter({ limits: { ...base, maxComputeWorkgroupStorageSize: 32768, maxStorageBuffersPerShaderStage: 8 } })));
		expect(buffers.status).toBe('limits-too-low');
		expect(buffers.reason).toMatch(/8 storage buffers per shader/);
	});

	it('tolerates an adapter without info (Firefox gives empty info)', async () => {
		const bare: GpuAdapterLike = { features: { has: () => false }, limits: { maxBufferSize: GiB, maxStorageBufferBindingSize: GiB } };
		const result = await preflightWebGPU(fakeGpu(bare));
		expect(result.adapter).toEqual({ vendor: '', architecture: '', description: '' });
		expect(result.status).toBe('ready');
	});
});
