import { readFileSync } from 'node:fs';
import { expect, test } from './fixtures';
import { dropFiles } from './helpers';

const fixture = (name: string) => readFileSync(`tests/fixtures/sources/${name}`, 'utf8');

test('a dropped character card becomes a sheet; edits survive a reload; chunks export as seed 003 files', async ({ page }) => {
	await page.goto('/generate/sheets');
	await expect(page.getByTestId('sheets-empty')).toBeVisible();
	await dropFiles(page, [{ name: 'wren-card-v2.json', text: fixture('wren-card-v2.json'), type: 'application/json' }]);
	const ok = page.getByTestId('sheet-import-ok');
	await expect(ok).toContainText('Wren Halloway');
	await expect(ok).toContainText('5 chunks');
	await expect(page.getByTestId('sheet-row')).toHaveCount(1);
	await expect(page.getByTestId('sheet-row')).toContainText('Character card');

	await ok.getByRole('link', { name: 'Open the sheet' }).click();
	const cards = page.getByTestId('chunk-card');
	await expect(cards).toHaveCount(5);
	await expect(cards.locator('h3')).toHaveText(['1 Description', '2 Personality', '3 Scenario', '4 Lore: The drowned cathedral', '5 Lore: Tide-proof ink']);

	// A live check names an unknown variable; saving is refused with the path.
	const second = cards.nth(1);
	const template = second.getByTestId('chunk-template');
	const original = await template.inputValue();
	await template.fill(original + '\n{{mood}}');
	await expect(second.getByTestId('chunk-template-error')).toContainText('unknown variable {{mood}}');
	await page.getByTestId('sheet-save').click();
	await expect(page.getByTestId('sheet-save-message')).toContainText('chunks[1] ("Personality").promptTemplate: unknown variable {{mood}}');
	await template.fill(original);
	await expect(second.getByTestId('chunk-template-error')).toHaveCount(0);

	await second.getByTestId('chunk-entries').fill('7');
	await second.getByTestId('chunk-iterations').fill('2');
	await second.getByTestId('chunk-preview-toggle').click();
	await expect(second.getByTestId('chunk-preview')).toContainText('Patient, precise, quietly funny. Wren Halloway distrusts anyone');
	// The default (small-model) template since issue 13.
	await expect(second.getByTestId('chunk-preview')).toContainText('Write 7 dataset entries for training a chat model to play Wren Halloway.');
	await expect(page.getByTestId('sheet-dirty')).toBeVisible();
	await page.getByTestId('sheet-save').click();
	await expect(page.getByTestId('sheet-save-message')).toHaveText('Saved.');

	await page.reload();
	await expect(cards).toHaveCount(5);
	await expect(cards.nth(1).getByTestId('chunk-entries')).toHaveValue('7');
	await expect(cards.nth(1).getByTestId('chunk-iterations')).toHaveValue('2');
	await expect(page.getByTestId('sheet-generate')).toHaveAttribute('href', /\/generate\/runs\/new\?recipe=chunked&sheet=[\w-]+$/);

	// Add a chunk, move it up twice from the keyboard, delete Scenario; the order is saved.
	await page.getByTestId('chunk-add').click();
	await expect(cards).toHaveCount(6);
	await expect(cards.nth(5).getByTestId('chunk-title')).toBeFocused();
	await cards.nth(5).getByTestId('chunk-title').fill('Harbour');
	await cards.nth(5).getByTestId('chunk-document').fill('## Harbour\nThe harbour chains rust red.');
	await cards.nth(5).getByTestId('chunk-up').focus();
	await page.keyboard.press('Enter');
	await expect(cards.nth(4).getByTestId('chunk-up')).toBeFocused();
	await page.keyboard.press('Enter');
	await cards.nth(2).getByTestId('chunk-delete').click();
	await expect(cards.locator('h3')).toHaveText(['1 Description', '2 Personality', '3 Harbour', '4 Lore: The drowned cathedral', '5 Lore: Tide-proof ink']);
	await page.getByTestId('sheet-save').click();
	await expect(page.getByTestId('sheet-save-message')).toHaveText('Saved.');
	await page.reload();
	await expect(cards.locator('h3')).toHaveText(['1 Description', '2 Personality', '3 Harbour', '4 Lore: The drowned cathedral', '5 Lore: Tide-proof ink']);

	const downloads: { name: string; text: string }[] = [];
	page.on('download', async (d) => downloads.push({ name: d.suggestedFilename(), text: readFileSync((await d.path()) ?? '', 'utf8') }));
	await page.getByTestId('sheet-export').click();
	await expect.poll(() => downloads.length).toBe(5);
	const byName = Object.fromEntries(downloads.map((d) => [d.name, d.text]));
	expect(Object.keys(byName).sort()).toEqual(['01.description.txt', '02.personality.txt', '03.harbour.txt', '04.lore-the-drowned-cathedral.txt', '05.lore-tide-proof-ink.txt']);
	expect(byName['03.harbour.txt']).toContain('## Harbour\nThe harbour chains rust red.');
	const personality = byName['02.personality.txt'].split('\n----------\n');
	expect(personality).toHaveLength(4);
	expect(personality[1]).toContain('Patient, precise, quietly funny.');
	expect(JSON.parse(personality[2])).toEqual({ nb_dataset_entries: 7, nb_iterations: 2 });
	// The default (small-model) template since issue 13, its Skein-only parts written out.
	expect(personality[3]).toContain('Write {{.NbEntriesPerChunk}} dataset entries for training a chat model to play {{.NameOfTheNPC}}.');
	await expect(page.getByTestId('sheet-exported')).toContainText('5 files');

	// The drop was this page's: no dataset was made from the card.
	await page.goto('/');
	await expect(page.getByTestId('dataset-row').filter({ hasText: 'Mara' })).toBeVisible();
	await expect(page.getByTestId('dataset-row').filter({ hasText: 'wren' })).toHaveCount(0);
});

