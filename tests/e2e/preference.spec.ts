import { expect, test } from './fixtures';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from '@playwright/test';
import { waitForSample } from './helpers';

/** Preference data (issue 16): a DPO file imports as pairs, shows side by side, exports as DPO, and never leaks into SFT. */

const ask = (content: string) => [{ role: 'user', content }];
const say = (content: string) => [{ role: 'assistant', content }];
const PAIRS = [
	{ prompt: [{ role: 'system', content: 'You are Mara, the keeper of the North Point lighthouse.' }, ...ask('Is the lamp lit tonight?')], chosen: say('It is. I trimmed the wick at dusk.'), rejected: say('As an AI language model, I cannot see lamps.') },
	{ prompt: ask('When does the supply boat come?'), chosen: say('Every second Tuesday, weather allowing.'), rejected: say('Boats are vehicles that float.') },
	{ prompt: ask('Do you ever get lonely?'), chosen: say('The gulls keep me company.'), rejected: say('The gulls keep me company.') }
];
const DPO_FILE = PAIRS.map((p) => JSON.stringify(p)).join('\n') + '\n';

// axe is injected from the dev dependency; the app's Content-Security-Policy would refuse it.
test.use({ bypassCSP: true });
const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Serious or critical axe-core violations on the page as it is now. */
async function seriousViolations(page: Page): Promise<string[]> {
	await page.waitForTimeout(150);
	if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE_PATH });
	return page.evaluate(async () => {
		const w = window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[] }> } };
		const result = await w.axe.run(document, { resultTypes: ['violations'] });
		return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
	});
}

const shots = process.env.SHOT_DIR;
async function shoot(page: Page, name: string) {
	if (!shots) return;
	await page.screenshot({ path: `${shots}/${name}-1400.png`, fullPage: true });
	await page.setViewportSize({ width: 390, height: 844 });
	await page.screenshot({ path: `${shots}/${name}-390.png`, fullPage: true });
	await page.setViewportSize({ width: 1400, height: 900 });
}

async function openExport(page: Page, format: string) {
	await page.getByTestId('export-menu').click();
	await page.getByTestId('export-more').click();
	const dialog = page.getByTestId('export-dialog');
	await dialog.getByTestId(`format-${format}`).check();
	return dialog;
}

