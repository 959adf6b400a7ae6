/**
 * Issue 16, Parquet and the Hub: export the Hub zip (card made, edited, checked), unzip it here
 * and check files and card; export Parquet from the export dialog and read it back; import a
 * .parquet file by drag and drop and by the file chooser; a broken one gets a clear message.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { unzipSync, strFromU8 } from 'fflate';
import { parse } from 'yaml';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { expect, test } from './fixtures';
import { dropFiles, waitForSample } from './helpers';
import type { Page } from '@playwright/test';

const FIXTURES = new URL('../fixtures/parquet/', import.meta.url);
const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
// The app's Content-Security-Policy refuses inline scripts, axe's injection included.
test.use({ bypassCSP: true });

/** Serious or critical axe-core violations on the page, as "rule: help — targets". */
async function seriousViolations(page: Page): Promise<string[]> {
	await page.waitForTimeout(150);
	if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE_PATH });
	return page.evaluate(async () => {
		const w = window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } };
		const result = await w.axe.run(document, { resultTypes: ['violations'] });
		return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
	});
}

async function openMara(page: Page) {
	await page.goto('/');
	await waitForSample(page);
	await page.getByTestId('dataset-row').filter({ hasText: 'Mara' }).getByRole('link', { name: 'Open' }).click();
	await page.waitForURL(/\/datasets\/[^/]+$/);
	await expect(page.getByTestId('entry-count')).toContainText('26 entries');
}

async function parquetRows(bytes: Uint8Array): Promise<Record<string, unknown>[]> {
	const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
	return (await parquetReadObjects({ file: buffer, metadata: parquetMetadata(buffer) })) as Record<string, unknown>[];
}

test('export for the Hugging Face Hub: an edited card and train/validation Parquet in one zip', async ({ page }) => {
	await openMara(page);
	await page.getByTestId('export-menu').click();
	await page.getByTestId('export-hub').click();
	const dialog = page.getByTestId('hub-dialog');
	await expect(dialog.getByTestId('hub-missing')).toHaveText('Choose a license.');
	await expect(dialog.getByTestId('hub-make-card')).toBeDisabled();
	await dialog.getByTestId('hub-license').selectOption('apache-2.0');
	await dialog.getByTestId('hub-validation').fill('20');
	await dialog.getByTestId('hub-tags').fill('roleplay, lighthouse');
	// Three of the sample's conversations have a system prompt; the export leaves them out.
	await dialog.getByTestId('hub-system-prompt').selectOption('omit');
	await dialog.getByTestId('hub-make-card').click();
	const draft = dialog.getByTestId('hub-draft');
	await expect(draft).toContainText('train: 21 conversations in 1 file');
	await expect(draft).toContainText('validation: 5 conversations in 1 file');
	const card = dialog.getByTestId('hub-card');
	await expect(card).toHaveValue(/^---\n/);
	await expect(card).toHaveValue(/- Conversations: 26/);

	expect(await seriousViolations(page)).toEqual([]);
	for (const width of [1400, 390]) {
		await page.setViewportSize({ width, height: 900 });
		await page.screenshot({ path: `/tmp/parquet16-hub-${width}.png`, fullPage: false });
		await card.scrollIntoViewIfNeeded();
		await page.screenshot({ path: `/tmp/parquet16-hub-card-${width}.png`, fullPage: false });
	}
	await page.setViewportSize({ width: 1280, height: 900 });

	// An edit that breaks the declared files is caught before anything is written.
	const generated = await card.inputValue();
	await card.fill(generated.replace('path: data/validation-*', 'path: data/valid-*'));
	await expect(dialog.getByTestId('hub-card-problems')).toContainText('the data_files of split "validation" (data/valid-*) do not match its files');
	await expect(dialog.getByTestId('hub-export')).toBeDisabled();
	const edited = generated.replace('## Figures', 'Collected at Greyhaven Light, 1911–1936.\n\n## Figures');
	await card.fill(edited);
	await expect(dialog.getByTestId('hub-card-problems')).toHaveCount(0);

	const downloadPromise = page.waitForEvent('download');
	await dialog.getByTestId('hub-export').click();
	const download = await downloadPromise;
	expect(download.suggestedFilename()).toMatch(/\.hub\.\d{4}-\d{2}-\d{2}\.zip$/);
	await expect(dialog.getByTestId('hub-result')).toContainText('data/train-00000-of-00001.parquet');
	const zip = unzipSync(new Uint8Array(readFileSync(await download.path())));
	expect(Object.keys(zip).sort()).toEqual(['README.md', 'data/train-00000-of-00001.parquet', 'data/validation-00000-of-00001.parquet']);
	const readme = strFromU8(zip['README.md']);
	expect(readme).toBe(edited);
	const front = parse(readme.split('\n---\n')[0].replace(/^---\n/, '')) as Record<string, unknown>;
	expect(front).toMatchObject({
		license: 'apache-2.0',
		tags: ['roleplay', 'lighthouse'],
		size_categories: ['n<1K'],
		configs: [{ config_name: 'default', data_files: [{ split: 'train', path: 'data/train-*' }, { split: 'validation', path: 'data/validation-*' }] }],
		dataset_info: { splits: [{ name: 'train', num_examples: 21 }, { name: 'validation', num_examples: 5 }] }
	});
	const train = await parquetRows(zip['data/train-00000-of-00001.parquet']);
	const validation = await parquetRows(zip['data/validation-00000-of-00001.parquet']);
	expect(train.length).toBe(21);
	expect(validation.length).toBe(5);
	const ids = new Set([...train, ...validation].map((row) => row.id));
	expect(ids.size).toBe(26);
	for (const row of [...train, ...validation]) {
		expect(Array.isArray(row.messages)).toBe(true);
		for (const message of row.messages as Record<string, unknown>[]) {
			expect(typeof message.role).toBe('string');
			expect(message.role).not.toBe('system');
		}
	}

	// The train shard imports back through the file chooser as 21 entries.
	await dialog.getByRole('button', { name: 'Close' }).click();
	await page.setInputFiles('[data-testid=file-input]', { name: 'train-00000-of-00001.parquet', mimeType: 'application/vnd.apache.parquet', buffer: Buffer.from(zip['data/train-00000-of-00001.parquet']) });
	const report = page.getByTestId('import-report');
	await expect(report).toContainText('Parquet · 21 rows');
	await expect(report).toContainText('21 entries imported');
});

