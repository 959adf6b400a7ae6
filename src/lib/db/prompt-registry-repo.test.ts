import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { SkeinDatabase } from './database';
import {
	createChunk,
	deleteChunk,
	deleteTemplate,
	duplicateTemplate,
	exportBundle,
	importBundle,
	loadRegistry,
	resetChunk,
	resetTemplate,
	saveChunk,
	saveTemplate,
	seedBuiltIns,
	type BuiltInLibrary
} from './prompt-registry-repo';
import { BUILTIN_CHUNKS, BUILTIN_TEMPLATES } from '$lib/core/compiler/library';
import type { PromptChunk } from '$lib/core/compiler/registry';

const opened: SkeinDatabase[] = [];
let counter = 0;
function freshDb(): SkeinDatabase {
	const db = new SkeinDatabase(`registry-test-${++counter}-${Math.random()}`);
	opened.push(db);
	return db;
}
afterEach(async () => {
	for (const db of opened.splice(0)) {
		db.close();
		await db.delete();
	}
});

const warm = BUILTIN_CHUNKS.find((c) => c.id === 'tone_warm') as PromptChunk;
const playful = BUILTIN_CHUNKS.find((c) => c.id === 'tone_playful') as PromptChunk;

/** The library as a later version of the app would ship it: two chunks' texts changed. */
function upgradedLibrary(): BuiltInLibrary {
	return {
		chunks: BUILTIN_CHUNKS.map((c) => (c.id === warm.id || c.id === playful.id ? { ...c, text: `${c.text} (v2)` } : c)),
		templates: BUILTIN_TEMPLATES
	};
}

