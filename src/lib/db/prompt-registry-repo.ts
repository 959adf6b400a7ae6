/**
 * The prompt registry in IndexedDB (`promptChunks`, `promptTemplates`): seeding the built-in
 * library, upgrades that never overwrite a user's edit, edits, reset to built-in, and the JSON
 * bundle export / import.
 *
 * Each row keeps `builtInHash`, the hash of the built-in version it was seeded from or reset to.
 * An unedited row whose hash differs from the current library is upgraded in place; an edited row
 * is left alone and shows "built-in changed, yours kept" until the user resets it.
 */
import type { EntityTable } from 'dexie';
import type { SkeinDatabase } from './database';
import type { PromptRegistryRow } from '$lib/core/contracts/rows';

type RegistryTable = EntityTable<PromptRegistryRow, 'id'>;
import { BUILTIN_CHUNKS, BUILTIN_TEMPLATES } from '$lib/core/compiler/library';
import {
	hashValue,
	PromptChunkSchema,
	REGISTRY_BUNDLE_KIND,
	RegistryBundleSchema,
	stableStringify,
	TemplateSchema,
	type PromptChunk,
	type RegistryBundle,
	type Template
} from '$lib/core/compiler/registry';

export interface RegistryItem<T> {
	value: T;
	/** Part of the built-in library (can be reset, cannot be deleted). */
	builtIn: boolean;
	/** The user changed it from the built-in version (or made it). */
	edited: boolean;
	/** The library has a newer version than the one this edit started from. */
	builtInChanged: boolean;
	updatedAt: number;
}

export interface RegistrySnapshot {
	chunks: RegistryItem<PromptChunk>[];
	templates: RegistryItem<Template>[];
	/** Rows that no longer validate (shown, never silently dropped). */
	invalid: { kind: 'chunk' | 'template'; id: string; error: string }[];
}

export interface BuiltInLibrary {
	chunks: readonly PromptChunk[];
	templates: readonly Template[];
}

export const DEFAULT_LIBRARY: BuiltInLibrary = { chunks: BUILTIN_CHUNKS, templates: BUILTIN_TEMPLATES };

export type RegistryWriteResult = { ok: true } | { ok: false; error: string };

function sameValue(a: unknown, b: unknown): boolean {
	return stableStringify(a) === stableStringify(b);
}

async function seedTable<T extends { id: string }>(table: RegistryTable, builtIns: readonly T[], now: number): Promise<number> {
	const existing = new Map((await table.bulkGet(builtIns.map((b) => b.id))).filter((r): r is PromptRegistryRow => !!r).map((r) => [r.id, r]));
	const writes: PromptRegistryRow[] = [];
	for (const value of builtIns) {
		const hash = hashValue(value);
		const row = existing.get(value.id);
		if (!row) writes.push({ id: value.id, value, builtInHash: hash, edited: false, updatedAt: now });
		else if (!row.edited && row.builtInHash !== hash) writes.push({ ...row, value, builtInHash: hash, updatedAt: now });
	}
	if (writes.length) await table.bulkPut(writes);
	return writes.length;
}

/**
 * Adds missing built-ins and upgrades unedited ones; edited rows are never touched. Idempotent and
 * cheap when nothing changed, so it runs whenever the registry is opened.
 */
export async function seedBuiltIns(db: SkeinDatabase, library: BuiltInLibrary = DEFAULT_LIBRARY): Promise<{ written: number }> {
	return db.transaction('rw', db.promptChunks, db.promptTemplates, async () => {
		const now = Date.now();
		const written = (await seedTable(db.promptChunks, library.chunks, now)) + (await seedTable(db.promptTemplates, library.templates, now));
		return { written };
	});
}

function toItems<T extends { id: string }>(
	rows: PromptRegistryRow[],
	parse: (value: unknown) => { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } },
	builtIns: readonly T[],
	kind: 'chunk' | 'template',
	invalid: RegistrySnapshot['invalid']
): RegistryItem<T>[] {
	const builtInHashes = new Map(builtIns.map((b) => [b.id, hashValue(b)]));
	const items: RegistryItem<T>[] = [];
	for (const row of rows) {
		const parsed = parse(row.value);
		if (!parsed.success) {
			const issue = parsed.error.issues[0];
			invalid.push({ kind, id: row.id, error: issue ? `${issue.path.join('.') || 'value'}: ${issue.message}` : 'invalid' });
			continue;
		}
		const current = builtInHashes.get(row.id);
		items.push({
			value: parsed.data,
			builtIn: current !== undefined,
			edited: row.edited,
			builtInChanged: current !== undefined && row.edited && row.builtInHash !== current,
			updatedAt: row.updatedAt
		});
	}
	return items;
}

