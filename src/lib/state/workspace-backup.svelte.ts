/**
 * The "Storage & backup" page's state: backing up the whole workspace to one zip (to a file the
 * user picks where the browser lets a page write one, otherwise as a download), restoring one
 * (inspect → preview with choices → write), the last backup's age, and the storage situation
 * (persistent or not, usage and quota). The data worker does the reading and writing
 * (workers/backup-service.ts); this class holds what the page shows.
 */
import { dataWorker } from '$lib/workers/data-bridge';
import type { BackupProgress, RestorePreview, RestoreOutcome } from '$lib/workers/backup-service';
import { itemKey, type Choice, type PlannedItem } from '$lib/core/backup/plan';
import { readLastBackup, writeLastBackup, type LastBackup } from '$lib/db/workspace-meta';
import { endpointForBackup, restoreEndpointFromBackup, savedEndpoint } from './endpoint-settings.svelte';

/** What of the File System Access API the page uses (not in TypeScript's DOM library yet). */
interface SavePickerWindow {
	showSaveFilePicker?: (options: { suggestedName: string; types: { description: string; accept: Record<string, string[]> }[] }) => Promise<FileSystemFileHandle>;
}

/** After this long without a backup the page suggests making one. */
export const BACKUP_REMINDER_DAYS = 7;

// A moment read once for a file name, not state.
// eslint-disable-next-line svelte/prefer-svelte-reactivity
export function backupFileName(now = new Date()): string {
	const pad = (n: number) => String(n).padStart(2, '0');
	return `skein-backup-${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}.zip`;
}

export function describeProgress(progress: BackupProgress): string {
	return `Backing up ${progress.table} (table ${Math.min(progress.tablesDone + 1, progress.tables)} of ${progress.tables}) — ${(progress.bytes / 1e6).toFixed(1)} MB written`;
}

export function backupOptions(includeResponseCache: boolean) {
	return { includeResponseCache, endpoint: endpointForBackup(), origin: location.origin };
}

export class WorkspaceBackupState {
	includeResponseCache = $state(false);
	busy = $state<string | null>(null);
	error = $state<string | null>(null);
	status = $state<string | null>(null);
	lastBackup = $state<LastBackup | null>(null);
	/** Whether the browser can write straight into a file the user picks. */
	readonly canPickFile: boolean;

	preview = $state<RestorePreview | null>(null);
	choices = $state<Record<string, Choice>>({});
	/** Put the backup's model server settings in place (base URL and model; the key is never in a backup). */
	restoreEndpoint = $state(false);
	restoring = $state(false);
	outcome = $state<RestoreOutcome | null>(null);

	constructor() {
		this.canPickFile = typeof window !== 'undefined' && typeof (window as SavePickerWindow).showSaveFilePicker === 'function';
	}

	async load(): Promise<void> {
		this.lastBackup = await readLastBackup();
	}

	/** Backs up to a picked file, or (where the browser cannot) to a download. */
	async backup(): Promise<void> {
		this.error = null;
		this.status = null;
		const name = backupFileName();
		const options = backupOptions(this.includeResponseCache);
		const onProgress = (progress: BackupProgress) => (this.busy = describeProgress(progress));
		try {
			const picker = (window as SavePickerWindow).showSaveFilePicker;
			if (picker) {
				let handle: FileSystemFileHandle;
				try {
					handle = await picker({ suggestedName: name, types: [{ description: 'Skein workspace backup', accept: { 'application/zip': ['.zip'] } }] });
				} catch (error) {
					if (error instanceof DOMException && error.name === 'AbortError') return;
					throw error;
				}
				this.busy = 'Starting the backup…';
				const result = await dataWorker().backupToHandle(handle, options, onProgress);
				await this.#remember({ at: Date.now(), where: 'file', name: result.fileName, bytes: result.bytes });
				this.status = `Saved ${result.fileName} (${(result.bytes / 1e6).toFixed(1)} MB) where you chose.`;
				return;
			}
			this.busy = 'Starting the backup…';
			const result = await dataWorker().backupForDownload(name, options, onProgress);
			const url = URL.createObjectURL(result.file);
			const link = document.createElement('a');
			link.href = url;
			link.download = result.fileName;
			link.click();
			// The download reads the file after the click; free it (and the private copy) once it surely has.
			setTimeout(() => {
				URL.revokeObjectURL(url);
				void dataWorker().discardDownload();
			}, 300_000);
			await this.#remember({ at: Date.now(), where: 'download', name: result.fileName, bytes: result.bytes });
			this.status = `Downloaded ${result.fileName} (${(result.bytes / 1e6).toFixed(1)} MB) to your downloads folder.`;
		} catch (error) {
			this.error = `The backup failed: ${error instanceof Error ? error.message : String(error)}. Nothing was changed in your workspace.`;
		} finally {
			this.busy = null;
		}
	}

