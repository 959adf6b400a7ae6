import { readFileSync } from 'node:fs';
import { expect, test } from './fixtures';
import { chooseTarget, dropFiles, waitForSample } from './helpers';

/**
 * The dataset as the trainer sees it (issue 15): a dataset of the template fixture conversations
 * gets a Qwen3 training target; Analysis shows its token distribution under the template and the
 * entries over max_seq_len (which open filtered in the browser); the pre-rendered text export is
 * read back and its text is Python jinja2's golden render of the same conversation.
 *
 * The target picker is another part of the issue: here the target is written into the dataset's
 * row in IndexedDB (as the picker saves it through DatasetsState.setTemplateTarget), then the
 * page is reloaded.
 */
interface Conversation {
	messages: unknown[];
	tools?: unknown[];
}
const conversations = JSON.parse(readFileSync('tests/fixtures/templates/conversations.json', 'utf8')) as Record<string, Conversation>;
const golden = JSON.parse(readFileSync('tests/fixtures/templates/qwen3.json', 'utf8')) as { renders: Record<string, { text?: string }> };
const NAMES = Object.keys(conversations);

function datasetText(): string {
	return NAMES.map((name) => JSON.stringify({ messages: conversations[name].messages, ...(conversations[name].tools ? { tools: conversations[name].tools } : {}) })).join('\n');
}

test('training target: template tokens and over-length entries in Analysis, pre-rendered text export equals the golden render', async ({ page }) => {
	test.setTimeout(180_000);
	await page.goto('/');
	await waitForSample(page);
	await dropFiles(page, [{ name: 'template-fixtures.jsonl', text: datasetText() }]);
	const report = page.getByTestId('import-report');
	await expect(report).toHaveAttribute('data-status', 'done');
	await report.getByRole('link', { name: /^Open/ }).click();
	await page.waitForURL(/\/datasets\/[^/]+$/);
	const datasetId = page.url().split('/').pop()!;

	// Without a target, pre-rendered text is offered but disabled, saying why.
	await page.getByTestId('export-menu').click();
	await page.getByTestId('export-more').click();
	const dialog = page.getByTestId('export-dialog');
	await expect(dialog.getByTestId('format-rendered-text')).toBeDisabled();
	await expect(dialog.getByTestId('format-rendered-text-reason')).toContainText('Needs a training target');
	await dialog.getByRole('button', { name: 'Close' }).click();

	// Analysis without a target says there is none.
	await page.goto(`/datasets/${datasetId}/analysis`);
	await expect(page.getByTestId('template-no-target')).toBeVisible();
	// The chat-template families' tokenizers are in the offline list.
	await page.getByTestId('offline-tokenizers').locator('summary').click();
	for (const id of ['qwen3', 'llama3_1', 'gemma3', 'gptoss']) {
		await expect(page.locator(`[data-testid=offline-tokenizer][data-tokenizer=${id}]`)).toHaveAttribute('data-availability', /available|missing|partial/);
	}

	await chooseTarget(page, datasetId, { family: 'qwen3', label: 'Qwen3', maxSeqLen: 64 });
	await page.goto(`/datasets/${datasetId}/analysis`);
	const panel = page.getByTestId('template-analysis');
	await expect(panel.getByTestId('template-total')).toHaveText(/^[\d,]+$/, { timeout: 90_000 });
	await expect(panel).toContainText('Qwen3');
	await expect(panel.locator('[data-testid=analysis-chart][data-chart=template-tokens] canvas')).toBeVisible();
	await expect(panel.getByTestId('template-trained')).toContainText(/\d+% of tokens trained \(assistant-only\)/);
	const overText = await panel.getByTestId('template-over').innerText();
	const over = Number(overText.replace(/,/g, ''));
	expect(over).toBeGreaterThan(0);
	expect(over).toBeLessThan(NAMES.length);
	// The histogram's table adds up to the entries the template rendered.
	const counts = await panel.locator('[data-testid=chart-table][data-chart=template-tokens] tbody tr').evaluateAll((rows) => rows.map((row) => Number(row.children[1].textContent?.replace(/,/g, ''))));
	expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(over);

	for (const width of [1400, 390]) {
		await page.setViewportSize({ width, height: 900 });
		await panel.scrollIntoViewIfNeeded();
		await panel.screenshot({ path: `/tmp/a15-template-analysis-${width}.png` });
	}
	await page.setViewportSize({ width: 1400, height: 900 });

	// A bar of the histogram (its row in the table) opens the browser filtered to its entries.
	await panel.locator('[data-chart=template-tokens]').locator('xpath=ancestor::section[1]').getByText('Numbers as a table').click();
	const firstBar = panel.locator('[data-testid=chart-table][data-chart=template-tokens] tbody tr').filter({ has: page.locator('a') }).first();
	const barCount = Number((await firstBar.locator('td').nth(1).innerText()).replace(/,/g, ''));
	await firstBar.locator('a').click();
	await expect(page).toHaveURL(/template-tokens/);
	await expect(page.getByTestId('search-count')).toHaveText(new RegExp(`^${barCount} found`));
	await page.goBack();
	await expect(panel.getByTestId('template-over')).toHaveText(overText);

	// The over-length count opens the browser filtered to those entries.
	await panel.getByTestId('template-over').click();
	await expect(page).toHaveURL(/template-tokens/);
	await expect(page.getByTestId('search-count')).toHaveText(new RegExp(`^${over} found`));

	// Export pre-rendered text with the assistant spans, and read the file back.
	await page.getByTestId('export-menu').click();
	await page.getByTestId('export-more').click();
	await dialog.getByTestId('format-rendered-text').check();
	await dialog.getByTestId('rendered-spans').check();
	await expect(dialog).toContainText('"assistant_spans": [[start, end], …]');
	await dialog.getByTestId('check-profile').selectOption('');
	for (const width of [1400, 390]) {
		await page.setViewportSize({ width, height: 900 });
		await dialog.screenshot({ path: `/tmp/a15-export-dialog-${width}.png` });
	}
	await page.setViewportSize({ width: 1400, height: 900 });
	const download = page.waitForEvent('download');
	await dialog.getByTestId('export-download').click();
	const file = await download;
	expect(file.suggestedFilename()).toMatch(/\.rendered-text\.\d{4}-\d{2}-\d{2}\.jsonl$/);
	const lines = readFileSync(await file.path(), 'utf8')
		.trimEnd()
		.split('\n')
		.map((line) => JSON.parse(line) as { text: string; assistant_spans: [number, number][] });
	// The multi-turn conversation's line is Python jinja2's render of it under Qwen3's template.
	const expected = golden.renders['multi-turn'].text!;
	const line = lines.find((l) => l.text === expected);
	expect(line, 'the golden render of the multi-turn conversation').toBeDefined();
	const points = Array.from(line!.text);
	const spans = line!.assistant_spans.map(([start, end]) => points.slice(start, end).join(''));
	const assistants = (conversations['multi-turn'].messages as { role: string; content: string }[]).filter((m) => m.role === 'assistant');
	expect(spans).toHaveLength(assistants.length);
	spans.forEach((span, i) => expect(span).toContain(assistants[i].content.trim().slice(0, 20)));
	// Every rendered entry is a line; the ones Qwen3 refuses are reported as skipped.
	const rendered = NAMES.filter((name) => golden.renders[name]?.text !== undefined);
	expect(lines).toHaveLength(rendered.length);
});

