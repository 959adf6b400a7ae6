/**
 * Which tokenizers work offline, and keeping the others offline on request. The service worker
 * precaches the default tokenizer with the app; any other is cached the first time it is used, or
 * here, when the user makes it available offline. Its files are the build's (named by
 * `_app/tokenizer-assets.json`) and go into this version's own cache, which the service worker
 * reads from and carries over to the next version. Only our own cache entries are ever removed
 * (web-llm's `webllm/*` caches are never touched).
 */
import { base } from '$app/paths';
import { version } from '$app/environment';
import { appCacheName } from '$lib/core/app-cache';
import {
	assetPath,
	filesToRemove,
	offlineStatuses,
	parseTokenizerAssets,
	TOKENIZER_ASSETS_FILE,
	type TokenizerAssetManifest,
	type TokenizerOfflineStatus
} from '$lib/core/analysis/tokenizer-assets';
import { DEFAULT_TOKENIZER } from '$lib/core/analysis/tokenizers';
import { OFFLINE_TOKENIZER_IDS, offlineTokenizerInfo, type OfflineTokenizerId } from '$lib/core/analysis/offline-tokenizers';
import { formatBytes } from '$lib/core/display';

function message(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

export class OfflineTokenizersState {
	manifest = $state<TokenizerAssetManifest | null>(null);
	statuses = $state<Partial<Record<OfflineTokenizerId, TokenizerOfflineStatus>>>({});
	/** The tokenizer being downloaded or removed. */
	working = $state<OfflineTokenizerId | null>(null);
	/** What went wrong with the last download (in plain words), or what was done. */
	notice = $state<{ kind: 'error' | 'done'; text: string } | null>(null);
	/** Why nothing can be kept offline here (no Cache Storage, no manifest in a dev server). */
	unsupported = $state<string | null>(null);

	get availableCount(): number {
		return OFFLINE_TOKENIZER_IDS.filter((id) => this.statuses[id]?.availability === 'available').length;
	}

	#cache(): Promise<Cache> {
		return caches.open(appCacheName(version));
	}

	async #loadManifest(): Promise<TokenizerAssetManifest> {
		if (this.manifest) return this.manifest;
		const response = await fetch(assetPath(base, TOKENIZER_ASSETS_FILE));
		if (!response.ok) throw new Error(`the list of tokenizer files answered ${response.status}`);
		const manifest = parseTokenizerAssets(await response.json().catch(() => null));
		this.manifest = manifest;
		return manifest;
	}

	/** Reads which tokenizers' files are in this version's cache. */
	async refresh(): Promise<void> {
		if (typeof caches === 'undefined') {
			this.unsupported = 'This browser gives Skein no Cache Storage, so tokenizers cannot be kept offline here.';
			return;
		}
		try {
			const manifest = await this.#loadManifest();
			const cache = await this.#cache();
			this.statuses = offlineStatuses(
				manifest,
				base,
				(await cache.keys()).map((request) => request.url)
			);
			this.unsupported = null;
		} catch (error) {
			// A dev server has no build, hence no list; offline before the app was ever cached, no file.
			this.unsupported = `Which tokenizers work offline cannot be told here (${message(error)}).`;
		}
	}

	/** Downloads a tokenizer's missing files into the cache; returns whether it now works offline. */
	async makeAvailable(id: OfflineTokenizerId): Promise<boolean> {
		const { label } = offlineTokenizerInfo(id);
		this.working = id;
		this.notice = null;
		try {
			const manifest = await this.#loadManifest();
			const cache = await this.#cache();
			for (const file of manifest[id].files) {
				const path = assetPath(base, file);
				if (!(await cache.match(path))) await cache.add(path);
			}
			this.notice = { kind: 'done', text: `The ${label} tokenizer is available offline.` };
			return true;
		} catch (error) {
			const status = this.statuses[id];
			const size = status ? ` (${formatBytes(status.missingBytes)})` : '';
			this.notice = {
				kind: 'error',
				text: navigator.onLine === false ? `You're offline: connect to download the ${label} tokenizer${size}.` : `The ${label} tokenizer could not be downloaded${size}: ${message(error)}.`
			};
			return false;
		} finally {
			this.working = null;
			await this.refresh();
		}
	}

	/** Frees a tokenizer's files (not the default's, which belong to the app, nor files another kept tokenizer shares). */
	async remove(id: OfflineTokenizerId): Promise<void> {
		if (id === DEFAULT_TOKENIZER) return;
		this.working = id;
		this.notice = null;
		try {
			const manifest = await this.#loadManifest();
			const stillKept = OFFLINE_TOKENIZER_IDS.filter((other) => other === DEFAULT_TOKENIZER || this.statuses[other]?.availability === 'available');
			const cache = await this.#cache();
			for (const file of filesToRemove(manifest, id, stillKept)) await cache.delete(assetPath(base, file));
			this.notice = { kind: 'done', text: `The ${offlineTokenizerInfo(id).label} tokenizer is no longer kept offline.` };
		} catch (error) {
			this.notice = { kind: 'error', text: `Could not remove the ${offlineTokenizerInfo(id).label} tokenizer: ${message(error)}.` };
		} finally {
			this.working = null;
			await this.refresh();
		}
	}
}

export const offlineTokenizers = new OfflineTokenizersState();
