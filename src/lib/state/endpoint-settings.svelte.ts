/**
 * The model server the Engines page sets up: its base URL, model name and API key, persisted in
 * this browser's localStorage. This is the one module that knows the storage keys: the Engines
 * page edits the settings through EndpointSettingsForm, the run form reads them with
 * savedEndpoint, and each run start/resume reads the key with savedEndpointKey.
 */

const SETTINGS_KEY = 'skein.endpoint';
/**
 * The API key stays in this browser's storage only: never exported, never logged, never stored
 * with a run (it is read and passed per call).
 */
const API_KEY_KEY = 'skein.endpoint.key';

/** What the Engines page offers before anything is saved (a local Ollama). */
export const DEFAULT_BASE_URL = 'http://localhost:11434/v1';

/** The model server as the Engines page saved it. */
export interface EndpointSettings {
	baseUrl: string;
	model: string;
}

/** The part of Storage used here (localStorage in the page, a stand-in in tests). */
export type SettingsStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

function browserStorage(): SettingsStorage | null {
	return typeof localStorage === 'undefined' ? null : localStorage;
}

/** Reads the saved endpoint settings; null when none are saved or they are unreadable. */
export function readEndpointSettings(raw: string | null): EndpointSettings | null {
	if (!raw) return null;
	try {
		const value = JSON.parse(raw) as Partial<EndpointSettings> | null;
		if (!value || typeof value.baseUrl !== 'string' || !value.baseUrl.trim()) return null;
		return { baseUrl: value.baseUrl.trim(), model: typeof value.model === 'string' ? value.model.trim() : '' };
	} catch {
		return null;
	}
}

/** The saved model server, for a run; null when none is set up. */
export function savedEndpoint(storage: SettingsStorage | null = browserStorage()): EndpointSettings | null {
	return readEndpointSettings(storage?.getItem(SETTINGS_KEY) ?? null);
}

/** The saved API key, read at each run start/resume; null when there is none. */
export function savedEndpointKey(storage: SettingsStorage | null = browserStorage()): string | null {
	return storage?.getItem(API_KEY_KEY) || null;
}

/** The Engines page's model-server form: the fields as typed, loaded from and saved to storage. */
export class EndpointSettingsForm {
	baseUrl = $state(DEFAULT_BASE_URL);
	model = $state('');
	apiKey = $state('');

	/** Storage given (tests), or the browser's, looked up when used (not while prerendering). */
	constructor(private readonly given?: SettingsStorage | null) {}

	get #storage(): SettingsStorage | null {
		return this.given === undefined ? browserStorage() : this.given;
	}

	/** Fills the fields from what was saved; unreadable settings leave the defaults. */
	load(): void {
		const storage = this.#storage;
		if (!storage) return;
		try {
			const saved = JSON.parse(storage.getItem(SETTINGS_KEY) ?? 'null') as { baseUrl?: string; model?: string } | null;
			if (saved?.baseUrl) this.baseUrl = saved.baseUrl;
			if (saved?.model) this.model = saved.model;
			this.apiKey = storage.getItem(API_KEY_KEY) ?? '';
		} catch {
			// Unreadable settings: start from the defaults.
		}
	}

	/** Saves URL and model trimmed; an empty key field removes the saved key. */
	save(): void {
		const storage = this.#storage;
		if (!storage) return;
		storage.setItem(SETTINGS_KEY, JSON.stringify({ baseUrl: this.baseUrl.trim(), model: this.model.trim() }));
		if (this.apiKey) storage.setItem(API_KEY_KEY, this.apiKey);
		else storage.removeItem(API_KEY_KEY);
	}
}