test('the export dialog writes Parquet with the chosen columns', async ({ page }) => {
	await openMara(page);
	await page.getByTestId('export-menu').click();
	await page.getByTestId('export-more').click();
	const dialog = page.getByTestId('export-dialog');
	await dialog.getByTestId('format-parquet').check();
	await dialog.getByTestId('parquet-column-source').check();
	await dialog.getByTestId('parquet-column-id').uncheck();
	expect(await seriousViolations(page)).toEqual([]);
	for (const width of [1400, 390]) {
		await page.setViewportSize({ width, height: 900 });
		await page.screenshot({ path: `/tmp/parquet16-export-parquet-${width}.png`, fullPage: false });
	}
	await page.setViewportSize({ width: 1280, height: 900 });
	const downloadPromise = page.waitForEvent('download');
	await dialog.getByTestId('export-download').click();
	const download = await downloadPromise;
	expect(download.suggestedFilename()).toMatch(/\.\d{4}-\d{2}-\d{2}\.parquet$/);
	await expect(dialog.getByTestId('export-result')).toContainText('26 entries → 26 rows');
	const rows = await parquetRows(new Uint8Array(readFileSync(await download.path())));
	expect(rows.length).toBe(26);
	expect(Object.keys(rows[0])).toEqual(['messages', 'tags', 'review', 'source']);
});

test('a .parquet file dropped on the window imports like its JSONL; a broken one says why', async ({ page }) => {
	await page.goto('/');
	await waitForSample(page);
	const bytes = readFileSync(new URL('chat.duckdb.parquet', FIXTURES));
	await dropFiles(page, [{ name: 'harbour.parquet', base64: bytes.toString('base64') }]);
	const report = page.getByTestId('import-report');
	await expect(report).toContainText('Parquet · 4 rows');
	await expect(report).toContainText('4 entries imported');
	await expect(report).toContainText('OpenAI / ChatML messages: 4');
	await report.getByRole('link', { name: /^Open/ }).click();
	await expect(page.getByTestId('entry-count')).toContainText('4 entries');
	// The tool call came through as a call, not as text.
	await expect(page.getByText('[calls tide_table]').first()).toBeVisible();

	await page.goto('/');
	await waitForSample(page);
	await dropFiles(page, [{ name: 'cut.parquet', base64: bytes.subarray(0, 400).toString('base64') }]);
	await expect(page.getByTestId('import-fatal')).toContainText('this Parquet file could not be read');
});
