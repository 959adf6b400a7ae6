import { readFileSync } from 'node:fs';
import { expect, test } from './fixtures';
import { chooseTarget, dropFiles, waitForSample } from './helpers';

const fixtures = JSON.parse(readFileSync('tests/fixtures/templates/findings-conversations.json', 'utf8')) as Record<string, { messages: unknown[] }>;
const JSONL = ['gemma-system', 'roleplay-long', 'not-alternating']
	.map((name) => JSON.stringify({ messages: fixtures[name].messages }))
	.concat(JSON.stringify({ messages: [{ role: 'user', content: 'Is the lamp lit?' }, { role: 'assistant', content: 'Lit and trimmed.' }] }))
	.join('\n');

test('template findings under a Gemma 3 target: over-length and merged system prompt, a split repair, undo', async ({ page }) => {
	test.setTimeout(180_000);
	await page.goto('/');
	await waitForSample(page);
	await dropFiles(page, [{ name: 'ferry-and-lighthouse.jsonl', text: JSONL }]);
	await page.getByTestId('import-report').getByRole('link', { name: /^Open/ }).click();
	await expect(page.getByTestId('entry-count')).toContainText('4 entries');
	const datasetId = decodeURIComponent(new URL(page.url()).pathname.split('/').filter(Boolean).pop() ?? '');

	// Without a target the template rules say nothing.
	await page.getByTestId('validation-toggle').click();
	const panel = page.getByTestId('validation-panel');
	await panel.getByTestId('validation-run').click();
	await expect(panel.getByTestId('validation-target')).toContainText('No training target set');
	await expect(panel.locator('tr[data-rule^="template-"]')).toHaveCount(0);

	await chooseTarget(page, datasetId, { family: 'gemma3', label: 'Gemma 3', maxSeqLen: 512 });
	await page.reload();
	await expect(page.getByTestId('entry-count')).toContainText('4 entries');
	await page.getByTestId('validation-toggle').click();
	await panel.getByTestId('validation-run').click();
	await expect(panel.getByTestId('validation-target')).toContainText('Gemma 3, max_seq_len 512', { timeout: 90_000 });
	await expect(panel.locator('tr[data-rule="template-over-max-seq-len"]')).toBeVisible();
	await expect(panel.getByTestId('entries-template-over-max-seq-len')).toHaveText('1');
	await expect(panel.getByTestId('entries-template-system-merged')).toHaveText('2');
	await expect(panel.getByTestId('entries-template-refused')).toHaveText('1');
	await expect(panel.locator('tr[data-rule="template-refused"]')).toContainText('error');

	// Show: the over-length entry, with how much is cut and that the last answer is lost.
	await panel.getByTestId('show-template-over-max-seq-len').click();
	await expect(page.getByTestId('search-count')).toHaveText(/^1 found/);
	const findings = page.getByTestId('entry-findings');
	await expect(findings).toContainText(/tokens under the template, over max_seq_len 512: [\d,]+ would be cut\. The last assistant turn is lost entirely\./);
	// The Gemma system finding shows where the system prompt went.
	await expect(findings.getByTestId('finding-difference')).toContainText('<start_of_turn>user');
	await page.getByTestId('clear-filter').click();

	// Repair: split at turn boundaries (truncate is offered too), previewed with the new entries.
	await panel.getByTestId('repair-template-over-max-seq-len').click();
	const dialog = page.getByTestId('repair-dialog');
	await expect(dialog.getByTestId('repair-choice-truncate-to-template-budget')).toBeVisible();
	await expect(dialog.getByTestId('repair-choice-split-to-template-budget')).toBeChecked();
	await expect(dialog.getByTestId('repair-affected')).toContainText(/This changes 1 entry and adds \d+ new entr(y|ies)\./);
	const created = Number((await dialog.getByTestId('repair-created').textContent())?.match(/\d+/)?.[0]);
	expect(created).toBeGreaterThanOrEqual(1);
	await dialog.getByTestId('repair-apply').click();
	await expect(dialog).toHaveCount(0);
	await expect(page.getByTestId('entry-count')).toContainText(`${4 + created} entries`);
	await expect(panel.getByTestId('validation-target')).toContainText('Gemma 3');
	await expect(panel.locator('tr[data-rule="template-over-max-seq-len"]')).toHaveCount(0);
	// Every part still carries the lighthouse card: the Gemma finding now counts them all.
	await expect(panel.getByTestId('entries-template-system-merged')).toHaveText(String(2 + created));

	// Undo brings the long conversation back, and the finding with it.
	await page.getByTestId('undo').click();
	await expect(page.getByTestId('status')).toContainText('Undid');
	await expect(page.getByTestId('entry-count')).toContainText('4 entries');
	await panel.getByTestId('validation-run').click();
	await expect(panel.getByTestId('entries-template-over-max-seq-len')).toHaveText('1');
});