/** Seeds if needed, then reads and validates every row. */
export async function loadRegistry(db: SkeinDatabase, library: BuiltInLibrary = DEFAULT_LIBRARY): Promise<RegistrySnapshot> {
	await seedBuiltIns(db, library);
	const [chunkRows, templateRows] = await db.transaction('r', db.promptChunks, db.promptTemplates, () =>
		Promise.all([db.promptChunks.toArray(), db.promptTemplates.toArray()])
	);
	const invalid: RegistrySnapshot['invalid'] = [];
	const chunks = toItems(chunkRows, (v) => PromptChunkSchema.safeParse(v), library.chunks, 'chunk', invalid);
	const templates = toItems(templateRows, (v) => TemplateSchema.safeParse(v), library.templates, 'template', invalid);
	// Built-ins first in library order, then the user's own by name: a stable order for the UI.
	const order = <T extends { id: string }>(builtIns: readonly T[], name: (t: T) => string) => {
		const rank = new Map(builtIns.map((b, i) => [b.id, i]));
		return (a: RegistryItem<T>, b: RegistryItem<T>) =>
			(rank.get(a.value.id) ?? Infinity) - (rank.get(b.value.id) ?? Infinity) || name(a.value).localeCompare(name(b.value)) || a.value.id.localeCompare(b.value.id);
	};
	chunks.sort(order(library.chunks, (c) => c.title));
	templates.sort(order(library.templates, (t) => t.name));
	return { chunks, templates, invalid };
}

async function saveValue<T extends { id: string }>(
	db: SkeinDatabase,
	table: RegistryTable,
	value: T,
	builtIn: T | undefined
): Promise<RegistryWriteResult> {
	return db.transaction('rw', table, async () => {
		const row = await table.get(value.id);
		const now = Date.now();
		if (builtIn) {
			// Saving the built-in text back (an edit undone by hand) makes the row follow upgrades again.
			const edited = !sameValue(value, builtIn);
			await table.put({ id: value.id, value, builtInHash: edited ? (row?.builtInHash ?? hashValue(builtIn)) : hashValue(builtIn), edited, updatedAt: now });
		} else await table.put({ id: value.id, value, edited: true, updatedAt: now });
		return { ok: true } as const;
	});
}

export async function saveChunk(db: SkeinDatabase, input: unknown, library: BuiltInLibrary = DEFAULT_LIBRARY): Promise<RegistryWriteResult> {
	const parsed = PromptChunkSchema.safeParse(input);
	if (!parsed.success) return { ok: false, error: describeIssue(parsed.error.issues) };
	return saveValue(db, db.promptChunks, parsed.data, library.chunks.find((c) => c.id === parsed.data.id));
}

export async function saveTemplate(db: SkeinDatabase, input: unknown, library: BuiltInLibrary = DEFAULT_LIBRARY): Promise<RegistryWriteResult> {
	const parsed = TemplateSchema.safeParse(input);
	if (!parsed.success) return { ok: false, error: describeIssue(parsed.error.issues) };
	return saveValue(db, db.promptTemplates, parsed.data, library.templates.find((t) => t.id === parsed.data.id));
}

function describeIssue(issues: readonly { path: PropertyKey[]; message: string }[]): string {
	const issue = issues[0];
	if (!issue) return 'invalid';
	const path = issue.path.map(String).join('.');
	return path ? `${path}: ${issue.message}` : issue.message;
}

/** A fresh id from a base (`roleplay_scenes` → `roleplay_scenes_copy`, `…_copy_2`). */
async function freeId(table: RegistryTable, base: string): Promise<string> {
	const stem = base.slice(0, 70);
	for (let n = 1; ; n++) {
		const id = n === 1 ? `${stem}_copy` : `${stem}_copy_${n}`;
		if (!(await table.get(id))) return id;
	}
}

/** Creates a user template by duplicating one; returns the new template. */
export async function duplicateTemplate(db: SkeinDatabase, sourceId: string, name?: string): Promise<{ ok: true; template: Template } | { ok: false; error: string }> {
	return db.transaction('rw', db.promptTemplates, async () => {
		const row = await db.promptTemplates.get(sourceId);
		const source = row ? TemplateSchema.safeParse(row.value) : null;
		if (!source?.success) return { ok: false, error: `There is no template “${sourceId}” to duplicate` } as const;
		const id = await freeId(db.promptTemplates, sourceId);
		const template: Template = { ...source.data, id, name: name?.trim() || `${source.data.name} (copy)` };
		await db.promptTemplates.put({ id, value: template, edited: true, updatedAt: Date.now() });
		return { ok: true, template } as const;
	});
}

/** Creates an empty user chunk with a free id from `base`. */
export async function createChunk(db: SkeinDatabase, base: string): Promise<{ ok: true; chunk: PromptChunk } | { ok: false; error: string }> {
	const slug = base.toLowerCase().replace(/[^a-z0-9_-]+/g, '_').replace(/^[^a-z]+/, '') || 'chunk';
	return db.transaction('rw', db.promptChunks, async () => {
		const id = (await db.promptChunks.get(slug)) ? await freeId(db.promptChunks, slug) : slug;
		const chunk: PromptChunk = { id, title: 'New chunk', description: '', category: 'instructions', text: 'Write the instruction here.' };
		await db.promptChunks.put({ id, value: chunk, edited: true, updatedAt: Date.now() });
		return { ok: true, chunk } as const;
	});
}

