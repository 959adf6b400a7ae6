import { expect, test } from './fixtures';
import { dropFiles, waitForSample } from './helpers';

const line = (user: string, assistant: string) => JSON.stringify({ messages: [{ role: 'user', content: user }, { role: 'assistant', content: assistant }] });
const MESSY = [
	line('Who keeps the light?', 'I do. Mara Quill.'),
	line('  Is the lamp lit?  ', 'Lit and trimmed.   '),
	line('Storm tonight? ', ' Aye, a bad one.'),
	line('Are you ChatGPT?', 'As an AI language model, I cannot say.'),
	line('Who keeps the light?', 'I do. Mara Quill.'),
	JSON.stringify({ messages: [{ role: 'human', content: 'Hello?' }, { role: 'gpt', content: 'Evening.' }] }),
	JSON.stringify({ messages: [{ role: 'user', content: 'Anyone there?' }] })
].join('\n');

test('validate a messy file, preview and apply a repair to all, see the count drop, undo it', async ({ page }) => {
	await page.goto('/');
	await waitForSample(page);
	await dropFiles(page, [{ name: 'messy-keeper.jsonl', text: MESSY }]);
	const report = page.getByTestId('import-report');
	await report.getByRole('link', { name: /^Open/ }).click();
	await expect(page.getByTestId('entry-count')).toContainText('7 entries');

	await page.getByTestId('validation-toggle').click();
	await page.getByTestId('validation-run').click();
	const panel = page.getByTestId('validation-panel');
	await expect(panel.getByTestId('validation-summary')).toBeVisible();
	await expect(panel.locator('tr[data-rule="missing-assistant"]')).toBeVisible();
	await expect(panel.locator('tr[data-rule="refusal-phrase"]')).toBeVisible();
	await expect(panel.locator('tr[data-rule="exact-duplicate"]')).toBeVisible();
	await expect(panel.getByTestId('entries-surrounding-whitespace')).toHaveText('2');

	// Show: the list narrows to the entries with that finding, and the entry says why.
	await panel.getByTestId('show-missing-assistant').click();
	await expect(page.getByTestId('search-count')).toHaveText(/^1 found/);
	await expect(page.getByTestId('entry-findings')).toContainText('message');
	await page.getByTestId('clear-filter').click();

	// Repair with a preview of the before/after, applied to both entries at once.
	await panel.getByTestId('repair-surrounding-whitespace').click();
	const dialog = page.getByTestId('repair-dialog');
	await expect(dialog.getByTestId('repair-affected')).toContainText('2 entries');
	await expect(dialog).toContainText('Is the lamp lit?');
	await dialog.getByTestId('repair-apply').click();
	await expect(dialog).toHaveCount(0);
	await expect(panel.locator('tr[data-rule="surrounding-whitespace"]')).toHaveCount(0);
	await expect(page.getByTestId('status')).toContainText('2 changed');

	// Role aliases: one click per entry from the entry's own findings.
	await page.getByTestId('entry-search').fill('Evening');
	await expect(page.getByTestId('entry-findings')).toContainText(/role/i);

	// Undo brings the whitespace back.
	await page.getByTestId('entry-search').fill('');
	await page.getByTestId('undo').click();
	await expect(page.getByTestId('status')).toContainText('Undid');
	await panel.getByTestId('validation-run').click();
	await expect(panel.getByTestId('entries-surrounding-whitespace')).toHaveText('2');
});

test('the pre-export check blocks an export with errors until the user says export anyway', async ({ page }) => {
	await page.goto('/');
	await waitForSample(page);
	await dropFiles(page, [{ name: 'messy-keeper.jsonl', text: MESSY }]);
	await page.getByTestId('import-report').getByRole('link', { name: /^Open/ }).click();
	await expect(page.getByTestId('entry-count')).toContainText('7 entries');
	await page.getByTestId('export-menu').click();
	await page.getByTestId('export-more').click();
	const dialog = page.getByTestId('export-dialog');
	await dialog.getByTestId('check-profile').selectOption('openai-chat');
	await dialog.getByTestId('export-check').click();
	await expect(dialog.getByTestId('export-check-result')).toContainText('2 entries with errors');

	let downloads = 0;
	page.on('download', () => downloads++);
	await dialog.getByTestId('export-download').click();
	await expect(dialog.getByTestId('export-blocked')).toContainText('would be written with errors');
	expect(downloads).toBe(0);

	// The user decides: the export goes through.
	await dialog.getByTestId('export-anyway').check();
	await dialog.getByTestId('export-download').click();
	await expect.poll(() => downloads).toBe(1);
});

