/**
 * A first look at a file's bytes, before decoding it as text: a PNG (maybe a character card),
 * something binary that is certainly not a dataset, or text.
 */

export type ByteSniff = { kind: 'text' } | { kind: 'png' } | { kind: 'binary'; reason: string };

export const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/** How many bytes of the head are examined for control characters. */
const SNIFF_WINDOW = 8192;
/** Share of control bytes above which a file is called binary (text has almost none). */
const CONTROL_SHARE = 0.1;
/** Share of NUL bytes above which a file is called binary. */
const NUL_SHARE = 0.01;

function startsWith(bytes: Uint8Array, prefix: ArrayLike<number>): boolean {
	if (bytes.length < prefix.length) return false;
	for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
	return true;
}

const NOT_A_DATASET = 'this is not a dataset: it looks like a binary file';

export function sniffBytes(head: Uint8Array): ByteSniff {
	if (startsWith(head, PNG_SIGNATURE)) return { kind: 'png' };
	if (startsWith(head, [0x1f, 0x8b])) return { kind: 'binary', reason: `${NOT_A_DATASET} (gzip-compressed: decompress it first)` };
	if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]))
		return { kind: 'binary', reason: `${NOT_A_DATASET} (a zip archive: extract the dataset file first)` };
	if (startsWith(head, [0xff, 0xfe]) || startsWith(head, [0xfe, 0xff]))
		return { kind: 'binary', reason: 'this file is UTF-16 text: save it as UTF-8 and import it again' };
	const end = Math.min(head.length, SNIFF_WINDOW);
	let control = 0;
	let nul = 0;
	for (let i = 0; i < end; i++) {
		const byte = head[i];
		if (byte === 0) nul++;
		// Tab, LF, CR and form feed are ordinary in text; ESC shows up in logs with colours.
		if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c && byte !== 0x1b) control++;
	}
	// A stray NUL in a text file costs only its line (the importer reports it); binary formats are
	// full of them.
	if (end > 0 && (nul / end > NUL_SHARE || control / end > CONTROL_SHARE)) return { kind: 'binary', reason: NOT_A_DATASET };
	return { kind: 'text' };
}
