import { expect, test } from './fixtures';
import type { Page } from '@playwright/test';
import { dropFiles, waitForSample } from './helpers';

/** The dataset id behind a row of the dataset list (from its Open link). */
async function datasetIdOf(page: Page, name: string): Promise<string> {
	const href = await page.getByTestId('dataset-row').filter({ hasText: name }).getByRole('link', { name: 'Open' }).getAttribute('href');
	const id = href?.match(/datasets\/([^/?#]+)/)?.[1];
	if (!id) throw new Error(`no dataset link for ${name}`);
	return id;
}

const STORY = 'Tell me about the night the storm took the northern light and how you kept the lamp burning until dawn came back';
const REPLY = 'It was a long night, and the sea was loud against the rocks below the tower, but the wick held.';

function nearCopies(): string {
	const lines: string[] = [];
	for (let i = 0; i < 30; i++) {
		const user = i % 10 === 0 ? `${STORY}${i > 0 ? ' again' : ''}` : `Question ${i}: what colour was the boat number ${i * 13} that came on day ${i}?`;
		const assistant = i % 10 === 0 ? REPLY : `It was painted ${['red', 'blue', 'green'][i % 3]}, and it carried ${i} crates of oil for the lamp.`;
		lines.push(JSON.stringify({ messages: [{ role: 'user', content: user }, { role: 'assistant', content: assistant }] }));
	}
	return lines.join('\n');
}

test('analysis: plots with hover and click-through, tokenizer switch, near-duplicate clusters resolved and undone', async ({ page }) => {
	await page.goto('/');
	await waitForSample(page);
	const sampleId = await datasetIdOf(page, 'Mara');
	await page.goto(`/datasets/${sampleId}/analysis`);

	const view = page.getByTestId('analysis-view');
	await expect(view.getByTestId('count-entries')).toHaveText('26');
	const messagesChart = view.locator('[data-testid=analysis-chart][data-chart=messages]');
	await expect(messagesChart.locator('canvas')).toBeVisible();
	await expect(view.locator('[data-testid=analysis-chart][data-chart=tokens] canvas')).toBeVisible();

	// Token totals change with the tokenizer.
	const tokenTotal = view.getByTestId('token-total');
	await expect(tokenTotal).toHaveText(/^[\d,]+$/);
	const openaiTotal = await tokenTotal.innerText();
	await view.getByTestId('tokenizer-select').selectOption('qwen3');
	await expect(tokenTotal).not.toHaveText(openaiTotal, { timeout: 30_000 });
	await expect(tokenTotal).toHaveText(/^[\d,]+$/);
	await expect(view.getByTestId('billed-tokens')).toHaveText(/^[\d,]+$/);

	// Hover the tallest bar of the messages chart: the tooltip shows its value.
	const table = view.locator('[data-testid=chart-table][data-chart=messages]');
	const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.children[1].textContent?.replace(/,/g, ''))));
	const tallest = rows.indexOf(Math.max(...rows));
	const over = messagesChart.locator('.u-over');
	await over.scrollIntoViewIfNeeded();
	const box = await over.boundingBox();
	if (!box) throw new Error('no plot area');
	const x = box.x + ((tallest + 0.5) / rows.length) * box.width;
	await page.mouse.move(x, box.y + box.height - 4);
	const tooltip = messagesChart.getByTestId('chart-tooltip');
	await expect(tooltip).toBeVisible();
	await expect(tooltip).toContainText(`${rows[tallest]} entries`);

	// Clicking it opens the entry browser filtered to those entries.
	await page.mouse.click(x, box.y + box.height - 4);
	await expect(page).toHaveURL(new RegExp(`/datasets/${sampleId}\\?filter=`));
	const filter = decodeURIComponent(new URL(page.url()).searchParams.get('filter') ?? '');
	expect(filter).toMatch(/msg|message/i);

	// A dataset with near-copies: the clusters appear, one is resolved, and it can be undone.
	await page.goto('/');
	await waitForSample(page);
	await dropFiles(page, [{ name: 'near-copies.jsonl', text: nearCopies() }]);
	await expect(page.getByTestId('import-report')).toHaveAttribute('data-status', 'done');
	await page.getByTestId('import-report').getByRole('button', { name: 'Close the import report' }).click();
	const nearId = await datasetIdOf(page, 'near-copies');
	await page.goto(`/datasets/${nearId}/analysis`);
	await expect(view.getByTestId('count-entries')).toHaveText('30');
	const panel = view.getByTestId('duplicates-panel');
	await expect(panel.getByTestId('dup-cluster')).toHaveCount(1);
	await expect(panel.getByTestId('dup-cluster')).toContainText('3 entries');
	await expect(view.getByTestId('prompt-diversity')).toContainText('(exact or near)');
	await panel.getByTestId('dup-resolve').click();
	await expect(panel.getByTestId('dup-notice')).toContainText('2 entries deleted');
	await expect(view.getByTestId('count-entries')).toHaveText('28');
	await expect(panel.getByTestId('dup-none')).toBeVisible();
	await panel.getByTestId('dup-undo').click();
	await expect(view.getByTestId('count-entries')).toHaveText('30');
	await expect(panel.getByTestId('dup-cluster')).toHaveCount(1);

	// The sample review: accept one entry and the checklist counts it.
	const sample = view.getByTestId('sample-review');
	await sample.getByTestId('sample-size').fill('5');
	await sample.getByTestId('sample-start').click();
	await expect(sample.getByTestId('sample-entry')).toContainText('1 / 5');
	await sample.getByTestId('sample-accept').click();
	await expect(sample.getByTestId('sample-entry')).toContainText('2 / 5');
	await expect(view.getByTestId('checklist')).toContainText('1 of 30 entries reviewed');
});
