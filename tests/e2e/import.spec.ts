import { expect, test } from './fixtures';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chatLine, dropFiles, waitForSample } from './helpers';

const MIXED = [
	'\uFEFF' + chatLine(1), // BOM on the first line
	chatLine(2),
	'', // blank line
	'{"messages": [{"role": "user", "content": "cut off', // line 4: invalid JSON
	'"just a string"', // line 5: not an object
	'{"totally": "unknown"}', // line 6: unknown shape
	JSON.stringify({ conversations: [{ from: 'human', value: 'Ghost ship?' }, { from: 'gpt', value: 'The Grey Wren.' }] }),
	chatLine(8)
].join('\r\n');

const ALPACA = JSON.stringify([
	{ instruction: 'Describe the lamp.', input: '', output: 'A first-order Fresnel lens, polished daily.' },
	{ instruction: 'Translate', input: 'fog', output: 'brume', system: 'You are a translator.' }
]);

test('dropping files imports them with a report of every bad line', async ({ page }) => {
	await page.goto('/');
	await waitForSample(page);
	await dropFiles(page, [
		{ name: 'keeper-mixed.jsonl', text: MIXED },
		{ name: 'alpaca-lamp.json', text: ALPACA, type: 'application/json' }
	]);
	const report = page.getByTestId('import-report');
	await expect(report).toHaveAttribute('data-status', 'done');
	await expect(report).toContainText('Imported 6 entries from 2 files');

	const errors = report.getByTestId('import-errors');
	await expect(errors).toContainText('Bad records (3)');
	await expect(errors.locator('tr[data-line="4"]')).toContainText(/invalid JSON/i);
	await expect(errors.locator('tr[data-line="4"]')).toContainText('cut off');
	await expect(errors.locator('tr[data-line="5"]')).toContainText(/not an object/i);
	await expect(errors.locator('tr[data-line="6"]')).toContainText(/unknown shape/i);
	await expect(report).toContainText('OpenAI / ChatML messages: 3');
	await expect(report).toContainText('ShareGPT conversations: 1');
	await expect(report).toContainText('Alpaca instruction / input / output: 2');

	await report.getByRole('button', { name: 'Close the import report' }).click();
	await expect(page.getByTestId('dataset-row').filter({ hasText: 'keeper-mixed' })).toContainText('4 entries');
	await expect(page.getByTestId('dataset-row').filter({ hasText: 'alpaca-lamp' })).toContainText('2 entries');
	await expect(page.getByTestId('drop-overlay')).toHaveCount(0);
});

test('a binary file is "not a dataset" and a character card is recognised', async ({ page }) => {
	await page.goto('/');
	await waitForSample(page);
	const card = JSON.stringify({
		spec: 'chara_card_v2',
		spec_version: '2.0',
		data: { name: 'Mara Quill', description: 'Keeper of Saltreach light.', personality: 'dry', scenario: '', first_mes: 'Shut the door.', mes_example: '', extensions: {} }
	});
	await dropFiles(page, [
		{ name: 'photo.bin', base64: Buffer.from([0, 1, 2, 3, 0, 0, 0, 255, 254, 0, 7, 8]).toString('base64') },
		{ name: 'mara-card.json', text: card }
	]);
	const report = page.getByTestId('import-report');
	await expect(report).toHaveAttribute('data-status', 'done');
	await expect(report.getByTestId('import-fatal').first()).toContainText(/not a dataset/i);
	await expect(report).toContainText('Character card “Mara Quill”');
	await expect(page.getByTestId('dataset-row')).toHaveCount(1); // only the sample
});

test('pasting text anywhere imports it', async ({ page }) => {
	await page.goto('/');
	await waitForSample(page);
	await page.evaluate((text) => {
		const data = new DataTransfer();
		data.setData('text/plain', text);
		document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
	}, [chatLine(1), chatLine(2), chatLine(3)].join('\n'));
	const report = page.getByTestId('import-report');
	await expect(report).toHaveAttribute('data-status', 'done');
	await expect(report).toContainText('Imported 3 entries');
});

test('cancelling a running import leaves nothing behind', async ({ page }) => {
	const dir = mkdtempSync(join(tmpdir(), 'skein-e2e-'));
	const path = join(dir, 'big.jsonl');
	const filler = 'the tide is turning and the lamp needs trimming again '.repeat(40);
	const lines: string[] = [];
	for (let i = 0; i < 40_000; i++) lines.push(JSON.stringify({ messages: [{ role: 'user', content: `${i} ${filler}` }, { role: 'assistant', content: filler }] }));
	writeFileSync(path, lines.join('\n'));

	await page.goto('/');
	await waitForSample(page);
	await page.setInputFiles('[data-testid=file-input]', path);
	await expect(page.getByTestId('import-running')).toBeVisible();
	await page.getByTestId('import-cancel').click();
	const report = page.getByTestId('import-report');
	await expect(report).toHaveAttribute('data-status', 'cancelled', { timeout: 30_000 });
	await expect(report).toContainText('Nothing from it was kept');
	await report.getByRole('button', { name: 'Close the import report' }).click();
	await expect(page.getByTestId('dataset-row')).toHaveCount(1);
	// Nothing left in storage either: only the sample's blocks and original.
	const rows = await page.evaluate(
		() =>
			new Promise<{ datasets: number; originals: number }>((resolve) => {
				const open = indexedDB.open('skein');
				open.onsuccess = () => {
					const db = open.result;
					const tx = db.transaction(['datasets', 'originals']);
					const d = tx.objectStore('datasets').count();
					const o = tx.objectStore('originals').count();
					tx.oncomplete = () => resolve({ datasets: d.result, originals: o.result });
				};
			})
	);
	expect(rows).toEqual({ datasets: 1, originals: 1 });
});

