/**
 * Streaming splitter for JSON documents that are not JSON Lines: a top-level array
 * `[ {...}, {...} ]` (often pretty-printed, possibly hundreds of MB), or one or several
 * concatenated top-level values (a pretty-printed character card, one conversation object).
 *
 * It never parses: it tracks strings, escapes and bracket depth just enough to cut the text into
 * records, and hands each record's source text (plus the line its first character is on) to the
 * sink, which parses it with `JSON.parse`. Top-level arrays are unwrapped into their elements.
 *
 * Robustness rules, so that a broken file cannot make it hang or eat all memory:
 * - JSON strings cannot contain a raw line break, so a line break inside a string ends the string
 *   (the record is invalid and `JSON.parse` will say so); the scanner resynchronises on the next line.
 * - A record longer than `maxRecordLength` is reported and dropped while it streams past.
 * - At `finish`, an unfinished record is handed over marked `truncated`, and an unclosed array is
 *   reported.
 * Inside strings the scan jumps from quote to quote with `indexOf`, so the cost is close to a
 * memchr over the text, not a JavaScript loop over every character.
 */

export const DEFAULT_MAX_RECORD_LENGTH = 64 * 1024 * 1024;

export interface JsonRecordSink {
	/** The source text of one top-level value or array element. */
	record(text: string, line: number, truncated: boolean): void;
	/** A record over the length limit (length in UTF-16 code units, and its first characters). */
	overlong(line: number, length: number, head: string): void;
	/** Text between records that is not part of any value (a stray comma, a missing `]`). */
	problem(line: number, excerpt: string, reason: string): void;
}

const NONE = 0;
/** An object or array. */
const COMPOSITE = 1;
/** A top-level string. */
const STRING = 2;
/** A number or a literal, or garbage: everything up to the next whitespace or structural char. */
const SCALAR = 3;

const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const BOM = 0xfeff;

const OVERLONG_HEAD = 200;

export class JsonRecordSplitter {
	private readonly maxRecordLength: number;
	private started = false;
	private line = 1;
	private lastChar = -1;

	private inString = false;
	/** Backslashes right before the scan position inside the current string (across chunks). */
	private backslashCarry = 0;

	/** Inside a top-level array whose elements are the records. */
	private inArray = false;
	private arrayLine = 0;
	/** After `[` or `,`: the next thing should be an element. */
	private expectElement = false;
	private lastWasComma = false;

	private kind = NONE;
	private depth = 0;
	private recordLine = 0;
	private pieces: string[] = [];
	private recordLength = 0;
	private segmentStart = 0;
	private skipping = false;
	private skippedHead = '';

	constructor(
		private readonly sink: JsonRecordSink,
		options: { maxRecordLength?: number } = {}
	) {
		this.maxRecordLength = options.maxRecordLength ?? DEFAULT_MAX_RECORD_LENGTH;
	}

	/** Lines seen so far (a last line without a line break counts). */
	get lineCount(): number {
		if (this.lastChar === -1) return 0;
		return this.lastChar === LF ? this.line - 1 : this.line;
	}

