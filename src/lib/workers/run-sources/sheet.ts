/** Character sheets as a run source: the sheet as stored, without its row's `updatedAt`. */
import { getSheet } from '$lib/db/sheets-repo';
import type { SourceKind } from './types';

export const sheetSource: SourceKind<'sheet', 'sheets'> = {
	noun: 'character sheet',
	slot: 'sheets',
	async load(ref, { db }) {
		const row = await getSheet(db, ref.id);
		if (!row) return null;
		// eslint-disable-next-line @typescript-eslint/no-unused-vars
		const { updatedAt, ...sheet } = row;
		return { name: row.name, value: sheet };
	}
};
