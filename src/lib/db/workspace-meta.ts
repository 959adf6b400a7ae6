/**
 * Facts about this browser's workspace that are not part of it, so a backup neither carries nor
 * restores them: when the last backup was made and where, the folder chosen for the folder
 * workspace (a FileSystemDirectoryHandle, which IndexedDB can store and no other storage can), and
 * whether that folder is written automatically. A database of its own ("skein-workspace"): the
 * workspace's schema (and its version numbers) stay untouched.
 */
import Dexie, { type Table } from 'dexie';
import { DB_NAME } from './schema';

export interface LastBackup {
	at: number;
	/** file: a file the user picked; download: the browser's downloads; folder: the folder workspace. */
	where: 'file' | 'download' | 'folder';
	name: string;
	bytes: number;
}

interface MetaRow {
	key: string;
	value: unknown;
}

class WorkspaceMetaDatabase extends Dexie {
	meta!: Table<MetaRow, string>;
	constructor() {
		super('skein-workspace');
		this.version(1).stores({ meta: 'key' });
	}
}

let shared: WorkspaceMetaDatabase | null = null;
function metaDb(): WorkspaceMetaDatabase {
	shared ??= new WorkspaceMetaDatabase();
	return shared;
}

async function read<T>(key: string): Promise<T | null> {
	return ((await metaDb().meta.get(key))?.value as T | undefined) ?? null;
}

async function write(key: string, value: unknown): Promise<void> {
	if (value === null) await metaDb().meta.delete(key);
	else await metaDb().meta.put({ key, value });
}

export const readLastBackup = () => read<LastBackup>('lastBackup');
export const writeLastBackup = (value: LastBackup) => write('lastBackup', value);
export const readWorkspaceFolder = () => read<FileSystemDirectoryHandle>('folder');
export const writeWorkspaceFolder = (handle: FileSystemDirectoryHandle | null) => write('folder', handle);
export const readAutoBackup = async () => (await read<boolean>('autoBackup')) ?? false;
export const writeAutoBackup = (on: boolean) => write('autoBackup', on);

/**
 * Calls `onChange` whenever the workspace database changes, in this tab, another tab or the data
 * worker (Dexie's storagemutated event, which it broadcasts across contexts). Returns the unsubscribe.
 */
export function onWorkspaceChange(onChange: () => void): () => void {
	const listener = (parts: Record<string, unknown>) => {
		if (Object.keys(parts).some((part) => part.startsWith(`idb://${DB_NAME}/`))) onChange();
	};
	Dexie.on('storagemutated', listener);
	return () => Dexie.on('storagemutated').unsubscribe(listener);
}
