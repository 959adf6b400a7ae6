/**
 * The curation workshop's own storage: snapshots of a dataset's working copy, the tag library,
 * the character library and per-dataset default names. Every multi-row change is one
 * transaction, so a failure (quota, crash) leaves either the old state or the new one.
 */
import Dexie from 'dexie';
import type { Character } from '$lib/core/curation/characters';
import type { RegistryResult, TagDefinition } from '$lib/core/curation/tags';
import type { SkeinDatabase } from './database';
import type { DefaultNames } from '$lib/core/contracts/settings';
import type { CharacterRow, DatasetRow, SnapshotRow, TagRow } from '$lib/core/contracts/rows';

// ---- snapshots -------------------------------------------------------------------------------

function newSnapshotId(): string {
	return `snap-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

async function readyDataset(db: SkeinDatabase, datasetId: string): Promise<DatasetRow> {
	const dataset = await db.datasets.get(datasetId);
	if (!dataset || dataset.status !== 'ready') throw new Error('That dataset does not exist (it may have been deleted).');
	return dataset;
}

/** A dataset's snapshots, newest first. */
export async function listSnapshots(db: SkeinDatabase, datasetId: string): Promise<SnapshotRow[]> {
	const rows = await db.snapshots.where('datasetId').equals(datasetId).toArray();
	return rows.sort((a, b) => b.createdAt - a.createdAt);
}

/**
 * Copies the working copy into a new snapshot. Read and written in one transaction, so the
 * snapshot is the dataset as it was at one moment, never half of an edit made meanwhile.
 */
export async function takeSnapshot(db: SkeinDatabase, datasetId: string, name: string, now = Date.now()): Promise<SnapshotRow> {
	const trimmed = name.trim();
	if (!trimmed) throw new Error('A snapshot needs a name.');
	return db.transaction('rw', [db.datasets, db.blocks, db.snapshots, db.snapshotBlocks], async () => {
		const dataset = await readyDataset(db, datasetId);
		const row: SnapshotRow = {
			id: newSnapshotId(),
			datasetId,
			name: trimmed,
			createdAt: now,
			entryCount: dataset.entryCount,
			blockSizes: [...dataset.blockSizes]
		};
		for (let blockNo = 0; blockNo < dataset.blockSizes.length; blockNo++) {
			const block = await db.blocks.get([datasetId, blockNo]);
			await db.snapshotBlocks.put({ snapshotId: row.id, blockNo, entries: block?.entries ?? [] });
		}
		await db.snapshots.add(row);
		return row;
	});
}

export interface RestoreResult {
	restored: SnapshotRow;
	/** The automatic snapshot of the working copy as it was just before the restore. */
	before: SnapshotRow;
}

/**
 * Replaces the working copy with a snapshot's entries. First snapshots the current working copy
 * ("Before restoring …"), so the restore can itself be reverted by restoring that one. The undo
 * history is cleared: its steps are exact only on the state they were recorded against, which
 * the restore replaced. All of it is one transaction.
 */
export async function restoreSnapshot(db: SkeinDatabase, snapshotId: string, now = Date.now()): Promise<RestoreResult> {
	return db.transaction('rw', [db.datasets, db.blocks, db.snapshots, db.snapshotBlocks, db.history], async () => {
		const snapshot = await db.snapshots.get(snapshotId);
		if (!snapshot) throw new Error('That snapshot no longer exists.');
		const dataset = await readyDataset(db, snapshot.datasetId);
		const before = await takeSnapshot(db, dataset.id, `Before restoring “${snapshot.name}”`, now);
		await db.blocks.where('[datasetId+blockNo]').between([dataset.id, Dexie.minKey], [dataset.id, Dexie.maxKey]).delete();
		for (let blockNo = 0; blockNo < snapshot.blockSizes.length; blockNo++) {
			const block = await db.snapshotBlocks.get([snapshot.id, blockNo]);
			await db.blocks.put({ datasetId: dataset.id, blockNo, entries: block?.entries ?? [] });
		}
		await db.history.where('datasetId').equals(dataset.id).delete();
		await db.datasets.put({
			...dataset,
			entryCount: snapshot.entryCount,
			blockSizes: [...snapshot.blockSizes],
			// Never lower: ids handed out since the snapshot must stay unused.
			nextEntryNo: dataset.nextEntryNo,
			updatedAt: Math.max(now, dataset.updatedAt + 1)
		});
		return { restored: snapshot, before };
	});
}

export async function deleteSnapshot(db: SkeinDatabase, snapshotId: string): Promise<void> {
	await db.transaction('rw', [db.snapshots, db.snapshotBlocks], async () => {
		await db.snapshotBlocks.where('snapshotId').equals(snapshotId).delete();
		await db.snapshots.delete(snapshotId);
	});
}

/**
 * Deletes what this module keeps about a dataset: its snapshots (with their blocks) and its
 * default names. Meant to run inside `deleteDataset`'s transaction, whose table list must then
 * include `db.snapshots, db.snapshotBlocks, db.settings`.
 */
export async function deleteDatasetExtras(db: SkeinDatabase, datasetId: string): Promise<void> {
	await db.transaction('rw', [db.snapshots, db.snapshotBlocks, db.settings], async () => {
		const ids = await db.snapshots.where('datasetId').equals(datasetId).primaryKeys();
		for (const id of ids) await db.snapshotBlocks.where('snapshotId').equals(id).delete();
		await db.snapshots.bulkDelete(ids);
		await db.settings.delete(defaultNamesKey(datasetId));
	});
}

// ---- tag library -----------------------------------------------------------------------------

export async function listTags(db: SkeinDatabase): Promise<TagRow[]> {
	const rows = await db.tags.toArray();
	return rows.sort((a, b) => (a.category ?? '\uffff').localeCompare(b.category ?? '\uffff') || a.label.localeCompare(b.label));
}

function sameTag(a: TagRow, b: TagDefinition): boolean {
	return a.label === b.label && a.category === b.category && a.aliases.length === b.aliases.length && a.aliases.every((alias, i) => alias === b.aliases[i]);
}

/**
 * Changes the tag library with one of tags.ts's registry functions, read and written in one
 * transaction (another tab's change in between cannot be lost). Returns the error of a refused
 * change; writes nothing then.
 */
export async function updateTagRegistry(
	db: SkeinDatabase,
	change: (registry: TagDefinition[]) => RegistryResult
): Promise<{ ok: true } | { ok: false; error: string }> {
	return db.transaction('rw', db.tags, async () => {
		const current = await db.tags.toArray();
		const result = change(current.map(toDefinition));
		if (!result.ok) return result;
		const next = new Map(result.registry.map((tag) => [tag.slug, tag]));
		const gone = current.filter((row) => !next.has(row.slug)).map((row) => row.slug);
		const bySlug = new Map(current.map((row) => [row.slug, row]));
		const changed = result.registry.filter((tag) => {
			const before = bySlug.get(tag.slug);
			return !before || !sameTag(before, tag);
		});
		await db.tags.bulkDelete(gone);
		await db.tags.bulkPut(changed.map(toRow));
		return { ok: true };
	});
}

function toDefinition(row: TagRow): TagDefinition {
	return { slug: row.slug, label: row.label, ...(row.category ? { category: row.category } : {}), aliases: [...row.aliases] };
}
function toRow(tag: TagDefinition): TagRow {
	return { slug: tag.slug, label: tag.label, ...(tag.category ? { category: tag.category } : {}), aliases: [...tag.aliases] };
}

/** Sets (or, with '', clears) a tag's category. */
export function setTagCategory(db: SkeinDatabase, slug: string, category: string) {
	const trimmed = category.trim();
	return updateTagRegistry(db, (registry) => {
		if (!registry.some((tag) => tag.slug === slug)) return { ok: false, error: `there is no tag "${slug}"` };
		return {
			ok: true,
			registry: registry.map((tag) => {
				if (tag.slug !== slug) return tag;
				const { category: _old, ...rest } = tag;
				return trimmed ? { ...rest, category: trimmed } : rest;
			})
		};
	});
}

/** Removes a tag from the library. Entries keep the slug: it shows up again as an unknown tag. */
export function deleteTag(db: SkeinDatabase, slug: string) {
	return updateTagRegistry(db, (registry) => ({ ok: true, registry: registry.filter((tag) => tag.slug !== slug) }));
}

// ---- character library -----------------------------------------------------------------------

export async function listCharacters(db: SkeinDatabase): Promise<CharacterRow[]> {
	const rows = await db.characters.toArray();
	return rows.sort((a, b) => a.name.localeCompare(b.name));
}

export function newCharacterId(): string {
	return `char-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Creates or updates a character. Names and aliases are trimmed and de-duplicated; a name or
 * alias that already means another character is refused, so a speaker label maps to one
 * character only.
 */
export async function saveCharacter(db: SkeinDatabase, input: Character): Promise<{ ok: true; character: Character } | { ok: false; error: string }> {
	const aliases = [...new Set(input.aliases.map((alias) => alias.trim()).filter(Boolean))].filter(
		(alias) => alias.toLowerCase() !== input.name.trim().toLowerCase()
	);
	// The schema (zod) loads on first use: this module is on the first page, zod need not be.
	const { CharacterSchema } = await import('$lib/core/curation/characters');
	const parsed = CharacterSchema.safeParse({ ...input, name: input.name.trim(), description: input.description.trim(), aliases });
	if (!parsed.success) return { ok: false, error: 'A character needs a name.' };
	const character = parsed.data;
	return db.transaction('rw', db.characters, async () => {
		const others = (await db.characters.toArray()).filter((row) => row.id !== character.id);
		for (const label of [character.name, ...character.aliases]) {
			const key = label.toLowerCase();
			const clash = others.find((row) => row.name.toLowerCase() === key || row.aliases.some((alias) => alias.toLowerCase() === key));
			if (clash) return { ok: false as const, error: `“${label}” already means ${clash.name}.` };
		}
		await db.characters.put(character);
		return { ok: true as const, character };
	});
}

export async function deleteCharacter(db: SkeinDatabase, id: string): Promise<void> {
	await db.characters.delete(id);
}

// ---- default names --------------------------------------------------------------------------


export function defaultNamesKey(datasetId: string): string {
	return `names:${datasetId}`;
}

export async function getDefaultNames(db: SkeinDatabase, datasetId: string): Promise<DefaultNames> {
	const row = await db.settings.get(defaultNamesKey(datasetId));
	const value = (row?.value ?? {}) as Partial<DefaultNames>;
	return { char: typeof value.char === 'string' ? value.char : '', user: typeof value.user === 'string' ? value.user : '' };
}

export async function setDefaultNames(db: SkeinDatabase, datasetId: string, names: DefaultNames): Promise<void> {
	await db.settings.put({ key: defaultNamesKey(datasetId), value: { char: names.char.trim(), user: names.user.trim() } });
}
