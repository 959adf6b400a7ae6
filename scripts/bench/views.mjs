/**
 * View figures for `npm run bench` (SPEC §10 "Views", issue 14): opening entries that froze the
 * tab before — one conversation of 10,000 messages (a SillyTavern log imports as one) and one
 * message of 30 MB.
 *
 * - long_conversation_open_ms: click the entry in the list until its view shows, plus Edit until the
 *   editor shows (goal < 1,000); long_conversation_longest_task_ms: the longest main-thread task
 *   meanwhile (goal < 100).
 * - huge_message_open_longest_task_ms: the longest main-thread task from the click on the entry
 *   with the 30 MB message until its view has shown and settled (goal < 100); huge_message_open_ms.
 * - long_conversation_{view,editor}_scroll_end_longest_task_ms: the longest task while the
 *   message list of the view, then of the editor, is scrolled to its end with the End key until
 *   message 10,000 shows (goal < 100: both lists are virtual).
 * - huge_message_editor_open_longest_task_ms: the longest task from Edit on the 30 MB entry until
 *   the editor shows its excerpt and settles (goal < 100); huge_message_editor_open_ms.
 *
 * Run alone with `node scripts/bench/views.mjs` (builds unless BENCH_SKIP_BUILD=1), or from
 * scripts/bench.mjs with a page already on the app (`benchViews(page)`).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LONG_MESSAGES = 10_000;
export const HUGE_CHARACTERS = 30_000_000;

/** The two entries, as JSON Lines: 10,000 alternating messages, then one 30 MB answer. */
export function viewsBenchFile(dir) {
	const messages = [{ role: 'system', content: 'You are Mara Quill, keeper of the Saltreach light.' }];
	for (let i = 1; i < LONG_MESSAGES; i++) {
		messages.push(
			i % 2 === 1
				? { role: 'user', content: `Night ${i}: is the lamp still burning? The fog came in early and the bell has not stopped.` }
				: { role: 'assistant', content: `Still burning, night ${i}. I trimmed the wick at dusk,\nwound the clockwork and wrote it in the log.` }
		);
	}
	const sentence = 'The tide log for the season, copied out by hand, line after line, with the weather beside each entry. ';
	const huge = sentence.repeat(Math.ceil(HUGE_CHARACTERS / sentence.length)).slice(0, HUGE_CHARACTERS);
	const path = join(dir, 'views-bench.jsonl');
	writeFileSync(
		path,
		JSON.stringify({ messages }) + '\n' + JSON.stringify({ messages: [{ role: 'user', content: 'Read me the whole tide log.' }, { role: 'assistant', content: huge }] }) + '\n'
	);
	return path;
}

/**
 * @param {import('@playwright/test').Page} page on the app, with `window.__longest` kept by a long-task observer
 * @returns {Promise<{ longConversationOpenMs: number, longConversationLongestMs: number, hugeMessageOpenMs: number, hugeMessageLongestMs: number }>}
 */
