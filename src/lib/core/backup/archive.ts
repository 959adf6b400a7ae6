/**
 * The backup zip itself: writing it as a stream of chunks (fflate's streaming Zip — nothing is
 * built in memory; the caller writes each chunk to disk as it comes), and reading it back entry
 * by entry with every checksum and size checked.
 */
import { Zip, ZipDeflate, ZipPassThrough, inflateSync } from 'fflate';
import { Crc32 } from './crc32';
import { entryDataOffset, readZipDirectory, ZipFormatError, type ByteSource, type ZipEntry } from './zip-directory';
import { MANIFEST_NAME, parseManifest, type BackupManifest } from './manifest';

/**
 * fflate's stored entry with this module's CRC-32 (eight bytes a step) in place of its own (one
 * byte a step): the checksum of every byte is most of what writing a stored entry costs.
 */
class StoredEntry extends ZipPassThrough {
	constructor(name: string) {
		super(name);
		const crc = new Crc32();
		(this as unknown as { c: { p(chunk: Uint8Array): void; d(): number } }).c = { p: (chunk) => void crc.update(chunk), d: () => crc.digest() };
	}
}

/** Zip entries hold at most 4 GiB and a zip without zip64 as much (fflate writes no zip64). */
const ZIP32_LIMIT = 0xffffffff;

export class BackupZipWriter {
	#zip: Zip;
	#bytes = 0;
	#failure: Error | null = null;
	#encoder = new TextEncoder();
	#scratch = new Uint8Array(0);

	/** `onChunk` receives the zip's bytes in order; it must take them synchronously (queue them). */
	constructor(
		onChunk: (chunk: Uint8Array) => void,
		private readonly level: 0 | 1 | 6 = 1
	) {
		this.#zip = new Zip((error, chunk) => {
			if (error) {
				this.#failure = error;
				return;
			}
			this.#bytes += chunk.length;
			if (this.#bytes > ZIP32_LIMIT) this.#failure = new Error('The backup would be larger than 4 GiB, which a zip without zip64 cannot hold.');
			onChunk(chunk);
		});
	}

	get bytesWritten(): number {
		return this.#bytes;
	}

	#check(): void {
		if (this.#failure) throw this.#failure;
	}

	/** A whole small file (JSON text), deflated unless the writer stores everything. */
	addText(name: string, text: string): void {
		this.addBytes(name, this.#utf8(text));
	}

	/**
	 * UTF-8 through `encodeInto` a reused buffer, then copied out: Chromium's `encode` is several
	 * times slower than `encodeInto` (it copies the text twice), and a backup encodes every row.
	 * A UTF-16 code unit takes at most 3 bytes (a surrogate pair, two units, takes 4).
	 */
	#utf8(text: string): Uint8Array {
		if (this.#scratch.length < text.length * 3) this.#scratch = new Uint8Array(Math.max(text.length * 3, this.#scratch.length * 2));
		const { written } = this.#encoder.encodeInto(text, this.#scratch);
		return this.#scratch.slice(0, written);
	}

	/** A whole small file's bytes, deflated unless the writer stores everything. */
	addBytes(name: string, bytes: Uint8Array): void {
		const file = this.level === 0 ? new StoredEntry(name) : new ZipDeflate(name, { level: this.level });
		this.#zip.add(file);
		file.push(bytes, true);
		this.#check();
	}

	/** A file fed in chunks, stored as it is (Blobs: imported files are often compressed already). */
	beginStored(name: string): { push(chunk: Uint8Array): void; end(): void } {
		const file = new StoredEntry(name);
		this.#zip.add(file);
		return {
			push: (chunk) => {
				file.push(chunk, false);
				this.#check();
			},
			end: () => {
				file.push(new Uint8Array(0), true);
				this.#check();
			}
		};
	}

	end(): void {
		this.#zip.end();
		this.#check();
	}
}

/** Problems that make a file unusable as a backup; the message says what and where. */
export class BackupFileError extends Error {
	override name = 'BackupFileError';
}

export class BackupArchive {
	readonly entries: Map<string, ZipEntry>;
	readonly manifest: BackupManifest;

	private constructor(
		readonly source: ByteSource,
		entries: ZipEntry[],
		manifest: BackupManifest
	) {
		this.entries = new Map(entries.map((entry) => [entry.name, entry]));
		this.manifest = manifest;
	}

