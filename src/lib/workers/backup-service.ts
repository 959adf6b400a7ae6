/**
 * The workspace backup and restore, in the data worker (`backupApi` is composed into its API):
 *
 * - backup: to a file the page picked (its handle crosses to the worker and is written here),
 *   to a folder the user chose (the same path, on a file of that folder), or — where neither is
 *   possible — to the origin's private file system, whose File the page then downloads;
 * - restore, in two steps: `inspectBackup` reads and checks the whole file (zip checksums, zod
 *   schemas per row, counts against the manifest) and plans what collides with this browser's
 *   data; `restoreBackup` writes what the user chose in one transaction. A backup from an older
 *   schema version is first written into a staging database at that version and upgraded there by
 *   the database's own numbered migrations, then read back as a current one.
 */
/// <reference lib="webworker" />
import Dexie from 'dexie';
import { BackupArchive, BackupFileError, bytesSource } from '$lib/core/backup/archive';
import type { ByteSource } from '$lib/core/backup/zip-directory';
import { describeItem, decide, planRestore, summarizePlan, type BackupItem, type Choice, type PlannedItem, type PlanSummary } from '$lib/core/backup/plan';
import { inspectArchive, restoreBatches, type ArchiveInspection, type BlobAt } from '$lib/core/backup/restore-rows';
import { encodeTagged } from '$lib/core/backup/row-codec';
import { settingDataset } from '$lib/core/backup/layout';
import type { BackupEndpoint } from '$lib/core/backup/manifest';
import { CURRENT_SCHEMA_VERSION, SkeinDatabase } from '$lib/db/database';
import { databaseAtVersion, itemRows, writeRestore } from '$lib/db/backup-repo';
import { fileHandleSink, memorySink, privateFileSink, writeBackup, type BackupOptions, type BackupProgress, type BackupSummary, type ByteSink } from './backup-writer';

export type { BackupOptions, BackupProgress, BackupSummary } from './backup-writer';

/** The file a folder workspace keeps its backup in. */
export const FOLDER_BACKUP_NAME = 'skein-workspace.zip';
const DOWNLOAD_TEMP_NAME = 'skein-backup-download.zip';
const MIGRATED_TEMP_NAME = 'skein-backup-migrated.zip';
const STAGING_PREFIX = 'skein-restore-staging';

export interface BackupResult extends BackupSummary {
	/** For a download: the finished zip (a file of the origin's private file system, or built from parts). */
	file?: File;
	fileName: string;
}

export interface RestorePreview {
	token: string;
	fileName: string;
	createdAt: string;
	origin: string;
	schemaVersion: number;
	/** True when the backup was made by an older schema version and was migrated. */
	migrated: boolean;
	includesResponseCache: boolean;
	rows: Record<string, number>;
	orphans: Record<string, number>;
	items: PlannedItem[];
	summary: PlanSummary[];
	endpoint: BackupEndpoint | null;
}

export interface RestoreOutcome {
	written: Record<string, number>;
	added: number;
	replaced: number;
	keptBoth: number;
	skipped: number;
}

export type RestoreProgress = (phase: 'checking' | 'migrating' | 'writing', done: number, total: number) => void;

/** Reads a File synchronously (FileReaderSync: a restore's writes cannot wait on anything but IndexedDB). */
export function fileSource(file: Blob): ByteSource & { blobAt: BlobAt } {
	const reader = new FileReaderSync();
	return {
		size: file.size,
		read: (offset, length) => new Uint8Array(reader.readAsArrayBuffer(file.slice(offset, offset + length))),
		blobAt: (offset, size, type) => file.slice(offset, offset + size, type)
	};
}

function memoryBlobAt(bytes: Uint8Array): BlobAt {
	return (offset, size, type) => new Blob([bytes.slice(offset, offset + size)], { type });
}

interface Inspected {
	archive: BackupArchive;
	inspection: ArchiveInspection;
	plan: PlannedItem[];
	blobAt: BlobAt;
}

/** Where temporary files go: the origin's private file system when there is one. */
async function privateFile(name: string): Promise<FileSystemFileHandle | null> {
	try {
		const root = await navigator.storage.getDirectory();
		return await root.getFileHandle(name, { create: true });
	} catch {
		return null;
	}
}

async function removePrivateFile(name: string): Promise<void> {
	try {
		await (await navigator.storage.getDirectory()).removeEntry(name);
	} catch {
		// absent already, or no private file system
	}
}

export class BackupService {
	#inspected = new Map<string, Inspected>();

	constructor(
		private readonly db: SkeinDatabase,
		/** Opens a byte source over a File (FileReaderSync in the worker; tests pass their own). */
		private readonly openSource: (file: Blob) => ByteSource & { blobAt: BlobAt } = fileSource,
		/** Where a migrated older backup is kept between inspection and restore. */
		private readonly tempSink: (name: string) => Promise<{ sink: ByteSink; read(): Promise<Blob | Uint8Array> }> = defaultTempSink
	) {}