describe('prompt registry repository', () => {
	it('seeds the built-in library on first run, once', async () => {
		const db = freshDb();
		expect((await seedBuiltIns(db)).written).toBe(BUILTIN_CHUNKS.length + BUILTIN_TEMPLATES.length);
		expect((await seedBuiltIns(db)).written).toBe(0);
		const snapshot = await loadRegistry(db);
		expect(snapshot.chunks.map((c) => c.value.id)).toEqual(BUILTIN_CHUNKS.map((c) => c.id));
		expect(snapshot.templates.map((t) => t.value.id)).toEqual(BUILTIN_TEMPLATES.map((t) => t.id));
		expect(snapshot.chunks.every((c) => c.builtIn && !c.edited && !c.builtInChanged)).toBe(true);
		expect(snapshot.invalid).toEqual([]);
	});

	it('upgrades unedited built-ins and never overwrites an edited one', async () => {
		const db = freshDb();
		await seedBuiltIns(db);
		expect(await saveChunk(db, { ...warm, text: 'My own warm tone.' })).toEqual({ ok: true });
		const next = upgradedLibrary();
		const snapshot = await loadRegistry(db, next);
		const mine = snapshot.chunks.find((c) => c.value.id === warm.id);
		const theirs = snapshot.chunks.find((c) => c.value.id === playful.id);
		expect(mine).toMatchObject({ edited: true, builtInChanged: true, value: { text: 'My own warm tone.' } });
		expect(theirs).toMatchObject({ edited: false, builtInChanged: false, value: { text: `${playful.text} (v2)` } });
		// Reset takes the new built-in and follows upgrades again.
		expect(await resetChunk(db, warm.id, next)).toEqual({ ok: true });
		const after = (await loadRegistry(db, next)).chunks.find((c) => c.value.id === warm.id);
		expect(after).toMatchObject({ edited: false, builtInChanged: false, value: { text: `${warm.text} (v2)` } });
	});

	it('saving the built-in text back counts as unedited', async () => {
		const db = freshDb();
		await seedBuiltIns(db);
		await saveChunk(db, { ...warm, text: 'x' });
		await saveChunk(db, warm);
		expect((await loadRegistry(db)).chunks.find((c) => c.value.id === warm.id)?.edited).toBe(false);
	});

	it('validates what it saves', async () => {
		const db = freshDb();
		expect(await saveChunk(db, { ...warm, id: 'Bad Id' })).toEqual({ ok: false, error: 'id: lower-case letters, digits, _ and -, starting with a letter' });
		expect((await saveTemplate(db, { id: 'x' })).ok).toBe(false);
	});

	it('duplicates a template, resets and deletes only what may be', async () => {
		const db = freshDb();
		await seedBuiltIns(db);
		const copy = await duplicateTemplate(db, 'roleplay_scenes', 'My scenes');
		if (!copy.ok) throw new Error(copy.error);
		expect(copy.template).toMatchObject({ id: 'roleplay_scenes_copy', name: 'My scenes' });
		const second = await duplicateTemplate(db, 'roleplay_scenes');
		expect(second.ok && second.template.id).toBe('roleplay_scenes_copy_2');
		const snapshot = await loadRegistry(db);
		expect(snapshot.templates.find((t) => t.value.id === 'roleplay_scenes_copy')).toMatchObject({ builtIn: false, edited: true });

		expect(await resetTemplate(db, 'roleplay_scenes_copy')).toEqual({ ok: false, error: '“roleplay_scenes_copy” is not a built-in template' });
		expect((await deleteTemplate(db, 'roleplay_scenes')).ok).toBe(false);
		expect(await deleteTemplate(db, 'roleplay_scenes_copy')).toEqual({ ok: true });

		const made = await createChunk(db, 'Tone: cosy');
		if (!made.ok) throw new Error(made.error);
		expect(made.chunk.id).toBe('tone_cosy');
		await saveTemplate(db, { ...BUILTIN_TEMPLATES[0], mappings: [...BUILTIN_TEMPLATES[0].mappings, { chunk: 'tone_cosy' }] });
		expect(await deleteChunk(db, 'tone_cosy')).toEqual({ ok: false, error: 'Still used by: conversation_scenarios' });
		expect((await deleteChunk(db, warm.id)).ok).toBe(false);
		await resetTemplate(db, BUILTIN_TEMPLATES[0].id);
		expect(await deleteChunk(db, 'tone_cosy')).toEqual({ ok: true });
	});

	it('exports and re-imports the whole registry, edits included', async () => {
		const source = freshDb();
		await seedBuiltIns(source);
		await saveChunk(source, { ...warm, text: 'Edited warmth.' });
		await duplicateTemplate(source, 'identity_qa', 'Identity, mine');
		const bundle = JSON.parse(JSON.stringify(await exportBundle(source, undefined, new Date('2026-01-02T03:04:05Z'))));
		expect(bundle.exportedAt).toBe('2026-01-02T03:04:05.000Z');

		const target = freshDb();
		await seedBuiltIns(target);
		const result = await importBundle(target, bundle);
		expect(result).toEqual({ ok: true, outcome: { chunks: BUILTIN_CHUNKS.length, templates: BUILTIN_TEMPLATES.length + 1, edited: 2 } });
		const snapshot = await loadRegistry(target);
		expect(snapshot.chunks.find((c) => c.value.id === warm.id)).toMatchObject({ edited: true, value: { text: 'Edited warmth.' } });
		expect(snapshot.templates.find((t) => t.value.id === 'identity_qa_copy')?.value.name).toBe('Identity, mine');
		expect(snapshot.chunks.find((c) => c.value.id === playful.id)?.edited).toBe(false);
	});

	it('refuses a file that is not a registry bundle, writing nothing', async () => {
		const db = freshDb();
		await seedBuiltIns(db);
		const result = await importBundle(db, { kind: 'something-else' });
		expect(result.ok).toBe(false);
		const broken = await importBundle(db, { kind: 'skein-prompt-registry', version: 1, exportedAt: 'x', chunks: [{ value: { ...warm, text: 'new' }, edited: true, builtIn: true }], templates: [{ value: { id: 'BAD' }, edited: true, builtIn: false }] });
		expect(broken.ok).toBe(false);
		expect((await loadRegistry(db)).chunks.find((c) => c.value.id === warm.id)?.value.text).toBe(warm.text);
	});

	it('reports rows that no longer validate instead of dropping them silently', async () => {
		const db = freshDb();
		await seedBuiltIns(db);
		await db.promptChunks.put({ id: 'broken', value: { id: 'broken', text: 5 }, edited: true, updatedAt: 1 });
		const snapshot = await loadRegistry(db);
		expect(snapshot.invalid).toEqual([{ kind: 'chunk', id: 'broken', error: 'title: Invalid input: expected string, received undefined' }]);
	});
});
