import { expect, test } from './fixtures';
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

test('a long list loads whichever rows come into view, by scrolling or by keyboard', async ({ page }) => {
	const lines = Array.from({ length: 3000 }, (_, i) =>
		JSON.stringify({ messages: [{ role: 'user', content: `Row question ${i + 1}` }, { role: 'assistant', content: `Row answer ${i + 1}` }] })
	);
	await page.goto('/');
	await waitForSample(page);
	await page.setInputFiles('[data-testid=file-input]', { name: 'long.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(lines.join('\n')) });
	await page.getByTestId('import-report').getByRole('link', { name: /^Open/ }).click();
	await expect(page.getByTestId('entry-count')).toContainText('3,000 entries');

	// Jump to the middle: rows there load (several pages in flight at once).
	await page.getByTestId('entry-list').evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
	const middle = page.getByTestId('entry-row').filter({ hasText: 'Row question 1501' });
	await expect(middle).toBeVisible();
	await expect(page.getByTestId('entry-row').filter({ hasText: 'Loading' })).toHaveCount(0);

	await page.getByTestId('entry-list').focus();
	await page.keyboard.press('End');
	await expect(page.getByTestId('entry-view')).toContainText('Row answer 3000');
	await page.keyboard.press('PageUp');
	await expect(page.getByTestId('entry-view')).not.toContainText('Row answer 3000');

	// A search that changes the list also loads its rows.
	await page.getByTestId('entry-search').fill('question 2999');
	await expect(page.getByTestId('search-count')).toContainText('1 found');
	await expect(page.getByTestId('entry-row').first()).toContainText('Row question 2999');
	await expect(page.getByTestId('entry-view')).toContainText('Row answer 2999');
});
