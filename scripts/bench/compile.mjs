/**
 * Compiler figure for `npm run bench` (SPEC §7 / §10: a prompt compiles in under 5 ms): opens
 * /generate, picks the built-in "Conversation scenarios" template and types a new value into its
 * content instructions many times. Each keystroke recompiles in the data worker; the preview
 * carries the worker's own compile duration (`data-compile-ms`, registry lookup and transfer
 * excluded) and a sequence number that moves when an answer lands.
 *
 * @param {import('@playwright/test').Page} page a page already on the app
 * @param {{ runs?: number }} [options]
 * @returns {Promise<{ compileMs: number }>} the median per compile, in milliseconds
 */
export async function benchCompile(page, { runs = 60 } = {}) {
	await page.goto(new URL('/generate', page.url()).href);
	await page.getByRole('radio', { name: /Conversation scenarios/ }).check();
	const instructions = page.locator('#setting-content_instructions');
	await instructions.waitFor();
	const preview = page.getByTestId('prompt-preview');
	const samples = [];
	for (let i = 0; i < runs; i++) {
		const before = Number(await preview.getAttribute('data-compile-seq'));
		await instructions.fill(`Benchmark scenario ${i}: a lighthouse keeper answers visitors about the lamp and the weather.`);
		await page.waitForFunction(
			(seq) => Number(document.querySelector('[data-testid=prompt-preview]')?.getAttribute('data-compile-seq')) > seq,
			before,
			{ timeout: 10_000 }
		);
		// The first runs warm up the worker's JIT and mustache's parse cache.
		if (i >= 5) samples.push(Number(await preview.getAttribute('data-compile-ms')));
	}
	samples.sort((a, b) => a - b);
	const mid = samples.length >> 1;
	const compileMs = samples.length % 2 ? samples[mid] : (samples[mid - 1] + samples[mid]) / 2;
	return { compileMs };
}
