import { expect, test } from './fixtures';
import { readFileSync } from 'node:fs';
import { waitForSample } from './helpers';

test('export ShareGPT as a seeded train/validation split, then re-import it', async ({ page }) => {
	await page.goto('/');
	await waitForSample(page);
	await page.getByTestId('dataset-row').filter({ hasText: 'Mara' }).getByRole('link', { name: 'Open' }).click();
	// The dataset list has an export menu too: wait for the dataset page before opening its menu.
	await page.waitForURL(/\/datasets\/[^/]+$/);
	await page.getByTestId('export-menu').click();
	await page.getByTestId('export-more').click();
	const dialog = page.getByTestId('export-dialog');
	await dialog.getByTestId('format-sharegpt').check();
	await dialog.getByTestId('shuffle').check();
	await dialog.getByTestId('split-kind').selectOption('ratio');
	await dialog.getByTestId('split-percent').fill('20');
	await dialog.getByTestId('substitute').check();
	await dialog.getByTestId('char-name').fill('Mara');
	await dialog.getByTestId('user-name').fill('Traveller');

	await dialog.getByTestId('export-check').click();
	const result = dialog.getByTestId('export-result');
	await expect(result).toContainText('26 entries in scope');
	await expect(result).toContainText(/train\.sharegpt\.\d{4}-\d{2}-\d{2}\.jsonl/);
	await expect(result).toContainText(/validation\.sharegpt/);
	await expect(result).toContainText('name macros replaced');

	const downloads: { name: string; text: string }[] = [];
	page.on('download', async (d) => downloads.push({ name: d.suggestedFilename(), text: readFileSync(await d.path(), 'utf8') }));
	await dialog.getByTestId('export-download').click();
	await expect.poll(() => downloads.length).toBe(2);
	const train = downloads.find((d) => d.name.includes('.train.'))!;
	const validation = downloads.find((d) => d.name.includes('.validation.'))!;
	const trainLines = train.text.trimEnd().split('\n');
	const validationLines = validation.text.trimEnd().split('\n');
	expect(train.text + validation.text).toContain('Traveller');
	expect(validationLines.length).toBe(5); // round(26 × 0.2)
	for (const line of [...trainLines, ...validationLines]) {
		const record = JSON.parse(line);
		expect(Array.isArray(record.conversations)).toBe(true);
		expect(line).not.toContain('{{user}}');
	}
	await dialog.getByRole('button', { name: 'Close' }).click();

	// The validation file imports back as ShareGPT.
	await page.setInputFiles('[data-testid=file-input]', { name: validation.name, mimeType: 'application/jsonl', buffer: Buffer.from(validation.text) });
	const report = page.getByTestId('import-report');
	await expect(report).toContainText('ShareGPT conversations: 5');
});

test('Alpaca export skips what it cannot express and says why', async ({ page }) => {
	await page.goto('/');
	await waitForSample(page);
	await page.getByTestId('dataset-row').filter({ hasText: 'Mara' }).getByRole('link', { name: 'Open' }).click();
	// The dataset list has an export menu too: wait for the dataset page before opening its menu.
	await page.waitForURL(/\/datasets\/[^/]+$/);
	await page.getByTestId('export-menu').click();
	await page.getByTestId('export-more').click();
	const dialog = page.getByTestId('export-dialog');
	await dialog.getByTestId('format-alpaca').check();
	await dialog.getByTestId('export-check').click();
	const result = dialog.getByTestId('export-result');
	await expect(result).toContainText('skipped');
	await result.getByText('Why entries were skipped').click();
	await expect(result).toContainText(/tool/i);
});

test('every export format re-imports as the same conversations (where the format can carry them)', async ({ page }) => {
	const lines = [
		{ messages: [{ role: 'system', content: 'You are Mara Quill.' }, { role: 'user', content: 'Lamp lit?' }, { role: 'assistant', content: 'Lit and trimmed.' }] },
		{ messages: [{ role: 'user', content: 'Tide?' }, { role: 'assistant', content: 'Turning at six.' }, { role: 'user', content: 'Safe to row?' }, { role: 'assistant', content: 'Not tonight.' }] },
		{ messages: [{ role: 'user', content: 'Ghost ship?' }, { role: 'assistant', content: 'The Grey Wren. Never docks.' }] }
	].map((l) => JSON.stringify(l));
	await page.goto('/');
	await waitForSample(page);
	await page.setInputFiles('[data-testid=file-input]', { name: 'roundtrip.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(lines.join('\n')) });
	await page.getByTestId('import-report').getByRole('link', { name: /^Open/ }).click();
	await expect(page.getByTestId('entry-count')).toContainText('3 entries');
	const datasetUrl = page.url();

	const expected: Record<string, number> = { openai: 3, sharegpt: 3, alpaca: 3, skein: 3, 'prompt-response': 1 };
	for (const format of ['openai', 'sharegpt', 'alpaca', 'prompt-response', 'skein']) {
		await page.goto(datasetUrl);
		await page.getByTestId('export-menu').click();
		await page.getByTestId('export-more').click();
		const dialog = page.getByTestId('export-dialog');
		await dialog.getByTestId(`format-${format}`).check();
		await dialog.getByTestId('check-profile').selectOption('');
		const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByTestId('export-download').click()]);
		const text = readFileSync(await download.path(), 'utf8');
		await dialog.getByRole('button', { name: 'Close' }).click();
		await page.setInputFiles('[data-testid=file-input]', { name: `back.${format}.jsonl`, mimeType: 'application/jsonl', buffer: Buffer.from(text) });
		const report = page.getByTestId('import-report');
		// prompt/response (single-turn mode) carries only single-turn entries without a system prompt.
		await expect(report).toContainText(`Imported ${expected[format]} ${expected[format] === 1 ? 'entry' : 'entries'}`);
		await report.getByRole('link', { name: /^Open/ }).click();
		await expect(page.getByTestId('dataset-title')).toHaveText(`back.${format}`);
		await expect(page.getByTestId('entry-row').first()).toContainText(format === 'prompt-response' ? 'Ghost ship?' : 'Lamp lit?');
		await expect(page.getByTestId('entry-count'), format).toContainText(`${expected[format]} ${expected[format] === 1 ? 'entry' : 'entries'}`);
		await page.getByTestId('entry-search').fill('Grey Wren');
		await expect(page.getByTestId('search-count'), format).toHaveText(/^1 found/);
	}
});