test('a custom profile switches rules off and changes severities; a repair can target the current filter', async ({ page }) => {
	await page.goto('/');
	await waitForSample(page);
	await dropFiles(page, [{ name: 'messy-keeper.jsonl', text: MESSY }]);
	await page.getByTestId('import-report').getByRole('link', { name: /^Open/ }).click();
	await expect(page.getByTestId('entry-count')).toContainText('7 entries');
	await page.getByTestId('validation-toggle').click();
	const panel = page.getByTestId('validation-panel');
	await panel.getByTestId('profile-customize').click();
	const editor = page.getByTestId('profile-editor');
	await editor.getByTestId('profile-name').fill('Keeper strict');
	await editor.getByTestId('rule-refusal-phrase').uncheck();
	await editor.getByTestId('severity-surrounding-whitespace').selectOption('error');
	await editor.getByTestId('profile-save').click();
	await expect(panel.getByTestId('validation-profile')).toHaveValue(/^custom-/);
	await panel.getByTestId('validation-run').click();
	await expect(panel.getByTestId('validation-summary')).toBeVisible();
	await expect(panel.locator('tr[data-rule="refusal-phrase"]')).toHaveCount(0);
	await expect(panel.locator('tr[data-rule="surrounding-whitespace"] .badge')).toHaveText('error');

	// The custom profile survives a reload and stays the dataset's profile.
	await page.reload();
	await page.getByTestId('validation-toggle').click();
	await expect(panel.getByTestId('validation-profile')).toHaveValue(/^custom-/);

	// Repair only the entries in the current filter: one of the two with stray whitespace.
	await page.getByTestId('entry-search').fill('lamp');
	await expect(page.getByTestId('search-count')).toHaveText(/^1 found/);
	await panel.getByTestId('validation-run').click();
	await panel.getByTestId('repair-surrounding-whitespace').click();
	const dialog = page.getByTestId('repair-dialog');
	await expect(dialog.getByTestId('repair-affected')).toContainText('2 entries');
	await dialog.getByTestId('repair-scope-listed').check();
	await expect(dialog.getByTestId('repair-affected')).toContainText('1 entry');
	await dialog.getByTestId('repair-apply').click();
	await expect(panel.getByTestId('entries-surrounding-whitespace')).toHaveText('1');
});

test('the openai-cookbook profile counts what OpenAI’s notebook counts, refused records included', async ({ page }) => {
	const { readFileSync } = await import('node:fs');
	const text = readFileSync('tests/fixtures/validation/cookbook-parity.jsonl', 'utf8');
	await page.goto('/');
	await waitForSample(page);
	await dropFiles(page, [{ name: 'cookbook-parity.jsonl', text }]);
	const report = page.getByTestId('import-report');
	await report.getByRole('link', { name: /^Open/ }).click();
	await page.getByTestId('validation-toggle').click();
	const panel = page.getByTestId('validation-panel');
	await panel.getByTestId('validation-profile').selectOption('openai-cookbook');
	await panel.getByTestId('validation-run').click();
	await expect(panel.getByTestId('validation-summary')).toBeVisible();
	// The notebook's figures for this file (see src/lib/core/validation/cookbook-parity.test.ts).
	await expect(panel.getByTestId('findings-data_type')).toHaveText('4');
	await expect(panel.getByTestId('not-imported-data_type')).toContainText('4 not imported');
	await expect(panel.getByTestId('findings-missing_messages_list')).toHaveText('3');
	await expect(panel.getByTestId('findings-unrecognized_role')).toHaveText('3');
	await expect(panel.getByTestId('findings-missing_content')).toHaveText('3');
	await expect(panel.getByTestId('findings-message_missing_key')).toHaveText('2');
	await expect(panel.getByTestId('findings-message_unrecognized_key')).toHaveText('1');
	await expect(panel.getByTestId('findings-example_missing_assistant_message')).toHaveText('1');
	await expect(panel.getByTestId('cookbook-converted')).toContainText('missing_messages_list: 2');
});