test('seed 003 chunk files import as one sheet; a bad file says why and loses nothing', async ({ page }) => {
	await page.goto('/generate/sheets');
	await expect(page.getByTestId('sheets-empty')).toBeVisible();
	await dropFiles(page, [
		{ name: '02.ink.txt', text: fixture('02.ink.txt') },
		{ name: '01.tides.txt', text: fixture('01.tides.txt') }
	]);
	await expect(page.getByTestId('sheet-import-ok')).toContainText('Wren Halloway imported from 02.ink.txt, 01.tides.txt: 2 chunks');
	await expect(page.getByTestId('sheet-row')).toContainText('Seed 003 files');

	await dropFiles(page, [{ name: 'wren-halloway.md', text: fixture('wren-halloway.md') }]);
	// A 144-word document is one chunk sized for a small model (issue 13: 500–1,500 tokens).
	await expect(page.getByTestId('sheet-import-ok')).toContainText('1 chunk');
	await expect(page.getByTestId('sheet-row')).toHaveCount(2);

	await dropFiles(page, [{ name: 'notes.pdf', base64: Buffer.from('%PDF-1.7\n\u0000\u0001binary').toString('base64'), type: 'application/pdf' }]);
	await expect(page.getByTestId('sheet-import-error')).toContainText('notes.pdf: not a text file; expected a character card (.json or .png)');
	await dropFiles(page, [{ name: '03.broken.txt', text: 'You are Wren.\n----------\n## Doc\ntext\n----------\n{"nb_dataset_entries": 0, "nb_iterations": 5}\n----------\n{{.Chunk}}' }]);
	await expect(page.getByTestId('sheet-import-error')).toContainText('03.broken.txt: settings: "nb_dataset_entries" must be between 1 and 1000, got 0');
	await expect(page.getByTestId('sheet-row')).toHaveCount(2);

	// Delete asks first; Cancel keeps the sheet.
	const row = page.getByTestId('sheet-row').filter({ hasText: 'Document' });
	await row.getByTestId('sheet-delete').click();
	await page.getByRole('button', { name: 'Cancel' }).click();
	await expect(page.getByTestId('sheet-row')).toHaveCount(2);
	await row.getByTestId('sheet-delete').click();
	await page.getByTestId('confirm-yes').click();
	await expect(page.getByTestId('sheet-row')).toHaveCount(1);
	await page.reload();
	await expect(page.getByTestId('sheet-row')).toHaveCount(1);
	await expect(page.getByTestId('sheet-row')).toContainText('Seed 003 files');
});

