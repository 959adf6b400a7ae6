import { expect, test } from './fixtures';
import type { Page } from '@playwright/test';
import { waitForSample } from './helpers';

/** A reply as a model writes it: prose, a fenced block, a trailing comma, a cut-off last object. */
const REPLY = [
	'Sure! Here are the entries:',
	'```jsonl',
	'{"messages":[{"role":"system","content":"You are Mara."},{"role":"user","content":"Is the lamp lit?"},{"role":"assistant","content":"Lit and trimmed."}]}',
	'{"messages":[{"role":"user","content":"Any ships tonight?"},{"role":"assistant","content":"One. Late, as always."},]}',
	'{"messages":[{"role":"user","content":"Where is the',
	'```'
].join('\n');

async function openGenerate(page: Page) {
	await page.goto('/');
	await waitForSample(page);
	await page.getByRole('link', { name: 'Generate' }).click();
	await expect(page.getByRole('heading', { name: 'Data Generation' })).toBeVisible();
}

test('fill a template, copy the prompt, paste a reply back: entries appear as drafts', async ({ page, context }) => {
	await context.grantPermissions(['clipboard-read', 'clipboard-write']);
	await openGenerate(page);
	await page.getByRole('radio', { name: /Conversation scenarios/ }).check();
	await page.getByRole('button', { name: 'Reset to defaults' }).click();
	await expect(page.getByTestId('prompt-to-fill')).toContainText('Content instructions');

	// An invalid value: the error shows beside its field.
	await page.getByLabel('Number of entries').fill('0');
	await expect(page.locator('[data-field="entry_count"]').getByTestId('field-error')).toHaveText('Number of entries must be at least 1');
	await page.getByLabel('Number of entries').fill('4');
	await page.getByLabel('Content instructions').fill('A lighthouse keeper answers visitors. Keep {{entry_count}} literal.');
	await page.locator('#setting-system_prompt_mode').selectOption('custom');
	await page.getByLabel('Custom system prompt').fill('You are Mara, keeper of the light.');
	await page.getByLabel('Tone').selectOption('warm');

	const text = page.getByTestId('prompt-text');
	await expect(text).toContainText('Write exactly 4 entries');
	await expect(text).toContainText('Keep {{entry_count}} literal.');
	await expect(text.locator('[data-chunk="tone_warm"]')).toHaveAttribute('title', 'Tone: warm (tone_warm)');
	await expect(text.locator('[data-chunk="system_prompt_auto"]')).toHaveCount(0);
	await text.locator('[data-chunk="system_prompt_custom"]').hover();
	await expect(page.getByRole('status').filter({ hasText: 'Chunk:' })).toContainText('System prompt: the user’s own');
	await expect(page.getByTestId('prompt-stats')).toContainText('characters');

	await page.getByTestId('copy-prompt').click();
	await expect(page.getByTestId('copy-prompt')).toHaveText('Copied ✓');
	const clipboard = await page.evaluate(() => navigator.clipboard.readText());
	expect(clipboard).toBe(await text.evaluate((node) => node.textContent));
	expect(clipboard).toContain('You are Mara, keeper of the light.');
	expect(clipboard.startsWith('You are generating conversational training data')).toBe(true);

	await page.getByTestId('reply-text').fill(REPLY);
	await expect(page.getByTestId('reply-understood')).toHaveText('2 entries understood');
	await expect(page.getByTestId('reply-problems')).toHaveText('1 not understood');
	await expect(page.getByTestId('paste-back')).toContainText('cut off: the reply ends inside this object');
	await page.getByTestId('reply-new-name').fill('Lamp drafts');
	await page.getByTestId('reply-import').click();
	await expect(page.getByTestId('reply-imported')).toContainText('Imported 2 entries as drafts (1 skipped)');
	await page.getByTestId('reply-imported').getByRole('link', { name: 'Open the dataset' }).click();
	await expect(page.getByTestId('entry-count')).toContainText('2 entries');
	await expect(page.getByText('Lit and trimmed.').first()).toBeVisible();
	await page.getByTestId('entry-row').first().click();
	await expect(page.getByTestId('entry-view').getByTestId('review-state')).toHaveText('draft');
});

