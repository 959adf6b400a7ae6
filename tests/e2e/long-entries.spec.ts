import { expect, test } from './fixtures';
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { waitForSample } from './helpers';

/**
 * Issue 14 "views that freeze": a 10,000-message conversation (a SillyTavern log imports as one
 * entry) is a virtual list in the view and in the editor, and a 30 MB message opens in the
 * editor as an excerpt — the tab stays responsive, and saving untouched keeps it byte for byte.
 */

const LONG = 10_000;
function longConversation() {
	const messages = [{ role: 'system', content: 'You are Mara, keeper of the Saltreach light.' }];
	for (let i = 1; i < LONG; i++) {
		// Some messages span several lines, so rows differ in height.
		messages.push({ role: i % 2 ? 'user' : 'assistant', content: i % 7 === 0 ? `Message ${i}: the lamp,\nthe fog,\nthe bell.` : `Message ${i}: the lamp, the fog, the bell.` });
	}
	return { messages };
}

async function importLines(page: Page, name: string, lines: string[]) {
	await page.goto('/');
	await waitForSample(page);
	await page.setInputFiles('[data-testid=file-input]', { name, mimeType: 'application/jsonl', buffer: Buffer.from(lines.join('\n') + '\n') });
	const report = page.getByTestId('import-report');
	await expect(report).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
	await report.getByRole('link', { name: /^Open/ }).click();
	await page.waitForURL(/\/datasets\/[^/]+$/);
}

async function exportOpenAi(page: Page): Promise<string> {
	await page.getByTestId('export-menu').click();
	const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-openai').click()]);
	return readFileSync(await download.path(), 'utf8');
}

test('a 10,000-message conversation scrolls to its end in the view and the editor, and an edit of message 9,999 keeps every other message', async ({ page }) => {
	test.setTimeout(180_000);
	const original = longConversation();
	await importLines(page, 'long-chat.jsonl', [JSON.stringify(original)]);
	const rows = page.getByTestId('entry-row').filter({ hasNotText: 'Loading' });
	await rows.first().click();

	// The view: a window of rows over the whole conversation, not 10,000 rows.
	const view = page.getByTestId('entry-view');
	const list = view.getByTestId('message-list');
	await expect(list).toHaveAttribute('data-count', String(LONG));
	await expect(view.getByTestId('message').first()).toContainText('You are Mara');
	expect(await view.getByTestId('message').count()).toBeLessThan(80);
	// The keyboard scrolls it to the end.
	await list.focus();
	await page.keyboard.press('End');
	const last = view.locator(`[data-testid=message][data-index="${LONG - 1}"]`);
	await expect(last).toBeInViewport();
	await expect(last).toContainText(`Message ${LONG - 1}: the lamp`);
	expect(await view.getByTestId('message').count()).toBeLessThan(80);
	// "Go to message" lands on it.
	await view.getByTestId('message-jump-number').fill('5000');
	await view.getByTestId('message-jump-number').press('Enter');
	await expect(view.locator('[data-testid=message][data-index="4999"]')).toBeInViewport();
	await expect(view.locator('[data-testid=message][data-index="4999"]')).toContainText('Message 4999:');

	// The editor: virtual too; scrolled to the end, message 9,999 is edited; Save stays in view.
	const before = await exportOpenAi(page);
	await page.getByTestId('entry-edit').click();
	const editor = page.getByTestId('entry-editor');
	const editorList = editor.getByTestId('editor-message-list');
	await expect(editorList).toHaveAttribute('data-count', String(LONG));
	expect(await editor.getByTestId('editor-message').count()).toBeLessThan(60);
	await editorList.focus();
	await page.keyboard.press('End');
	const target = editor.locator('[data-testid=editor-message][data-index="9998"]');
	await expect(target).toBeInViewport();
	await expect(target.getByTestId('editor-content')).toHaveValue('Message 9998: the lamp, the fog, the bell.');
	await target.getByTestId('editor-content').fill('Message 9,999, edited at the end of a very long log.');
	expect(await editor.getByTestId('editor-message').count()).toBeLessThan(60);
	await expect(editor.getByTestId('editor-save-bottom')).toBeInViewport();
	await expect(editor.getByTestId('editor-add-message')).toBeInViewport();
	await editor.getByTestId('editor-save-bottom').click();
	await expect(editor).toHaveCount(0);

	// Re-opened after a reload: the edit is there, and the export differs in that message only.
	await page.reload();
	await rows.first().click();
	await view.getByTestId('message-jump-number').fill('9999');
	await view.getByTestId('message-jump-go').click();
	await expect(view.locator('[data-testid=message][data-index="9998"]')).toContainText('Message 9,999, edited at the end of a very long log.');
	const after = await exportOpenAi(page);
	const beforeMessages = JSON.parse(before.split('\n')[0]).messages;
	const afterMessages = JSON.parse(after.split('\n')[0]).messages;
	expect(afterMessages).toHaveLength(LONG);
	expect(afterMessages[9998].content).toBe('Message 9,999, edited at the end of a very long log.');
	afterMessages[9998] = beforeMessages[9998];
	expect(afterMessages).toEqual(beforeMessages);
	expect(beforeMessages.map((m: { content: string }) => m.content)).toEqual(original.messages.map((m) => m.content));
});