test('an identity document: create, edit, preview the system prompt, reload', async ({ page }) => {
	await page.goto('/generate/identity');
	await expect(page.getByTestId('identity-empty')).toBeVisible();
	await page.getByTestId('identity-new-name').fill('Greyhaven Keeper');
	await page.getByTestId('identity-new').click();
	await expect(page.getByTestId('identity-name')).toHaveValue('Greyhaven Keeper');
	await page.getByTestId('identity-voice').fill('Plain, unhurried, a little dry. <b>never bold</b>');
	await page.getByTestId('identity-narrative').fill('I was built in 2026 from the logbooks of the Greyhaven lighthouse.\n\nI keep the lamp lit.');
	await page.getByTestId('identity-others-add').click();
	await page.getByTestId('identity-others').locator('input').last().fill('Keeper-GPT');
	const prompt = page.getByTestId('identity-system-prompt');
	await expect(prompt).toContainText('You are Greyhaven Keeper.');
	await expect(prompt).toContainText('## Voice\nPlain, unhurried, a little dry. <b>never bold</b>');
	await expect(prompt).toContainText('Keeper-GPT.');
	await page.getByTestId('identity-save').click();
	await expect(page.getByTestId('identity-message')).toHaveText('Saved.');
	await expect(page.getByTestId('identity-augment')).toHaveAttribute('href', /\/generate\/runs\/new\?recipe=identity-facts&identity=[\w-]+$/);
	await expect(page.getByTestId('identity-assertions')).toHaveAttribute('href', /recipe=identity-assertions&identity=/);

	await page.reload();
	await expect(page.getByTestId('identity-item')).toHaveCount(1);
	await expect(page.getByTestId('identity-voice')).toHaveValue('Plain, unhurried, a little dry. <b>never bold</b>');
	await expect(page.getByTestId('identity-narrative')).toHaveValue(/logbooks of the Greyhaven lighthouse/);
	await expect(page.getByTestId('identity-others').locator('input').last()).toHaveValue('Keeper-GPT');
	await expect(page.getByTestId('identity-system-prompt')).toContainText('## Your story\nI was built in 2026');
});

test('a CSV prompt pool: counts per rating, preview, problems by line; pasted pools; delete', async ({ page }) => {
	await page.goto('/generate/pools');
	await expect(page.getByTestId('pools-empty')).toBeVisible();
	await dropFiles(page, [{ name: 'keeper-prompts.csv', text: fixture('keeper-prompts.csv'), type: 'text/csv' }]);
	await expect(page.getByTestId('pool-import-ok')).toContainText('keeper-prompts: 10 prompts');
	const detail = page.getByTestId('pool-detail');
	await expect(detail).toContainText('ratings from the “rating” column');
	const histogram = page.getByTestId('pool-histogram');
	await expect(histogram.locator('tr th')).toHaveText(['1', '2', '3', '4', '5', 'unrated']);
	await expect(histogram.getByTestId('pool-rating-count')).toHaveText(['1', '2', '3', '2', '1', '1']);
	await expect(page.getByTestId('pool-preview').locator('li').first()).toContainText('How do you trim the lamp wick without burning your fingers?');
	await expect(page.getByTestId('pool-answer')).toHaveAttribute('href', /\/generate\/runs\/new\?recipe=pool-answers&pool=[\w-]+$/);

	await page.getByTestId('pool-paste').fill('{"prompt":"Is the lamp lit?","score":3}\n{"prompt": broken\n{"prompt":"Any ships tonight?","score":5}');
	await page.getByTestId('pool-paste-import').click();
	await expect(page.getByTestId('pool-import-ok')).toContainText('2 prompts, 1 line skipped');
	await expect(page.getByTestId('pool-problems')).toContainText('line 2');
	await expect(page.getByTestId('pool-item')).toHaveCount(2);

	await dropFiles(page, [{ name: 'nothing.jsonl', text: '{"foo": 1}\n' }]);
	await expect(page.getByTestId('pool-import-error')).toContainText('nothing.jsonl: no prompts found');
	await expect(page.getByTestId('pool-item')).toHaveCount(2);

	await page.getByTestId('pool-item').filter({ hasText: 'keeper-prompts' }).click();
	await page.getByTestId('pool-delete').click();
	await page.getByTestId('confirm-yes').click();
	await expect(page.getByTestId('pool-item')).toHaveCount(1);
	await expect(page.getByTestId('pool-item')).not.toContainText('keeper-prompts');
});

test('a 100k-line pool imports in seconds and pages', async ({ page }) => {
	await page.goto('/generate/pools');
	await expect(page.getByTestId('pools-empty')).toBeVisible();
	const lines = Array.from({ length: 100_000 }, (_, i) => JSON.stringify({ prompt: `Question ${i}: what does the keeper do at hour ${i % 24}?`, rating: (i % 5) + 1 }));
	const started = Date.now();
	await dropFiles(page, [{ name: 'big.jsonl', text: lines.join('\n') }]);
	await expect(page.getByTestId('pool-import-ok')).toContainText('100,000 prompts', { timeout: 30_000 });
	const seconds = (Date.now() - started) / 1000;
	// ~3 s here since pools are stored in blocks (one row per prompt took 13–16 s).
	expect(seconds).toBeLessThan(8);
	await expect(page.getByTestId('pool-histogram').getByTestId('pool-rating-count')).toHaveText(['20,000', '20,000', '20,000', '20,000', '20,000']);
	await page.getByRole('button', { name: 'Next page' }).click();
	await expect(page.getByTestId('pool-page')).toHaveText('51–100 of 100,000');
	await expect(page.getByTestId('pool-preview').locator('li').first()).toContainText('Question 50:');
});