test('training target offline without its tokenizer: says so plainly and shows estimates', async ({ page, context }) => {
	test.setTimeout(120_000);
	await page.goto('/');
	await waitForSample(page);
	await page.evaluate(() => navigator.serviceWorker.ready);
	await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
	const href = await page.getByTestId('dataset-row').filter({ hasText: 'Mara' }).getByRole('link', { name: 'Open' }).getAttribute('href');
	const datasetId = href!.split('/').pop()!;
	await chooseTarget(page, datasetId, { family: 'gemma3', label: 'Gemma 3', maxSeqLen: 128 });

	// Offline, and the Gemma vocabulary was never used nor kept: the figures are estimates, and say why.
	await context.setOffline(true);
	await page.goto(`${href}/analysis`);
	const panel = page.getByTestId('template-analysis');
	await expect(panel.getByTestId('template-estimated')).toContainText('Estimated at 4 characters a token', { timeout: 60_000 });
	await expect(panel.getByTestId('template-estimated')).toContainText('Gemma 3');
	await expect(panel.getByTestId('template-estimated')).toContainText('connect once');
	await expect(panel.getByTestId('template-total')).toHaveText(/^≈ [\d,]+$/);
	await expect(panel.getByTestId('template-over')).toHaveText(/^\d+$/);
	await expect(page.getByText(/dynamically imported module/)).toHaveCount(0);
	// The list offers to keep it offline.
	await page.getByTestId('offline-tokenizers').locator('summary').click();
	await expect(page.locator('[data-testid=offline-tokenizer][data-tokenizer=gemma3]').getByRole('button', { name: /Make available offline/ })).toBeVisible();
	await context.setOffline(false);
});
