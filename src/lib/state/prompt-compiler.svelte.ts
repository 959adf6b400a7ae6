/**
 * The Data Generation page's state: the registry snapshot, the chosen template, its settings
 * (remembered per template in this browser), the live compile, and the pasted-back reply (read and
 * imported as drafts). Compiles run in the data worker; each carries a sequence number so a slow
 * answer never replaces a newer one.
 */
import type { ReplyTarget, TimedCompileResult } from '$lib/workers/generation-service';
import { defaultSettings, type SettingValues } from '$lib/core/compiler/settings';
import type { Template } from '$lib/core/compiler/registry';
import { dataWorker } from '$lib/workers/data-bridge';
import { errorText } from './library.svelte';
import { RegistryState } from './prompt-registry.svelte';

/** The time now as an ISO string (a pasted reply whose prompt was never copied is dated on import). */
function isoNow(): string {
	return new Date().toISOString();
}

const SETTINGS_KEY = 'skein.generate.settings.';
const TEMPLATE_KEY = 'skein.generate.template';

function readStored(templateId: string): SettingValues | null {
	try {
		const raw = localStorage.getItem(SETTINGS_KEY + templateId);
		const value: unknown = raw ? JSON.parse(raw) : null;
		if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
		const out: SettingValues = {};
		for (const [key, v] of Object.entries(value)) if (typeof v === 'string' || typeof v === 'number') out[key] = v;
		return out;
	} catch {
		return null;
	}
}

export class GenerateState {
	readonly registry = new RegistryState();
	templateId = $state<string>('');
	settings = $state<SettingValues>({});
	result = $state<TimedCompileResult | null>(null);
	/** Bumped by every compile answer that is applied (the bench waits on it). */
	compileSeq = $state(0);
	/** When the prompt was last copied or downloaded (the provenance date of pasted-back entries). */
	compiledAt = $state<string | null>(null);
	compileError = $state<string | null>(null);
	/** Fields the user changed since choosing the template: an empty required field that was never
	 * touched is "to fill in", not an error shouted in red on arrival. */
	touched = $state<Record<string, boolean>>({});
	#requested = 0;

	get template(): Template | undefined {
		return this.registry.templates.find((t) => t.id === this.templateId);
	}

	async start(): Promise<void> {
		await this.registry.load();
		const templates = this.registry.templates;
		if (!templates.length) return;
		const remembered = localStorage.getItem(TEMPLATE_KEY);
		this.choose(templates.some((t) => t.id === remembered) ? (remembered as string) : templates[0].id);
	}

	choose(templateId: string): void {
		const template = this.registry.templates.find((t) => t.id === templateId);
		if (!template) return;
		this.templateId = templateId;
		localStorage.setItem(TEMPLATE_KEY, templateId);
		// Remembered values for fields the template still has, defaults for the rest.
		const stored = readStored(templateId) ?? {};
		const settings = defaultSettings(template);
		for (const key of Object.keys(settings)) if (key in stored) settings[key] = stored[key];
		this.settings = settings;
		this.touched = {};
		this.compiledAt = null;
		void this.compile();
	}

	set(key: string, value: string | number): void {
		this.settings = { ...this.settings, [key]: value };
		this.touched[key] = true;
		try {
			localStorage.setItem(SETTINGS_KEY + this.templateId, JSON.stringify(this.settings));
		} catch {
			// Storage full or blocked: the form still works, it just is not remembered.
		}
		void this.compile();
	}

	resetSettings(): void {
		const template = this.template;
		if (!template) return;
		localStorage.removeItem(SETTINGS_KEY + this.templateId);
		this.settings = defaultSettings(template);
		this.touched = {};
		void this.compile();
	}

	async compile(): Promise<void> {
		if (!this.templateId) return;
		const seq = ++this.#requested;
		try {
			const result = await dataWorker().compilePrompt(this.templateId, this.settings);
			if (seq !== this.#requested) return;
			this.result = result;
			this.compileError = null;
			this.compileSeq += 1;
		} catch (error) {
			if (seq === this.#requested) this.compileError = `The compiler failed: ${errorText(error)}`;
		}
	}

	#settingErrors(): { field: string; message: string }[] {
		if (!this.result || this.result.ok) return [];
		return this.result.errors.filter((e) => e.kind === 'invalid-setting' && e.field).map((e) => ({ field: e.field as string, message: e.message }));
	}

	#untouchedEmpty(field: string): boolean {
		return !this.touched[field] && String(this.settings[field] ?? '').trim() === '';
	}

	/** Field key → its error message, from the last compile (shown beside the field). */
	get fieldErrors(): Record<string, string> {
		const out: Record<string, string> = {};
		for (const e of this.#settingErrors()) if (!this.#untouchedEmpty(e.field)) out[e.field] ??= e.message;
		return out;
	}

	/** Labels of required fields not filled in yet (the preview asks for them instead of erroring). */
	get toFillIn(): string[] {
		const keys = this.#settingErrors()
			.filter((e) => this.#untouchedEmpty(e.field))
			.map((e) => e.field);
		return this.template?.fields.filter((f) => keys.includes(f.key)).map((f) => f.label) ?? [];
	}

	/** A pasted reply read as entries (not stored), for the preview before import. */
	previewReply(reply: string) {
		return dataWorker().previewReply(reply);
	}

	/**
	 * Imports a pasted reply as draft entries, each recording the prompt it answers (the compiled
	 * template, its settings and prompt hashes, and when it was copied).
	 */
	importReply(reply: string, compiled: { settingsHash: string; promptHash: string }, target: ReplyTarget) {
		const provenance = {
			templateId: this.templateId,
			settingsHash: compiled.settingsHash,
			promptHash: compiled.promptHash,
			compiledAt: this.compiledAt ?? isoNow()
		};
		return dataWorker().importReply(reply, provenance, target);
	}
}
