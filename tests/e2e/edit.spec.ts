import { expect, test } from './fixtures';
import type { Page } from '@playwright/test';
import { dropFiles, waitForSample } from './helpers';

async function openSample(page: Page) {
	await page.goto('/');
	await waitForSample(page);
	await page.getByTestId('dataset-row').filter({ hasText: 'Mara' }).getByRole('link', { name: 'Open' }).click();
	await expect(page.getByTestId('entry-view')).toContainText('Entry #1');
}

test('edit an entry, undo it, reload, and redo it', async ({ page }) => {
	await openSample(page);
	const view = page.getByTestId('entry-view');
	await page.getByTestId('entry-edit').click();
	const editor = page.getByTestId('entry-editor');
	await expect(editor).toBeVisible();

	// Change the reply, add a message, reorder with the keyboard, tag and note it.
	const contents = editor.getByTestId('editor-content');
	await contents.nth(1).fill('Mara Quill, keeper of the Saltreach light. Twenty years this winter.');
	await editor.getByTestId('editor-add-message').click();
	await contents.nth(2).fill('And who might you be?');
	await editor.getByTestId('editor-tags').fill('identity, Opening Lines');
	await editor.getByTestId('editor-notes').fill('Checked against the character sheet.');
	await contents.nth(2).press('Alt+ArrowUp');
	await expect(contents.nth(1)).toHaveValue('And who might you be?');
	await contents.nth(1).press('Alt+ArrowDown');
	await editor.getByTestId('editor-save').click();

	await expect(page.getByTestId('entry-editor')).toHaveCount(0);
	await expect(view).toContainText('Twenty years this winter.');
	await expect(view).toContainText('And who might you be?');
	await expect(view).toContainText('#identity');
	await expect(view).toContainText('#opening-lines');
	await expect(view).toContainText('Checked against the character sheet.');
	await expect(page.getByTestId('status')).toHaveText('Edit entry #1');

	await page.getByTestId('undo').click();
	await expect(page.getByTestId('status')).toHaveText('Undid: Edit entry #1');
	await expect(view).toContainText('Nineteen years now');
	await expect(view).not.toContainText('And who might you be?');

	// Undo history survives a reload: redo is still there.
	await page.reload();
	await expect(view).toContainText('Nineteen years now');
	await expect(page.getByTestId('redo')).toBeEnabled();
	await page.getByTestId('redo').click();
	await expect(view).toContainText('Twenty years this winter.');
	await expect(page.getByTestId('redo')).toBeDisabled();
});

test('review entries with the keyboard, undo with Ctrl+Z', async ({ page }) => {
	await openSample(page);
	const list = page.getByTestId('entry-list');
	await list.focus();
	await page.keyboard.press('a');
	await expect(page.getByTestId('review-state')).toHaveText('accepted');
	await page.keyboard.press('ArrowDown');
	await page.keyboard.press('r');
	await expect(page.getByTestId('review-state')).toHaveText('rejected');
	await page.keyboard.press('Control+z');
	await expect(page.getByTestId('status')).toHaveText('Undid: Reject entry #2');
	await expect(page.getByTestId('review-state')).toHaveText('draft');
	await page.keyboard.press('ArrowUp');
	await expect(page.getByTestId('review-state')).toHaveText('accepted');

	// Enter opens the editor; Escape closes it without saving.
	await page.keyboard.press('Enter');
	await expect(page.getByTestId('entry-editor')).toBeVisible();
	await page.getByTestId('editor-content').first().fill('changed but cancelled');
	await page.getByTestId('editor-content').first().press('Escape');
	await expect(page.getByTestId('entry-editor')).toHaveCount(0);
	await expect(page.getByTestId('entry-view')).not.toContainText('changed but cancelled');
});

test('two tabs: an edit in one shows in the other, and a stale edit is refused, not lost', async ({ page, context }) => {
	await openSample(page);
	const other = await context.newPage();
	await other.goto(page.url());
	await expect(other.getByTestId('entry-view')).toContainText('Entry #1');

	// Tab B starts editing entry #1 from the current version.
	await other.getByTestId('entry-edit').click();
	await other.getByTestId('editor-content').nth(1).fill('Tab B wrote this.');

	// Meanwhile tab A edits and saves the same entry; tab B's list sees it.
	await page.getByTestId('entry-edit').click();
	await page.getByTestId('editor-content').nth(1).fill('Tab A wrote this first.');
	await page.getByTestId('editor-save').click();
	await expect(page.getByTestId('entry-view')).toContainText('Tab A wrote this first.');
	await expect(other.getByTestId('entry-row').first()).toContainText('Tab A wrote this first.');

	// Tab B's save is refused with a notice; tab A's text is still what is stored.
	await other.getByTestId('editor-save').click();
	await expect(other.getByTestId('conflict')).toContainText('changed elsewhere');
	await other.getByRole('button', { name: 'Discard my edit and reload' }).click();
	await expect(other.getByTestId('entry-view')).toContainText('Tab A wrote this first.');
	await page.reload();
	await expect(page.getByTestId('entry-view')).toContainText('Tab A wrote this first.');
});

