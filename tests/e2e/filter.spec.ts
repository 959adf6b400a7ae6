import { expect, test } from './fixtures';
import type { Page } from '@playwright/test';
import { waitForSample } from './helpers';

async function openSample(page: Page) {
	await page.goto('/');
	await waitForSample(page);
	await page.getByTestId('dataset-row').filter({ hasText: 'Mara' }).getByRole('link', { name: 'Open' }).click();
	await expect(page.getByTestId('entry-view')).toContainText('Entry #1');
}

const foundCount = async (page: Page) => Number((await page.getByTestId('search-count').innerText()).match(/^[\d,]+/)?.[0].replace(/,/g, ''));

test('filter by role-scoped regex, length and review, sort, share as a link, save it', async ({ page, context }) => {
	await openSample(page);
	await page.getByTestId('filter-toggle').click();
	const panel = page.getByTestId('filter-panel');
	// A regex that only the assistant says.
	await panel.getByTestId('filter-text').fill('^(No|Nobody)\\b');
	await panel.getByTestId('filter-mode').selectOption('regex');
	await panel.getByTestId('filter-role-assistant').check();
	await panel.getByTestId('filter-apply').click();
	await expect(page.getByTestId('search-count')).toContainText('found');
	const regexHits = await foundCount(page);
	expect(regexHits).toBeGreaterThan(0);
	expect(regexHits).toBeLessThan(26);
	await expect(page.getByTestId('filter-toggle')).toHaveText('Filters (1)');

	// The address bar holds the filter: another tab opening it sees the same list.
	expect(page.url()).toContain('mode=regex');
	const other = await context.newPage();
	await other.goto(page.url());
	await expect(other.getByTestId('search-count')).toHaveText(new RegExp(`^${regexHits} found`));
	await other.close();

	// Long conversations only, longest first.
	await page.getByTestId('clear-filter').click();
	await expect(page.getByTestId('search-count')).toHaveCount(0);
	await page.getByTestId('filter-toggle').click();
	await panel.getByTestId('filter-messages-min').fill('6');
	await panel.getByTestId('filter-sort').selectOption('messages');
	await panel.getByLabel('descending').check();
	await panel.getByTestId('filter-apply').click();
	const longOnes = await foundCount(page);
	expect(longOnes).toBeGreaterThan(1);
	const firstCount = Number((await page.getByTestId('entry-row').first().innerText()).match(/(\d+) msg/)?.[1]);
	const lastCount = Number((await page.getByTestId('entry-row').nth(longOnes - 1).innerText()).match(/(\d+) msg/)?.[1]);
	expect(firstCount).toBeGreaterThanOrEqual(lastCount);
	expect(lastCount).toBeGreaterThanOrEqual(6);

	// Save it, clear, and bring it back from the saved list.
	await page.getByTestId('save-filter').click();
	await page.getByTestId('save-filter-name').fill('Long scenes');
	await page.getByRole('button', { name: 'Save', exact: true }).click();
	await page.getByTestId('clear-filter').click();
	await page.getByTestId('saved-filters').selectOption({ label: 'Long scenes' });
	await expect(page.getByTestId('search-count')).toHaveText(new RegExp(`^${longOnes} found`));
});

test('an invalid regex is reported, and the list is left as it was', async ({ page }) => {
	await openSample(page);
	await page.getByTestId('filter-toggle').click();
	const panel = page.getByTestId('filter-panel');
	await panel.getByTestId('filter-text').fill('(unclosed');
	await panel.getByTestId('filter-mode').selectOption('regex');
	await panel.getByTestId('filter-apply').click();
	await expect(page.getByTestId('filter-error')).toBeVisible();
	await expect(page.getByTestId('entry-count')).toContainText('26 entries');
	await expect(page.getByTestId('entry-row')).not.toHaveCount(0);
});
