import { expect, test } from './fixtures';
import type { Page } from '@playwright/test';
import { waitForSample } from './helpers';

async function openSample(page: Page) {
	await page.goto('/');
	await waitForSample(page);
	await page.getByTestId('dataset-row').filter({ hasText: 'Mara' }).getByRole('link', { name: 'Open' }).click();
	await expect(page.getByTestId('entry-view')).toContainText('Entry #1');
}

test('bulk-tag every search result, see the count first, and undo it', async ({ page }) => {
	await openSample(page);
	await page.getByTestId('entry-search').fill('tide');
	await expect(page.getByTestId('search-count')).toContainText('found');
	const found = Number((await page.getByTestId('search-count').innerText()).match(/^\d+/)?.[0]);
	expect(found).toBeGreaterThan(1);

	await page.getByTestId('entry-tick').first().click();
	await expect(page.getByTestId('selection-count')).toHaveText('1 selected');
	await page.getByTestId('select-all').click();
	await expect(page.getByTestId('selection-count')).toHaveText(`${found} selected`);
	await page.getByTestId('bulk-add-tag').click();
	await page.getByTestId('bulk-tag-input').fill('Tide Lore');
	await expect(page.getByTestId('bulk-apply')).toHaveText(`Add #tide-lore to ${found} entries`);
	await page.getByTestId('bulk-apply').click();
	await expect(page.getByTestId('status')).toContainText(`${found} changed`);
	await expect(page.getByTestId('entry-view')).toContainText('#tide-lore');

	// Every result carries it; clearing the search shows the others do not.
	await page.getByTestId('entry-search').fill('');
	await expect(page.getByTestId('entry-row').filter({ hasText: '#tide-lore' })).toHaveCount(found);
	await page.getByTestId('undo').click();
	await expect(page.getByTestId('status')).toContainText('Undid: Add tide-lore');
	await expect(page.getByTestId('entry-row').filter({ hasText: '#tide-lore' })).toHaveCount(0);
});

test('split an entry at a turn, join two entries, delete and undo', async ({ page }) => {
	await openSample(page);
	await expect(page.getByTestId('entry-count')).toContainText('26 entries');
	// Entry #9 is a multi-turn scene: split it before its third message.
	await page.getByTestId('entry-list').focus();
	for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowDown');
	const view = page.getByTestId('entry-view');
	await expect(view).toContainText('Entry #9');
	const messagesBefore = await view.getByTestId('message').count();
	await view.getByTestId('split-2').click();
	await expect(page.getByTestId('entry-count')).toContainText('27 entries');
	await expect(page.getByTestId('status')).toContainText('Split entry #9');
	await expect(view.getByTestId('message')).toHaveCount(2);
	await page.getByTestId('entry-list').focus();
	await page.keyboard.press('ArrowDown');
	await expect(view).toContainText('Entry #10');
	await expect(view.getByTestId('message')).toHaveCount(messagesBefore - 2);

	// Join them back: tick both halves.
	await page.getByTestId('entry-row').filter({ hasText: '#9' }).first().getByTestId('entry-tick').click();
	await page.getByTestId('entry-row').filter({ hasText: '#10' }).first().getByTestId('entry-tick').click();
	await page.getByTestId('bulk-join').click();
	await expect(page.getByTestId('entry-count')).toContainText('26 entries');
	await expect(page.getByTestId('status')).toContainText('Join 2 entries');

	// Delete three, then undo brings them back.
	for (const n of ['#1', '#2', '#3']) await page.getByTestId('entry-row').filter({ hasText: n }).first().getByTestId('entry-tick').click();
	await page.getByTestId('bulk-delete').click();
	await page.getByTestId('bulk-apply').click();
	await expect(page.getByTestId('entry-count')).toContainText('23 entries');
	await page.getByTestId('undo').click();
	await expect(page.getByTestId('entry-count')).toContainText('26 entries');
	await expect(page.getByTestId('entry-row').first()).toContainText('Who are you?');
});