test('a DPO file imports as pairs shown side by side; DPO and SFT exports write what the check says', async ({ page }) => {
	await page.goto('/');
	await waitForSample(page);
	await page.setInputFiles('[data-testid=file-input]', { name: 'north-point-dpo.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(DPO_FILE) });
	const report = page.getByTestId('import-report');
	await expect(report).toHaveAttribute('data-status', 'done');
	await expect(report.getByTestId('import-preference')).toHaveText('3 preference pairs');
	await expect(report).toContainText('TRL preference (prompt / chosen / rejected): 3');
	await shoot(page, 'preference-import-report');
	await report.getByRole('link', { name: /^Open/ }).click();

	// The list marks pairs; the entry shows the prompt, then chosen | rejected.
	await expect(page.getByTestId('entry-row').first().getByTestId('row-pair')).toHaveText('pair');
	await expect(page.getByTestId('entry-row').first()).toContainText('chosen: It is. I trimmed the wick at dusk.');
	const view = page.getByTestId('entry-view');
	await expect(view.getByTestId('preference-kind')).toHaveText('preference pair');
	await expect(view.getByTestId('message')).toHaveCount(2);
	await expect(view.getByTestId('pair-chosen')).toContainText('It is. I trimmed the wick at dusk.');
	await expect(view.getByTestId('pair-rejected')).toContainText('As an AI language model, I cannot see lamps.');
	// Side by side at 1400 px: the rejected column starts level with the chosen one.
	const chosenBox = (await view.getByTestId('pair-chosen').boundingBox())!;
	const rejectedBox = (await view.getByTestId('pair-rejected').boundingBox())!;
	expect(Math.abs(chosenBox.y - rejectedBox.y)).toBeLessThan(2);
	expect(rejectedBox.x).toBeGreaterThan(chosenBox.x + chosenBox.width - 1);
	expect(await seriousViolations(page), 'axe on the pair view').toEqual([]);
	await shoot(page, 'preference-entry');

	// DPO export: the check counts the pairs and flags the identical one; the file holds the pairs exactly.
	let dialog = await openExport(page, 'dpo');
	await dialog.getByTestId('export-check').click();
	const account = dialog.getByTestId('export-preference');
	await expect(account).toContainText('3 pairs written with chosen and rejected answers.');
	await expect(account).toContainText('1 pair has identical chosen and rejected answers');
	await expect(dialog.getByTestId('export-check-result')).toContainText('Chosen and rejected are the same: 1');
	expect(await seriousViolations(page), 'axe on the export check').toEqual([]);
	await shoot(page, 'preference-export-check');
	await dialog.getByTestId('export-anyway').check();
	const [dpo] = await Promise.all([page.waitForEvent('download'), dialog.getByTestId('export-download').click()]);
	expect(dpo.suggestedFilename()).toMatch(/^north-point-dpo\.dpo\.\d{4}-\d{2}-\d{2}\.jsonl$/);
	expect(readFileSync(await dpo.path(), 'utf8')).toBe(DPO_FILE);
	await dialog.getByRole('button', { name: 'Close' }).click();

	// An SFT export: the check says what happens to the pairs, and the file has no rejected answer.
	dialog = await openExport(page, 'openai');
	await dialog.getByTestId('export-check').click();
	await expect(dialog.getByTestId('export-preference')).toContainText('3 preference pairs: each written as its prompt + chosen answer; the rejected answers are not written.');
	await expect(dialog.getByTestId('export-result')).toContainText('preference pair written as its prompt + chosen answer (the rejected answer is not written): 3 entries');
	const [sft] = await Promise.all([page.waitForEvent('download'), dialog.getByTestId('export-download').click()]);
	const lines = readFileSync(await sft.path(), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
	expect(lines).toEqual(PAIRS.map((p) => ({ messages: [...p.prompt, ...p.chosen] })));
	expect(JSON.stringify(lines)).not.toContain('cannot see lamps');
	expect(JSON.stringify(lines)).not.toContain('Boats are vehicles');
});

test('KTO labels: the unwanted answer is marked, and an SFT export leaves it out and says so', async ({ page }) => {
	const kto = [
		{ prompt: ask('When does the supply boat come?'), completion: say('Every second Tuesday, weather allowing.'), label: true },
		{ prompt: ask('When does the supply boat come?'), completion: say('I do not know about boats.'), label: false }
	];
	await page.goto('/');
	await waitForSample(page);
	await page.setInputFiles('[data-testid=file-input]', { name: 'north-point-kto.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(kto.map((k) => JSON.stringify(k)).join('\n')) });
	const report = page.getByTestId('import-report');
	await expect(report.getByTestId('import-preference')).toHaveText('2 labelled answers (1 unwanted)');
	await report.getByRole('link', { name: /^Open/ }).click();
	await expect(page.getByTestId('entry-row').nth(1).getByTestId('row-label')).toHaveText('unwanted');
	await expect(page.getByTestId('entry-view').getByTestId('preference-label')).toHaveText('wanted');

	const dialog = await openExport(page, 'sharegpt');
	await dialog.getByTestId('export-check').click();
	await expect(dialog.getByTestId('export-preference')).toContainText('1 answer labelled unwanted (KTO false): left out of this file.');
	const [sft] = await Promise.all([page.waitForEvent('download'), dialog.getByTestId('export-download').click()]);
	const text = readFileSync(await sft.path(), 'utf8');
	expect(text.trimEnd().split('\n')).toHaveLength(1);
	expect(text).toContain('Every second Tuesday');
	expect(text).not.toContain('I do not know about boats');
	await expect(dialog.getByTestId('export-result')).toContainText('1 skipped');

	// The KTO export writes both, with their labels.
	await dialog.getByTestId('format-kto').check();
	const [ktoFile] = await Promise.all([page.waitForEvent('download'), dialog.getByTestId('export-download').click()]);
	expect(readFileSync(await ktoFile.path(), 'utf8')).toBe(kto.map((k) => JSON.stringify(k)).join('\n') + '\n');
});

test('validation looks into the chosen answer of a pair: a refusal there is found and shown as in the chosen answer', async ({ page }) => {
	const pairs = [
		{ prompt: ask('Can I bring my bicycle on the 7:40 crossing?'), chosen: say("I'm sorry, but I can't help with that. As an AI language model, I have no access to ferry rules."), rejected: say('Yes, bicycles travel free on the car deck.') },
		{ prompt: ask('Is the café open on board?'), chosen: say('Yes, from boarding until twenty minutes before arrival.'), rejected: say("I'm sorry, but I can't help with that.") }
	];
	await page.goto('/');
	await waitForSample(page);
	await page.setInputFiles('[data-testid=file-input]', { name: 'ferry-dpo.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(pairs.map((p) => JSON.stringify(p)).join('\n') + '\n') });
	const report = page.getByTestId('import-report');
	await expect(report.getByTestId('import-preference')).toHaveText('2 preference pairs');
	await report.getByRole('link', { name: /^Open/ }).click();

	await page.getByTestId('validation-toggle').click();
	await page.getByTestId('validation-run').click();
	const panel = page.getByTestId('validation-panel');
	await expect(panel.getByTestId('validation-summary')).toBeVisible();
	// One refusal found: the chosen answer's; the rejected answer's refusal is what a rejected answer is for.
	await expect(panel.getByTestId('entries-refusal-phrase')).toHaveText('1');
	await panel.getByTestId('show-refusal-phrase').click();
	await expect(page.getByTestId('search-count')).toHaveText(/^1 found/);
	const refusal = page.getByTestId('entry-findings').getByRole('listitem').filter({ hasText: 'Refusal or "as an AI" phrase' });
	await expect(refusal.getByTestId('finding-in-chosen')).toHaveText('· in the chosen answer');
	await expect(refusal).toContainText('Message 2 says');
	await shoot(page, 'preference-chosen-finding');
});