export async function resetChunk(db: SkeinDatabase, id: string, library: BuiltInLibrary = DEFAULT_LIBRARY): Promise<RegistryWriteResult> {
	const builtIn = library.chunks.find((c) => c.id === id);
	if (!builtIn) return { ok: false, error: `“${id}” is not a built-in chunk` };
	await db.promptChunks.put({ id, value: builtIn, builtInHash: hashValue(builtIn), edited: false, updatedAt: Date.now() });
	return { ok: true };
}

export async function resetTemplate(db: SkeinDatabase, id: string, library: BuiltInLibrary = DEFAULT_LIBRARY): Promise<RegistryWriteResult> {
	const builtIn = library.templates.find((t) => t.id === id);
	if (!builtIn) return { ok: false, error: `“${id}” is not a built-in template` };
	await db.promptTemplates.put({ id, value: builtIn, builtInHash: hashValue(builtIn), edited: false, updatedAt: Date.now() });
	return { ok: true };
}

/** Deletes a user-made chunk that no template maps (built-ins are reset, not deleted). */
export async function deleteChunk(db: SkeinDatabase, id: string, library: BuiltInLibrary = DEFAULT_LIBRARY): Promise<RegistryWriteResult> {
	if (library.chunks.some((c) => c.id === id)) return { ok: false, error: 'Built-in chunks cannot be deleted; reset it instead' };
	return db.transaction('rw', db.promptChunks, db.promptTemplates, async () => {
		const users = (await db.promptTemplates.toArray()).filter((row) => {
			const parsed = TemplateSchema.safeParse(row.value);
			return parsed.success && parsed.data.mappings.some((m) => m.chunk === id);
		});
		if (users.length) return { ok: false, error: `Still used by: ${users.map((r) => r.id).join(', ')}` } as const;
		await db.promptChunks.delete(id);
		return { ok: true } as const;
	});
}

export async function deleteTemplate(db: SkeinDatabase, id: string, library: BuiltInLibrary = DEFAULT_LIBRARY): Promise<RegistryWriteResult> {
	if (library.templates.some((t) => t.id === id)) return { ok: false, error: 'Built-in templates cannot be deleted; reset it instead' };
	await db.promptTemplates.delete(id);
	return { ok: true };
}

export async function exportBundle(db: SkeinDatabase, library: BuiltInLibrary = DEFAULT_LIBRARY, now = new Date()): Promise<RegistryBundle> {
	const snapshot = await loadRegistry(db, library);
	return {
		kind: REGISTRY_BUNDLE_KIND,
		version: 1,
		exportedAt: now.toISOString(),
		chunks: snapshot.chunks.map((c) => ({ value: c.value, edited: c.edited, builtIn: c.builtIn })),
		templates: snapshot.templates.map((t) => ({ value: t.value, edited: t.edited, builtIn: t.builtIn }))
	};
}

export interface BundleImportOutcome {
	chunks: number;
	templates: number;
	/** Rows that now differ from the built-in library (kept as the user's edits). */
	edited: number;
}

/**
 * Imports a bundle: every chunk and template in it replaces the row with its id; rows not in the
 * bundle stay. A bundled built-in that equals the current library is stored as unedited (so it
 * follows future upgrades); one that differs is stored as the user's edit. All or nothing.
 */
export async function importBundle(db: SkeinDatabase, input: unknown, library: BuiltInLibrary = DEFAULT_LIBRARY): Promise<{ ok: true; outcome: BundleImportOutcome } | { ok: false; error: string }> {
	const parsed = RegistryBundleSchema.safeParse(input);
	if (!parsed.success) return { ok: false, error: `This is not a Skein prompt registry file (${describeIssue(parsed.error.issues)})` };
	const bundle = parsed.data;
	const now = Date.now();
	let edited = 0;
	const rowFor = <T extends { id: string }>(value: T, builtIns: readonly T[]): PromptRegistryRow => {
		const builtIn = builtIns.find((b) => b.id === value.id);
		if (!builtIn) {
			edited++;
			return { id: value.id, value, edited: true, updatedAt: now };
		}
		const isEdited = !sameValue(value, builtIn);
		if (isEdited) edited++;
		return { id: value.id, value, builtInHash: hashValue(builtIn), edited: isEdited, updatedAt: now };
	};
	await db.transaction('rw', db.promptChunks, db.promptTemplates, async () => {
		await db.promptChunks.bulkPut(bundle.chunks.map((c) => rowFor(c.value, library.chunks)));
		await db.promptTemplates.bulkPut(bundle.templates.map((t) => rowFor(t.value, library.templates)));
	});
	return { ok: true, outcome: { chunks: bundle.chunks.length, templates: bundle.templates.length, edited } };
}
