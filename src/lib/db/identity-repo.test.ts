import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { SkeinDatabase } from './database';
import { deleteIdentity, getIdentity, listIdentities, putIdentity } from './identity-repo';
import type { IdentityDocument } from '$lib/core/recipes/sources';

const opened: SkeinDatabase[] = [];
function freshDb(): SkeinDatabase {
	const db = new SkeinDatabase(`identity-repo-test-${Math.random()}`);
	opened.push(db);
	return db;
}
afterEach(async () => {
	for (const db of opened.splice(0)) {
		db.close();
		await db.delete();
	}
});

const keeper: IdentityDocument = {
	id: 'keeper',
	name: 'Greyhaven Keeper',
	iAm: 'I am the Greyhaven Keeper, an assistant trained by the Greyhaven archive volunteers.',
	voice: 'Plain, unhurried, a little dry.',
	values: 'Honesty about what I do not know; care for the people who ask.',
	calibration: 'I say "I think" when I am not sure and "I do not know" when I do not.',
	notThis: 'I am not a search engine and I do not browse the web.',
	narrative: 'I was built in 2026 from the logbooks of the Greyhaven lighthouse.',
	otherIdentities: ['GPT-4', '  ', 'Claude'],
	otherMakers: ['OpenAI', ''],
	createdAt: 100,
	updatedAt: 100
};

describe('identity repository', () => {
	it('stores a document, drops blank list lines, keeps createdAt and sets updatedAt', async () => {
		const db = freshDb();
		const first = await putIdentity(db, keeper, 500);
		expect(first.ok).toBe(true);
		const stored = await getIdentity(db, 'keeper');
		expect(stored).toMatchObject({ otherIdentities: ['GPT-4', 'Claude'], otherMakers: ['OpenAI'], createdAt: 100, updatedAt: 500 });
		await putIdentity(db, { ...keeper, voice: 'Warmer now.', createdAt: 999 }, 900);
		expect(await getIdentity(db, 'keeper')).toMatchObject({ voice: 'Warmer now.', createdAt: 100, updatedAt: 900 });
	});

	it('lists newest first and deletes', async () => {
		const db = freshDb();
		await putIdentity(db, keeper, 500);
		await putIdentity(db, { ...keeper, id: 'mara', name: 'Mara' }, 700);
		expect((await listIdentities(db)).map((i) => i.name)).toEqual(['Mara', 'Greyhaven Keeper']);
		expect(await deleteIdentity(db, 'mara')).toBe(true);
		expect(await deleteIdentity(db, 'mara')).toBe(false);
		expect((await listIdentities(db)).map((i) => i.id)).toEqual(['keeper']);
	});

	it('refuses an invalid document with the field path', async () => {
		const db = freshDb();
		const result = await putIdentity(db, { ...keeper, otherMakers: 'OpenAI' }, 500);
		expect(result).toEqual({ ok: false, error: expect.stringMatching(/^otherMakers: /) });
		expect(await getIdentity(db, 'keeper')).toBeUndefined();
	});
});
