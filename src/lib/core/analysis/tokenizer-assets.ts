/**
 * Which built files each tokenizer needs, and how big they are. The build writes this manifest
 * (`scripts/vite-tokenizer-assets.ts` reads the data worker's bundle: a tokenizer's dynamic-import
 * chunk and every chunk it imports); the service worker precaches the default tokenizer's files
 * with the app, and the page lets the user keep the others offline, showing their download size.
 * Chunk names are content hashes, so the manifest is the only place that knows them.
 */
import { OFFLINE_TOKENIZER_IDS, isOfflineTokenizerId, type OfflineTokenizerId } from './offline-tokenizers.ts';

/** Where the build writes the manifest, relative to the app's base path. */
export const TOKENIZER_ASSETS_FILE = '_app/tokenizer-assets.json';

export interface TokenizerAssets {
	/** Built files (relative to the base path, no leading slash), the tokenizer's own chunk first. */
	files: string[];
	/** Their total size in bytes: what downloading the tokenizer costs when none of them is cached. */
	bytes: number;
	/** Each file's size in bytes, in the order of `files`. */
	sizes: number[];
}

export type TokenizerAssetManifest = Record<OfflineTokenizerId, TokenizerAssets>;

/** A chunk of the worker build, as the bundler describes it in `generateBundle`. */
export interface BuiltChunk {
	fileName: string;
	/** The module the chunk was made for (a dynamic import's target), if any. */
	facadeModuleId: string | null;
	/** Chunks it imports statically (loaded with it). */
	imports: readonly string[];
	bytes: number;
}

/**
 * The manifest from a worker build: `entries` maps each tokenizer to the resolved id of the module
 * its loader imports dynamically. Throws when a tokenizer has no chunk of its own (it was bundled
 * into the worker, or its import changed): the build must not ship a manifest that lies.
 */
export function collectTokenizerAssets(chunks: readonly BuiltChunk[], entries: Readonly<Record<OfflineTokenizerId, string>>): TokenizerAssetManifest {
	const byName = new Map(chunks.map((chunk) => [chunk.fileName, chunk]));
	const manifest = {} as TokenizerAssetManifest;
	for (const id of OFFLINE_TOKENIZER_IDS) {
		const own = chunks.find((chunk) => chunk.facadeModuleId === entries[id]);
		if (!own) throw new Error(`No chunk of its own for the ${id} tokenizer (module ${entries[id]}): is it still imported dynamically?`);
		const files: string[] = [];
		const visit = (name: string) => {
			if (files.includes(name)) return;
			const chunk = byName.get(name);
			if (!chunk) throw new Error(`The ${id} tokenizer's chunk imports ${name}, which is not in the build`);
			files.push(name);
			chunk.imports.forEach(visit);
		};
		visit(own.fileName);
		const sizes = files.map((name) => byName.get(name)?.bytes ?? 0);
		manifest[id] = { files, sizes, bytes: sizes.reduce((a, b) => a + b, 0) };
	}
	return manifest;
}

/** Reads a manifest fetched from the build; says what is wrong with one that is not. */
export function parseTokenizerAssets(value: unknown): TokenizerAssetManifest {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('The tokenizer manifest is not an object');
	const record = value as Record<string, unknown>;
	const manifest = {} as TokenizerAssetManifest;
	for (const id of OFFLINE_TOKENIZER_IDS) {
		const entry = record[id] as Partial<TokenizerAssets> | undefined;
		const files = entry?.files;
		const sizes = entry?.sizes;
		const valid =
			Array.isArray(files) &&
			files.length > 0 &&
			files.every((file) => typeof file === 'string' && file !== '' && !file.startsWith('/')) &&
			Array.isArray(sizes) &&
			sizes.length === files.length &&
			sizes.every((size) => Number.isInteger(size) && size >= 0) &&
			entry?.bytes === sizes.reduce((a, b) => a + b, 0);
		if (!valid) throw new Error(`The tokenizer manifest has no valid entry for ${id}`);
		manifest[id] = { files: [...files], sizes: [...sizes], bytes: entry.bytes as number };
	}
	for (const key of Object.keys(record)) if (!isOfflineTokenizerId(key)) throw new Error(`The tokenizer manifest names an unknown tokenizer ${key}`);
	return manifest;
}

/** A built file's URL path under `base` (the app's base path, '' at the root). */
export function assetPath(base: string, file: string): string {
	return `${base}/${file}`;
}

export type OfflineAvailability = 'available' | 'partial' | 'missing';

export interface TokenizerOfflineStatus {
	id: OfflineTokenizerId;
	availability: OfflineAvailability;
	/** Bytes still to download for it to work offline. */
	missingBytes: number;
	bytes: number;
}

/** Whether a tokenizer works offline, given which built files are cached. */
export function offlineStatus(manifest: TokenizerAssetManifest, id: OfflineTokenizerId, isCached: (file: string) => boolean): TokenizerOfflineStatus {
	const { files, sizes, bytes } = manifest[id];
	let missingBytes = 0;
	let missing = 0;
	files.forEach((file, i) => {
		if (!isCached(file)) {
			missing += 1;
			missingBytes += sizes[i];
		}
	});
	const availability: OfflineAvailability = missing === 0 ? 'available' : missing === files.length ? 'missing' : 'partial';
	return { id, availability, missingBytes, bytes };
}

/**
 * The files of the new build to cache when a new version installs, so that what worked offline
 * keeps working: every tokenizer all of whose files were cached under the previous version's
 * manifest (hashes change when a vocabulary does; then the new files are downloaded).
 */
export function filesToCarryOver(previous: TokenizerAssetManifest, isCachedBefore: (file: string) => boolean, next: TokenizerAssetManifest): string[] {
	const files = new Set<string>();
	for (const id of OFFLINE_TOKENIZER_IDS) {
		if (!previous[id] || offlineStatus(previous, id, isCachedBefore).availability !== 'available') continue;
		for (const file of next[id].files) files.add(file);
	}
	return [...files];
}

/** Every tokenizer's offline status, from the request URLs a cache holds (as `cache.keys()` lists them). */
export function offlineStatuses(manifest: TokenizerAssetManifest, base: string, cachedUrls: readonly string[]): Record<OfflineTokenizerId, TokenizerOfflineStatus> {
	const cached = new Set(cachedUrls.map((url) => new URL(url, 'http://localhost').pathname));
	const statuses = {} as Record<OfflineTokenizerId, TokenizerOfflineStatus>;
	for (const id of OFFLINE_TOKENIZER_IDS) statuses[id] = offlineStatus(manifest, id, (file) => cached.has(assetPath(base, file)));
	return statuses;
}

/** The files that no longer keeping `id` offline frees: not those a tokenizer still kept needs (the shared chunks). */
export function filesToRemove(manifest: TokenizerAssetManifest, id: OfflineTokenizerId, stillKept: readonly OfflineTokenizerId[]): string[] {
	const needed = new Set(stillKept.filter((other) => other !== id).flatMap((other) => manifest[other].files));
	return manifest[id].files.filter((file) => !needed.has(file));
}
