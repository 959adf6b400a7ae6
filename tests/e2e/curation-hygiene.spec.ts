import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { dropFiles, waitForSample } from './helpers';

/** A Skein full-fidelity line, so that tags, review states and notes survive the import. */
function skeinLine(id: string, question: string, tags: string[], meta: Record<string, unknown> = { review: 'draft' }): string {
	return JSON.stringify({
		messages: [
			{ role: 'user', content: question },
			{ role: 'assistant', content: `Answer to: ${question}` }
		],
		skein: { v: 1, id, tags, meta, hash: `h-${id}` }
	});
}

async function importFiles(page: Page, files: { name: string; text: string }[], close = true) {
	await dropFiles(page, files);
	const report = page.getByTestId('import-report');
	await expect(report).toHaveAttribute('data-status', 'done');
	if (close) await report.getByRole('button', { name: 'Close the import report' }).click();
	return report;
}

function datasetRow(page: Page, name: string) {
	return page.getByTestId('dataset-row').filter({ has: page.getByRole('link', { name, exact: true }) });
}

async function foundCount(page: Page): Promise<number> {
	await expect(page.getByTestId('search-count')).toContainText('found');
	return Number((await page.getByTestId('search-count').innerText()).match(/^\d+/)?.[0]);
}

test("a renamed tag's old name maps to the new one at import, in the editor and in filters", async ({ page }) => {
	await page.goto('/');
	await waitForSample(page);
	await importFiles(page, [{ name: 'tagged.jsonl', text: [skeinLine('t1', 'Storm tonight?', ['slowburn', 'weather']), skeinLine('t2', 'Lamp oil?', ['slowburn'])].join('\n') }]);

	// Adopt #slowburn and rename it: the entries are not rewritten, the old name stays as an alias.
	await page.getByRole('link', { name: 'Tags', exact: true }).click();
	await page.getByTestId('unknown-tag').filter({ hasText: '#slowburn' }).getByTestId('unknown-adopt').click();
	await page.locator('[data-testid="tag-row"][data-slug="slowburn"]').getByTestId('tag-rename').click();
	await page.getByTestId('tag-rename-input').fill('Slow Burn');
	await page.getByTestId('tag-rename-save').click();
	await expect(page.locator('[data-testid="tag-row"][data-slug="slow-burn"]').getByTestId('tag-aliases')).toContainText('#slowburn');

	// An older export still says "slowburn", and a hand-written tag is not a slug.
	await page.getByRole('link', { name: 'Datasets' }).first().click();
	const report = await importFiles(page, [{ name: 'older-export.jsonl', text: [skeinLine('o1', 'Fog?', ['slowburn', 'Opening Lines']), skeinLine('o2', 'Gulls?', ['Slow Burn'])].join('\n') }], false);
	await expect(report).toContainText('tag #slowburn is an old name of #slow-burn (renamed in the tag library): stored as #slow-burn — 1 time');
	await expect(report).toContainText('tag "Slow Burn" stored as #slow-burn (tags are stored as slugs) — 1 time');
	await expect(report).toContainText('tag "Opening Lines" stored as #opening-lines (tags are stored as slugs)');
	await report.getByRole('link', { name: /^Open/ }).click();
	const view = page.getByTestId('entry-view');
	await expect(view.locator('.badge', { hasText: '#slow-burn' })).toBeVisible();
	await expect(view.locator('.badge', { hasText: '#opening-lines' })).toBeVisible();
	await expect(view.locator('.badge', { hasText: '#slowburn' })).toHaveCount(0);

	// The editor: typing the old name saves the new one, and says so.
	await page.getByTestId('entry-edit').click();
	const editor = page.getByTestId('entry-editor');
	await editor.getByTestId('editor-tags').fill('slowburn, fog');
	await expect(editor.getByTestId('editor-tag-renamed')).toHaveText('#slowburn was renamed: saved as #slow-burn');
	await editor.getByTestId('editor-save').click();
	await expect(view.locator('.badge', { hasText: /^#/ })).toHaveText(['#slow-burn', '#fog']);

	// Filters: the first dataset still carries #slowburn; filtering by either name finds both entries.
	await page.goto('/');
	await datasetRow(page, 'tagged').getByRole('link', { name: 'Open' }).click();
	await page.getByTestId('filter-toggle').click();
	const panel = page.getByTestId('filter-panel');
	await panel.getByTestId('filter-tags-any').fill('Slow Burn');
	await expect(panel.getByTestId('filter-tag-renamed')).toHaveCount(0);
	await panel.getByTestId('filter-apply').click();
	expect(await foundCount(page)).toBe(2);
	await page.getByTestId('filter-toggle').click();
	await panel.getByTestId('filter-tags-any').fill('slowburn');
	await expect(panel.getByTestId('filter-tag-renamed')).toHaveText('#slowburn was renamed: filtering by #slow-burn');
	await panel.getByTestId('filter-apply').click();
	expect(await foundCount(page)).toBe(2);
});

test('merging duplicates reviewed differently keeps the most reviewed state, joins notes and reports it', async ({ page }) => {
	await page.goto('/');
	await waitForSample(page);
	await importFiles(page, [
		{
			name: 'keeper-a.jsonl',
			text: [
				skeinLine('a1', 'Is the lamp lit?', [], { review: 'draft', notes: 'check wording' }),
				skeinLine('a2', 'What is the tide doing?', [], { review: 'accepted' }),
				skeinLine('a3', 'Any ships?', [], { review: 'accepted' })
			].join('\n')
		},
		{
			name: 'keeper-b.jsonl',
			text: [
				skeinLine('b1', 'Is the lamp lit?', [], { review: 'accepted', notes: 'fine after edit' }),
				skeinLine('b2', 'What is the tide doing?', [], { review: 'rejected', notes: 'tide facts wrong' }),
				skeinLine('b3', 'Any ships?', [], { review: 'accepted' })
			].join('\n')
		}
	]);
	await page.getByTestId('merge-open').click();
	const dialog = page.getByTestId('merge-dialog');
	await dialog.locator('[data-dataset-name="keeper-a"]').check();
	await dialog.locator('[data-dataset-name="keeper-b"]').check();
	await dialog.getByTestId('merge-run').click();
	const report = dialog.getByTestId('merge-report');
	await expect(report.getByTestId('merge-duplicates')).toHaveText('3 duplicates collapsed');
	await expect(report.getByTestId('merge-reviews-raised')).toHaveText('1 draft took a duplicate’s review');
	await expect(report.getByTestId('merge-review-conflicts')).toHaveText('1 entry accepted in one copy and rejected in another kept as rejected');
	await expect(report.getByTestId('merge-notes-joined')).toHaveText('2 entries with notes joined');
	await report.getByText('What was decided, entry by entry').click();
	await expect(report.getByTestId('merge-decision-list').locator('li')).toHaveText([
		/a1 with keeper-b’s b1: review draft \+ accepted → accepted; notes joined/,
		/a2 with keeper-b’s b2: review accepted \+ rejected → rejected; notes joined/
	]);

	await report.getByTestId('merge-open-result').click();
	await expect(page.getByTestId('entry-count')).toContainText('3 entries');
	await page.getByTestId('filter-toggle').click();
	await page.getByTestId('filter-review-rejected').check();
	await page.getByTestId('filter-apply').click();
	expect(await foundCount(page)).toBe(1);
	await expect(page.getByTestId('entry-view')).toContainText('tide facts wrong');
});

test('speaker mapping: a narrator between the turns is proposed as narration, and can be folded into the next turn', async ({ page }) => {
	await page.goto('/');
	await waitForSample(page);
	const log = (i: number) =>
		JSON.stringify({
			messages: [
				{ role: 'Tom', content: `Evening, keeper ${i}.` },
				{ role: 'Aria', content: `Evening, Tom (${i}).` },
				{ role: 'Narrator', content: `*The wind picks up (${i}).*` },
				{ role: 'Tom', content: `Is the lamp lit (${i})?` },
				{ role: 'Aria', content: `Lit and trimmed (${i}).` }
			]
		});
	await importFiles(page, [{ name: 'stormy-tavern.jsonl', text: [log(1), log(2), log(3)].join('\n') }]);
	await page.getByRole('link', { name: 'Characters', exact: true }).click();
	await page.getByTestId('mapping-dataset').selectOption({ label: 'stormy-tavern' });
	const row = (speaker: string) => page.locator(`[data-testid="mapping-row"][data-speaker="${speaker}"]`);
	await expect(row('Tom').getByTestId('mapping-role')).toHaveValue('user');
	await expect(row('Aria').getByTestId('mapping-role')).toHaveValue('assistant');
	await expect(row('Narrator').getByTestId('mapping-role')).toHaveValue('system');
	await expect(row('Narrator').getByTestId('mapping-narration')).toBeVisible();
	await expect(row('Narrator')).toContainText('speaks between the others’ turns in 3 conversations');

	await row('Narrator').getByTestId('mapping-role').selectOption('next-turn');
	await page.getByTestId('mapping-apply').click();
	await expect(page.getByTestId('mapping-status')).toContainText('3 entries changed');

	await page.goto('/');
	await datasetRow(page, 'stormy-tavern').getByRole('link', { name: 'Open' }).click();
	const view = page.getByTestId('entry-view');
	await expect(view).toContainText('*The wind picks up (1).*');
	await expect(view.getByTestId('message')).toHaveCount(4);
	await expect(view.getByTestId('message').nth(2)).toContainText('*The wind picks up (1).*');
	await expect(view.getByTestId('message').nth(2)).toContainText('Is the lamp lit (1)?');
});