	/** Writes a backup into a file handle (picked by the page, in a chosen folder, or private for a download). */
	async backupToHandle(handle: FileSystemFileHandle, options: BackupOptions, onProgress?: (progress: BackupProgress) => void): Promise<BackupResult> {
		const summary = await writeBackup(this.db, CURRENT_SCHEMA_VERSION, await fileHandleSink(handle), options, onProgress);
		return { ...summary, fileName: handle.name };
	}

	/** Writes the folder workspace's backup file (replaced whole when the write completes). */
	async backupToFolder(folder: FileSystemDirectoryHandle, options: BackupOptions, onProgress?: (progress: BackupProgress) => void): Promise<BackupResult> {
		const handle = await folder.getFileHandle(FOLDER_BACKUP_NAME, { create: true });
		return this.backupToHandle(handle, options, onProgress);
	}

	/** Writes a backup for the page to download: into the private file system, or (where there is none) into Blob parts. */
	async backupForDownload(fileName: string, options: BackupOptions, onProgress?: (progress: BackupProgress) => void): Promise<BackupResult & { file: File; storedPrivately: boolean }> {
		const handle = await privateFile(DOWNLOAD_TEMP_NAME);
		if (handle) {
			const summary = await writeBackup(this.db, CURRENT_SCHEMA_VERSION, await privateFileSink(handle), options, onProgress);
			const result = { ...summary, fileName: handle.name };
			const file = await handle.getFile();
			return { ...result, fileName, file: new File([file], fileName, { type: 'application/zip' }), storedPrivately: true };
		}
		const parts: Blob[] = [];
		const sink: ByteSink = { write: async (chunk) => void parts.push(new Blob(chunk as BlobPart[])), close: async () => undefined, abort: async () => undefined };
		const summary = await writeBackup(this.db, CURRENT_SCHEMA_VERSION, sink, options, onProgress);
		return { ...summary, fileName, file: new File(parts, fileName, { type: 'application/zip' }), storedPrivately: false };
	}

	/** Frees the private copy of the last downloaded backup (after the download has read it). */
	async discardDownload(): Promise<void> {
		await removePrivateFile(DOWNLOAD_TEMP_NAME);
	}

	/** The folder workspace's backup file, to restore from (null when the folder has none). */
	async folderBackup(folder: FileSystemDirectoryHandle): Promise<File | null> {
		try {
			return await (await folder.getFileHandle(FOLDER_BACKUP_NAME)).getFile();
		} catch {
			return null;
		}
	}

	/** Reads and checks a backup file and plans the restore; writes nothing to the workspace. */
	async inspectBackup(file: File, onProgress?: RestoreProgress): Promise<RestorePreview> {
		const source = this.openSource(file);
		let archive = BackupArchive.open(source);
		let blobAt = source.blobAt;
		const fromVersion = archive.manifest.schemaVersion;
		if (fromVersion > CURRENT_SCHEMA_VERSION) {
			throw new BackupFileError(`This backup was made by a newer Skein (database version ${fromVersion}; this one has ${CURRENT_SCHEMA_VERSION}). Reload Skein to update it, then restore again.`);
		}
		if (fromVersion < CURRENT_SCHEMA_VERSION) {
			onProgress?.('migrating', 0, 1);
			const migrated = await this.#migrate(archive, blobAt);
			archive = migrated.archive;
			blobAt = migrated.blobAt;
		}
		const inspection = inspectArchive(archive, (done, total) => onProgress?.('checking', done, total));
		const plan = planRestore(inspection.items, await this.#existingItems());
		const token = crypto.randomUUID();
		this.#inspected.clear();
		this.#inspected.set(token, { archive, inspection, plan, blobAt });
		const manifest = archive.manifest;
		return {
			token,
			fileName: file.name,
			createdAt: manifest.createdAt,
			origin: manifest.origin,
			schemaVersion: fromVersion,
			migrated: fromVersion < CURRENT_SCHEMA_VERSION,
			includesResponseCache: manifest.includesResponseCache,
			rows: inspection.rows,
			orphans: inspection.orphans,
			items: plan,
			summary: summarizePlan(plan),
			endpoint: manifest.endpoint
		};
	}

	/** Writes an inspected backup with the user's choices (by itemKey), all or nothing. */
	async restoreBackup(token: string, choices: Record<string, Choice>, onProgress?: RestoreProgress): Promise<RestoreOutcome> {
		const inspected = this.#inspected.get(token);
		if (!inspected) throw new Error('This backup is no longer open here (the page was reloaded?): choose the file again.');
		const { archive, inspection, plan, blobAt } = inspected;
		const decisions = decide(plan, choices, () => crypto.randomUUID());
		const total = Object.values(inspection.rows).reduce((sum, rows) => sum + rows, 0);
		const written = await writeRestore(this.db, decisions, restoreBatches(archive, decisions, inspection.context, blobAt), (done) => onProgress?.('writing', done, total));
		this.#inspected.delete(token);
		await removePrivateFile(MIGRATED_TEMP_NAME);
		const outcome: RestoreOutcome = { written, added: 0, replaced: 0, keptBoth: 0, skipped: 0 };
		for (const decision of decisions.values()) {
			if (decision.action === 'add') outcome.added++;
			else if (decision.action === 'replace') outcome.replaced++;
			else if (decision.action === 'keep-both') outcome.keptBoth++;
			else outcome.skipped++;
		}
		return outcome;
	}

	/** Forgets an inspected backup the user did not restore. */
	async cancelRestore(token: string): Promise<void> {
		this.#inspected.delete(token);
		await removePrivateFile(MIGRATED_TEMP_NAME);
	}

	async #existingItems(): Promise<BackupItem[]> {
		const items: BackupItem[] = [];
		const datasets = new Set((await this.db.datasets.toCollection().primaryKeys()).map(String));
		for (const { spec, rows } of await itemRows(this.db)) {
			if (!spec.item) continue;
			for (const row of rows) {
				if (spec.table === 'settings') {
					const owner = settingDataset(String(row.key));
					if (owner !== null && datasets.has(owner)) continue;
				}
				const encoded = encodeTagged(row, () => 'blob') as Record<string, unknown>;
				items.push(describeItem(spec.item.kind, encoded, spec.key as string, spec.item.label));
			}
		}
		return items;
	}

