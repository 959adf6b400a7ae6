import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
	plugins: [sveltekit()],
	worker: { format: 'es' },
	test: {
		include: ['src/**/*.test.ts', 'tests/unit/**/*.test.ts', 'tests/model-server/**/*.test.ts'],
		environment: 'node',
		// Property tests run thousands of cases; a busy 2-core CI machine must not time them out.
		testTimeout: 30_000
	}
});
