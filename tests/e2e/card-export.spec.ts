/**
 * A card made into a sheet can be exported again: V2 and V3 JSON and a PNG holding both, with
 * `extensions` and `character_book` exactly as they came in, and the card's own picture.
 */
import { readFileSync } from 'node:fs';
import type { Download, Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { dropFiles } from './helpers';
import { decodeBase64Utf8, readPngTextChunks } from '../../src/lib/core/import/png-card';

const pngFixture = readFileSync('tests/fixtures/card-v3.png');
const v2Fixture = JSON.parse(readFileSync('tests/fixtures/sheets/card-v2-with-book.json', 'utf8'));

function cardsIn(png: Uint8Array): Record<string, { spec: string; data: Record<string, unknown> }> {
	return Object.fromEntries((readPngTextChunks(png) ?? []).map((chunk) => [chunk.keyword, JSON.parse(decodeBase64Utf8(chunk.text) ?? 'null')]));
}

async function exported(page: Page, label: string): Promise<{ name: string; bytes: Buffer }> {
	const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('card-export').getByRole('button', { name: label }).click()]);
	return { name: download.suggestedFilename(), bytes: readFileSync((await (download as Download).path()) ?? '') };
}

/** The picture's size as the browser decodes it. */
async function decodedSize(page: Page, png: Buffer): Promise<[number, number]> {
	return page.evaluate(async (base64) => {
		const image = new Image();
		image.src = `data:image/png;base64,${base64}`;
		await image.decode();
		return [image.naturalWidth, image.naturalHeight] as [number, number];
	}, png.toString('base64'));
}

async function importCard(page: Page, file: { name: string; base64?: string; text?: string; type: string }, name: RegExp) {
	await page.goto('/generate/sheets');
	await expect(page.getByTestId('sheets-empty')).toBeVisible();
	await dropFiles(page, [file]);
	const ok = page.getByTestId('sheet-import-ok');
	await expect(ok).toContainText(name);
	await ok.getByRole('link', { name: 'Open the sheet' }).click();
	await expect(page.getByTestId('card-export')).toBeVisible();
}

test('a PNG card comes back as PNG (its own picture, both card chunks) and as V2 JSON with its data whole', async ({ page }) => {
	const original = cardsIn(new Uint8Array(pngFixture));
	const card = original.ccv3 ?? original.chara;
	await importCard(page, { name: 'card-v3.png', base64: pngFixture.toString('base64'), type: 'image/png' }, new RegExp(String(card.data.name)));

	const png = await exported(page, 'PNG');
	expect(png.name).toMatch(/\.png$/);
	const written = cardsIn(new Uint8Array(png.bytes));
	expect(written.ccv3).toStrictEqual(card);
	expect(written.chara).toStrictEqual({ ...card, spec: 'chara_card_v2', spec_version: '2.0' });
	expect(await decodedSize(page, png.bytes)).toEqual(await decodedSize(page, pngFixture));

	const v2 = await exported(page, 'V2 JSON');
	expect(v2.name).toMatch(/\.card-v2\.json$/);
	const v2Card = JSON.parse(v2.bytes.toString('utf8'));
	expect(v2Card).toMatchObject({ spec: 'chara_card_v2', spec_version: '2.0' });
	expect(v2Card.data).toStrictEqual(card.data);
	await expect(page.getByTestId('card-export-message')).toContainText(`Exported ${v2.name}`);
});

test('a V2 JSON card with a lorebook exports as V3 JSON with extensions and character_book exactly, and as a PNG with a plain picture', async ({ page }) => {
	await importCard(page, { name: 'card-v2-with-book.json', text: JSON.stringify(v2Fixture), type: 'application/json' }, new RegExp(v2Fixture.data.name));

	const v3 = JSON.parse((await exported(page, 'V3 JSON')).bytes.toString('utf8'));
	expect(v3).toMatchObject({ spec: 'chara_card_v3', spec_version: '3.0' });
	expect(v3.data.character_book).toStrictEqual(v2Fixture.data.character_book);
	expect(v3.data.extensions).toStrictEqual(v2Fixture.data.extensions);
	expect(v3.data.group_only_greetings).toEqual([]);
	expect(JSON.parse((await exported(page, 'V2 JSON')).bytes.toString('utf8'))).toStrictEqual(v2Fixture);

	const png = await exported(page, 'PNG');
	expect(cardsIn(new Uint8Array(png.bytes)).chara).toStrictEqual(v2Fixture);
	expect(await decodedSize(page, png.bytes)).toEqual([256, 384]);

	// An unsaved edit is not exported: the buttons wait for Save.
	await page.getByTestId('sheet-name').fill('Bram, renamed');
	await expect(page.getByTestId('card-export').getByRole('button', { name: 'PNG' })).toBeDisabled();
});