test('undo in another tab asks before reverting a change this tab did not make', async ({ page, context }) => {
	await openSample(page);
	const datasetUrl = page.url();
	const other = await context.newPage();
	await other.goto(datasetUrl);
	await expect(other.getByTestId('entry-view')).toContainText('Entry #1');

	// Tab A tags the first entry.
	await page.getByTestId('entry-tick').first().click();
	await page.getByTestId('bulk-add-tag').click();
	await page.getByTestId('bulk-tag-input').fill('harbour');
	await page.getByTestId('bulk-apply').click();
	await expect(page.getByTestId('status')).toContainText('1 changed');
	const tagged = (p: Page) => p.getByTestId('entry-row').filter({ hasText: '#harbour' });

	// Tab B sees it, and its Undo asks first: leaving it changes nothing.
	await expect(tagged(other)).toHaveCount(1);
	await other.getByTestId('undo').click();
	await expect(other.getByTestId('cross-tab-undo')).toContainText('“Add harbour');
	await expect(other.getByTestId('cross-tab-undo')).toContainText('was made in another tab');
	await other.getByRole('button', { name: 'Leave it' }).click();
	await expect(other.getByTestId('cross-tab-undo')).toHaveCount(0);
	await expect(tagged(other)).toHaveCount(1);
	await expect(tagged(page)).toHaveCount(1);

	// Confirmed, it is undone, and tab A sees it gone.
	await other.getByTestId('undo').click();
	await other.getByTestId('cross-tab-confirm').click();
	await expect(other.getByTestId('status')).toContainText('Undid: Add harbour');
	await expect(tagged(other)).toHaveCount(0);
	await expect(tagged(page)).toHaveCount(0);

	// Tab A's Redo is its own change again: no question, and a reload keeps the tab the same tab.
	await page.reload();
	await expect(page.getByTestId('entry-view')).toContainText('Entry #1');
	await page.getByTestId('redo').click();
	await expect(page.getByTestId('cross-tab-undo')).toHaveCount(0);
	await expect(page.getByTestId('status')).toContainText('Redid: Add harbour');
	await expect(tagged(page)).toHaveCount(1);
});

test('a duplicated tab is another tab: its Undo asks before reverting what the original did', async ({ page, context }) => {
	await openSample(page);
	const datasetUrl = page.url();
	// Duplicating a tab copies its sessionStorage, the tab id included (Playwright cannot press
	// "Duplicate", so the copy is made by hand before the page's scripts run).
	const tab = await page.evaluate(() => sessionStorage.getItem('skein-tab'));
	expect(tab).toBeTruthy();
	const copy = await context.newPage();
	await copy.addInitScript((id) => {
		if (!sessionStorage.getItem('skein-tab')) sessionStorage.setItem('skein-tab', id);
	}, tab!);
	await copy.goto(datasetUrl);
	await expect(copy.getByTestId('entry-view')).toContainText('Entry #1');
	await expect.poll(() => copy.evaluate(() => sessionStorage.getItem('skein-tab'))).not.toBe(tab);

	// The original tags an entry; the copy's Undo knows it was not its own change.
	await page.getByTestId('entry-tick').first().click();
	await page.getByTestId('bulk-add-tag').click();
	await page.getByTestId('bulk-tag-input').fill('harbour');
	await page.getByTestId('bulk-apply').click();
	await expect(page.getByTestId('status')).toContainText('1 changed');
	await expect(copy.getByTestId('entry-row').filter({ hasText: '#harbour' })).toHaveCount(1);
	await copy.getByTestId('undo').click();
	await expect(copy.getByTestId('cross-tab-undo')).toContainText('was made in another tab');

	// The original's own Undo still does not ask.
	await copy.getByRole('button', { name: 'Leave it' }).click();
	await page.getByTestId('undo').click();
	await expect(page.getByTestId('cross-tab-undo')).toHaveCount(0);
	await expect(page.getByTestId('status')).toContainText('Undid: Add harbour');
});