	async #remember(last: LastBackup): Promise<void> {
		await writeLastBackup(last);
		this.lastBackup = last;
	}

	/** Remembers a backup written elsewhere (the folder workspace). */
	async noteBackup(last: LastBackup): Promise<void> {
		await this.#remember(last);
	}

	/** Reads and checks a backup file and shows what restoring it would do. */
	async inspect(file: File): Promise<void> {
		this.error = null;
		this.status = null;
		this.outcome = null;
		await this.cancel();
		this.busy = `Checking ${file.name}…`;
		try {
			const preview = await dataWorker().inspectBackup(file, (phase, done, total) => {
				this.busy = phase === 'migrating' ? `Upgrading ${file.name} from an older Skein…` : `Checking ${file.name}: ${done} of ${total} files`;
			});
			this.preview = preview;
			this.choices = {};
			this.restoreEndpoint = preview.endpoint !== null && savedEndpoint() === null;
		} catch (error) {
			this.error = `${file.name} cannot be restored: ${error instanceof Error ? error.message : String(error)} Nothing was written.`;
		} finally {
			this.busy = null;
		}
	}

	choiceOf(item: PlannedItem): Choice {
		return this.choices[itemKey(item.kind, item.id)] ?? item.choice;
	}

	choose(item: PlannedItem, choice: Choice): void {
		this.choices = { ...this.choices, [itemKey(item.kind, item.id)]: choice };
	}

	/** Sets every item of the preview that offers `choice` to it. */
	chooseAll(choice: Choice, among: PlannedItem['status'][] = ['conflict', 'identical', 'same-content']): void {
		if (!this.preview) return;
		const next = { ...this.choices };
		for (const item of this.preview.items) if (among.includes(item.status) && item.choices.includes(choice)) next[itemKey(item.kind, item.id)] = choice;
		this.choices = next;
	}

	async restore(): Promise<void> {
		const preview = this.preview;
		if (!preview) return;
		this.error = null;
		this.restoring = true;
		this.busy = 'Restoring…';
		try {
			const outcome = await dataWorker().restoreBackup(preview.token, { ...this.choices }, (_phase, done, total) => {
				this.busy = `Restoring: ${done.toLocaleString()} of ${total.toLocaleString()} rows written`;
			});
			if (this.restoreEndpoint && preview.endpoint) restoreEndpointFromBackup(preview.endpoint);
			this.outcome = outcome;
			this.preview = null;
			const parts = [`${outcome.added} added`, `${outcome.replaced} replaced`, `${outcome.keptBoth} kept as copies`, `${outcome.skipped} skipped`];
			this.status = `Restored ${preview.fileName}: ${parts.join(', ')}.`;
		} catch (error) {
			this.error = `The restore failed and wrote nothing: ${error instanceof Error ? error.message : String(error)}`;
		} finally {
			this.restoring = false;
			this.busy = null;
		}
	}

	async cancel(): Promise<void> {
		const token = this.preview?.token;
		this.preview = null;
		if (token) await dataWorker().cancelRestore(token);
	}
}

/** The app's one backup state (the folder workspace records its saves in it too). */
export const workspaceBackups = new WorkspaceBackupState();

export interface StorageSituation {
	persisted: boolean | null;
	usage: number | null;
	quota: number | null;
}

/** Persistent storage and usage, as the browser reports them. */
export class StorageSituationState {
	persisted = $state<boolean | null>(null);
	usage = $state<number | null>(null);
	quota = $state<number | null>(null);
	supported = typeof navigator !== 'undefined' && !!navigator.storage;
	askResult = $state<string | null>(null);

	async refresh(): Promise<void> {
		if (!navigator.storage) return;
		this.persisted = (await navigator.storage.persisted?.().catch(() => null)) ?? null;
		const estimate = await navigator.storage.estimate?.().catch(() => null);
		this.usage = estimate?.usage ?? null;
		this.quota = estimate?.quota ?? null;
	}

	async ask(): Promise<void> {
		const granted = (await navigator.storage?.persist?.().catch(() => false)) ?? false;
		this.askResult = granted
			? 'Granted: the browser will not clear Skein\'s data to free space.'
			: 'Not granted. Browsers decide this themselves (Chromium grants it to installed apps and sites you use often); install Skein or bookmark it and ask again later — and keep backups.';
		await this.refresh();
	}
}
