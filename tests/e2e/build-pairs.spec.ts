import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { connectModelServer, dropFiles, waitForSample } from './helpers';
import { defaultAnswer, startModelServer } from '../model-server/server.mjs';

/**
 * Build preference data from a SillyTavern chat with swipes (issue 16): import the chat, propose
 * pairs from its swipes, confirm them — swap one with the keyboard, drop one — download them as
 * TRL conversational DPO JSONL and add them to a new dataset as pair entries.
 */
const CHAT = readFileSync('tests/fixtures/preference/sillytavern-swipes.jsonl', 'utf8');
const SHOTS = process.env.SHOTS_DIR;
// The app's Content-Security-Policy refuses inline scripts, axe's injection included.
test.use({ bypassCSP: true });
const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe-core's serious and critical violations on the page as it is now (none expected). */
async function seriousViolations(page: Page): Promise<string[]> {
	if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE_PATH });
	return page.evaluate(async () => {
		const w = window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[] }> } };
		const result = await w.axe.run(document, { resultTypes: ['violations'] });
		return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
	});
}

const GREETING = { role: 'assistant', content: '*The airship lurches.* Hold on to something, passenger!' };
const ASK = { role: 'user', content: 'Where are we headed?' };
const KEPT = "North, to the ice harbour of Skarn. We'll be there by dawn if the wind holds.";
const say = (content: string) => ({ role: 'assistant', content });

test('pairs from SillyTavern swipes: confirm, swap one, drop one, download DPO JSONL and add them to a dataset', async ({ page }) => {
	await page.goto('/');
	await waitForSample(page);
	await dropFiles(page, [{ name: 'kestrel-chat.jsonl', text: CHAT }]);
	const report = page.getByTestId('import-report');
	await expect(report).toContainText('Imported 1 entry');
	await report.getByRole('button', { name: 'Close the import report' }).click();
	await page.getByTestId('dataset-row').filter({ hasText: 'kestrel-chat' }).getByRole('link', { name: 'Open' }).click();

	await page.getByTestId('open-preferences').click();
	await expect(page.getByRole('heading', { name: 'Build preference data from “kestrel-chat”' })).toBeVisible();
	const pairs = page.getByTestId('pair');
	await expect(pairs).toHaveCount(3);
	await expect(page.getByTestId('pair-summary')).toHaveText('3 proposed · 3 kept · 0 dropped · 0 swapped');
	await expect(page.getByText('Not proposed: 2')).toBeVisible();
	await expect(pairs.nth(0).getByTestId('pair-chosen')).toContainText(KEPT);
	await expect(pairs.nth(0).getByTestId('pair-rejected')).toContainText('Somewhere. Stop asking questions.');
	await expect(page.getByTestId('pair-flags')).toHaveCount(0);
	expect(await seriousViolations(page)).toEqual([]);

	if (SHOTS) {
		for (const width of [1400, 390]) {
			await page.setViewportSize({ width, height: 1000 });
			await page.screenshot({ path: `${SHOTS}/build-pairs-${width}.png`, fullPage: true });
		}
		await page.setViewportSize({ width: 1400, height: 900 });
	}

	// Keyboard: focus the first pair, J to the second, S swaps it; the third is dropped with its button.
	await pairs.nth(0).focus();
	await page.keyboard.press('j');
	await expect(pairs.nth(1)).toBeFocused();
	await page.keyboard.press('s');
	await expect(pairs.nth(1).getByTestId('pair-swapped')).toHaveText('swapped');
	await expect(pairs.nth(1).getByTestId('pair-chosen')).toContainText('To Skarn! Or possibly the bottom of the sea, ha!');
	await expect(pairs.nth(1).getByTestId('pair-rejected')).toContainText(KEPT);
	await pairs.nth(2).getByTestId('pair-drop').click();
	await expect(pairs.nth(2)).toHaveAttribute('aria-label', 'Pair 3 (dropped)');
	await expect(page.getByTestId('pair-summary')).toHaveText('3 proposed · 2 kept · 1 dropped · 1 swapped');

	const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('pair-download').click()]);
	expect(download.suggestedFilename()).toBe('kestrel-chat.dpo.jsonl');
	const text = readFileSync((await download.path()) as string, 'utf8');
	expect(text).toBe(
		[
			JSON.stringify({ prompt: [GREETING, ASK], chosen: [say(KEPT)], rejected: [say('Somewhere. Stop asking questions.')] }),
			JSON.stringify({ prompt: [GREETING, ASK], chosen: [say('To Skarn! Or possibly the bottom of the sea, ha!')], rejected: [say(KEPT)] })
		].join('\n') + '\n'
	);

	if (SHOTS) {
		for (const width of [1400, 390]) {
			await page.setViewportSize({ width, height: 1000 });
			await page.screenshot({ path: `${SHOTS}/build-pairs-reviewed-${width}.png`, fullPage: true });
		}
		await page.setViewportSize({ width: 1400, height: 900 });
	}

	await page.getByTestId('pair-new-name').fill('Kestrel pairs');
	await page.getByTestId('pair-create').click();
	await expect(page.getByTestId('pair-added')).toHaveText('Added 2 pairs to Kestrel pairs.');
	await page.getByTestId('pair-added').getByRole('link', { name: 'Kestrel pairs' }).click();
	await expect(page.getByRole('heading', { name: 'Kestrel pairs' })).toBeVisible();
	await expect(page.getByText('2 entries').first()).toBeVisible();
});