test('raw JSON edits are checked where they go wrong before they save', async ({ page }) => {
	await openSample(page);
	await page.getByTestId('entry-edit').click();
	await page.getByTestId('editor-raw').click();
	const raw = page.getByTestId('editor-raw-text');
	const valid = await raw.inputValue();
	expect(JSON.parse(valid).id).toBe('e1');

	// A syntax error: located by line and column; saving does nothing.
	await raw.fill(valid.replace('"role": "user"', '"role": "user",,'));
	await expect(page.getByTestId('editor-raw-errors')).toContainText(/line \d+, column \d+/);
	await page.getByTestId('editor-save').click();
	await expect(page.getByTestId('entry-editor')).toBeVisible();

	// A schema error: located by its path.
	await raw.fill(valid.replace('"role": "assistant"', '"role": 7'));
	await expect(page.getByTestId('editor-raw-errors')).toContainText('messages[1].role');

	// Fixed: it saves, with a custom field kept in extra.
	const edited = JSON.parse(valid);
	edited.messages[1].content = 'Edited as raw JSON.';
	edited.extra.reviewer = 'night shift';
	await raw.fill(JSON.stringify(edited, null, 2));
	await expect(page.getByTestId('editor-raw-errors')).toHaveCount(0);
	await page.getByTestId('editor-save').click();
	const view = page.getByTestId('entry-view');
	await expect(view).toContainText('Edited as raw JSON.');
	await view.getByText(/Other fields of the original record/).click();
	await expect(view).toContainText('night shift');
});

test('a 3 MB message opens at once in the view: a bounded excerpt, show more, and the whole text in a new tab', async ({ page }) => {
	const huge = JSON.stringify({ messages: [{ role: 'user', content: 'The whole log?' }, { role: 'assistant', content: 'Tide. '.repeat(500_000) + 'THE END' }] });
	await page.goto('/');
	await waitForSample(page);
	await dropFiles(page, [{ name: 'huge.jsonl', text: `${huge}\n` }]);
	await page.getByTestId('import-report').getByRole('link', { name: /^Open/ }).click();
	const rows = page.getByTestId('entry-row').filter({ hasNotText: 'Loading' });
	const view = page.getByTestId('entry-view');

	// The 3 MB message: a 20,000-character excerpt, "show more", and the whole text in a new tab.
	await rows.nth(0).click();
	// The list is virtual: the first message leaves the page once "show more" makes the second tall.
	const text = view.locator('[data-testid=message][data-index="1"]').getByTestId('message-text');
	await expect(text).toHaveAttribute('data-length', String(3_000_007));
	await expect(text).toHaveAttribute('data-shown', '20000');
	await expect(text.getByTestId('message-text-more')).toContainText('3.0 M characters in all');
	await text.getByTestId('message-text-show-more').click();
	await expect(text).toHaveAttribute('data-shown', '220000');
	const popup = page.waitForEvent('popup');
	await text.getByTestId('message-text-open-all').click();
	const tab = await popup;
	await expect(tab.locator('body')).toContainText('THE END');
});

test('two tabs: a refused stale save can keep its text, saved over the version stored now', async ({ page, context }) => {
	await openSample(page);
	const other = await context.newPage();
	await other.goto(page.url());
	await expect(other.getByTestId('entry-view')).toContainText('Entry #1');
	await other.getByTestId('entry-edit').click();
	await other.getByTestId('editor-content').nth(1).fill('Tab B keeps this.');

	await page.getByTestId('entry-edit').click();
	await page.getByTestId('editor-content').nth(1).fill('Tab A saved first.');
	await page.getByTestId('editor-save').click();
	await expect(page.getByTestId('entry-view')).toContainText('Tab A saved first.');

	await other.getByTestId('editor-save').click();
	await expect(other.getByTestId('conflict')).toContainText('changed elsewhere');
	await other.getByTestId('conflict-keep-mine').click();
	await expect(other.getByTestId('entry-editor')).toHaveCount(0);
	await expect(other.getByTestId('entry-view')).toContainText('Tab B keeps this.');
	await expect(other.getByTestId('conflict')).toHaveCount(0);
	await page.reload();
	await expect(page.getByTestId('entry-view')).toContainText('Tab B keeps this.');
});

test('on a 390 px screen, tapping an entry brings it into view', async ({ page }) => {
	await page.setViewportSize({ width: 390, height: 844 });
	await openSample(page);
	const row = page.getByTestId('entry-row').filter({ hasNotText: 'Loading' }).nth(1);
	await row.scrollIntoViewIfNeeded();
	await row.click();
	await expect(page.getByTestId('entry-view')).toContainText('Entry #2');
	await expect(page.getByTestId('entry-view').locator('h2')).toBeInViewport();
});
