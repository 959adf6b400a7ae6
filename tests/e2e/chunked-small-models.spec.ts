import { readFileSync } from 'node:fs';
import { expect, test } from './fixtures';
import { dropFiles, waitForSample } from './helpers';
import { startModelServer } from '../model-server/server.mjs';
import type { Page } from '@playwright/test';

/**
 * Issue 13, chunked generation for 0.5B–3B models, against the test model server: a realistic
 * 3,000-word sheet with 32 "###" sections becomes a few chunks of 500–1,500 Qwen tokens, named
 * "Brannoc Vell" (not its title); the run sends a system message that is not the character's,
 * one output instruction and seed 003's sampling; both previews (sheet editor, run form) are
 * byte for byte the request the server logged; an answer cut off at max_tokens keeps its
 * complete entries and says so.
 */

const sheetText = readFileSync('tests/fixtures/sheets/brannoc-vell.md', 'utf8');

/** Five entries per request, different for every request (the server counts them). */
let answered = 0;
function entriesAnswer(body: { messages?: { role: string; content: unknown }[] }): string {
	answered++;
	const user = String(body.messages?.[body.messages.length - 1]?.content ?? '');
	const count = Number(/with exactly (\d+) entries/.exec(user)?.[1] ?? 3);
	const entries = Array.from({ length: count }, (_, i) => ({
		prompt: `Question ${answered}.${i + 1}: what do you make of the Lantern Stair, ferryman?`,
		response: `Forty-two steps, friend, and a lantern at every seventh. I light them all at dusk (${answered}.${i + 1}).`
	}));
	return JSON.stringify({ entries });
}

async function setUpServer(page: Page, port: number) {
	await page.goto('/');
	await waitForSample(page);
	await page.goto('/generate/engines');
	await page.getByTestId('endpoint-url').fill(`http://127.0.0.1:${port}/v1`);
	await page.getByTestId('endpoint-model').fill('qwen2.5-1.5b-instruct');
	await page.getByTestId('endpoint-test').click();
	await expect(page.getByTestId('endpoint-result')).toContainText('Connected');
	await expect(page.getByTestId('endpoint-format-result')).toContainText('Detected');
}

test('a 3,000-word sheet → 500–1,500-token chunks → a chunked run whose request matches both previews, with small-model defaults; a cut-off answer keeps its complete entries', async ({ page }) => {
	test.setTimeout(120_000);
	const api = await startModelServer({ model: 'qwen2.5-1.5b-instruct', answer: entriesAnswer });
	try {
		await setUpServer(page, api.port);

		// Import: 32 "###" sections become 5 chunks, named for the character, counted in Qwen tokens.
		await page.goto('/generate/sheets');
		await expect(page.getByTestId('sheets-empty')).toBeVisible();
		await dropFiles(page, [{ name: 'brannoc-vell.md', text: sheetText, type: 'text/markdown' }]);
		// The first import loads the Qwen tokenizer (a few MB) in the worker.
		await expect(page.getByTestId('sheet-import-ok')).toContainText('5 chunks', { timeout: 60_000 });
		await page.getByTestId('sheet-import-ok').getByRole('link', { name: 'Open the sheet' }).click();
		await expect(page.getByTestId('sheet-name')).toHaveValue('Brannoc Vell');
		await expect(page.getByTestId('sheet-introduction')).toHaveValue(/^Brannoc Vell — The Ferryman of Greymouth\. Brannoc Vell is the ferryman/);
		const cards = page.getByTestId('chunk-card');
		await expect(cards).toHaveCount(5);
		for (let i = 0; i < 5; i++) {
			const tokens = cards.nth(i).getByTestId('chunk-tokens');
			await expect(tokens).toHaveText(/^[\d,]+ Qwen2\.5\/Qwen3 tokens$/);
			const count = Number(/^([\d,]+)/.exec(((await tokens.textContent()) ?? '').trim())?.[1].replace(/,/g, ''));
			expect(count).toBeGreaterThanOrEqual(500);
			expect(count).toBeLessThanOrEqual(1500);
			await expect(cards.nth(i).getByTestId('chunk-entries')).toHaveValue('5');
			await expect(cards.nth(i).getByTestId('chunk-iterations')).toHaveValue('5');
		}
		await expect(cards.nth(1).locator('h3')).toContainText('Appearance · Personality');

		// The editor's preview of chunk 1, iteration 1.
		await cards.first().getByTestId('chunk-preview-toggle').click();
		const editorPre = cards.first().getByTestId('chunk-preview').locator('pre');
		await expect(editorPre).toHaveCount(2);
		const editorSystem = (await editorPre.nth(0).textContent()) ?? '';
		const editorUser = (await editorPre.nth(1).textContent()) ?? '';
		expect(editorSystem).toMatch(/^You write training data for a chat model that will play Brannoc Vell\./);

		// The run form: small-model defaults, the name from the sheet, everything editable.
		await page.getByTestId('sheet-generate').click();
		await expect(page.getByRole('radio', { name: /Chunked/ })).toBeChecked();
		await page.getByRole('radio', { name: /Model server/ }).check();
		await page.getByLabel('Requests in flight').fill('1');
		await expect(page.getByLabel('Character name')).toHaveValue('Brannoc Vell');
		await expect(page.getByLabel('User name')).toHaveValue('User');
		await expect(page.getByLabel('Retries per iteration')).toHaveValue('3');
		await expect(page.getByLabel('Temperature')).toHaveValue('1');
		await expect(page.getByLabel('top_p')).toHaveValue('0.9');
		await expect(page.getByLabel('max_tokens')).toHaveValue('1350');
		// max_tokens follows the entry count until it is edited.
		await page.getByLabel('Entries per iteration').fill('8');
		await expect(page.getByLabel('max_tokens')).toHaveValue('2100');
		await page.getByLabel('Entries per iteration').fill('');
		await expect(page.getByLabel('max_tokens')).toHaveValue('1350');
		// One chunk, two iterations: a short run.
		await page.getByRole('checkbox', { name: /^1\. / }).check();
		await page.getByRole('spinbutton', { name: 'Iterations', exact: true }).fill('2');

		await page.getByTestId('run-preview-toggle').click();
		const formSystem = (await page.getByTestId('run-preview-system').textContent()) ?? '';
		const formUser = (await page.getByTestId('run-preview-user').textContent()) ?? '';
		expect(formSystem).toBe(editorSystem);
		expect(formUser).toBe(editorUser);

		// The first answer is cut off at max_tokens.
		api.reset();
		api.script([{ kind: 'cut-json', times: 1 }]);
		await page.getByLabel('Run name').fill('Brannoc chunk 1');
		await page.getByRole('button', { name: 'Start run' }).click();
		await expect(page.getByTestId('run-state')).toHaveText('Done', { timeout: 60_000 });

		const received = api.requests().filter((request) => request.path === '/v1/chat/completions');
		expect(received).toHaveLength(2);
		const [first, second] = received;
		const messages = first.body.messages as { role: string; content: string }[];
		expect(messages.map((message) => message.role)).toEqual(['system', 'user']);
		// Both previews are exactly the bytes sent.
		expect(messages[0].content).toBe(editorSystem);
		expect(messages[1].content).toBe(editorUser);
		// The system message is not the character's; the character is the subject.
		expect(messages[0].content).not.toMatch(/^You are Brannoc/);
		expect(messages[0].content).toContain('You are not Brannoc Vell');
		// One output instruction, matching the schema sent.
		expect(messages[1].content.match(/JSON/g)).toHaveLength(1);
		expect(messages[1].content).not.toContain('JSON array');
		expect(messages[1].content).toContain('with exactly 5 entries in its "entries" array');
		// This server was detected as json_object-only: the instruction is what states the shape.
		expect(first.body.response_format).toEqual({ type: 'json_object' });
		// Seed 003's sampling for small models.
		expect(first.body.temperature).toBe(1);
		expect(first.body.top_p).toBe(0.9);
		expect(first.body.max_tokens).toBe(1350);
		// Iteration 2 lists the prompts kept from the cut-off answer.
		expect(String((second.body.messages as { content: string }[])[1].content)).toContain('already written in earlier iterations');

		// The cut-off answer kept its complete entries, and the log says how many and that the rest was dropped.
		const log = page.getByTestId('run-log');
		await expect(log).toContainText(/Iteration 1: answer cut off at max_tokens; kept the [1-4] complete entr(y|ies) written before the cut/);
		await expect(log).toContainText('the rest was dropped');
		const kept = Number(/kept the (\d) complete/.exec((await log.textContent()) ?? '')?.[1]);
		await expect(page.getByTestId('run-record').first()).toContainText('JSON valid first try');
		await expect(page.getByTestId('run-record').first()).toContainText('50%');
		await page.getByRole('link', { name: 'Review samples →' }).click();
		await expect(page.getByTestId('review-counts')).toContainText(`${kept + 5} pending`);
	} finally {
		await api.close();
	}
});

