import type { Page } from '@playwright/test';

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
