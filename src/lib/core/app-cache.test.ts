import { describe, expect, it } from 'vitest';
import { appCacheName, isOldAppCache } from './app-cache';

describe('the app’s own caches', () => {
	it('are named by version, and only other versions of them may be deleted', () => {
		const current = appCacheName('1796436728643');
		expect(current).toBe('skein-app-1796436728643');
		expect(isOldAppCache('skein-app-1796436728642', current)).toBe(true);
		expect(isOldAppCache(current, current)).toBe(false);
		// web-llm's model weights, config and wasm: never ours to delete.
		for (const name of ['webllm/model', 'webllm/config', 'webllm/wasm', 'other-app-cache']) expect(isOldAppCache(name, current)).toBe(false);
	});
});
