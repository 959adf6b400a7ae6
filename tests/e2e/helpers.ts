import { readFileSync } from 'node:fs';
import { expect, type Page } from '@playwright/test';

export interface FileSpec {
	name: string;
	/** Text content, or base64 for binary files. */
	text?: string;
	base64?: string;
	type?: string;
}

/**
 * Drops files on the window with real drag events carrying a DataTransfer, the way a user's drag
 * from the desktop arrives: dragenter → dragover → drop, dispatched on the page body.
 */
export async function dropFiles(page: Page, files: FileSpec[]): Promise<void> {
	await page.evaluate(async (specs) => {
		const transfer = new DataTransfer();
		for (const spec of specs) {
			const bytes = spec.base64 !== undefined ? Uint8Array.from(atob(spec.base64), (c) => c.charCodeAt(0)) : spec.text ?? '';
			transfer.items.add(new File([bytes], spec.name, { type: spec.type ?? '' }));
		}
		const target = document.querySelector('main') ?? document.body;
		for (const type of ['dragenter', 'dragover']) {
			target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
		}
		await new Promise((resolve) => requestAnimationFrame(resolve));
		target.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: transfer }));
	}, files);
}

/** Waits for the app's first run (the built-in sample) to settle. */
export async function waitForSample(page: Page): Promise<void> {
	await page.getByTestId('dataset-row').filter({ hasText: 'Mara' }).waitFor();
}

export function chatLine(i: number): string {
	return JSON.stringify({
		messages: [
			{ role: 'user', content: `Keeper, question ${i}: is the lamp lit?` },
			{ role: 'assistant', content: `Lit and trimmed. Entry ${i}.` }
		]
	});
}

/**
 * Sets up a model server on the Engines page as a user does (URL, model, optionally its requests
 * per minute), tests the connection and waits for the structured-output probe to find json_schema;
 * then clears the server's log, so a test counts only what its run sends.
 */
export async function connectModelServer(page: Page, api: { url: string; reset(): void }, model: string, options: { requestsPerMinute?: number } = {}): Promise<void> {
	await page.goto('/generate/engines');
	await page.getByTestId('endpoint-url').fill(api.url);
	await page.getByTestId('endpoint-model').fill(model);
	if (options.requestsPerMinute !== undefined) await page.getByTestId('endpoint-rpm').fill(String(options.requestsPerMinute));
	await page.getByTestId('endpoint-test').click();
	await expect(page.getByTestId('endpoint-result')).toContainText('Connected');
	await expect(page.getByTestId('endpoint-format-result')).toHaveText('Detected: JSON schema.');
	api.reset();
}

/**
 * Drops the Wren character card on the sheets page, sets entries and iterations on the first
 * `chunks` of its 5 chunks (all by default), saves, and opens the run form for it (Chunked recipe).
 */
export async function chunkedRunFormForWren(page: Page, settings: { entries: number; iterations: number; chunks?: number }): Promise<void> {
	await page.goto('/generate/sheets');
	await expect(page.getByTestId('sheets-empty')).toBeVisible();
	await dropFiles(page, [{ name: 'wren-card-v2.json', text: readFileSync('tests/fixtures/sources/wren-card-v2.json', 'utf8'), type: 'application/json' }]);
	await expect(page.getByTestId('sheet-import-ok')).toContainText('5 chunks');
	await page.getByTestId('sheet-import-ok').getByRole('link', { name: 'Open the sheet' }).click();
	const cards = page.getByTestId('chunk-card');
	await expect(cards).toHaveCount(5);
	for (let i = 0; i < (settings.chunks ?? 5); i++) {
		await cards.nth(i).getByTestId('chunk-entries').fill(String(settings.entries));
		await cards.nth(i).getByTestId('chunk-iterations').fill(String(settings.iterations));
	}
	await page.getByTestId('sheet-save').click();
	await expect(page.getByTestId('sheet-save-message')).toHaveText('Saved.');
	await page.getByTestId('sheet-generate').click();
	await expect(page.getByRole('radio', { name: /Chunked/ })).toBeChecked();
}

/** Chooses a dataset's training target the way a user does: the dataset page's "Target" panel. */
export async function chooseTarget(page: Page, datasetId: string, target: { family: string; label: string; maxSeqLen: number }): Promise<void> {
	await page.goto(`/datasets/${encodeURIComponent(datasetId)}`);
	await page.getByTestId('target-toggle').click();
	const panel = page.getByTestId('target-panel');
	await panel.getByTestId('target-family').selectOption(target.family);
	await panel.getByTestId('target-max-seq-len').fill(String(target.maxSeqLen));
	await panel.getByTestId('target-save').click();
	await expect(page.getByTestId('target-toggle')).toHaveText(`Target: ${target.label}`);
}