test('importing the same file again is recognised and the copy can be removed', async ({ page }) => {
	await page.goto('/');
	await waitForSample(page);
	const text = [chatLine(1), chatLine(2)].join('\n');
	await dropFiles(page, [{ name: 'keeper.jsonl', text }]);
	const report = page.getByTestId('import-report');
	await expect(report).toHaveAttribute('data-status', 'done');
	await expect(report.getByTestId('same-content')).toHaveCount(0);
	await report.getByRole('button', { name: 'Close the import report' }).click();

	await dropFiles(page, [{ name: 'keeper.jsonl', text }]);
	await expect(report.getByTestId('same-content')).toContainText('same content as “keeper”');
	const keeperRows = page.getByTestId('dataset-row').filter({ has: page.getByRole('link', { name: 'keeper', exact: true }) });
	await expect(keeperRows).toHaveCount(2);
	await report.getByRole('button', { name: 'Remove this copy' }).click();
	await expect(report).toContainText('The new copy was removed');
	await expect(keeperRows).toHaveCount(1);
});

test('real-world files: wrapped JSON, a null first record, number content, a stray NUL and a joined BOM all import', async ({ page }) => {
	await page.goto('/');
	await waitForSample(page);
	const chat = (q: string, a: unknown) => JSON.stringify({ messages: [{ role: 'user', content: q }, { role: 'assistant', content: a }] });
	const splits = JSON.stringify({ train: [JSON.parse(chat('Train one?', 'Yes.')), JSON.parse(chat('Train two?', 'Yes.'))], test: [JSON.parse(chat('Test one?', 'Yes.'))] }, null, 2);
	const viewer = JSON.stringify({ features: [], rows: [{ row_idx: 0, row: JSON.parse(chat('Viewer?', 'Row.')), truncated_cells: [] }], num_rows_total: 1 });
	const awkward = ['null', chat('Six times seven?', 42), chat('Still here?', 'Yes.'), '\uFEFF' + chat('Joined?', 'With cat.'), chat('Nul?', 'ab').replace('ab', 'a\u0000b')].join('\n'); // a raw NUL byte on line 5
	await dropFiles(page, [
		{ name: 'splits.json', text: splits, type: 'application/json' },
		{ name: 'viewer-page.json', text: viewer, type: 'application/json' },
		{ name: 'awkward.jsonl', text: awkward }
	]);
	const report = page.getByTestId('import-report');
	await expect(report).toHaveAttribute('data-status', 'done');
	await expect(report).toContainText('Imported 7 entries from 3 files');
	await expect(report).toContainText('records read from the "train" list of a wrapping object (keys: train, test); entries tagged "train"');
	await expect(report).toContainText('"rows[].row" list of a wrapping object');
	await expect(report).toContainText('message content that was a number imported as text');
	await expect(report).toContainText('a byte-order mark at the start of a line was ignored');
	const errors = report.getByTestId('import-errors');
	await expect(errors).toContainText('Bad records (2)');
	await expect(errors.locator('tr[data-line="1"]')).toContainText('not an object (null)');
	await expect(errors.locator('tr[data-line="5"]')).toContainText(/invalid JSON/i);
});

test('the header’s storage figure follows an import', async ({ page }) => {
	await page.goto('/');
	await waitForSample(page);
	const usage = page.getByTestId('storage-usage');
	await expect(usage).toContainText('used');
	const before = await usage.textContent();
	const lines = Array.from({ length: 4000 }, (_, i) => chatLine(i) + ' '.repeat(500)).join('\n');
	await dropFiles(page, [{ name: 'storage.jsonl', text: lines }]);
	await expect(page.getByTestId('import-report')).toHaveAttribute('data-status', 'done');
	// Well before the 10 s timer: the list change triggers the refresh.
	await expect(usage).not.toHaveText(before ?? '', { timeout: 5_000 });
});

test('a character card dropped on the window becomes a character sheet and a character from the report', async ({ page }) => {
	await page.goto('/');
	await waitForSample(page);
	const card = JSON.stringify({
		spec: 'chara_card_v2',
		spec_version: '2.0',
		data: { name: 'Wren Hollis', description: 'Ferrywoman of the Grey Wren.', personality: 'wry', scenario: 'A foggy crossing.', first_mes: 'Mind the rope.', mes_example: '', extensions: {} }
	});
	await dropFiles(page, [{ name: 'wren-card.json', text: card }]);
	const report = page.getByTestId('import-report');
	await expect(report).toContainText('Character card “Wren Hollis”');
	await report.getByTestId('card-to-sheet').click();
	await expect(report.getByTestId('card-sheet-link')).toBeVisible();
	await report.getByTestId('card-to-character').click();
	await expect(report.getByTestId('card-character-link')).toContainText('Wren Hollis');
	await report.getByTestId('card-sheet-link').click();
	await expect(page.getByLabel(/Character name/)).toHaveValue('Wren Hollis');
	await expect(page.locator('main')).toContainText('Character card');
	await page.goto('/characters');
	await expect(page.locator('main')).toContainText('Wren Hollis');
});