export async function benchViews(page) {
	const dir = mkdtempSync(join(tmpdir(), 'skein-bench-views-'));
	try {
		await page.goto(new URL('/', page.url()).href);
		await page.getByTestId('dataset-row').first().waitFor({ timeout: 60_000 });
		await page.setInputFiles('[data-testid=file-input]', viewsBenchFile(dir));
		const report = page.locator('[data-testid=import-report]');
		await page.locator('[data-testid=import-report][data-status=done]').waitFor({ timeout: 300_000 });
		await report.getByRole('link', { name: /^Open/ }).first().click();
		const rows = page.getByTestId('entry-row').filter({ hasNotText: 'Loading' });
		await rows.first().waitFor({ timeout: 60_000 });
		const resetLongest = () => page.evaluate(() => { /** @type {any} */ (window).__longest = 0; });
		const settle = () => page.evaluate(() => new Promise((r) => setTimeout(r, 300)));

		const longest = () => page.evaluate(() => /** @type {any} */ (window).__longest);
		/** Scrolls a message list to its end with the keyboard until its last message shows; the longest task meanwhile. */
		const scrollToEnd = async (/** @type {string} */ list, /** @type {string} */ message) => {
			await settle();
			await resetLongest();
			await page.getByTestId(list).focus();
			await page.keyboard.press('End');
			await page.locator(`[data-testid=${list}] [data-testid=${message}][data-index="${LONG_MESSAGES - 1}"]`).waitFor({ state: 'visible', timeout: 120_000 });
			await settle();
			return longest();
		};

		// The 10,000-message conversation: the view, then the editor.
		await resetLongest();
		let start = Date.now();
		await rows.nth(0).click();
		await page.locator(`[data-testid=entry-view] [data-testid=message]`).first().waitFor({ timeout: 120_000 });
		const viewMs = Date.now() - start;
		start = Date.now();
		await page.getByTestId('entry-edit').click();
		await page.getByTestId('editor-content').first().waitFor({ timeout: 120_000 });
		const editorMs = Date.now() - start;
		await settle();
		const longConversationLongestMs = await longest();
		const longConversationEditorScrollLongestMs = await scrollToEnd('editor-message-list', 'editor-message');
		await page.getByTestId('entry-editor').getByRole('button', { name: 'Cancel' }).first().click();
		await page.getByTestId('entry-view').waitFor();
		const longConversationViewScrollLongestMs = await scrollToEnd('message-list', 'message');
		await settle();

		// The 30 MB message.
		await resetLongest();
		start = Date.now();
		await rows.nth(1).click();
		await page.locator('[data-testid=entry-view] [data-testid=message-text][data-length="30000000"]').waitFor({ timeout: 120_000 });
		const hugeMessageOpenMs = Date.now() - start;
		await settle();
		const hugeMessageLongestMs = await longest();

		// The editor on the 30 MB message: an excerpt, not a 30 MB text box.
		await resetLongest();
		start = Date.now();
		await page.getByTestId('entry-edit').click();
		await page.locator('[data-testid=entry-editor] [data-testid=huge-message][data-length="30000000"]').waitFor({ timeout: 120_000 });
		const hugeMessageEditorOpenMs = Date.now() - start;
		await settle();
		const hugeMessageEditorLongestMs = await longest();
		await page.getByTestId('entry-editor').getByRole('button', { name: 'Cancel' }).first().click();
		await page.getByTestId('entry-view').waitFor();
		return {
			longConversationOpenMs: viewMs + editorMs,
			longConversationLongestMs,
			longConversationViewScrollLongestMs,
			longConversationEditorScrollLongestMs,
			hugeMessageOpenMs,
			hugeMessageLongestMs,
			hugeMessageEditorOpenMs,
			hugeMessageEditorLongestMs
		};
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/** The figures `benchViews` returns, for taking their medians over runs. */
export const VIEW_FIGURES = [
	'longConversationOpenMs',
	'longConversationLongestMs',
	'longConversationViewScrollLongestMs',
	'longConversationEditorScrollLongestMs',
	'hugeMessageOpenMs',
	'hugeMessageLongestMs',
	'hugeMessageEditorOpenMs',
	'hugeMessageEditorLongestMs'
];

/** The lines `npm run bench` prints for these figures. */
export function viewsBenchLines(/** @type {Awaited<ReturnType<typeof benchViews>>} */ v) {
	return [
		`long_conversation_open_ms: ${v.longConversationOpenMs.toFixed(0)}`,
		`long_conversation_longest_task_ms: ${v.longConversationLongestMs.toFixed(0)}`,
		`long_conversation_view_scroll_end_longest_task_ms: ${v.longConversationViewScrollLongestMs.toFixed(0)}`,
		`long_conversation_editor_scroll_end_longest_task_ms: ${v.longConversationEditorScrollLongestMs.toFixed(0)}`,
		`huge_message_open_longest_task_ms: ${v.hugeMessageLongestMs.toFixed(0)}`,
		`huge_message_open_ms: ${v.hugeMessageOpenMs.toFixed(0)}`,
		`huge_message_editor_open_longest_task_ms: ${v.hugeMessageEditorLongestMs.toFixed(0)}`,
		`huge_message_editor_open_ms: ${v.hugeMessageEditorOpenMs.toFixed(0)}`
	];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	const { execSync } = await import('node:child_process');
	const { startStaticServer } = await import('../static-server.mjs');
	const { watchLongTasks } = await import('./run.mjs');
	if (!process.env.BENCH_SKIP_BUILD) execSync('npx vite build', { stdio: ['ignore', 'ignore', 'inherit'] });
	const server = await startStaticServer({ port: 0 });
	const { launchBenchBrowser } = await import('./browser.mjs');
	const { page, close } = await launchBenchBrowser('skein-bench-views-profile-');
	try {
		await watchLongTasks(page);
		await page.goto(server.url);
		for (const line of viewsBenchLines(await benchViews(page))) console.log(line);
	} finally {
		await close();
		await server.close();
	}
}
