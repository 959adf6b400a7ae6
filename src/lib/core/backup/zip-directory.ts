/**
 * Reading a zip by its central directory, with random access (a backup may be larger than the
 * memory a tab can spare): the end-of-central-directory record gives where the directory is, the
 * directory gives each entry's name, method, sizes, checksum and local header offset. Only what
 * Skein's backups use is supported — stored and deflated entries, no zip64, no encryption — and
 * anything else is refused with a message saying what is wrong, never guessed at.
 */

/** Synchronous random-access reads (FileReaderSync over a File in the worker, a byte array in tests). */
export interface ByteSource {
	readonly size: number;
	read(offset: number, length: number): Uint8Array;
}

export interface ZipEntry {
	name: string;
	/** 0 = stored, 8 = deflated. */
	method: number;
	crc: number;
	compressedSize: number;
	size: number;
	/** Offset of the entry's local header. */
	headerOffset: number;
}

export class ZipFormatError extends Error {
	override name = 'ZipFormatError';
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_MIN = 22;
const MAX_COMMENT = 0xffff;

function u16(bytes: Uint8Array, at: number): number {
	return bytes[at] | (bytes[at + 1] << 8);
}

function u32(bytes: Uint8Array, at: number): number {
	return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** The entries of the zip, in directory order; throws ZipFormatError when it is not a readable zip. */
export function readZipDirectory(source: ByteSource): ZipEntry[] {
	if (source.size < EOCD_MIN) throw new ZipFormatError('The file is too small to be a zip archive.');
	const tailLength = Math.min(source.size, EOCD_MIN + MAX_COMMENT);
	const tail = source.read(source.size - tailLength, tailLength);
	let eocd = -1;
	for (let at = tail.length - EOCD_MIN; at >= 0; at--) {
		if (u32(tail, at) === EOCD_SIGNATURE) {
			eocd = at;
			break;
		}
	}
	if (eocd < 0) {
		throw new ZipFormatError('The file is not a zip archive, or its end is missing (was the download or copy cut short?).');
	}
	const count = u16(tail, eocd + 10);
	const directorySize = u32(tail, eocd + 12);
	const directoryOffset = u32(tail, eocd + 16);
	if (count === 0xffff || directoryOffset === 0xffffffff) throw new ZipFormatError('The archive uses zip64, which Skein backups never do.');
	if (directoryOffset + directorySize > source.size) {
		throw new ZipFormatError('The zip directory points past the end of the file: the file is truncated or damaged.');
	}
	const directory = source.read(directoryOffset, directorySize);
	const entries: ZipEntry[] = [];
	let at = 0;
	for (let i = 0; i < count; i++) {
		if (at + 46 > directory.length || u32(directory, at) !== CENTRAL_SIGNATURE) {
			throw new ZipFormatError(`The zip directory is damaged at entry ${i + 1} of ${count}.`);
		}
		const flags = u16(directory, at + 8);
		const nameLength = u16(directory, at + 28);
		const extraLength = u16(directory, at + 30);
		const commentLength = u16(directory, at + 32);
		const entry: ZipEntry = {
			method: u16(directory, at + 10),
			crc: u32(directory, at + 16),
			compressedSize: u32(directory, at + 20),
			size: u32(directory, at + 24),
			headerOffset: u32(directory, at + 42),
			name: utf8.decode(directory.subarray(at + 46, at + 46 + nameLength))
		};
		if (flags & 1) throw new ZipFormatError(`"${entry.name}" is encrypted; Skein backups never are.`);
		if (entry.method !== 0 && entry.method !== 8) throw new ZipFormatError(`"${entry.name}" uses compression method ${entry.method}; Skein backups use only stored or deflated entries.`);
		entries.push(entry);
		at += 46 + nameLength + extraLength + commentLength;
	}
	return entries;
}

/** Where an entry's (compressed) data starts: after its local header. */
export function entryDataOffset(source: ByteSource, entry: ZipEntry): number {
	if (entry.headerOffset + 30 > source.size) throw new ZipFormatError(`"${entry.name}" lies past the end of the file: the file is truncated.`);
	const header = source.read(entry.headerOffset, 30);
	if (u32(header, 0) !== LOCAL_SIGNATURE) throw new ZipFormatError(`"${entry.name}" is damaged (its header is not where the directory says).`);
	const start = entry.headerOffset + 30 + u16(header, 26) + u16(header, 28);
	if (start + entry.compressedSize > source.size) throw new ZipFormatError(`"${entry.name}" is cut short: the file is truncated.`);
	return start;
}
