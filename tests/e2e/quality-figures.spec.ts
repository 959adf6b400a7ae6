import { expect, test } from './fixtures';
import { chunkedRunFormForWren, connectModelServer, waitForSample } from './helpers';
import { defaultAnswer, startModelServer } from '../model-server/server.mjs';

/**
 * A chunked run on a server that misbehaves like a small model (seed 003's honest figures): its
 * first answer comes in a code fence, the next repeats it (all duplicate prompts), one is cut off at
 * max_tokens (its complete entries are kept) and the next is wrapped in prose; every answer's first
 * entry says nothing from the chunk. The run view's figures must equal what the server sent (counted here from its request
 * log); review marks, narrows, decides everything shown in one step and undoes it exactly; the
 * judge samples at temperature 0 and its agreement with the user is counted.
 */
const BANANAS = 'Bananas are rich in potassium, and the capital of Australia is Canberra.';
const JUDGE = 'You are a careful, impartial reviewer';
const SHOTS = process.env.SHOTS_DIR;

interface Logged {
	path: string;
	status: number;
	fault?: string;
	content?: string;
	finishReason?: string;
	body: { messages: { role: string; content: string }[]; temperature?: number; max_tokens?: number };
}

/** The complete entries written before an answer was cut off (the server writes compact JSON). */
function entriesBeforeCut(content: string): { prompt: string; response: string }[] {
	const entry = /\{"prompt":"(?:[^"\\]|\\.)*","response":"(?:[^"\\]|\\.)*"\}/g;
	return [...content.matchAll(entry)].map((match) => JSON.parse(match[0]) as { prompt: string; response: string });
}

/**
 * The pairs an answer holds as a lenient reader finds them (the outermost {...}), or null; an
 * answer cut off at max_tokens keeps the entries it completed (none: null, asked again).
 */
function lenientPairs(answer: Logged): { prompt: string; response: string }[] | null {
	if (answer.finishReason === 'length') {
		const kept = entriesBeforeCut(answer.content ?? '');
		return kept.length ? kept : null;
	}
	const json = /\{[\s\S]*\}/.exec(answer.content ?? '')?.[0];
	try {
		const value = JSON.parse(json ?? '') as { entries?: { prompt: string; response: string }[] };
		return value.entries?.length ? value.entries : null;
	} catch {
		return null;
	}
}

function isStrict(answer: Logged): boolean {
	if (answer.finishReason === 'length') return false;
	try {
		const value = JSON.parse(answer.content ?? '') as { entries?: unknown[] };
		return Array.isArray(value.entries) && value.entries.length > 0;
	} catch {
		return false;
	}
}

