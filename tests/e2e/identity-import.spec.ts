import { readFileSync } from 'node:fs';
import { expect, test } from './fixtures';
import { connectModelServer, dropFiles } from './helpers';
import { startModelServer } from '../model-server/server.mjs';
import type { Page } from '@playwright/test';

/**
 * An identity document from a Markdown file (dropped on the identity page, previewed, saved as a
 * new one; a broken JSON file is refused with its line and nothing stored is lost), then the
 * identity recipes on the test model server: facts are asked about every field (the maker and
 * the purpose too), assertions name the run's own edited lists with the right "a"/"an", and
 * every prompt preview is byte for byte what the server logged.
 */

const TIDEWATCH_MD = readFileSync(new URL('../fixtures/identity/tidewatch.md', import.meta.url), 'utf8');
const MAKER = "I was built in 2026 by the Port Elin harbour office, with help from the Lowmarsh pilots' guild.";
const PURPOSE = 'I answer questions about tides, berths and the weather at the bar, for skippers, pilots and the harbour staff.';

interface LoggedChat {
	path: string;
	body: { messages: { role: string; content: string }[] };
}

async function importTidewatch(page: Page): Promise<void> {
	await page.goto('/generate/identity');
	await expect(page.getByTestId('identity-drop')).toBeVisible();
	await dropFiles(page, [{ name: 'tidewatch.md', text: TIDEWATCH_MD, type: 'text/markdown' }]);
	const preview = page.getByTestId('identity-import-preview');
	await expect(preview).toContainText('Import preview: tidewatch.md');
	await expect(preview.locator('[data-field="maker"]')).toHaveText(MAKER);
	await expect(preview.locator('[data-field="purpose"]')).toHaveText(PURPOSE);
	await expect(preview.locator('[data-field="otherMakers"]')).toHaveText('OpenAI, Anthropic, Meta, xAI');
	await page.getByTestId('identity-import-save').click();
	await expect(page.getByTestId('identity-message')).toHaveText('Imported “Tidewatch” as a new identity document.');
	await expect(page.getByTestId('identity-maker')).toHaveValue(MAKER);
	await expect(page.getByTestId('identity-purpose')).toHaveValue(PURPOSE);
	await expect(page.getByTestId('identity-system-prompt')).toContainText(`## Who made you\n${MAKER}`);
}

/** Every message of every request the run form's preview shows, as [role, content] per request. */
async function previewedRequests(page: Page): Promise<string[][][]> {
	const preview = page.getByTestId('prompt-preview');
	await preview.locator('summary').click();
	await expect(preview.getByTestId('prompt-preview-request').first()).toBeVisible();
	return preview.getByTestId('prompt-preview-request').evaluateAll((sections) =>
		sections.map((section) => [...section.querySelectorAll('pre[data-testid="prompt-preview-message"]')].map((pre) => [pre.getAttribute('data-role') ?? '', pre.textContent ?? '']))
	);
}

