/**
 * The model server the Engines page sets up: its base URL, model name and API key, and how each
 * server is talked to (structured-output mode, streaming — remembered per base URL, so switching
 * back to a server keeps what was found for it), persisted in this browser's localStorage. This
 * is the one module that knows the storage keys: the Engines page edits the settings through
 * EndpointSettingsForm, the run form reads them with savedEndpoint, and each run start/resume
 * reads the key with savedEndpointKey.
 */
import { cleanRateLimits, rateLimitsFromFields, validateRateLimits, type RunRateLimits } from '$lib/core/runtime/rate-limits';
import { STRUCTURED_OUTPUT_MODES, type StructuredOutputMode } from '$lib/core/contracts/engine';

const SETTINGS_KEY = 'skein.endpoint';
/** Per base URL: { structuredOutput, stream, tried? }. */
const PROTOCOLS_KEY = 'skein.endpoint.protocols';
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

/** How a server is talked to, remembered per base URL. */
export interface EndpointProtocol {
	structuredOutput: StructuredOutputMode;
	stream: boolean;
	/** What the last detection found, mode by mode (absent when the mode was only chosen). */
	tried?: string[];
	/** True when the mode was chosen by hand (after or instead of a detection). */
	chosen?: boolean;
	/** The server's (or plan's) limits, filled into the run form for runs on it. */
	rateLimits?: RunRateLimits;
}

/** A server nothing is remembered about: JSON mode (what every server was sent before), streamed. */
export const DEFAULT_PROTOCOL: EndpointProtocol = { structuredOutput: 'json_object', stream: true };

/** The saved model server with how it is talked to, for a run. */
export type EndpointForRun = EndpointSettings & EndpointProtocol;

function protocolKey(baseUrl: string): string {
	return baseUrl.trim().replace(/\/+$/, '');
}

function readProtocols(storage: SettingsStorage | null): Record<string, EndpointProtocol> {
	try {
		const value = JSON.parse(storage?.getItem(PROTOCOLS_KEY) ?? 'null') as unknown;
		return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, EndpointProtocol>) : {};
	} catch {
		return {};
	}
}

/** What is remembered about the server at `baseUrl`; the defaults when nothing (readable) is. */
export function savedProtocol(baseUrl: string, storage: SettingsStorage | null = browserStorage()): EndpointProtocol {
	const saved = readProtocols(storage)[protocolKey(baseUrl)];
	if (!saved || typeof saved !== 'object') return { ...DEFAULT_PROTOCOL };
	return {
		structuredOutput: STRUCTURED_OUTPUT_MODES.includes(saved.structuredOutput) ? saved.structuredOutput : DEFAULT_PROTOCOL.structuredOutput,
		stream: typeof saved.stream === 'boolean' ? saved.stream : DEFAULT_PROTOCOL.stream,
		...(Array.isArray(saved.tried) ? { tried: saved.tried.filter((line): line is string => typeof line === 'string') } : {}),
		...(saved.chosen === true ? { chosen: true } : {}),
		...savedRateLimits(saved.rateLimits)
	};
}

