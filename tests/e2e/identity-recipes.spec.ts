import { expect, test } from './fixtures';
import { dropFiles } from './helpers';
import type { Page } from '@playwright/test';

/**
 * The identity recipes besides facts → Q&A (covered in generation-journeys): assertions with the
 * document's own list of identities to deny, and in-voice answers to a seeded, rating-stratified
 * sample of a prompt pool — on the rehearsal engine.
 */

async function newIdentity(page: Page, name: string): Promise<void> {
	await page.goto('/generate/identity');
	await page.getByTestId('identity-new-name').fill(name);
	await page.getByTestId('identity-new').click();
	await page.getByTestId('identity-iam').fill(`I am ${name}, the harbour office assistant.`);
	await page.getByTestId('identity-save').click();
	await expect(page.getByTestId('identity-message')).toHaveText('Saved.');
}

/** Rating of each record label "Prompt 12 (4): …". */
async function recordRatings(page: Page): Promise<number[]> {
	const labels = await page.getByTestId('run-record').locator('.record-label').allTextContents();
	return labels.map((label) => Number(label.match(/^Prompt \d+ \((\d)\)/)?.[1]));
}

test('identity assertions: positive and negative questions, the other identities taken from the document', async ({ page }) => {
	await newIdentity(page, 'Tidewatch');
	await page.getByTestId('identity-assertions').click();
	await expect(page.getByRole('radio', { name: /Identity assertions/ })).toBeChecked();
	await page.getByRole('radio', { name: /Rehearsal/ }).check();
	await page.getByLabel('Run name').fill('Who are you');
	await page.getByRole('button', { name: 'Start run' }).click();
	await expect(page.getByTestId('run-state')).toHaveText('Done', { timeout: 30_000 });
	const records = page.getByTestId('run-record');
	await expect(records.filter({ hasText: 'Positive: ' }).first()).toBeVisible();
	// Negative questions name the identities and makers from the document's editable lists.
	await expect(records.filter({ hasText: /Negative: .*GPT-4/ }).first()).toBeVisible();
	await expect(records.filter({ hasText: /Negative: .*OpenAI/ }).first()).toBeVisible();

	await page.getByRole('link', { name: 'Review samples →' }).click();
	// Answered in voice, with the identity's system prompt.
	await expect(page.getByTestId('review-sample')).toContainText('I am Tidewatch, the harbour office assistant.');
});

test('answers to a prompt pool: a seeded sample mixed by rating, answered in voice', async ({ page }) => {
	await newIdentity(page, 'Tidewatch');
	// 100 prompts, 20 of each rating 1–5.
	const csv = ['prompt,openness', ...Array.from({ length: 100 }, (_, i) => `"Harbour question ${i + 1}: what about berth ${i % 7}, keeper?",${(i % 5) + 1}`)].join('\n');
	await page.goto('/generate/pools');
	await expect(page.getByTestId('pools-empty')).toBeVisible();
	await dropFiles(page, [{ name: 'harbour.csv', text: csv, type: 'text/csv' }]);
	await expect(page.getByTestId('pool-import-ok')).toBeVisible();
	await expect(page.getByTestId('pool-count')).toHaveText('100 prompts');
	await page.getByTestId('pool-answer').click();

	await expect(page.getByRole('radio', { name: /Answers to a prompt pool/ })).toBeChecked();
	await page.getByLabel('Prompts to answer').fill('20');
	await page.getByRole('radio', { name: 'An identity', exact: true }).check();
	await page.getByLabel('Identity', { exact: true }).selectOption({ label: 'Tidewatch — I am Tidewatch, the harbour office assistant.' });
	await page.getByRole('radio', { name: /Rehearsal/ }).check();
	await page.getByLabel('Seed', { exact: true }).fill('5');
	await page.getByLabel('Run name').fill('Pool A');
	await page.getByRole('button', { name: 'Start run' }).click();
	await expect(page.getByTestId('run-state')).toHaveText('Done', { timeout: 30_000 });
	await expect(page.getByTestId('run-record')).toHaveCount(20);

	// The default mix: 40% rated 4–5, 40% rated 2–3, 20% rated 1 — exactly.
	const ratings = await recordRatings(page);
	expect(ratings.filter((r) => r >= 4)).toHaveLength(8);
	expect(ratings.filter((r) => r === 2 || r === 3)).toHaveLength(8);
	expect(ratings.filter((r) => r === 1)).toHaveLength(4);
	const first = (await page.getByTestId('run-record').locator('.record-label').allTextContents()).join('\n');

	// The same seed picks the same prompts.
	await page.goto('/generate/runs');
	await page.getByRole('link', { name: 'New run' }).click();
	await page.getByRole('radio', { name: /Answers to a prompt pool/ }).check();
	await page.getByLabel('Prompt pool', { exact: true }).selectOption({ label: 'harbour (100 prompts)' });
	await page.getByLabel('Prompts to answer').fill('20');
	await page.getByRole('radio', { name: 'An identity', exact: true }).check();
	await page.getByLabel('Identity', { exact: true }).selectOption({ label: 'Tidewatch — I am Tidewatch, the harbour office assistant.' });
	await page.getByRole('radio', { name: /Rehearsal/ }).check();
	await page.getByLabel('Seed', { exact: true }).fill('5');
	await page.getByLabel('Run name').fill('Pool B');
	await page.getByRole('button', { name: 'Start run' }).click();
	await expect(page.getByRole('heading', { name: 'Pool B' })).toBeVisible();
	await expect(page.getByTestId('run-state')).toHaveText('Done', { timeout: 30_000 });
	expect((await page.getByTestId('run-record').locator('.record-label').allTextContents()).join('\n')).toBe(first);
});