test('the sheet editor re-chunks a sheet to another token range, shows each chunk\'s tokens, and the new chunks are saved', async ({ page }) => {
	test.setTimeout(90_000);
	await page.goto('/generate/sheets');
	await expect(page.getByTestId('sheets-empty')).toBeVisible();
	await dropFiles(page, [{ name: 'brannoc-vell.md', text: sheetText, type: 'text/markdown' }]);
	await expect(page.getByTestId('sheet-import-ok')).toContainText('5 chunks', { timeout: 60_000 });
	await page.getByTestId('sheet-import-ok').getByRole('link', { name: 'Open the sheet' }).click();
	const cards = page.getByTestId('chunk-card');
	await expect(cards).toHaveCount(5);

	// A bad range says why and cannot be applied.
	await page.getByTestId('rechunk-min').fill('900');
	await page.getByTestId('rechunk-max').fill('400');
	await expect(page.getByTestId('sheet-rechunk')).toContainText('the minimum is above the maximum');
	await expect(page.getByTestId('rechunk')).toBeDisabled();

	await page.getByTestId('rechunk-min').fill('200');
	await page.getByTestId('rechunk').click();
	await expect(page.getByTestId('rechunk-message')).toContainText(/^Re-chunked into \d+ chunks of [\d, ]+ Qwen2\.5\/Qwen3 tokens\. Save to keep them\.$/);
	const count = await cards.count();
	expect(count).toBeGreaterThan(5);
	for (let i = 0; i < count; i++) {
		await expect(cards.nth(i).getByTestId('chunk-tokens')).toHaveText(/^[\d,]+ Qwen2\.5\/Qwen3 tokens$/);
		const text = ((await cards.nth(i).getByTestId('chunk-tokens').textContent()) ?? '').trim();
		expect(Number(/^([\d,]+)/.exec(text)?.[1].replace(/,/g, ''))).toBeLessThanOrEqual(400);
	}
	await expect(page.getByTestId('sheet-dirty')).toBeVisible();
	await page.getByTestId('sheet-save').click();
	await expect(page.getByTestId('sheet-save-message')).toHaveText('Saved.');
	await page.reload();
	await expect(cards).toHaveCount(count);
});
