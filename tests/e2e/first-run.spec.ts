import { expect, test } from '@playwright/test';
import { waitForSample } from './helpers';

test('first visit shows the built-in sample and how to import', async ({ page }) => {
	await page.goto('/');
	await waitForSample(page);
	const row = page.getByTestId('dataset-row').filter({ hasText: 'Mara' });
	await expect(row).toContainText('26 entries');
	await expect(page.getByRole('heading', { name: 'How to import' })).toBeVisible();
	await expect(page.getByText('Drag files onto this window')).toBeVisible();
});

test('the entry browser lists, shows, navigates and searches entries', async ({ page }) => {
	await page.goto('/');
	await waitForSample(page);
	await page.getByTestId('dataset-row').filter({ hasText: 'Mara' }).getByRole('link', { name: 'Open' }).click();
	await expect(page.getByTestId('dataset-title')).toHaveText('Sample · Mara, the lighthouse keeper');
	await expect(page.getByTestId('entry-count')).toContainText('26 entries');
	await expect(page.getByTestId('entry-row').first()).not.toContainText('Loading');

	const view = page.getByTestId('entry-view');
	await expect(view).toContainText('Entry #1');
	await expect(view).toContainText('mara-001');

	// Keyboard: focus the list and walk it.
	await page.getByTestId('entry-list').focus();
	await page.keyboard.press('ArrowDown');
	await expect(view).toContainText('Entry #2');
	await page.keyboard.press('End');
	await expect(view).toContainText('Entry #26');
	await page.keyboard.press('Home');
	await expect(view).toContainText('Entry #1');

	// Search narrows the list; clearing it restores everything.
	await page.getByTestId('entry-search').fill('ChatGPT');
	await expect(page.getByTestId('search-count')).toContainText('found');
	const found = Number((await page.getByTestId('search-count').innerText()).match(/^\d+/)?.[0]);
	expect(found).toBeGreaterThan(0);
	expect(found).toBeLessThan(26);
	await expect(view).toContainText(/chatgpt/i);
	await page.getByTestId('entry-search').fill('');
	await expect(page.getByTestId('search-count')).toHaveCount(0);

	// The tool-call entry renders its structured fields as text.
	await page.getByTestId('entry-search').fill('check_tide_table');
	await expect(view).toContainText('tool_calls');
	await expect(view).toContainText('(no content)');
});

test('user text is rendered as text, never as HTML', async ({ page }) => {
	await page.goto('/');
	await waitForSample(page);
	const hostile = JSON.stringify({
		messages: [
			{ role: 'user', content: '<img src=x onerror="window.__pwned=1"><b>bold?</b>' },
			{ role: 'assistant', content: '<script>window.__pwned=2</script>' }
		]
	});
	await page.getByRole('button', { name: 'Paste' }).click();
	await page.getByTestId('paste-text').fill(hostile);
	await page.getByRole('button', { name: 'Import', exact: true }).click();
	const report = page.getByTestId('import-report');
	await expect(report).toHaveAttribute('data-status', 'done');
	await report.getByRole('link', { name: /^Open/ }).click();
	const view = page.getByTestId('entry-view');
	await expect(view).toContainText('<img src=x onerror="window.__pwned=1"><b>bold?</b>');
	await expect(view).toContainText('<script>window.__pwned=2</script>');
	expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
	await expect(view.locator('img, b')).toHaveCount(0);
});
