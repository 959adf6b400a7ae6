import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { SkeinDatabase } from './database';
import { deleteSavedFilter, listSavedFilters, saveNamedFilter } from './filters-repo';

const opened: SkeinDatabase[] = [];
afterEach(async () => {
	for (const db of opened.splice(0)) {
		db.close();
		await Dexie.delete(db.name);
	}
});

describe('saved filters', () => {
	it('saves per dataset, replaces by name, lists by name and deletes', async () => {
		const db = new SkeinDatabase(`skein-filters-${Date.now()}`);
		opened.push(db);
		await saveNamedFilter(db, 'ds-a', 'Storm scenes', 'q=storm');
		await saveNamedFilter(db, 'ds-a', 'Accepted', 'review=accepted');
		await saveNamedFilter(db, 'ds-b', 'Other dataset', 'q=x');
		const replaced = await saveNamedFilter(db, 'ds-a', 'Storm scenes', 'q=storm&mode=phrase');
		const rows = await listSavedFilters(db, 'ds-a');
		expect(rows.map((r) => [r.name, r.query])).toEqual([
			['Accepted', 'review=accepted'],
			['Storm scenes', 'q=storm&mode=phrase']
		]);
		await expect(saveNamedFilter(db, 'ds-a', '  ', 'q=x')).rejects.toThrow(/needs a name/);
		await deleteSavedFilter(db, replaced.id);
		expect((await listSavedFilters(db, 'ds-a')).map((r) => r.name)).toEqual(['Accepted']);
	});
});