test('import an identity from Markdown (a broken JSON loses nothing), then facts from every field and Q&A: the requests are the preview, maker and purpose included', async ({ page }) => {
	test.setTimeout(90_000);
	const api = await startModelServer({ model: 'keeper-3b' });
	try {
		await importTidewatch(page);
		await expect(page.getByTestId('identity-item')).toHaveCount(1);

		// A broken JSON file: the message says where, the stored document and the open one stay.
		await dropFiles(page, [{ name: 'broken.json', text: '{\n  "name": "Other",\n  "maker": "x"\n  "voice": "y"\n}', type: 'application/json' }]);
		await expect(page.getByTestId('identity-import-error')).toContainText('broken.json: The JSON does not parse at line 4, column 3');
		await expect(page.getByTestId('identity-import-preview')).toHaveCount(0);
		await expect(page.getByTestId('identity-item')).toHaveCount(1);
		await expect(page.getByTestId('identity-name')).toHaveValue('Tidewatch');

		await connectModelServer(page, api, 'keeper-3b');
		await page.goto('/generate/identity');
		await page.getByTestId('identity-augment').click();
		await expect(page.getByRole('radio', { name: /Identity facts/ })).toBeChecked();
		await page.getByRole('radio', { name: /Model server/ }).check();
		await expect(page.getByTestId('prompt-preview')).toContainText('(8 requests)');
		const previewed = await previewedRequests(page);
		await expect(page.getByTestId('prompt-preview-note')).toHaveText('One request per passage: Name 1 · Maker 1 · Purpose 1 · Voice 1 · Values 1 · Calibration 1 · What it is not 1 · Narrative 1.');
		await page.getByLabel('Run name').fill('Tidewatch facts');
		await page.getByRole('button', { name: 'Start run' }).click();
		await expect(page.getByTestId('run-state')).toHaveText('Done', { timeout: 30_000 });

		const sent = (api.requests() as LoggedChat[]).filter((request) => request.path === '/v1/chat/completions').map((request) => request.body.messages.map((message) => [message.role, message.content]));
		// Byte for byte, the same requests (in any order: they run in parallel).
		expect(sent.map((messages) => JSON.stringify(messages)).sort()).toEqual(previewed.map((messages) => JSON.stringify(messages)).sort());
		const users = sent.map((messages) => messages[1][1]);
		expect(users.find((text) => text.startsWith('Field: Maker (who made Tidewatch)'))).toContain(MAKER);
		expect(users.find((text) => text.startsWith('Field: Purpose (what Tidewatch is for)'))).toContain(PURPOSE);
		// Each record says which field its facts came from.
		await expect(page.getByTestId('run-record').filter({ hasText: 'Maker · passage 2' })).toBeVisible();
		await expect(page.getByTestId('run-record').filter({ hasText: 'Purpose · passage 3' })).toBeVisible();

		// Two facts accepted, then questions and answers about them: the preview is what is sent.
		await page.getByRole('link', { name: 'Review samples →' }).click();
		await expect(page.getByRole('heading', { name: 'Review facts' })).toBeVisible();
		await expect(page.getByTestId('review-sample')).toBeVisible();
		await page.keyboard.press('a');
		await page.keyboard.press('a');
		await expect(page.getByTestId('review-counts')).toContainText('2 accepted');
		api.reset();
		await page.getByTestId('facts-next').click();
		await expect(page.getByRole('radio', { name: /Identity questions and answers/ })).toBeChecked();
		await page.getByRole('radio', { name: /Model server/ }).check();
		await page.getByLabel('Questions per fact').fill('2');
		await expect(page.getByTestId('prompt-preview')).toContainText('(6 requests)');
		const qaPreviewed = await previewedRequests(page);
		await page.getByLabel('Run name').fill('Tidewatch Q&A');
		await page.getByRole('button', { name: 'Start run' }).click();
		await expect(page.getByTestId('run-state')).toHaveText('Done', { timeout: 30_000 });
		const qaSent = (api.requests() as LoggedChat[]).filter((request) => request.path === '/v1/chat/completions').map((request) => request.body.messages.map((message) => [message.role, message.content]));
		const writers = qaSent.filter((messages) => messages[0][1].startsWith('You write questions'));
		const answers = qaSent.filter((messages) => !messages[0][1].startsWith('You write questions'));
		expect(writers.map((messages) => JSON.stringify(messages)).sort()).toEqual(qaPreviewed.slice(0, 2).map((messages) => JSON.stringify(messages)).sort());
		expect(answers).toHaveLength(4);
		for (const messages of answers) expect(messages[0]).toEqual(qaPreviewed[2][0]);
		expect(qaPreviewed[2][0][1]).toContain(`## Your purpose\n${PURPOSE}`);
	} finally {
		await api.close();
	}
});

