/**
 * The manifest of a workspace backup (`skein-backup.json`, the last entry of the zip, written
 * once every count is known): which format, which schema version of the database the rows are
 * in, and how many rows of each table it holds in which files. A restore checks the file against
 * it before anything is written.
 */
import { z } from 'zod';

export const BACKUP_FORMAT = 'skein-workspace-backup';
export const BACKUP_FORMAT_VERSION = 1;
export const MANIFEST_NAME = 'skein-backup.json';

/** The model server as the Engines page keeps it, without the API key (which is never backed up). */
export const BackupEndpointSchema = z.object({
	baseUrl: z.string(),
	model: z.string(),
	/** How each server is talked to, per base URL (structured output mode, streaming, rate limits). */
	protocols: z.record(z.string(), z.unknown())
});
export type BackupEndpoint = z.infer<typeof BackupEndpointSchema>;

export const StoreEntrySchema = z.object({
	rows: z.number().int().nonnegative(),
	files: z.array(z.string())
});

export const BackupManifestSchema = z.object({
	format: z.literal(BACKUP_FORMAT),
	formatVersion: z.literal(BACKUP_FORMAT_VERSION),
	/** The database's schema version (db/database.ts) the rows were read from. */
	schemaVersion: z.number().int().positive(),
	createdAt: z.string(),
	/** Where it was made (the page's origin), to tell the user. */
	origin: z.string(),
	includesResponseCache: z.boolean(),
	stores: z.record(z.string(), StoreEntrySchema),
	/** Blob entries (`blobs/<n>`): imported originals and card images, stored byte for byte. */
	blobs: z.array(z.object({ path: z.string(), size: z.number().int().nonnegative(), type: z.string() })),
	endpoint: BackupEndpointSchema.nullable()
});
export type BackupManifest = z.infer<typeof BackupManifestSchema>;

/** Zip entry name of a table's `n`-th file of rows. */
export function storeFileName(table: string, n: number): string {
	return `stores/${table}/${String(n).padStart(5, '0')}.json`;
}

export function blobFileName(n: number): string {
	return `blobs/${String(n).padStart(6, '0')}.bin`;
}

/** A message naming what is wrong with a manifest, or null when it reads as one. */
export function parseManifest(text: string): { manifest: BackupManifest } | { error: string } {
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		return { error: `${MANIFEST_NAME} is not valid JSON: the backup is damaged.` };
	}
	if (value && typeof value === 'object' && (value as { format?: unknown }).format !== BACKUP_FORMAT) {
		return { error: 'This zip is not a Skein workspace backup (its manifest names another format).' };
	}
	if (value && typeof value === 'object' && typeof (value as { formatVersion?: unknown }).formatVersion === 'number' && (value as { formatVersion: number }).formatVersion > BACKUP_FORMAT_VERSION) {
		return { error: 'This backup was made by a newer version of Skein; update Skein (reload the page) to restore it.' };
	}
	const parsed = BackupManifestSchema.safeParse(value);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		return { error: `${MANIFEST_NAME} is damaged: ${issue.path.join('.') || 'the manifest'} — ${issue.message}.` };
	}
	return { manifest: parsed.data };
}