test('chunked run on a misbehaving server: figures equal what the server sent; review narrows, bulk-decides and undoes; the judge agrees or not', async ({ page }) => {
	test.setTimeout(180_000);
	const api = await startModelServer({
		model: 'tiny-0.5b',
		answer: (body) => {
			const text = defaultAnswer(body);
			const system = body.messages?.find((message) => message.role === 'system')?.content;
			if (typeof system === 'string' && system.startsWith(JUDGE)) return text;
			try {
				const value = JSON.parse(text) as { entries?: { prompt: string; response: string }[] };
				if (!value.entries?.length) return text;
				value.entries[0].response = BANANAS;
				return JSON.stringify(value);
			} catch {
				return text;
			}
		}
	});
	try {
		await page.goto('/');
		await waitForSample(page);
		await connectModelServer(page, api, 'tiny-0.5b');
		api.script([{ kind: 'code-fence' }, { kind: 'duplicate' }, { kind: 'cut-json' }, { kind: 'prose-wrapped' }]);
		await chunkedRunFormForWren(page, { entries: 3, iterations: 5, chunks: 1 });
		await page.getByRole('group', { name: /Chunks/ }).getByRole('checkbox').nth(0).check();
		await page.getByRole('radio', { name: /Model server/ }).check();
		await page.getByLabel('Requests in flight').fill('1');
		await page.getByRole('checkbox', { name: /Score every sample with a judge prompt/ }).check();
		await expect(page.getByLabel('Judge temperature')).toHaveValue('0');
		await expect(page.getByLabel('Judge max_tokens')).toHaveValue('256');
		await page.getByLabel('Run name').fill('Tiny model figures');
		await page.getByRole('button', { name: 'Start run' }).click();
		await expect(page.getByTestId('run-state')).toHaveText('Done', { timeout: 90_000 });

		// What the server sent, from its log.
		const chat = (api.requests() as unknown as Logged[]).filter((request) => request.path === '/v1/chat/completions' && request.status === 200);
		const judge = chat.filter((request) => request.body.messages[0]?.content.startsWith(JUDGE));
		const generation = chat.filter((request) => !request.body.messages[0]?.content.startsWith(JUDGE));
		// The cut-off answer kept its complete entries: it is not asked again, so five iterations take five requests.
		expect(generation.map((request) => request.fault ?? 'none')).toEqual(['code-fence', 'duplicate', 'cut-json', 'prose-wrapped', 'none']);
		const cut = entriesBeforeCut(generation[2].content ?? '').length;
		expect(cut).toBeGreaterThan(0);
		let iterations = 0;
		let strict = 0;
		let salvaged = 0;
		let retrying = false;
		const seen = new Set<string>();
		let received = 0;
		let duplicates = 0;
		let kept = 0;
		let bananas = 0;
		for (const answer of generation) {
			const pairs = lenientPairs(answer);
			if (!retrying) {
				iterations++;
				if (isStrict(answer)) strict++;
				else if (pairs && answer.finishReason !== 'length') salvaged++;
			}
			retrying = !pairs;
			for (const pair of pairs ?? []) {
				received++;
				const key = pair.prompt.trim().toLowerCase();
				if (seen.has(key)) duplicates++;
				else {
					seen.add(key);
					kept++;
					if (pair.response === BANANAS) bananas++;
				}
			}
		}
		// Only the fault-free answer is strict JSON; the fenced, repeated and prose-wrapped ones are
		// salvaged; the cut one is neither, though its complete entries count.
		expect({ iterations, strict, salvaged, received }).toEqual({ iterations: 5, strict: 1, salvaged: 3, received: 12 + cut });
		expect(kept + duplicates).toBe(received);
		expect(duplicates).toBeGreaterThanOrEqual(3);
		expect(bananas).toBeGreaterThan(0);
		// The judge asked once per kept sample, with its own sampling.
		expect(judge.length).toBe(kept);
		for (const request of judge) expect([request.body.temperature, request.body.max_tokens]).toEqual([0, 256]);

		const pct = (count: number, of: number) => `${count} of ${of} (${Math.round((count / of) * 1000) / 10}%)`;
		const row = (label: string) => page.getByTestId('run-quality').locator(`[data-testid="quality-row"][data-label="${label}"]`);
		await expect(row('JSON valid first try').getByTestId('quality-value')).toHaveText(pct(strict, iterations));
		await expect(row('JSON valid first try').getByTestId('quality-target')).toHaveText('≥ 95% · not met');
		await expect(row('Salvaged first try').getByTestId('quality-value')).toHaveText(pct(salvaged, iterations));
		await expect(row('Cut off or unusable first try').getByTestId('quality-value')).toHaveText(pct(iterations - strict - salvaged, iterations));
		await expect(row('Duplicate prompts').getByTestId('quality-value')).toHaveText(pct(duplicates, received));
		await expect(row('Duplicate prompts').getByTestId('quality-target')).toHaveText('< 10% · not met');
		await expect(row('Grounded samples').getByTestId('quality-target')).toContainText('100%');
		// The chunk's own row shows the same figures with the target.
		const record = page.getByTestId('run-record').first();
		await expect(record.locator('[data-testid="record-stat"][data-label="JSON valid first try"]')).toContainText(`${pct(strict, iterations)} (target ≥ 95%)`);
		// Opened, the chunk says which answers were strict JSON: the two without a fault.
		await record.getByRole('button').first().click();
		await expect(record.getByTestId('step-strict').filter({ hasText: /^strict JSON$/ })).toHaveCount(strict);
		await expect(record.getByTestId('step-strict').filter({ hasText: 'not strict JSON' })).toHaveCount(generation.length - strict);
		const grounded = await row('Grounded samples').getByTestId('quality-value').textContent();
		const nothing = await row('Nothing from the chunk').getByTestId('quality-value').textContent();
		const groundedCount = Number(/^(\d+) of (\d+)/.exec(grounded ?? '')?.[1]);
		const nothingCount = Number(/^(\d+) of (\d+)/.exec(nothing ?? '')?.[1]);
		expect(grounded).toMatch(new RegExp(`^\\d+ of ${kept} `));
		expect(nothingCount).toBeGreaterThanOrEqual(bananas);
		if (SHOTS) {
			for (const width of [1400, 390]) {
				await page.setViewportSize({ width, height: 1000 });
				await page.screenshot({ path: `${SHOTS}/run-view-${width}.png`, fullPage: true });
			}
			await page.setViewportSize({ width: 1280, height: 900 });
		}

		// Review: the same samples, each marked.
		await page.getByRole('link', { name: 'Review samples →' }).click();
		await expect(page.getByTestId('review-counts')).toHaveText(`${kept} pending · 0 accepted · 0 rejected`);
		await expect(page.getByTestId('sample-marks')).toBeVisible();
		await expect(page.getByTestId('mark-nothing')).toHaveText('Nothing from the chunk');
		await expect(page.getByTestId('sample-messages')).toContainText(BANANAS);
		await expect(page.getByTestId('judge')).toContainText('/ 10');
		// Keyboard review still works: accept the first one.
		await page.keyboard.press('a');
		await expect(page.getByTestId('review-counts')).toHaveText(`${kept - 1} pending · 1 accepted · 0 rejected`);

		// The run view's grounding figures are the review's marks.
		await page.getByRole('button', { name: /^All/ }).click();
		await page.getByTestId('narrow-grounding').selectOption('ungrounded');
		await expect(page.getByTestId('review-shown')).toHaveText(`${kept - groundedCount} shown`);
		await page.getByTestId('narrow-grounding').selectOption('nothing');
		await expect(page.getByTestId('review-shown')).toHaveText(`${nothingCount} shown`);
		await expect(page.getByTestId('sample-messages')).toContainText(BANANAS);

		// Reject everything shown in one step; the one accepted by hand is among them.
		await page.getByTestId('bulk-reject').click();
		await page.getByTestId('bulk-confirm').click();
		await expect(page.getByTestId('review-counts')).toHaveText(`${kept - nothingCount} pending · 0 accepted · ${nothingCount} rejected`);
		await expect(page.getByTestId('bulk-note')).toHaveText(`Rejected ${nothingCount} samples.`);
		if (SHOTS) {
			for (const width of [1400, 390]) {
				await page.setViewportSize({ width, height: 1000 });
				await page.screenshot({ path: `${SHOTS}/review-${width}.png`, fullPage: true });
			}
			await page.setViewportSize({ width: 1280, height: 900 });
		}
		// Judge agreement so far: the judge passed them all, and they are all rejected.
		await expect(page.getByTestId('agree-pass-rejected')).toHaveText(String(nothingCount));
		// Undo restores each earlier decision exactly: the hand-accepted one is accepted again.
		await page.getByTestId('bulk-undo').click();
		await expect(page.getByTestId('review-counts')).toHaveText(`${kept - 1} pending · 1 accepted · 0 rejected`);
		await expect(page.getByTestId('bulk-note')).toHaveText(`Undone: Reject ${nothingCount} shown samples (${nothingCount} restored).`);
		await expect(page.getByTestId('bulk-undo')).toHaveCount(0);
		await expect(page.getByTestId('agree-pass-accepted')).toHaveText('1');
		await expect(page.getByTestId('agree-pass-rejected')).toHaveText('0');
		await expect(page.getByTestId('judge-agreement-figure')).toContainText('agreed with you on 1 (100%)');

		// Stored, not only shown: a reload reads the same decisions.
		await page.reload();
		await expect(page.getByTestId('review-counts')).toHaveText(`${kept - 1} pending · 1 accepted · 0 rejected`);
	} finally {
		await api.close();
	}
});