test('the editor opens a 30 MB message as an excerpt without freezing, and saving it untouched exports the same bytes', async ({ page }) => {
	test.setTimeout(420_000);
	await page.addInitScript(() => {
		const w = window as unknown as { __longest: number };
		w.__longest = 0;
		new PerformanceObserver((list) => {
			for (const entry of list.getEntries()) w.__longest = Math.max(w.__longest, entry.duration);
		}).observe({ type: 'longtask', buffered: false });
	});
	const huge = 'The tide log for the season, line after line. '.repeat(660_000).slice(0, 30_000_000 - 7) + 'THE END';
	await importLines(page, 'tide-log.jsonl', [JSON.stringify({ messages: [{ role: 'user', content: 'Read me the whole tide log.' }, { role: 'assistant', content: huge }] })]);
	const rows = page.getByTestId('entry-row').filter({ hasNotText: 'Loading' });
	await rows.first().click();
	await expect(page.getByTestId('entry-view').getByTestId('message-text').nth(1)).toHaveAttribute('data-length', '30000000');
	const before = await exportOpenAi(page);
	expect(before.length).toBeGreaterThan(30_000_000);

	// Open the editor: an excerpt with a note, not a 30 MB text box; the page keeps answering.
	await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 300)));
	await page.evaluate(() => ((window as unknown as { __longest: number }).__longest = 0));
	await page.getByTestId('entry-edit').click();
	const editor = page.getByTestId('entry-editor');
	const field = editor.getByTestId('huge-message');
	await expect(field).toHaveAttribute('data-length', '30000000');
	await expect(editor.getByTestId('huge-message-note')).toContainText('This message is 30.0 M characters long; showing the first 20,000 characters.');
	await expect(editor.getByTestId('huge-message-excerpt')).toHaveAttribute('data-shown', '20000');
	await expect(editor.getByTestId('editor-content')).toHaveCount(1);
	// A frame comes back at once (a 30 MB text box held the main thread for many seconds).
	const frameMs = await page.evaluate(() => {
		const started = performance.now();
		return new Promise<number>((resolve) => requestAnimationFrame(() => resolve(performance.now() - started)));
	});
	expect(frameMs).toBeLessThan(1_000);
	await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 300)));
	// Generous for a loaded shared machine; the 30 MB text box took seconds.
	expect(await page.evaluate(() => (window as unknown as { __longest: number }).__longest)).toBeLessThan(1_500);

	// Download it whole.
	const [download] = await Promise.all([page.waitForEvent('download'), field.getByTestId('huge-message-download').click()]);
	expect(download.suggestedFilename()).toBe('message-2.txt');
	expect(readFileSync(await download.path(), 'utf8')).toBe(huge);

	// The full-size text box asks first; declining keeps the excerpt.
	page.once('dialog', (dialog) => {
		expect(dialog.message()).toContain('This message is 30.0 M characters long');
		void dialog.dismiss();
	});
	await field.getByTestId('huge-message-edit').click();
	await expect(editor.getByTestId('huge-message-plain')).toHaveCount(0);
	await expect(editor.getByTestId('huge-message-excerpt')).toBeVisible();

	// Save untouched: the export is byte-identical.
	await editor.getByTestId('editor-save-bottom').click();
	// 60 MB (before and after) cross to the worker and back into storage: slow on a loaded machine.
	await expect(editor).toHaveCount(0, { timeout: 120_000 });
	expect(await exportOpenAi(page) === before).toBe(true);

	// Replace it from a file, then edit that in the plain text box and save.
	await page.getByTestId('entry-edit').click();
	const replacement = 'Tide table, corrected. '.repeat(10_000);
	await editor.getByTestId('huge-message-file').setInputFiles({ name: 'corrected-log.txt', mimeType: 'text/plain', buffer: Buffer.from(replacement) });
	await expect(editor.getByTestId('huge-message-replaced')).toContainText('corrected-log.txt (230 K characters)');
	await expect(field).toHaveAttribute('data-length', String(replacement.length));
	page.once('dialog', (dialog) => void dialog.accept());
	await field.getByTestId('huge-message-edit').click();
	const plain = editor.getByTestId('huge-message-plain');
	await expect(plain).toBeVisible();
	await plain.press('Control+End');
	await plain.pressSequentially(' Signed, Mara.');
	await page.keyboard.press('Control+s');
	await expect(editor).toHaveCount(0, { timeout: 120_000 });
	const saved = page.getByTestId('entry-view').getByTestId('message-text').nth(1);
	await expect(saved).toHaveAttribute('data-length', String(replacement.length + ' Signed, Mara.'.length));
	const exported = JSON.parse((await exportOpenAi(page)).split('\n')[0]);
	expect(exported.messages[1].content).toBe(replacement + ' Signed, Mara.');
});