	push(chunk: string): void {
		const n = chunk.length;
		if (n === 0) return;
		let i = 0;
		if (!this.started) {
			this.started = true;
			if (chunk.charCodeAt(0) === BOM) i = 1;
		}
		this.segmentStart = 0;
		// Cached position of the next line feed, used while scanning strings.
		let nextLF = -2;
		while (i < n) {
			if (this.inString) {
				if (nextLF !== -1 && nextLF < i) nextLF = chunk.indexOf('\n', i);
				const limit = nextLF === -1 ? n : nextLF;
				let quote = chunk.indexOf('"', i);
				for (;;) {
					if (quote === -1 || quote >= limit) {
						if (limit < n) {
							// A raw line break inside a string: invalid JSON, resynchronise here.
							this.inString = false;
							this.backslashCarry = 0;
							i = limit;
							if (this.kind === STRING) this.endRecord(chunk, limit);
						} else {
							this.backslashCarry = trailingBackslashes(chunk, i, n, this.backslashCarry);
							i = n;
						}
						break;
					}
					let escapes = 0;
					let j = quote - 1;
					while (j >= i && chunk.charCodeAt(j) === BACKSLASH) {
						escapes++;
						j--;
					}
					if (j < i) escapes += this.backslashCarry;
					this.backslashCarry = 0;
					if ((escapes & 1) === 1) {
						i = quote + 1;
						quote = chunk.indexOf('"', i);
						continue;
					}
					this.inString = false;
					i = quote + 1;
					if (this.kind === STRING) this.endRecord(chunk, i);
					break;
				}
				continue;
			}

			const c = chunk.charCodeAt(i);
			if (c === LF || c === SPACE || c === TAB || c === CR) {
				if (c === LF) this.line++;
				if (this.kind === SCALAR) this.endRecord(chunk, i);
				i++;
				continue;
			}
			if (this.kind === COMPOSITE) {
				if (c === QUOTE) {
					this.inString = true;
					this.backslashCarry = 0;
				} else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
					this.depth++;
				} else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
					if (--this.depth === 0) this.endRecord(chunk, i + 1);
				}
				i++;
				continue;
			}
			if (this.kind === SCALAR) {
				if (!isStructural(c)) {
					i++;
					continue;
				}
				this.endRecord(chunk, i);
			}
			// Between records.
			if (c === OPEN_BRACKET && !this.inArray) {
				this.inArray = true;
				this.arrayLine = this.line;
				this.expectElement = true;
				this.lastWasComma = false;
			} else if (c === CLOSE_BRACKET && this.inArray) {
				if (this.lastWasComma) this.sink.problem(this.line, ',]', 'trailing comma before the closing ]');
				this.inArray = false;
				this.expectElement = false;
				this.lastWasComma = false;
			} else if (c === COMMA && this.inArray) {
				if (this.expectElement) this.sink.problem(this.line, ',', 'empty element (a stray comma)');
				this.expectElement = true;
				this.lastWasComma = true;
			} else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
				this.startRecord(COMPOSITE, i);
				this.depth = 1;
			} else if (c === QUOTE) {
				this.startRecord(STRING, i);
				this.inString = true;
				this.backslashCarry = 0;
			} else if (c === COMMA || c === CLOSE_BRACKET || c === CLOSE_BRACE || c === COLON) {
				this.sink.problem(this.line, String.fromCharCode(c), `unexpected "${String.fromCharCode(c)}" outside any record`);
			} else {
				this.startRecord(SCALAR, i);
			}
			i++;
		}
		this.lastChar = chunk.charCodeAt(n - 1);
		if (this.kind !== NONE) this.keepPiece(chunk, this.segmentStart, n);
	}

	/** End of input: hands over an unfinished record and reports an unclosed array. */
	finish(): void {
		if (this.kind !== NONE) {
			const truncated = this.kind !== SCALAR;
			this.emit(this.pieces.length === 1 ? this.pieces[0] : this.pieces.join(''), truncated);
		}
		if (this.inArray) {
			this.sink.problem(this.arrayLine, '[', 'truncated JSON array: the closing ] is missing');
			this.inArray = false;
		}
		this.inString = false;
	}

	private startRecord(kind: number, at: number): void {
		this.kind = kind;
		this.recordLine = this.line;
		this.segmentStart = at;
		this.pieces = [];
		this.recordLength = 0;
		this.skipping = false;
		this.expectElement = false;
		this.lastWasComma = false;
	}

	private keepPiece(chunk: string, from: number, to: number): void {
		if (to <= from) return;
		const length = to - from;
		this.recordLength += length;
		if (this.skipping) {
			// Keep the head complete (the same whatever the chunking), nothing more.
			if (this.skippedHead.length < OVERLONG_HEAD) {
				this.skippedHead += chunk.slice(from, Math.min(to, from + OVERLONG_HEAD - this.skippedHead.length));
			}
			return;
		}
		if (this.recordLength > this.maxRecordLength) {
			this.skipping = true;
			this.skippedHead = (this.pieces.join('') + chunk.slice(from, Math.min(to, from + OVERLONG_HEAD))).slice(0, OVERLONG_HEAD);
			this.pieces = [];
			return;
		}
		this.pieces.push(chunk.slice(from, to));
	}

	private endRecord(chunk: string, end: number): void {
		this.keepPiece(chunk, this.segmentStart, end);
		this.emit(this.pieces.length === 1 ? this.pieces[0] : this.pieces.join(''), false);
	}

	private emit(text: string, truncated: boolean): void {
		const line = this.recordLine;
		if (this.skipping) this.sink.overlong(line, this.recordLength, this.skippedHead);
		else this.sink.record(text, line, truncated);
		this.kind = NONE;
		this.depth = 0;
		this.pieces = [];
		this.recordLength = 0;
		this.skipping = false;
		this.skippedHead = '';
	}
}

function isStructural(c: number): boolean {
	return (
		c === COMMA ||
		c === CLOSE_BRACKET ||
		c === CLOSE_BRACE ||
		c === OPEN_BRACKET ||
		c === OPEN_BRACE ||
		c === QUOTE ||
		c === COLON
	);
}

/** Backslashes at the end of `chunk[from, to)`, plus the carry when the whole span is backslashes. */
function trailingBackslashes(chunk: string, from: number, to: number, carry: number): number {
	let count = 0;
	let j = to - 1;
	while (j >= from && chunk.charCodeAt(j) === BACKSLASH) {
		count++;
		j--;
	}
	return j < from ? count + carry : count;
}
