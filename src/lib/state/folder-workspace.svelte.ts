/**
 * The folder workspace: a folder on disk (chosen once; its handle kept in IndexedDB) that holds
 * the workspace as `skein-workspace.zip`, written on demand and — when the user turns it on — a
 * little while after the last change. Opening a workspace from a folder restores that file
 * through the usual preview. Only where the browser has the File System Access API
 * (showDirectoryPicker); elsewhere the page says so and offers the zip.
 */
import { dataWorker } from '$lib/workers/data-bridge';
import type { BackupProgress } from '$lib/workers/backup-service';
import { onWorkspaceChange, readAutoBackup, readWorkspaceFolder, writeAutoBackup, writeWorkspaceFolder } from '$lib/db/workspace-meta';
import { backupOptions, describeProgress, workspaceBackups, type WorkspaceBackupState } from './workspace-backup.svelte';

interface DirectoryPickerWindow {
	showDirectoryPicker?: (options?: { id?: string; mode?: 'read' | 'readwrite' }) => Promise<FileSystemDirectoryHandle>;
}

/** Permission methods of a handle (Chromium; the origin private file system's handles need none). */
interface PermissionHandle {
	queryPermission?: (options: { mode: 'readwrite' }) => Promise<PermissionState>;
	requestPermission?: (options: { mode: 'readwrite' }) => Promise<PermissionState>;
}

/** Quiet time after the last change before an automatic backup is written. */
export const AUTO_BACKUP_DELAY_MS = 10_000;

export class FolderWorkspaceState {
	readonly supported: boolean;
	folder = $state<FileSystemDirectoryHandle | null>(null);
	auto = $state(false);
	busy = $state<string | null>(null);
	error = $state<string | null>(null);
	status = $state<string | null>(null);
	/** Changes wait to be written (automatic backups on). */
	pending = $state(false);
	#timer: ReturnType<typeof setTimeout> | null = null;
	#writing = false;
	#again = false;

	constructor(private readonly backups: WorkspaceBackupState) {
		this.supported = typeof window !== 'undefined' && typeof (window as DirectoryPickerWindow).showDirectoryPicker === 'function';
	}

	async load(): Promise<void> {
		this.folder = await readWorkspaceFolder();
		this.auto = await readAutoBackup();
	}

	/** Loads the chosen folder and watches the workspace for changes (automatic saves); returns the unsubscribe. */
	start(): () => void {
		void this.load();
		const stop = onWorkspaceChange(() => {
			if (!this.auto || !this.folder) return;
			this.pending = true;
			if (this.#timer) clearTimeout(this.#timer);
			this.#timer = setTimeout(() => void this.#autoSave(), AUTO_BACKUP_DELAY_MS);
		});
		return () => {
			stop();
			if (this.#timer) clearTimeout(this.#timer);
		};
	}

	async choose(): Promise<void> {
		this.error = null;
		try {
			const picker = (window as DirectoryPickerWindow).showDirectoryPicker;
			if (!picker) return;
			const folder = await picker({ id: 'skein-workspace', mode: 'readwrite' });
			await writeWorkspaceFolder(folder);
			this.folder = folder;
			this.status = `Skein will keep the workspace in the folder "${folder.name}".`;
		} catch (error) {
			if (error instanceof DOMException && error.name === 'AbortError') return;
			this.error = `The folder could not be used: ${error instanceof Error ? error.message : String(error)}`;
		}
	}

	async forget(): Promise<void> {
		await writeWorkspaceFolder(null);
		await this.setAuto(false);
		this.folder = null;
		this.status = 'Skein no longer writes to a folder. The files already there are untouched.';
	}

	async setAuto(on: boolean): Promise<void> {
		this.auto = on;
		await writeAutoBackup(on);
	}

	/** Asks for write access again when the browser has dropped it (after a restart); needs a click. */
	async #permitted(folder: FileSystemDirectoryHandle, ask: boolean): Promise<boolean> {
		const handle = folder as unknown as PermissionHandle;
		if (!handle.queryPermission) return true;
		if ((await handle.queryPermission({ mode: 'readwrite' })) === 'granted') return true;
		if (!ask || !handle.requestPermission) return false;
		return (await handle.requestPermission({ mode: 'readwrite' })) === 'granted';
	}

	/** Writes the workspace into the folder now. */
	async save(ask = true): Promise<void> {
		const folder = this.folder;
		if (!folder) return;
		if (this.#writing) {
			this.#again = true;
			return;
		}
		this.error = null;
		this.#writing = true;
		try {
			if (!(await this.#permitted(folder, ask))) {
				this.error = `Skein may no longer write to "${folder.name}" (the browser asks again after a restart). Press "Save to folder now" to allow it.`;
				return;
			}
			this.pending = false;
			this.busy = 'Saving to the folder…';
			const result = await dataWorker().backupToFolder(folder, backupOptions(this.backups.includeResponseCache), (progress: BackupProgress) => (this.busy = describeProgress(progress)));
			await this.backups.noteBackup({ at: Date.now(), where: 'folder', name: `${folder.name}/${result.fileName}`, bytes: result.bytes });
			this.status = `Saved to the folder "${folder.name}" as ${result.fileName}.`;
		} catch (error) {
			this.error = `Saving to the folder failed: ${error instanceof Error ? error.message : String(error)}. The file there keeps its previous contents.`;
		} finally {
			this.busy = null;
			this.#writing = false;
			if (this.#again) {
				this.#again = false;
				void this.save(false);
			}
		}
	}

	async #autoSave(): Promise<void> {
		this.#timer = null;
		if (this.auto && this.folder) await this.save(false);
	}

	/** Opens the workspace kept in a folder (this one, or another chosen now): its file goes through the restore preview. */
	async open(choose: boolean): Promise<void> {
		this.error = null;
		let folder = this.folder;
		if (choose || !folder) {
			const picker = (window as DirectoryPickerWindow).showDirectoryPicker;
			if (!picker) return;
			try {
				folder = await picker({ id: 'skein-workspace', mode: 'readwrite' });
			} catch (error) {
				if (error instanceof DOMException && error.name === 'AbortError') return;
				throw error;
			}
		}
		const file = await dataWorker().folderBackup(folder);
		if (!file) {
			this.error = `The folder "${folder.name}" holds no skein-workspace.zip: choose the folder a Skein workspace was saved to.`;
			return;
		}
		await this.backups.inspect(file);
	}
}

/** The app's one folder workspace: started by the layout, so automatic saves happen on every page. */
export const folderWorkspace = new FolderWorkspaceState(workspaceBackups);
