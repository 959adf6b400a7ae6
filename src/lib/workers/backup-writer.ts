/**
 * Writing a workspace backup: every table read in pages (db/backup-repo tablePages), each page a
 * JSON file of the zip, each Blob (imported originals, card images) a stored entry copied from
 * its stream, the manifest last. The zip's bytes go to a sink as they are made — a file on disk
 * through the File System Access API, or the origin's private file system — so neither the
 * database nor the zip is ever held in memory.
 */
import type Dexie from 'dexie';
import { BackupZipWriter } from '$lib/core/backup/archive';
import { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, MANIFEST_NAME, blobFileName, storeFileName, type BackupEndpoint, type BackupManifest } from '$lib/core/backup/manifest';
import { encodeRow } from '$lib/core/backup/restore-rows';
import { backupTables, tablePages } from '$lib/db/backup-repo';

/** Where the zip's bytes go, in order. */
export interface ByteSink {
	write(parts: Uint8Array[]): Promise<void>;
	close(): Promise<void>;
	abort(reason: unknown): Promise<void>;
}

export interface BackupOptions {
	includeResponseCache: boolean;
	/** The model server's base URL and model (never the key), from the page's localStorage. */
	endpoint: BackupEndpoint | null;
	/** The page's origin, recorded in the manifest. */
	origin: string;
	/** Deflate level for the JSON files (0 = stored, the default: deflating the working copy tripled the time of a backup). */
	level?: 0 | 1 | 6;
}

export interface BackupProgress {
	table: string;
	tablesDone: number;
	tables: number;
	rows: number;
	bytes: number;
}

export interface BackupSummary {
	bytes: number;
	stores: Record<string, number>;
	schemaVersion: number;
	createdAt: string;
}

const FLUSH_BYTES = 4 << 20;

export async function writeBackup(db: Dexie, schemaVersion: number, sink: ByteSink, options: BackupOptions, onProgress?: (progress: BackupProgress) => void): Promise<BackupSummary> {
	let queued: Uint8Array[] = [];
	let queuedBytes = 0;
	const zip = new BackupZipWriter((chunk) => {
		queued.push(chunk);
		queuedBytes += chunk.length;
	}, options.level ?? 0);
	const flush = async (force: boolean) => {
		if (!queued.length || (!force && queuedBytes < FLUSH_BYTES)) return;
		const parts = queued;
		queued = [];
		queuedBytes = 0;
		await sink.write(parts);
	};
	const createdAt = new Date().toISOString();
	const manifest: BackupManifest = {
		format: BACKUP_FORMAT,
		formatVersion: BACKUP_FORMAT_VERSION,
		schemaVersion,
		createdAt,
		origin: options.origin,
		includesResponseCache: options.includeResponseCache,
		stores: {},
		blobs: [],
		endpoint: options.endpoint
	};
	try {
		const specs = backupTables(db, options.includeResponseCache);
		let tablesDone = 0;
		for (const spec of specs) {
			const store = { rows: 0, files: [] as string[] };
			manifest.stores[spec.table] = store;
			// The next page is read while this one is encoded and written (IndexedDB reads off this thread).
			const pages = tablePages(db, spec);
			let next = pages.next();
			for (;;) {
				const result = await next;
				if (result.done) break;
				next = pages.next();
				// Awaited on the next turn; if this page fails first, its failure is the one reported.
				next.catch(() => undefined);
				const read = result.value;
				// An import still running is not part of the workspace yet (its rows are left out on restore).
				const page = spec.table === 'datasets' ? read.filter((row) => row.status !== 'importing') : read;
				if (!page.length) continue;
				const blobs: { path: string; blob: Blob }[] = [];
				const encoded = page.map((row) =>
					encodeRow(spec, row, (blob) => {
						const path = blobFileName(manifest.blobs.length + blobs.length);
						blobs.push({ path, blob });
						return path;
					})
				);
				const file = storeFileName(spec.table, store.files.length);
				zip.addText(file, JSON.stringify(encoded));
				store.files.push(file);
				store.rows += page.length;
				await flush(false);
				for (const { path, blob } of blobs) {
					const entry = zip.beginStored(path);
					const reader = blob.stream().getReader();
					for (;;) {
						const { done, value } = await reader.read();
						if (done) break;
						entry.push(value);
						await flush(false);
					}
					entry.end();
					manifest.blobs.push({ path, size: blob.size, type: blob.type });
				}
				onProgress?.({ table: spec.table, tablesDone, tables: specs.length, rows: store.rows, bytes: zip.bytesWritten });
			}
			tablesDone++;
			onProgress?.({ table: spec.table, tablesDone, tables: specs.length, rows: store.rows, bytes: zip.bytesWritten });
		}
		zip.addText(MANIFEST_NAME, JSON.stringify(manifest, null, '\t'));
		zip.end();
		await flush(true);
		await sink.close();
	} catch (error) {
		await sink.abort(error).catch(() => undefined);
		throw error;
	}
	const stores: Record<string, number> = {};
	for (const [table, store] of Object.entries(manifest.stores)) stores[table] = store.rows;
	return { bytes: zip.bytesWritten, stores, schemaVersion, createdAt };
}

/** A sink into bytes in memory (tests, and migrating a small older backup where no private file system exists). */
export function memorySink(): ByteSink & { bytes(): Uint8Array } {
	const parts: Uint8Array[] = [];
	return {
		write: async (chunk) => void parts.push(...chunk),
		close: async () => undefined,
		abort: async () => undefined,
		bytes: () => {
			const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
			let at = 0;
			for (const part of parts) {
				out.set(part, at);
				at += part.length;
			}
			return out;
		}
	};
}

/** A sink into a file through the File System Access API (a picked file, a folder's file, or the origin private file system). */
export async function fileHandleSink(handle: FileSystemFileHandle): Promise<ByteSink> {
	const writable = await handle.createWritable();
	return {
		write: (parts) => writable.write(new Blob(parts as BlobPart[])),
		close: () => writable.close(),
		// Aborting discards the temporary file: the target keeps what it held before.
		abort: (reason) => writable.abort(reason)
	};
}

/** The synchronous access the origin private file system gives a worker (not in TypeScript's DOM library). */
interface SyncAccessHandle {
	write(buffer: Uint8Array, options: { at: number }): number;
	truncate(size: number): void;
	flush(): void;
	close(): void;
}

/**
 * A sink into a file of the origin private file system, written synchronously at known offsets
 * (a worker's sync access handle: several times as fast as a writable stream, which copies every
 * write into a swap file and the swap file into place at the end); a writable stream where the
 * browser has no sync access.
 */
export async function privateFileSink(handle: FileSystemFileHandle): Promise<ByteSink> {
	const open = (handle as FileSystemFileHandle & { createSyncAccessHandle?: () => Promise<SyncAccessHandle> }).createSyncAccessHandle;
	let access: SyncAccessHandle;
	try {
		if (typeof open !== 'function') throw new Error('no sync access');
		access = await open.call(handle);
	} catch {
		return fileHandleSink(handle);
	}
	access.truncate(0);
	let at = 0;
	return {
		write: async (parts) => {
			for (const part of parts) {
				let done = 0;
				while (done < part.length) done += access.write(part.subarray(done), { at: at + done });
				at += part.length;
			}
		},
		close: async () => {
			access.flush();
			access.close();
		},
		abort: async () => {
			try {
				access.truncate(0);
			} finally {
				access.close();
			}
		}
	};
}
