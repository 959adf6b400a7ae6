import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { waitForSample } from './helpers';

/**
 * axe-core on the main pages in their main states. axe is injected from the dev dependency (the
 * @axe-core/playwright wrapper needs a newer Node); a serious or critical violation in any state
 * fails the test, and the message lists them all by state, rule and element.
 */
const require = createRequire(import.meta.url);
// The app's Content-Security-Policy refuses inline scripts, axe's injection included.
test.use({ bypassCSP: true });
const AXE_PATH = require.resolve('axe-core/axe.min.js');

interface Found {
	state: string;
	id: string;
	impact: string;
	help: string;
	targets: string[];
}

async function axe(page: Page, state: string, found: Found[], clean: string[]): Promise<void> {
	// Let transitions and live lists settle.
	await page.waitForTimeout(150);
	if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE_PATH });
	const violations = await page.evaluate(async () => {
		const w = window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } };
		const result = await w.axe.run(document, { resultTypes: ['violations'] });
		return result.violations.map((v) => ({ id: v.id, impact: v.impact ?? 'minor', help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
	});
	const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
	for (const v of serious) found.push({ state, ...v });
	if (serious.length === 0) clean.push(state);
}

test('axe-core finds no serious or critical violations on the main pages and states', async ({ page }) => {
	test.setTimeout(240_000);
	const found: Found[] = [];
	const clean: string[] = [];
	const states: string[] = [];
	const check = async (state: string) => {
		states.push(state);
		await axe(page, state, found, clean);
	};

	await page.goto('/');
	await waitForSample(page);
	await check('datasets list (full)');

	await page.getByRole('button', { name: 'Paste' }).click();
	await expect(page.getByTestId('paste-text')).toBeVisible();
	await check('import dialog (paste)');
	await page.keyboard.press('Escape');

	await page.keyboard.press('?');
	await expect(page.getByTestId('shortcuts-dialog')).toBeVisible();
	await check('keyboard shortcuts dialog');
	await page.keyboard.press('Escape');

	await page.getByTestId('dataset-row').filter({ hasText: 'Mara' }).getByRole('link', { name: 'Open' }).click();
	await expect(page.getByTestId('entry-view')).toContainText('Entry #1');
	await check('entry list + entry detail');
	const datasetUrl = page.url();

	await page.getByTestId('export-menu').click();
	await check('export menu open');
	await page.keyboard.press('Escape');

	await page.getByTestId('entry-edit').click();
	await expect(page.getByTestId('entry-editor')).toBeVisible();
	await check('entry editor');
	await page.getByTestId('entry-editor').getByRole('button', { name: 'Cancel' }).first().click();

	await page.getByTestId('validation-toggle').click();
	await page.getByTestId('validation-run').click();
	await expect(page.getByTestId('validation-summary')).toBeVisible();
	await check('validation results');

	await page.goto(datasetUrl + '/analysis');
	await expect(page.getByTestId('analysis-view')).toBeVisible();
	await page.waitForTimeout(500);
	await check('analysis');

	await page.goto(datasetUrl + '/snapshots');
	await check('snapshots');

	await page.goto('/tags');
	await check('tag library');
	await page.goto('/characters');
	await check('characters');

	await page.goto('/generate');
	await check('generate: prompt compiler');
	for (const [path, name] of [
		['/generate/sheets', 'character sheets'],
		['/generate/identity', 'identity'],
		['/generate/pools', 'prompt pools'],
		['/generate/engines', 'engines (settings)'],
		['/generate/registry', 'prompt registry'],
		['/generate/runs', 'runs list (empty)']
	] as const) {
		await page.goto(path);
		await check(`generate: ${name}`);
	}

	await page.goto('/generate/runs/new');
	await check('run form');
	await page.getByRole('radio', { name: /Continue or regenerate/ }).check();
	await page.getByLabel('Dataset', { exact: true }).selectOption({ label: 'Sample · Mara, the lighthouse keeper (26 entries)' });
	await page.getByRole('radio', { name: /Rehearsal/ }).check();
	await page.getByLabel('Only the first N records').fill('3');
	await page.getByLabel('Run name').fill('Axe run');
	await page.getByRole('button', { name: 'Start run' }).click();
	await expect(page.getByTestId('run-state')).toHaveText('Done');
	await check('run view (done)');
	await page.getByRole('link', { name: '← Runs' }).click();
	await expect(page.getByTestId('run-row')).toHaveCount(1);
	await check('runs list (one run)');
	await page.getByTestId('run-row').getByRole('link', { name: 'Review' }).click();
	await expect(page.getByRole('heading', { name: 'Review samples' })).toBeVisible();
	await check('run review');

	await page.goto('/');
	await waitForSample(page);
	await page.getByTestId('dataset-row').first().getByRole('button', { name: 'Delete' }).click();
	await page.getByRole('button', { name: 'Delete for good' }).click();
	await expect(page.getByTestId('empty-state')).toBeVisible();
	await check('datasets list (empty)');

	const summary = `axe: ${clean.length} of ${states.length} page states clean`;
	console.log(summary);
	if (process.env.AXE_REPORT) writeFileSync(process.env.AXE_REPORT, JSON.stringify({ states, clean, found }, null, 2));
	const lines = found.map((f) => `${f.state}: ${f.id} (${f.impact}) ${f.help} — ${f.targets.join(' | ')}`);
	expect(lines, summary).toEqual([]);
});

