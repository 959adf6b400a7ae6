import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { addTagDefinition, renameTag } from '$lib/core/curation/tags';
import { SkeinDatabase } from './database';
import { deleteCharacter, deleteTag, getDefaultNames, listCharacters, listTags, saveCharacter, setDefaultNames, setTagCategory, updateTagRegistry } from './collection-repo';

let counter = 0;
const opened: SkeinDatabase[] = [];
function freshDb() {
	const db = new SkeinDatabase(`skein-collection-repo-${++counter}-${Date.now()}`);
	opened.push(db);
	return db;
}
afterEach(async () => {
	for (const db of opened.splice(0)) {
		db.close();
		await Dexie.delete(db.name);
	}
});

describe('tag library', () => {
	it('creates, renames with an alias, categorises and deletes, refusing clashes', async () => {
		const db = freshDb();
		expect(await updateTagRegistry(db, (r) => addTagDefinition(r, { slug: 'Slow Burn', label: '', aliases: [] }))).toEqual({ ok: true });
		expect(await updateTagRegistry(db, (r) => addTagDefinition(r, { slug: 'slow-burn', label: '', aliases: [] }))).toMatchObject({ ok: false });
		expect(await listTags(db)).toEqual([{ slug: 'slow-burn', label: 'Slow burn', aliases: [] }]);

		await updateTagRegistry(db, (r) => renameTag(r, 'slow-burn', 'slowburn-romance', 'Slow-burn romance'));
		expect(await listTags(db)).toEqual([{ slug: 'slowburn-romance', label: 'Slow-burn romance', aliases: ['slow-burn'] }]);

		await setTagCategory(db, 'slowburn-romance', ' Pacing ');
		expect((await listTags(db))[0].category).toBe('Pacing');
		await setTagCategory(db, 'slowburn-romance', '');
		expect((await listTags(db))[0]).not.toHaveProperty('category');

		await deleteTag(db, 'slowburn-romance');
		expect(await listTags(db)).toEqual([]);
	});
});

describe('character library and default names', () => {
	it('saves characters with trimmed, unique aliases and refuses a label that means someone else', async () => {
		const db = freshDb();
		const saved = await saveCharacter(db, { id: 'c1', name: ' Mara ', description: 'Keeper', aliases: ['MARA', 'Keeper Mara', 'Keeper Mara ', ''] });
		expect(saved).toMatchObject({ ok: true, character: { name: 'Mara', aliases: ['Keeper Mara'] } });
		expect(await saveCharacter(db, { id: 'c2', name: 'Tom', description: '', aliases: ['keeper mara'] })).toEqual({
			ok: false,
			error: '“keeper mara” already means Mara.'
		});
		expect(await saveCharacter(db, { id: 'c2', name: '  ', description: '', aliases: [] })).toMatchObject({ ok: false });
		// Editing a character may keep its own labels.
		expect(await saveCharacter(db, { id: 'c1', name: 'Mara', description: 'Lighthouse keeper', aliases: ['Keeper Mara'] })).toMatchObject({ ok: true });
		expect((await listCharacters(db)).map((c) => c.description)).toEqual(['Lighthouse keeper']);
		await deleteCharacter(db, 'c1');
		expect(await listCharacters(db)).toEqual([]);
	});

	it('stores {{char}} / {{user}} names per dataset', async () => {
		const db = freshDb();
		expect(await getDefaultNames(db, 'ds-1')).toEqual({ char: '', user: '' });
		await setDefaultNames(db, 'ds-1', { char: ' Mara ', user: 'Traveller' });
		expect(await getDefaultNames(db, 'ds-1')).toEqual({ char: 'Mara', user: 'Traveller' });
		expect((await db.settings.get('names:ds-1'))?.value).toEqual({ char: 'Mara', user: 'Traveller' });
	});
});