/** Stored limits, when they are (still) valid ones. */
function savedRateLimits(value: unknown): { rateLimits?: RunRateLimits } {
	if (!value || typeof value !== 'object') return {};
	const { requestsPerMinute, tokensPerMinute } = value as Record<string, unknown>;
	const limits: RunRateLimits = {
		...(typeof requestsPerMinute === 'number' ? { requestsPerMinute } : {}),
		...(typeof tokensPerMinute === 'number' ? { tokensPerMinute } : {})
	};
	const clean = validateRateLimits(limits) ? undefined : cleanRateLimits(limits);
	return clean ? { rateLimits: clean } : {};
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

/** The saved model server and how it is talked to, for a run; null when none is set up. */
export function savedEndpoint(storage: SettingsStorage | null = browserStorage()): EndpointForRun | null {
	const settings = readEndpointSettings(storage?.getItem(SETTINGS_KEY) ?? null);
	if (!settings) return null;
	const { structuredOutput, stream, rateLimits } = savedProtocol(settings.baseUrl, storage);
	return { ...settings, structuredOutput, stream, ...(rateLimits ? { rateLimits } : {}) };
}

/** The saved API key, read at each run start/resume; null when there is none. */
export function savedEndpointKey(storage: SettingsStorage | null = browserStorage()): string | null {
	return storage?.getItem(API_KEY_KEY) || null;
}

/**
 * The model server settings a workspace backup carries: base URL, model and how each server is
 * talked to — never the API key.
 */
export function endpointForBackup(storage: SettingsStorage | null = browserStorage()): { baseUrl: string; model: string; protocols: Record<string, unknown> } | null {
	const settings = readEndpointSettings(storage?.getItem(SETTINGS_KEY) ?? null);
	if (!settings) return null;
	return { baseUrl: settings.baseUrl, model: settings.model, protocols: readProtocols(storage) as Record<string, unknown> };
}

/** Puts a backup's model server settings in place (the API key is left as it is: backups have none). */
export function restoreEndpointFromBackup(endpoint: { baseUrl: string; model: string; protocols: Record<string, unknown> }, storage: SettingsStorage | null = browserStorage()): void {
	if (!storage) return;
	storage.setItem(SETTINGS_KEY, JSON.stringify({ baseUrl: endpoint.baseUrl, model: endpoint.model }));
	storage.setItem(PROTOCOLS_KEY, JSON.stringify({ ...readProtocols(storage), ...endpoint.protocols }));
}

/** The Engines page's model-server form: the fields as typed, loaded from and saved to storage. */
export class EndpointSettingsForm {
	baseUrl = $state(DEFAULT_BASE_URL);
	model = $state('');
	apiKey = $state('');
	structuredOutput = $state<StructuredOutputMode>(DEFAULT_PROTOCOL.structuredOutput);
	stream = $state(DEFAULT_PROTOCOL.stream);
	/** What the last detection found for this server, mode by mode; null when the mode was chosen by hand. */
	tried = $state<string[] | null>(null);
	/** The mode was chosen by hand (not detected, not the default). */
	chosen = $state(false);
	/** The server's limits as typed (empty: none), saved with the server when valid. */
	requestsPerMinute = $state<string | number>('');
	tokensPerMinute = $state<string | number>('');
	rateLimitError = $state<string | null>(null);

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
		this.recall();
	}

	/** Takes what is remembered about the server now in the URL field (the defaults for a new one). */
	recall(): void {
		const protocol = savedProtocol(this.baseUrl, this.#storage);
		this.structuredOutput = protocol.structuredOutput;
		this.stream = protocol.stream;
		this.tried = protocol.tried ?? null;
		this.chosen = protocol.chosen ?? false;
		// Limits as typed for this same server stay (a bad value keeps its message); another server's are loaded.
		const server = protocolKey(this.baseUrl);
		if (server === this.#limitsFor) return;
		this.#limitsFor = server;
		this.requestsPerMinute = protocol.rateLimits?.requestsPerMinute ?? '';
		this.tokensPerMinute = protocol.rateLimits?.tokensPerMinute ?? '';
		this.rateLimitError = null;
	}

	/** The server whose limits the fields hold. */
	#limitsFor: string | null = null;


	/** A detection's result: its mode, and what it found, kept with the server. */
	detected(mode: StructuredOutputMode, tried: string[]): void {
		this.structuredOutput = mode;
		this.tried = tried;
		this.chosen = false;
		this.save();
	}

	/** A mode chosen by hand replaces the detection's. */
	choose(mode: StructuredOutputMode): void {
		this.structuredOutput = mode;
		this.tried = null;
		this.chosen = true;
		this.save();
	}

	/** Saves URL and model trimmed; an empty key field removes the saved key. */
	save(): void {
		const storage = this.#storage;
		if (!storage) return;
		storage.setItem(SETTINGS_KEY, JSON.stringify({ baseUrl: this.baseUrl.trim(), model: this.model.trim() }));
		if (this.apiKey) storage.setItem(API_KEY_KEY, this.apiKey);
		else storage.removeItem(API_KEY_KEY);
		const protocols = readProtocols(storage);
		const limits = rateLimitsFromFields(this);
		this.rateLimitError = limits.ok ? null : limits.error;
		// Limits that do not check out keep what was saved before (the field shows why).
		const rateLimits = limits.ok ? limits.value : protocols[protocolKey(this.baseUrl)]?.rateLimits;
		protocols[protocolKey(this.baseUrl)] = {
			structuredOutput: this.structuredOutput,
			stream: this.stream,
			...(this.tried ? { tried: [...this.tried] } : {}),
			...(this.chosen ? { chosen: true } : {}),
			...(rateLimits ? { rateLimits } : {})
		};
		storage.setItem(PROTOCOLS_KEY, JSON.stringify(protocols));
	}
}