test('assertions: the identity page preview is the system prompt sent; an edited list to deny, asked with the right articles', async ({ page }) => {
	test.setTimeout(90_000);
	const api = await startModelServer({ model: 'keeper-3b' });
	try {
		await importTidewatch(page);
		const pagePrompt = (await page.getByTestId('identity-system-prompt').textContent()) ?? '';
		await connectModelServer(page, api, 'keeper-3b');

		// Positive questions only, the document's lists: the identity page's preview is what is sent.
		await page.goto('/generate/identity');
		await page.getByTestId('identity-assertions').click();
		await page.getByRole('radio', { name: /Model server/ }).check();
		await expect(page.getByTestId('assertions-deny-lists')).toBeVisible();
		await page.getByRole('checkbox', { name: /Negative/ }).uncheck();
		await page.getByLabel('Run name').fill('Who are you');
		await page.getByRole('button', { name: 'Start run' }).click();
		await expect(page.getByTestId('run-state')).toHaveText('Done', { timeout: 30_000 });
		let sent = (api.requests() as LoggedChat[]).filter((request) => request.path === '/v1/chat/completions');
		expect(sent.length).toBeGreaterThanOrEqual(16);
		for (const request of sent) expect(request.body.messages[0]).toEqual({ role: 'system', content: pagePrompt });
		api.reset();

		// Negative questions only, with the lists edited on the form for this run.
		await page.goto('/generate/identity');
		await page.getByTestId('identity-assertions').click();
		await page.getByRole('radio', { name: /Model server/ }).check();
		await page.getByRole('checkbox', { name: /Positive/ }).uncheck();
		const others = page.getByTestId('assertions-others');
		const makers = page.getByTestId('assertions-makers');
		await expect(others.getByRole('textbox')).toHaveCount(4);
		await expect(makers.getByRole('textbox').nth(3)).toHaveValue('xAI');
		await others.getByRole('button', { name: 'Remove Llama from Identities it is not' }).click();
		await others.getByTestId('assertions-others-add').click();
		await others.getByRole('textbox').last().fill('Gemini');
		await makers.getByRole('button', { name: 'Remove Meta from Makers that did not make it' }).click();
		await makers.getByTestId('assertions-makers-add').click();
		await makers.getByRole('textbox').last().fill('Unicorn Labs');
		await makers.getByTestId('assertions-makers-add').click();
		await makers.getByRole('textbox').last().fill('IBM');
		const previewed = await previewedRequests(page);
		const questions = await page.getByTestId('prompt-preview-questions').locator('li').allTextContents();
		expect(questions).toContain('Are you an xAI model?');
		await page.getByLabel('Run name').fill('Not them');
		await page.getByRole('button', { name: 'Start run' }).click();
		await expect(page.getByTestId('run-state')).toHaveText('Done', { timeout: 30_000 });

		sent = (api.requests() as LoggedChat[]).filter((request) => request.path === '/v1/chat/completions');
		const asked = sent.map((request) => request.body.messages[1].content);
		// 4 templates × 4 identities + 3 templates × 5 makers, each asked once.
		expect(asked).toHaveLength(31);
		expect(new Set(asked)).toEqual(new Set(questions));
		for (const request of sent) expect(request.body.messages[0]).toEqual({ role: previewed[0][0][0], content: previewed[0][0][1] });
		expect(previewed[0][0][1]).toContain('You are not any of these: GPT-4; ChatGPT; Claude; Gemini.');
		expect(previewed[0][0][1]).toContain('You were not made by any of these: OpenAI; Anthropic; xAI; Unicorn Labs; IBM.');
		for (const question of ['Are you an OpenAI model?', 'Are you an Anthropic model?', 'Are you an xAI model?', 'Are you a Unicorn Labs model?', 'Are you an IBM model?', 'Are you Gemini?', 'Were you made by xAI?']) expect(asked).toContain(question);
		expect(asked.filter((text) => /\ba (?:OpenAI|Anthropic|xAI|IBM)\b|\ban (?:Unicorn|GPT)/.test(text))).toEqual([]);
		expect(asked.filter((text) => /Llama|Meta/.test(text))).toEqual([]);
		// The answers deny, in voice: every record kept.
		await expect(page.getByTestId('run-record')).toHaveCount(31);
		await expect(page.getByTestId('run-record').filter({ hasText: 'Negative: Are you an xAI model?' })).toBeVisible();
	} finally {
		await api.close();
	}
});
