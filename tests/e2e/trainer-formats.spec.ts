import { expect, test } from './fixtures';
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { dropFiles, waitForSample } from './helpers';

/** Issue 17: LLaMA-Factory tool-calling data imports without false findings and exports to files the trainers read. */

async function openExport(page: Page, datasetUrl: string, format: string) {
	await page.goto(datasetUrl);
	await page.getByTestId('export-menu').click();
	await page.getByTestId('export-more').click();
	const dialog = page.getByTestId('export-dialog');
	await dialog.getByTestId(`format-${format}`).check();
	return dialog;
}

test('a LLaMA-Factory tool-calling file: no false errors under openai-chat, valid OpenAI and ShareGPT exports that read back', async ({ page }) => {
	const text = readFileSync('tests/fixtures/llamafactory/glaive-toolcall.json', 'utf8');
	await page.goto('/');
	await waitForSample(page);
	await dropFiles(page, [{ name: 'glaive-toolcall.json', text }]);
	const report = page.getByTestId('import-report');
	await expect(report).toContainText('ShareGPT conversations: 4');
	await expect(report).toContainText('function_call turn converted to an assistant tool call (id generated)');
	await expect(report).toContainText('observation answering parallel calls split into one tool message per call');
	await report.getByRole('link', { name: /^Open/ }).click();
	await expect(page.getByTestId('entry-count')).toContainText('4 entries');
	const datasetUrl = page.url();
	// The call shows as a call, not as "[part]" or an empty reply.
	await expect(page.getByTestId('entry-row').first()).toContainText('[calls search_recipes]');

	await page.getByTestId('validation-toggle').click();
	const panel = page.getByTestId('validation-panel');
	await panel.getByTestId('validation-profile').selectOption('openai-chat');
	await panel.getByTestId('validation-run').click();
	await expect(panel.getByTestId('validation-summary')).toBeVisible();
	await expect(panel.getByTestId('validation-errors')).toHaveText('0');

	// OpenAI export, through the pre-export check against openai-chat.
	let dialog = await openExport(page, datasetUrl, 'openai');
	await dialog.getByTestId('check-profile').selectOption('openai-chat');
	const [openAiDownload] = await Promise.all([page.waitForEvent('download'), dialog.getByTestId('export-download').click()]);
	const openAiLines = readFileSync(await openAiDownload.path(), 'utf8').trimEnd().split('\n');
	expect(openAiLines).toHaveLength(4);
	for (const line of openAiLines) {
		const record = JSON.parse(line) as { messages: { role: string; tool_calls?: { id: string }[]; tool_call_id?: string }[]; tools?: unknown };
		if ('tools' in record) expect(Array.isArray(record.tools)).toBe(true);
		const calls = new Set<string>();
		for (const message of record.messages) {
			for (const call of message.tool_calls ?? []) calls.add(call.id);
			if (message.role === 'tool') expect(calls.has(message.tool_call_id ?? '')).toBe(true);
		}
	}
	await dialog.getByRole('button', { name: 'Close' }).click();

	// ShareGPT export: function_call / observation turns and a tools column of JSON text, as LLaMA-Factory reads them.
	dialog = await openExport(page, datasetUrl, 'sharegpt');
	await dialog.getByTestId('check-profile').selectOption('sharegpt');
	const [shareGptDownload] = await Promise.all([page.waitForEvent('download'), dialog.getByTestId('export-download').click()]);
	const shareGptText = readFileSync(await shareGptDownload.path(), 'utf8');
	const shareGptLines = shareGptText.trimEnd().split('\n');
	expect(shareGptLines).toHaveLength(4);
	const parallel = JSON.parse(shareGptLines[1]) as { conversations: { from: string; value: string }[]; tools: string };
	expect(parallel.conversations.map((t) => t.from)).toEqual(['system', 'human', 'function_call', 'observation', 'gpt']);
	expect(JSON.parse(parallel.conversations[2].value)).toHaveLength(2);
	expect(typeof parallel.tools).toBe('string');
	expect(Array.isArray(JSON.parse(parallel.tools))).toBe(true);
	await dialog.getByRole('button', { name: 'Close' }).click();

	// Both files read back as the same conversations.
	await page.setInputFiles('[data-testid=file-input]', { name: 'back.openai.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(openAiLines.join('\n')) });
	await expect(page.getByTestId('import-report')).toContainText('OpenAI / ChatML messages: 4');
	await page.setInputFiles('[data-testid=file-input]', { name: 'back.sharegpt.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(shareGptText) });
	const back = page.getByTestId('import-report');
	await expect(back).toContainText('ShareGPT conversations: 4');
	await back.getByRole('link', { name: /^Open/ }).click();
	await expect(page.getByTestId('entry-row').first()).toContainText('[calls search_recipes]');
});

test('an export that would be empty is not downloaded, and the dialog says why', async ({ page }) => {
	const text = readFileSync('tests/fixtures/llamafactory/openai-parallel.jsonl', 'utf8');
	await page.goto('/');
	await waitForSample(page);
	await dropFiles(page, [{ name: 'parallel-calls.jsonl', text }]);
	await page.getByTestId('import-report').getByRole('link', { name: /^Open/ }).click();
	await expect(page.getByTestId('entry-count')).toContainText('2 entries');
	const dialog = await openExport(page, page.url(), 'alpaca');
	// Before download, the dialog lists what Alpaca cannot carry.
	await expect(dialog).toContainText('Skipped: tool calls and tool results (Alpaca cannot express them)');
	await dialog.getByTestId('check-profile').selectOption('');
	let downloaded = 0;
	page.on('download', () => downloaded++);
	await dialog.getByTestId('export-download').click();
	await expect(dialog.getByTestId('export-empty-file')).toContainText('would be empty, so it is not downloaded: all 2 entries were skipped');
	await expect(dialog.getByTestId('export-empty-file')).toContainText('tool calls or tool results');
	await page.screenshot({ path: '/tmp/f17-empty-1400.png', fullPage: false });
	await page.setViewportSize({ width: 390, height: 844 });
	await dialog.getByTestId('export-empty-file').scrollIntoViewIfNeeded();
	await page.screenshot({ path: '/tmp/f17-empty-390.png', fullPage: false });
	expect(downloaded).toBe(0);
});
