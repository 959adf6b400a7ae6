/**
 * Streaming line splitter for JSON Lines.
 *
 * Text arrives in chunks of any size (a `TextDecoderStream`, a test splitting at every index);
 * complete lines come out with 1-based line numbers. It strips a byte-order mark at the very start,
 * accepts LF, CRLF (including a CR at the end of one chunk and its LF at the start of the next) and
 * lone CR as line ends, skips blank lines while still counting them, flushes an unterminated last
 * line at `finish`, and refuses lines longer than `maxLineLength`: such a line is reported once and
 * dropped as it streams past, so a 2 GB line never sits in memory.
 */

export const DEFAULT_MAX_LINE_LENGTH = 64 * 1024 * 1024;

const BOM = 0xfeff;
const LF = 10;
const CR = 13;

export interface LineSink {
	/** A complete, non-blank line (without its line end). */
	line(text: string, lineNumber: number): void;
	/** A line longer than the limit: its length in UTF-16 code units and its first characters. */
	overlong(lineNumber: number, length: number, head: string): void;
}

const OVERLONG_HEAD = 200;

export class LineSplitter {
	private readonly maxLineLength: number;
	private started = false;
	/** The previous chunk ended with CR: an LF at the start of the next one belongs to it. */
	private pendingCR = false;
	/** Pieces of the current, still unterminated line. */
	private pieces: string[] = [];
	private partialLength = 0;
	/** The current line went over the limit: it is being skipped until its end. */
	private skipping = false;
	private skippedHead = '';
	private nextLineNumber = 1;

	constructor(
		private readonly sink: LineSink,
		options: { maxLineLength?: number } = {}
	) {
		this.maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
	}

	/** Number of lines seen so far, blank ones included (a final unterminated line counts after `finish`). */
	get lineCount(): number {
		return this.nextLineNumber - 1;
	}

	push(chunk: string): void {
		const n = chunk.length;
		if (n === 0) return;
		let i = 0;
		if (!this.started) {
			this.started = true;
			if (chunk.charCodeAt(0) === BOM) i = 1;
		}
		if (this.pendingCR) {
			this.pendingCR = false;
			if (chunk.charCodeAt(i) === LF) i++;
		}
		// Cached position of the next CR: most files have none, so one indexOf per chunk.
		let nextCR = -2;
		while (i < n) {
			let end = chunk.indexOf('\n', i);
			if (nextCR !== -1 && nextCR < i) nextCR = chunk.indexOf('\r', i);
			if (nextCR !== -1 && (end === -1 || nextCR < end)) end = nextCR;
			if (end === -1) {
				this.appendPartial(chunk, i, n);
				return;
			}
			this.appendPartial(chunk, i, end);
			this.endLine();
			if (chunk.charCodeAt(end) === CR) {
				if (end + 1 >= n) this.pendingCR = true;
				else if (chunk.charCodeAt(end + 1) === LF) end++;
			}
			i = end + 1;
		}
	}

	/** End of input: emits a last line without a line end. */
	finish(): void {
		if (this.partialLength > 0 || this.skipping) this.endLine();
		this.pendingCR = false;
	}

	private appendPartial(chunk: string, from: number, to: number): void {
		if (to <= from) return;
		const length = to - from;
		if (this.skipping) {
			// Keep the head complete (the same whatever the chunking), nothing more.
			if (this.skippedHead.length < OVERLONG_HEAD) {
				this.skippedHead += chunk.slice(from, Math.min(to, from + OVERLONG_HEAD - this.skippedHead.length));
			}
			this.partialLength += length;
			return;
		}
		if (this.partialLength + length > this.maxLineLength) {
			// Over the limit: keep only a head for the report and stop accumulating.
			const head = (this.pieces.join('') + chunk.slice(from, Math.min(to, from + OVERLONG_HEAD))).slice(
				0,
				OVERLONG_HEAD
			);
			this.skipping = true;
			this.skippedHead = head;
			this.pieces = [];
			this.partialLength += length;
			return;
		}
		this.pieces.push(from === 0 && to === chunk.length ? chunk : chunk.slice(from, to));
		this.partialLength += length;
	}

	private endLine(): void {
		const lineNumber = this.nextLineNumber++;
		if (this.skipping) {
			this.sink.overlong(lineNumber, this.partialLength, this.skippedHead);
			this.skipping = false;
			this.skippedHead = '';
		} else if (this.partialLength > 0) {
			const text = this.pieces.length === 1 ? this.pieces[0] : this.pieces.join('');
			if (!isBlank(text)) this.sink.line(text, lineNumber);
		}
		this.pieces = [];
		this.partialLength = 0;
	}
}

/** Whitespace-only. Cheap for real records: they start with `{` or `[`. */
function isBlank(text: string): boolean {
	const first = text.charCodeAt(0);
	if (first === 123 || first === 91) return false;
	return text.trim().length === 0;
}