	/**
	 * An older backup: its rows written into a staging database at its schema version, that
	 * database opened by the current code (Dexie runs the numbered upgrades), and backed up again.
	 */
	async #migrate(archive: BackupArchive, blobAt: BlobAt): Promise<{ archive: BackupArchive; blobAt: BlobAt }> {
		const name = `${STAGING_PREFIX}-${crypto.randomUUID()}`;
		try {
			const old = databaseAtVersion(name, archive.manifest.schemaVersion);
			await old.open();
			const inspection = inspectArchive(archive);
			const all = new Map(inspection.items.map((item) => [`${item.kind}:${item.id}`, { action: 'add' as const }]));
			await writeRestore(old as unknown as SkeinDatabase, all, restoreBatches(archive, all, inspection.context, blobAt));
			old.close();
			const upgraded = new SkeinDatabase(name);
			await upgraded.open();
			const temp = await this.tempSink(MIGRATED_TEMP_NAME);
			await writeBackup(upgraded, CURRENT_SCHEMA_VERSION, temp.sink, {
				includeResponseCache: archive.manifest.includesResponseCache,
				endpoint: archive.manifest.endpoint,
				origin: archive.manifest.origin
			});
			upgraded.close();
			const migrated = await temp.read();
			if (migrated instanceof Uint8Array) return { archive: BackupArchive.open(bytesSource(migrated)), blobAt: memoryBlobAt(migrated) };
			const source = this.openSource(migrated);
			return { archive: BackupArchive.open(source), blobAt: source.blobAt };
		} finally {
			await Dexie.delete(name);
		}
	}
}

async function defaultTempSink(name: string): Promise<{ sink: ByteSink; read(): Promise<Blob | Uint8Array> }> {
	const handle = await privateFile(name);
	if (handle) return { sink: await privateFileSink(handle), read: () => handle.getFile() };
	const memory = memorySink();
	return { sink: memory, read: async () => memory.bytes() };
}

export function backupApi(db: SkeinDatabase, service = new BackupService(db)) {
	return {
		backupToHandle: (handle: FileSystemFileHandle, options: BackupOptions, onProgress?: (progress: BackupProgress) => void) => service.backupToHandle(handle, options, onProgress),
		backupToFolder: (folder: FileSystemDirectoryHandle, options: BackupOptions, onProgress?: (progress: BackupProgress) => void) => service.backupToFolder(folder, options, onProgress),
		backupForDownload: (fileName: string, options: BackupOptions, onProgress?: (progress: BackupProgress) => void) => service.backupForDownload(fileName, options, onProgress),
		discardDownload: () => service.discardDownload(),
		folderBackup: (folder: FileSystemDirectoryHandle) => service.folderBackup(folder),
		inspectBackup: (file: File, onProgress?: RestoreProgress) => service.inspectBackup(file, onProgress),
		restoreBackup: (token: string, choices: Record<string, Choice>, onProgress?: RestoreProgress) => service.restoreBackup(token, choices, onProgress),
		cancelRestore: (token: string) => service.cancelRestore(token)
	};
}