test('keyboard: ? lists the shortcuts, the export menu is a menu, skip links, focus comes back after dialogs and inline confirms', async ({ page }) => {
	await page.goto('/');
	await waitForSample(page);

	// ? opens the shortcuts dialog (not while typing in a field); Esc closes it and focus returns.
	const paste = page.getByRole('button', { name: 'Paste' });
	await paste.focus();
	await page.keyboard.press('?');
	const shortcuts = page.getByTestId('shortcuts-dialog');
	await expect(shortcuts).toBeVisible();
	await expect(shortcuts.getByRole('heading', { name: 'Keyboard shortcuts' })).toBeVisible();
	await expect(shortcuts.getByRole('row').filter({ hasText: 'Mark the current entry accepted' })).toContainText('A');
	await expect(shortcuts.getByRole('row').filter({ hasText: 'Save the entry' })).toContainText('Ctrl+S');
	await page.keyboard.press('Escape');
	await expect(shortcuts).toBeHidden();
	await expect(paste).toBeFocused();

	// A dialog opened by a button gives focus back to it.
	await paste.click();
	await expect(page.getByTestId('paste-text')).toBeVisible();
	await page.keyboard.press('Escape');
	await expect(page.getByTestId('paste-text')).toBeHidden();
	await expect(paste).toBeFocused();

	// Inline confirm: focus goes to the safe choice, and back to Delete on Keep.
	const row = page.getByTestId('dataset-row').filter({ hasText: 'Mara' });
	await row.getByRole('button', { name: 'Delete', exact: true }).click();
	await expect(row.getByRole('button', { name: 'Keep', exact: true })).toBeFocused();
	await page.keyboard.press('Enter');
	await expect(row.getByRole('button', { name: 'Delete', exact: true })).toBeFocused();

	// The export menu: a menu button named by its visible text, arrows move, Esc returns to the button.
	const menuButton = row.getByTestId('export-menu');
	await expect(menuButton).toHaveAttribute('aria-haspopup', 'menu');
	await expect(menuButton).toHaveAccessibleName(/^Export/);
	await menuButton.focus();
	await page.keyboard.press('Enter');
	const items = row.getByRole('menuitem');
	await expect(items.first()).toBeFocused();
	await expect(menuButton).toHaveAttribute('aria-expanded', 'true');
	await page.keyboard.press('ArrowDown');
	await expect(items.nth(1)).toBeFocused();
	await page.keyboard.press('End');
	await expect(items.last()).toBeFocused();
	await page.keyboard.press('ArrowDown');
	await expect(items.first()).toBeFocused();
	await page.keyboard.press('ArrowUp');
	await expect(items.last()).toBeFocused();
	await page.keyboard.press('Escape');
	await expect(row.getByRole('menu')).toBeHidden();
	await expect(menuButton).toBeFocused();
	await expect(menuButton).toHaveAttribute('aria-expanded', 'false');
	// ↑ opens on the last item; "More formats" opens the options dialog, whose close returns to the button.
	await page.keyboard.press('ArrowUp');
	await expect(items.last()).toBeFocused();
	await page.keyboard.press('Enter');
	const exportDialog = page.getByRole('dialog');
	await expect(exportDialog).toBeVisible();
	await page.keyboard.press('Escape');
	await expect(exportDialog).toBeHidden();
	await expect(menuButton).toBeFocused();

	// Skip links: the first Tab stops on a dataset page, the second jumps to the entry list.
	await row.getByRole('link', { name: 'Open' }).click();
	await expect(page.getByTestId('entry-view')).toContainText('Entry #1');
	await page.locator('body').focus();
	await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
	await page.keyboard.press('Tab');
	await expect(page.getByTestId('skip-main')).toBeFocused();
	await page.keyboard.press('Tab');
	await expect(page.getByTestId('skip-entry-list')).toBeFocused();
	await expect(page.getByTestId('skip-entry-list')).toBeVisible();
	await page.keyboard.press('Enter');
	await expect(page.getByTestId('entry-list')).toBeFocused();
	// The list is a multi-select listbox: ticking is aria-selected, and no control sits inside an option.
	await expect(page.getByTestId('entry-list')).toHaveAttribute('aria-multiselectable', 'true');
	await page.keyboard.press('Space');
	await expect(page.locator('#row-0')).toHaveAttribute('aria-selected', 'true');
	await expect(page.locator('[role=option] input, [role=option] button')).toHaveCount(0);

	// Validation results are announced.
	await page.getByTestId('validation-toggle').click();
	await page.getByTestId('validation-run').click();
	await expect(page.getByTestId('validation-announcement')).toHaveText(/^Validation done: \d+ errors?, \d+ warnings?, \d+ notes?; \d+ of 26 entries clean\.$/);
	await expect(page.getByTestId('validation-announcement')).toHaveAttribute('aria-live', 'polite');

	// ? does nothing while typing.
	await page.getByTestId('entry-search').fill('');
	await page.getByTestId('entry-search').press('?');
	await expect(page.getByTestId('shortcuts-dialog')).toBeHidden();
});
