/**
 * Character sheets as stored (one row per sheet: a sheet is a few dozen chunks of a few KB, read
 * and saved whole by its editor). Every write is validated with the core schema, and a chunk's
 * prompt template must be one `renderChunkPrompt` can use, so a run never meets a broken sheet.
 */
import { CharacterSheetSchema, type CharacterSheet } from '$lib/core/sheets/sheet';
import { checkPromptTemplate } from '$lib/core/sheets/prompt';
import type { SkeinDatabase } from './database';
import type { CharacterSheetRow } from '$lib/core/contracts/rows';
import type { SheetSummary } from '$lib/core/contracts/library-summaries';


export type SheetWriteResult = { ok: true; sheet: CharacterSheetRow } | { ok: false; error: string };

/** zod's issue path as a reader finds it: `chunks[2].settings.iterations`. */
export function issuePath(path: readonly PropertyKey[]): string {
	let out = '';
	for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`;
	return out === '' ? '(sheet)' : out;
}

/** The sheet, checked: schema first, then each chunk's template (naming the chunk by number and title). */
export function validateSheet(value: unknown): { ok: true; sheet: CharacterSheet } | { ok: false; error: string } {
	const parsed = CharacterSheetSchema.safeParse(value);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		return { ok: false, error: `${issuePath(issue.path)}: ${issue.message}` };
	}
	const sheet = parsed.data;
	const ids = new Set<string>();
	for (const [index, chunk] of sheet.chunks.entries()) {
		const label = `chunks[${index}] ("${chunk.title || 'untitled'}")`;
		if (ids.has(chunk.id)) return { ok: false, error: `${label}.id: the id "${chunk.id}" is used by another chunk` };
		ids.add(chunk.id);
		const checked = checkPromptTemplate(chunk.promptTemplate);
		if (!checked.ok) return { ok: false, error: `${label}.promptTemplate: ${checked.error.replace(/^prompt template: /, '')}` };
	}
	return { ok: true, sheet };
}

export async function listSheets(db: SkeinDatabase): Promise<SheetSummary[]> {
	const rows = await db.characterSheets.orderBy('updatedAt').reverse().toArray();
	return rows.map((row) => ({
		id: row.id,
		name: row.name,
		sourceKind: row.sourceKind,
		chunkCount: row.chunks.length,
		createdAt: row.createdAt,
		updatedAt: row.updatedAt
	}));
}

export async function getSheet(db: SkeinDatabase, id: string): Promise<CharacterSheetRow | undefined> {
	return db.characterSheets.get(id);
}

/** Adds or replaces a sheet after validation; `updatedAt` is set here. */
export async function putSheet(db: SkeinDatabase, value: unknown, now: number = Date.now()): Promise<SheetWriteResult> {
	const checked = validateSheet(value);
	if (!checked.ok) return checked;
	const row: CharacterSheetRow = { ...checked.sheet, updatedAt: now };
	await db.characterSheets.put(row);
	return { ok: true, sheet: row };
}

/** Replaces a sheet that must already exist (a save from a tab whose sheet was deleted is refused). */
export async function saveSheet(db: SkeinDatabase, value: unknown, now: number = Date.now()): Promise<SheetWriteResult> {
	const checked = validateSheet(value);
	if (!checked.ok) return checked;
	return db.transaction('rw', db.characterSheets, async () => {
		if ((await db.characterSheets.get(checked.sheet.id)) === undefined) {
			return { ok: false as const, error: 'this sheet no longer exists (deleted in another tab?)' };
		}
		const row: CharacterSheetRow = { ...checked.sheet, updatedAt: now };
		await db.characterSheets.put(row);
		return { ok: true as const, sheet: row };
	});
}

export async function deleteSheet(db: SkeinDatabase, id: string): Promise<boolean> {
	return db.transaction('rw', db.characterSheets, async () => {
		const exists = (await db.characterSheets.get(id)) !== undefined;
		if (exists) await db.characterSheets.delete(id);
		return exists;
	});
}
