import { readFileSync } from 'node:fs';
import { expect, test } from './fixtures';
import { dropFiles, waitForSample } from './helpers';

const fixture = (path: string) => readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');

test('a lorebook dropped on the datasets page is offered to character sheets: a new sheet, or its entries added to one', async ({ page }) => {
	await page.goto('/');
	await waitForSample(page);
	const card = JSON.stringify({
		spec: 'chara_card_v2',
		spec_version: '2.0',
		data: { name: 'Mara Quill', description: 'Keeper of the North Point light.', personality: 'patient', scenario: 'A winter night.', first_mes: 'Mind the stairs.', mes_example: '', extensions: {} }
	});
	await dropFiles(page, [
		{ name: 'mara-card.json', text: card },
		{ name: 'vell-lore.json', text: fixture('sheets/lorebook-world-info.json') }
	]);
	const report = page.getByTestId('import-report');
	await expect(report).toHaveAttribute('data-status', 'done');
	const lorebook = report.getByTestId('lorebook-found');
	await expect(lorebook).toContainText('Lorebook “vell-lore” (SillyTavern world info, 4 entries, 3 enabled)');
	await expect(report).not.toContainText('unknown shape');

	// The card becomes a sheet; then the lorebook's entries are added to it as lore chunks.
	await report.getByTestId('card-to-sheet').click();
	await expect(report.getByTestId('card-sheet-link')).toBeVisible();
	const target = lorebook.getByTestId('lorebook-target');
	await expect(target.locator('option', { hasText: 'Mara Quill' })).toHaveCount(1);
	await target.selectOption({ label: 'Mara Quill (3 chunks)' });
	await lorebook.getByTestId('lorebook-add').click();
	const link = lorebook.getByTestId('lorebook-sheet-link');
	await expect(link).toContainText('3 lore chunks added to “Mara Quill” (now 6 chunks)');
	await link.click();
	await expect(page.getByTestId('sheet-name')).toHaveValue('Mara Quill');
	const titles = page.getByTestId('chunk-title');
	await expect(titles).toHaveCount(6);
	await expect(titles.nth(3)).toHaveValue('Lore: The North Point lighthouse');
	await expect(titles.nth(5)).toHaveValue('Lore: storm, gale');
	// {{char}} in the lore reads as the sheet's character.
	await expect(page.getByTestId('chunk-card').nth(5).getByTestId('chunk-document')).toHaveValue(/980, Mara Quill lights the storm lamp/);
	// …and in the sheet's own context, like its other chunks.
	await expect(page.getByTestId('chunk-card').nth(5).getByTestId('chunk-context')).toHaveValue(await page.getByTestId('chunk-card').nth(0).getByTestId('chunk-context').inputValue());

	// The same lorebook dropped again becomes a sheet of its own.
	await page.goto('/');
	await waitForSample(page);
	await dropFiles(page, [{ name: 'vell-lore.json', text: fixture('sheets/lorebook-world-info.json') }]);
	await page.getByTestId('import-report').getByTestId('lorebook-to-sheet').click();
	const made = page.getByTestId('lorebook-sheet-link');
	await expect(made).toContainText('Character sheet “vell-lore” made with 3 lore chunks');
	await made.click();
	await expect(page.getByTestId('sheet-name')).toHaveValue('vell-lore');
	await expect(page.getByTestId('chunk-title')).toHaveCount(3);
	await expect(page.locator('main')).toContainText('Lorebook');
});

test('valid technical answers give no placeholder or error-text finding under the default profile; real leftovers do', async ({ page }) => {
	await page.goto('/');
	await waitForSample(page);
	await dropFiles(page, [{ name: 'technical-answers.jsonl', text: fixture('validation/precision/technical-answers.jsonl') }]);
	await page.getByTestId('import-report').getByRole('link', { name: /^Open/ }).click();
	await expect(page.getByTestId('entry-count')).toContainText('83 entries');
	await page.getByTestId('validation-toggle').click();
	const panel = page.getByTestId('validation-panel');
	await expect(panel.getByTestId('validation-profile')).toHaveValue('openai-chat');
	await panel.getByTestId('validation-run').click();
	await expect(panel.getByTestId('validation-summary')).toBeVisible();
	await expect(panel.locator('tr[data-rule="placeholder"]')).toHaveCount(0);
	await expect(panel.locator('tr[data-rule="error-text"]')).toHaveCount(0);

	// The same check finds every real leftover and every saved error.
	await page.goto('/');
	await waitForSample(page);
	const leftovers = fixture('validation/precision/real-placeholders.jsonl') + fixture('validation/precision/real-error-output.jsonl');
	await dropFiles(page, [{ name: 'leftovers.jsonl', text: leftovers }]);
	await page.getByTestId('import-report').getByRole('link', { name: /^Open/ }).click();
	await expect(page.getByTestId('entry-count')).toContainText('40 entries');
	await page.getByTestId('validation-toggle').click();
	await panel.getByTestId('validation-run').click();
	await expect(panel.getByTestId('entries-placeholder')).toHaveText('24');
	await expect(panel.getByTestId('entries-error-text')).toHaveText('16');
});