	/** Opens a backup: the zip directory, the manifest, and that every file the manifest names is there (and nothing else). */
	static open(source: ByteSource): BackupArchive {
		let entries: ZipEntry[];
		try {
			entries = readZipDirectory(source);
		} catch (error) {
			if (error instanceof ZipFormatError) throw new BackupFileError(error.message);
			throw error;
		}
		const manifestEntry = entries.find((entry) => entry.name === MANIFEST_NAME);
		if (!manifestEntry) throw new BackupFileError(`This zip is not a Skein workspace backup: it has no ${MANIFEST_NAME}.`);
		const partial = new BackupArchive(source, entries, null as unknown as BackupManifest);
		const parsed = parseManifest(new TextDecoder().decode(partial.readBytes(MANIFEST_NAME)));
		if ('error' in parsed) throw new BackupFileError(parsed.error);
		const archive = new BackupArchive(source, entries, parsed.manifest);
		const named = new Set<string>([MANIFEST_NAME]);
		for (const [table, store] of Object.entries(parsed.manifest.stores)) {
			for (const file of store.files) {
				if (!archive.entries.has(file)) throw new BackupFileError(`The backup is incomplete: ${file} (rows of ${table}) is missing.`);
				named.add(file);
			}
		}
		for (const blob of parsed.manifest.blobs) {
			const entry = archive.entries.get(blob.path);
			if (!entry) throw new BackupFileError(`The backup is incomplete: ${blob.path} is missing.`);
			if (entry.method !== 0 || entry.size !== blob.size) throw new BackupFileError(`${blob.path} does not match the manifest (size or storage).`);
			named.add(blob.path);
		}
		const stray = entries.find((entry) => !named.has(entry.name));
		if (stray) throw new BackupFileError(`The backup holds a file its manifest does not name (${stray.name}): it was changed after it was made.`);
		return archive;
	}

	/** An entry's bytes, inflated, with its size and checksum checked. */
	readBytes(name: string): Uint8Array {
		const entry = this.#entry(name);
		const raw = this.source.read(entryDataOffset(this.source, entry), entry.compressedSize);
		let bytes: Uint8Array;
		try {
			bytes = entry.method === 0 ? raw : inflateSync(raw, { out: new Uint8Array(entry.size) });
		} catch {
			throw new BackupFileError(`${name} is damaged (it does not decompress).`);
		}
		if (bytes.length !== entry.size) throw new BackupFileError(`${name} is damaged (${bytes.length} bytes instead of ${entry.size}).`);
		if (new Crc32().update(bytes).digest() !== entry.crc) throw new BackupFileError(`${name} is damaged or was changed (its checksum does not match).`);
		return bytes;
	}

	readJson(name: string): unknown {
		const text = new TextDecoder().decode(this.readBytes(name));
		try {
			return JSON.parse(text);
		} catch {
			throw new BackupFileError(`${name} is not valid JSON: the backup is damaged.`);
		}
	}

	/** Where a stored entry's bytes are (a Blob is restored as a slice of the file, not a copy in memory). */
	storedRange(name: string): { offset: number; size: number } {
		const entry = this.#entry(name);
		if (entry.method !== 0) throw new BackupFileError(`${name} should be stored uncompressed.`);
		return { offset: entryDataOffset(this.source, entry), size: entry.size };
	}

	/** Checks a stored entry's checksum, reading it in pieces of `chunk` bytes. */
	verifyStored(name: string, chunk = 8 << 20): void {
		const entry = this.#entry(name);
		const { offset, size } = this.storedRange(name);
		const crc = new Crc32();
		for (let at = 0; at < size; at += chunk) crc.update(this.source.read(offset + at, Math.min(chunk, size - at)));
		if (crc.digest() !== entry.crc) throw new BackupFileError(`${name} is damaged or was changed (its checksum does not match).`);
	}

	#entry(name: string): ZipEntry {
		const entry = this.entries.get(name);
		if (!entry) throw new BackupFileError(`The backup is incomplete: ${name} is missing.`);
		return entry;
	}
}

/** A ByteSource over bytes in memory (tests, small files). */
export function bytesSource(bytes: Uint8Array): ByteSource {
	return { size: bytes.length, read: (offset, length) => bytes.subarray(offset, offset + length) };
}