test('best-of-N regeneration on a model server, judged, then pairs from judge scores on the run’s review page', async ({ page }) => {
	// A sampling model: the seed picks how much an answer says; its judge scores by that.
	const takes = ['Aye.', 'Aye, the lamp is lit [detail].', 'Aye, the lamp is lit and the bell is oiled [detail] [more detail].'];
	const api = await startModelServer({
		model: 'keeper-7b',
		answer: (body) => {
			// The engine check's structured-output probe gets the server's usual answer.
			if (body.response_format) return defaultAnswer(body);
			const messages = (body.messages ?? []) as { role: string; content: string }[];
			if (String(messages[0]?.content).startsWith('You are a careful, impartial reviewer')) {
				const reply = /Assistant: ([^\n]*)\n*\nCriteria:/.exec(String(messages[1]?.content))?.[1] ?? String(messages[1]?.content);
				const score = reply.includes('[more detail]') ? 9 : reply.includes('[detail]') ? 6 : 2;
				return `<rationale>Scored by detail.</rationale>\n<score>${score}</score>`;
			}
			return takes[Number((body as { seed?: number }).seed ?? 0) % 3];
		}
	});
	try {
		await page.goto('/');
		await waitForSample(page);
		await connectModelServer(page, api, 'keeper-7b');

		await page.goto('/generate/runs/new?recipe=continuation');
		await page.getByLabel('Dataset', { exact: true }).selectOption({ label: 'Sample · Mara, the lighthouse keeper (26 entries)' });
		await page.getByRole('radio', { name: 'Regenerate the last assistant turn' }).check();
		await page.getByTestId('best-of').fill('3');
		await page.getByRole('radio', { name: /Model server/ }).check();
		await page.getByLabel('Only the first N records').fill('2');
		await page.getByLabel('Run name').fill('Best of three');
		// Best-of-N without the judge is refused beside its field.
		await page.getByRole('button', { name: 'Start run' }).click();
		await expect(page.locator('#param-best-of-error')).toContainText('Best-of-N needs the judge');
		await page.getByRole('checkbox', { name: /Score every sample with a judge prompt/ }).check();
		await page.getByRole('button', { name: 'Start run' }).click();

		await expect(page.getByTestId('run-state')).toHaveText('Done', { timeout: 30_000 });
		const sent = api.requests().filter((request) => request.path === '/v1/chat/completions');
		// 2 records × 3 candidates (seeds 42, 43, 44), each judged.
		expect(sent).toHaveLength(12);
		expect(sent.filter((request) => !String(request.body.messages[0].content).startsWith('You are a careful')).map((request) => request.body.seed).sort()).toEqual([42, 42, 43, 43, 44, 44]);

		await page.goto(`${new URL(page.url()).pathname}/review`);
		await expect(page.getByTestId('review-counts')).toContainText('6 pending');
		await page.getByTestId('open-pair-builder').click();
		await expect(page.getByRole('heading', { name: 'Build preference data from this run' })).toBeVisible();
		await page.getByTestId('pair-source-judge').check();
		await page.getByTestId('pair-margin').fill('2');
		await page.getByTestId('pair-build').click();
		const pairs = page.getByTestId('pair');
		await expect(pairs).toHaveCount(2);
		await expect(page.getByTestId('pair-summary')).toHaveText('2 proposed · 2 kept · 0 dropped · 0 swapped');
		await expect(pairs.nth(0)).toContainText('judge score 9 vs 2');
		await expect(pairs.nth(0).getByTestId('pair-chosen')).toHaveText(/bell is oiled/);
		await expect(pairs.nth(0).getByTestId('pair-rejected')).toHaveText(/^assistant Aye\.$/);
		expect(await seriousViolations(page)).toEqual([]);
		if (SHOTS) {
			for (const width of [1400, 390]) {
				await page.setViewportSize({ width, height: 1000 });
				await page.screenshot({ path: `${SHOTS}/run-pairs-${width}.png`, fullPage: true });
			}
			await page.setViewportSize({ width: 1400, height: 900 });
		}
		await page.getByTestId('pair-create').click();
		await expect(page.getByTestId('pair-added')).toHaveText('Added 2 pairs to Best of three (preference pairs).');
	} finally {
		await api.close();
	}
});