test('edit a chunk, reload: the edit persists and reaches the prompt; reset restores it', async ({ page }) => {
	await openGenerate(page);
	await page.getByRole('navigation', { name: 'Data Generation' }).getByRole('link', { name: 'Templates' }).click();
	await page.getByTestId('tab-chunks').click();
	await page.locator('[data-testid="chunk-item"][data-chunk="tone_neutral"]').click();
	const editor = page.getByTestId('chunk-editor');
	await expect(editor.getByText('Used by:')).toContainText('Conversation scenarios');
	await editor.getByTestId('chunk-text').fill('Tone: calm as a harbour at dawn.');
	await editor.getByTestId('chunk-save').click();
	await expect(page.getByTestId('registry-message')).toHaveText('Chunk saved.');

	await page.reload();
	await page.getByTestId('tab-chunks').click();
	await page.locator('[data-testid="chunk-item"][data-chunk="tone_neutral"]').click();
	await expect(page.getByTestId('chunk-editor').getByTestId('chunk-text')).toHaveValue('Tone: calm as a harbour at dawn.');
	await expect(page.locator('[data-testid="chunk-item"][data-chunk="tone_neutral"]')).toContainText('edited');

	await page.goto('/generate');
	await page.getByRole('radio', { name: /Conversation scenarios/ }).check();
	await page.getByLabel('Content instructions').fill('Harbour talk.');
	await page.getByLabel('Tone').selectOption('neutral');
	await expect(page.getByTestId('prompt-text')).toContainText('Tone: calm as a harbour at dawn.');

	await page.goto('/generate/registry?chunk=tone_neutral');
	await page.getByTestId('chunk-reset').click();
	await expect(page.getByTestId('chunk-editor').getByTestId('chunk-text')).toHaveValue(/^Tone: neutral and even\./);
});

test('export the registry and import it again', async ({ page }) => {
	await page.goto('/generate/registry');
	await page.getByTestId('template-item').filter({ hasText: 'Identity Q&A' }).click();
	await page.getByTestId('template-duplicate').click();
	await expect(page.getByTestId('registry-message')).toContainText('Created “Identity Q&A (copy)”');
	const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('registry-export').click()]);
	expect(download.suggestedFilename()).toMatch(/^skein-prompt-registry-\d{4}-\d{2}-\d{2}\.json$/);
	const bundle = JSON.parse(await (await download.createReadStream()).toArray().then((parts) => Buffer.concat(parts).toString('utf8')));
	expect(bundle.kind).toBe('skein-prompt-registry');
	expect(bundle.templates.map((t: { value: { id: string } }) => t.value.id)).toContain('identity_qa_copy');

	// Change the copy, then restore it from the exported file.
	const editor = page.getByTestId('template-editor');
	await editor.getByLabel('Name').fill('Renamed before re-import');
	await editor.getByTestId('template-save').click();
	await expect(page.getByTestId('template-item').filter({ hasText: 'Renamed before re-import' })).toBeVisible();

	await page.getByTestId('registry-import-input').setInputFiles({ name: 'registry.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bundle)) });
	await expect(page.getByTestId('registry-message')).toContainText(`Imported ${bundle.chunks.length} chunks and ${bundle.templates.length} templates`);
	await expect(page.getByTestId('template-item').filter({ hasText: 'Identity Q&A (copy)' })).toBeVisible();
	await expect(page.getByTestId('template-item').filter({ hasText: 'Renamed before re-import' })).toHaveCount(0);

	// A file that is not a registry is refused with a clear message.
	await page.getByTestId('registry-import-input').setInputFiles({ name: 'nope.json', mimeType: 'application/json', buffer: Buffer.from('{"kind":"other"}') });
	await expect(page.getByTestId('registry-message')).toContainText('This is not a Skein prompt registry file');
});

test("a template's chunk order: move, add and remove a chunk; the saved order survives a reload", async ({ page }) => {
	await page.goto('/generate/registry');
	await page.getByTestId('template-item').filter({ hasText: 'Identity Q&A' }).click();
	await page.getByTestId('template-duplicate').click();
	await expect(page.getByTestId('registry-message')).toContainText('Created “Identity Q&A (copy)”');
	const editor = page.getByTestId('template-editor');
	const positions = editor.getByLabel(/^Chunk at position \d+$/);
	const count = await positions.count();
	expect(count).toBeGreaterThanOrEqual(2);
	const first = await positions.nth(0).inputValue();
	const second = await positions.nth(1).inputValue();

	// The first chunk moves down one place.
	await editor.getByRole('button', { name: 'Move down' }).first().click();
	await expect(positions.nth(0)).toHaveValue(second);
	await expect(positions.nth(1)).toHaveValue(first);

	// A chunk added at the end, then removed again.
	await editor.getByLabel('Chunk to add').selectOption(first);
	await editor.getByRole('button', { name: 'Add', exact: true }).click();
	await expect(positions).toHaveCount(count + 1);
	await expect(positions.nth(count)).toHaveValue(first);
	await editor.getByRole('button', { name: 'Remove from template' }).nth(count).click();
	await expect(positions).toHaveCount(count);

	await editor.getByTestId('template-save').click();
	await expect(page.getByTestId('registry-message')).toHaveText('Template saved.');
	await page.reload();
	await page.getByTestId('template-item').filter({ hasText: 'Identity Q&A (copy)' }).click();
	await expect(page.getByTestId('template-editor').getByLabel(/^Chunk at position \d+$/)).toHaveCount(count);
	await expect(page.getByTestId('template-editor').getByLabel('Chunk at position 1', { exact: true })).toHaveValue(second);
	await expect(page.getByTestId('template-editor').getByLabel('Chunk at position 2', { exact: true })).toHaveValue(first);
});
