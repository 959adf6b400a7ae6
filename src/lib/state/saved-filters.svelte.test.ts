import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { getDatabase } from '$lib/db/database';
import { SavedFiltersState } from './saved-filters.svelte';

beforeEach(async () => {
	await getDatabase().savedFilters.clear();
});

describe('SavedFiltersState', () => {
	it('saves filters in their URL form, per dataset, listed by name, replaced by name and deleted', async () => {
		const mara = new SavedFiltersState('ds-mara');
		const other = new SavedFiltersState('ds-other');
		await mara.save('Storm scenes', { text: { query: 'storm', mode: 'contains' } });
		await mara.save('Accepted', { review: ['accepted'] });
		await other.save('Elsewhere', { tagsAny: ['fog'] });
		expect(mara.rows.map((row) => row.name)).toEqual(['Accepted', 'Storm scenes']);
		const storm = mara.rows.find((row) => row.name === 'Storm scenes')!;
		expect(storm.query).toContain('storm');
		expect(mara.filterOf(storm)).toEqual({ text: { query: 'storm', mode: 'contains' } });

		// Saving under an existing name replaces that filter.
		await mara.save('Storm scenes', { text: { query: 'gale', mode: 'contains' } });
		expect(mara.rows).toHaveLength(2);
		expect(mara.filterOf(mara.rows.find((row) => row.name === 'Storm scenes')!).text?.query).toBe('gale');

		await mara.remove(storm.id);
		expect(mara.rows.map((row) => row.name)).toEqual(['Accepted']);
		await other.refresh();
		expect(other.rows.map((row) => row.name)).toEqual(['Elsewhere']);
	});

	it('refuses a filter without a name and keeps the list as it was', async () => {
		const mara = new SavedFiltersState('ds-mara');
		await expect(mara.save('   ', { review: ['draft'] })).rejects.toThrow('needs a name');
		await mara.refresh();
		expect(mara.rows).toEqual([]);
	});
});