test('repairs clear their findings: trailing user turn, both placeholders, and every automatic-safe repair at once', async ({ page }) => {
	const rows = [
		JSON.stringify({ messages: [{ role: 'user', content: 'Light the lamp.' }, { role: 'assistant', content: 'Done.' }, { role: 'user', content: 'And the fog horn?' }] }),
		JSON.stringify({ messages: [{ role: 'user', content: 'Hello {{char}}, I am {{user}}.' }, { role: 'assistant', content: 'Welcome, {{user}}.' }] }),
		JSON.stringify({ messages: [{ role: 'Human', content: '  Storm?  ' }, { role: 'gpt', content: 'Aye.' }] })
	].join('\n');
	await page.goto('/');
	await waitForSample(page);
	await dropFiles(page, [{ name: 'repairs.jsonl', text: rows }]);
	await page.getByTestId('import-report').getByRole('link', { name: /^Open/ }).click();
	await page.getByTestId('validation-toggle').click();
	const panel = page.getByTestId('validation-panel');
	await panel.getByTestId('validation-profile').selectOption('roleplay');
	await panel.getByTestId('validation-run').click();
	await expect(panel.locator('tr[data-rule="ends-on-user"]')).toBeVisible();

	await panel.getByTestId('repair-ends-on-user').click();
	let dialog = page.getByTestId('repair-dialog');
	await expect(dialog.getByTestId('repair-apply')).toHaveText('Apply to 1 entry');
	await dialog.getByTestId('repair-apply').click();
	await expect(panel.locator('tr[data-rule="ends-on-user"]')).toHaveCount(0);

	await panel.getByTestId('repair-placeholder').click();
	dialog = page.getByTestId('repair-dialog');
	await expect(dialog.getByTestId('repair-char-missing')).toBeVisible();
	await dialog.getByTestId('repair-char-name').fill('Mara');
	await dialog.getByTestId('repair-user-name').fill('Tom');
	await expect(dialog).toContainText('Hello Mara, I am Tom.');
	await dialog.getByTestId('repair-apply').click();
	await expect(panel.locator('tr[data-rule="placeholder"]')).toHaveCount(0);

	await panel.getByTestId('repair-all-safe').click();
	dialog = page.getByTestId('repair-dialog');
	await expect(dialog.getByTestId('repair-apply')).toHaveText('Apply to 1 entry');
	await dialog.getByTestId('repair-apply').click();
	await expect(dialog).toHaveCount(0);
	await expect(panel.locator('tr[data-rule="surrounding-whitespace"]')).toHaveCount(0);
	await expect(panel.locator('tr[data-rule="role-alias"]')).toHaveCount(0);
});

test('mapping custom speakers keeps a narrator out of the alternation: no two assistant turns in a row', async ({ page }) => {
	const narrated = (opening: string) =>
		JSON.stringify({
			messages: [
				{ role: 'Narrator', content: opening },
				{ role: 'Tom', content: 'Mara, is the ferry coming?' },
				{ role: 'Narrator', content: 'A long silence from the lamp room.' },
				{ role: 'Mara', content: 'Not tonight, Tom.' },
				{ role: 'Narrator', content: 'Thunder rolls over the breakwater.' },
				{ role: 'Tom', content: 'Then I stay.' },
				{ role: 'Mara', content: 'Then put the kettle on.' }
			]
		});
	await page.goto('/');
	await waitForSample(page);
	await dropFiles(page, [{ name: 'harbour-roleplay.jsonl', text: [narrated('The lamp gutters as the storm arrives.'), narrated('Fog rolls in at dusk.')].join('\n') }]);
	await page.getByTestId('import-report').getByRole('link', { name: /^Open/ }).click();
	await page.getByTestId('validation-toggle').click();
	const panel = page.getByTestId('validation-panel');
	await panel.getByTestId('validation-run').click();
	await expect(panel.locator('tr[data-rule="custom-speaker"]')).toBeVisible();
	await expect(panel.locator('tr[data-rule="consecutive-same-role"]')).toHaveCount(0);

	await panel.getByTestId('repair-custom-speaker').click();
	const dialog = page.getByTestId('repair-dialog');
	await expect(dialog.getByTestId('repair-apply')).toHaveText('Apply to 2 entries');
	await dialog.getByTestId('repair-apply').click();
	await expect(dialog).toHaveCount(0);
	await expect(panel.locator('tr[data-rule="custom-speaker"]')).toHaveCount(0);
	// Narration became system lines where they were; Tom and Mara still alternate.
	await expect(panel.locator('tr[data-rule="consecutive-same-role"]')).toHaveCount(0);
	await expect(panel.locator('tr[data-rule="system-not-first"]')).toBeVisible();
});
