/**
 * The file importer: decoded text in (in chunks of any size), entries and a report out.
 *
 * 1. Container detection on the first non-whitespace character (after a BOM): `[` is a JSON
 *    array; `{` is JSON Lines when the first line is a complete JSON value on its own, otherwise a
 *    pretty-printed JSON document; anything else is not a dataset.
 * 2. Splitting into records: `LineSplitter` for JSON Lines, `JsonRecordSplitter` for the others.
 * 3. Per record: `JSON.parse`, a bounded depth check, shape detection and the format adapter
 *    (`../formats`). A bad record becomes a `LineError` and the rest still imports.
 *
 * Entries are built by hand (no zod in the hot path, except to validate Skein re-imports), reusing
 * the parsed objects, so the cost per record stays close to the `JSON.parse` itself.
 */
import type { Entry, EntryMeta, FileImportReport, FormatId, Message } from '../model';
import { hashMessages } from '../hash';
import { describeJsonType, exceedsDepth, inspectParsed, isRecord, jsonErrorMessage, MAX_NESTING_DEPTH, quoteOutOfRangeNumbers, type JsonRecord } from '../json-safety';
import { DEFAULT_MAX_LINE_LENGTH, LineSplitter } from '../jsonl/line-splitter';
import { JsonRecordSplitter } from '../jsonl/json-array-splitter';
import { describeKeys, type ContentConversion, type Conversion, type ConversionContext, type ConvertedRecord } from '../formats/conversion';
import { detectRecordShape } from '../formats/record-shape';
import { convertOpenAi, convertIsfAnnotated } from '../formats/openai';
import { convertLlamaFactory } from '../formats/llamafactory';
import { convertShareGpt, convertShareGptPairs, convertTurnList } from '../formats/sharegpt';
import { looksLikeTurn } from '../formats/turns';
import { convertAlpaca } from '../formats/alpaca';
import { convertPromptCompletion, convertPromptResponse } from '../formats/prompt-pairs';
import { convertSillyTavernMessage, SillyTavernChat } from '../formats/sillytavern-chat';
import { CARD_NOTE, recogniseCharacterCard } from '../formats/character-card';
import { LOREBOOK_NOTE, recogniseLorebook } from '../formats/lorebook';
import { convertSkein } from '../formats/skein';
import { convertPreference, countPreference } from '../formats/preference';
import { emptyFileReport, ReportBuilder } from './import-report';
import { describeImportedTag, importTags, slugifyTag } from '../curation/tags';
import { cookbookCounts } from '../validation/rules/cookbook';
import { decodeBase64Utf8, findCardChunk, readPngTextChunks } from './png-card';

export { sniffBytes, type ByteSniff } from './sniff';

export interface FileImporterOptions {
	fileName: string;
	sizeBytes: number;
	/** Issues a fresh entry id (unique in the target dataset). */
	newId: () => string;
	/** Ids already present in the target dataset (for Skein re-imports that carry their ids). */
	isIdTaken?: (id: string) => boolean;
	/** Longest line / record accepted, in UTF-16 code units (default 64 Mi). */
	maxRecordLength?: number;
	/**
	 * The tag library as `tagLookup` (tags.ts) builds it: every slug and alias → its current slug.
	 * With it (the app always passes it), imported tags are normalised to slugs and old names of
	 * renamed tags mapped to the new ones, each change noted in the report with the original.
	 * Without it, tags are kept exactly as the file has them.
	 */
	tagLookup?: ReadonlyMap<string, string>;
}

export const EMPTY_FILE_MESSAGE = 'this file is empty: there is nothing to import';
export const NOT_A_DATASET_MESSAGE = 'this is not a dataset: expected JSON Lines or a JSON array';
export const NO_CARD_IN_PNG_MESSAGE = 'this PNG has no character card in it';

const BOM = 0xfeff;
/** Shapes whose record already is an OpenAI `{messages}` object, checked as the entry it becomes. */
const KEEPS_MESSAGES: ReadonlySet<string> = new Set(['openai', 'isf-annotated', 'skein']);
/** How far past a scalar first line ("null", "42") detection looks for the next record. */
const SCALAR_LOOKAHEAD = 65_536;

function countReplacements(text: string): number {
	let count = 0;
	for (let at = text.indexOf('\uFFFD'); at !== -1; at = text.indexOf('\uFFFD', at + 1)) count++;
	return count;
}

function isSpace(c: number): boolean {
	return c === 32 || c === 10 || c === 13 || c === 9;
}

type Phase = 'detecting' | 'splitting' | 'rejected';

export class FileImporter {
	readonly report: FileImportReport;
	private readonly builder: ReportBuilder;
	private readonly ctx: ConversionContext;
	private readonly maxRecordLength: number;

	private phase: Phase = 'detecting';
	/** Text held back until the container is known. */
	private held: string[] = [];
	private heldLength = 0;
	/** First non-whitespace character (char code), -1 until seen. */
	private firstChar = -1;
	private firstLineEnded = false;
	private moreAfterFirstLine = false;
	/** Positions in the held text where the first line ends and, for `[`, where more begins after it. */
	private firstLineEndAt = Infinity;
	private moreAt = Infinity;
	private splitter: LineSplitter | JsonRecordSplitter | null = null;

	/** Entries completed by the current `push` / `finish`. */
	private out: Entry[] = [];
	private chat: SillyTavernChat | null = null;
	/** Messages of the record being converted whose content was imported as JSON text. */
	private pendingConverted: { message: Message; was: string }[] = [];
	/** The record being handled, when it has another shape than OpenAI messages (tallied after it). */
	private convertedRaw: JsonRecord | null = null;
	/** The record being handled was a wrapper whose items were counted one by one. */
	private unwrapped = false;
	private readonly usedIds = new Set<string>();
	private finished = false;
	/**
	 * For each U+FFFD pushed and not yet met in a record, whether it was a decoding error. Records
	 * meet them in the order they were pushed, so each record takes as many as it contains.
	 */
	private replacementKinds: boolean[] = [];
	private replacementHead = 0;
	private readonly tagLookup: ReadonlyMap<string, string> | null;

	constructor(private readonly opts: FileImporterOptions) {
		this.report = emptyFileReport(opts.fileName, opts.sizeBytes);
		this.builder = new ReportBuilder(this.report);
		this.ctx = {
			note: (text) => this.builder.note(text),
			convertedContent: (message, was) => this.pendingConverted.push({ message, was })
		};
		this.maxRecordLength = opts.maxRecordLength ?? DEFAULT_MAX_LINE_LENGTH;
		this.tagLookup = opts.tagLookup ?? null;
	}

	/** Lines read so far (for progress; `report.lines` is final only after `finish`). */
	get linesRead(): number {
		return this.splitter?.lineCount ?? this.report.lines;
	}

	/**
	 * Feed decoded text, in order, in chunks of any size. Returns the entries this chunk completed.
	 * `replacements` says, for each U+FFFD in `text`, whether it was a decoding error (true) or a
	 * character of the file (false; see `utf8-chunks.ts`); without it every U+FFFD is an error.
	 */
	push(text: string, replacements: readonly boolean[] | null = null): Entry[] {
		if (this.finished) throw new Error('FileImporter: push after finish');
		this.out = [];
		if (text.length === 0) return this.out;
		if (replacements !== null) for (const kind of replacements) this.replacementKinds.push(kind);
		else if (text.indexOf('\uFFFD') !== -1) for (let n = countReplacements(text); n > 0; n--) this.replacementKinds.push(true);
		if (this.phase === 'splitting') (this.splitter as LineSplitter | JsonRecordSplitter).push(text);
		else if (this.phase === 'detecting') this.detect(text, false);
		return this.out;
	}

	/** A record that arrives parsed, not as text (a Parquet row; `line`: its 1-based row number), handled as a JSON line. */
	pushRecord(value: unknown, line: number): Entry[] {
		if (this.finished) throw new Error('FileImporter: push after finish');
		this.out = [];
		if (this.phase === 'detecting') [this.phase, this.report.container] = ['splitting', 'parquet'];
		this.report.records++;
		this.report.lines = Math.max(this.report.lines, line);
		this.builder.beginRecord(line);
		const errorsBefore = this.report.errorCount;
		[this.unwrapped, this.convertedRaw] = [false, null];
		this.onValue(value, line, () => `row ${line}: ${(JSON.stringify(value) ?? '').slice(0, 200)}`);
		if (!this.unwrapped) this.tallyOutcome(value, errorsBefore);
		return this.out;
	}

	/** End of input: returns the remaining entries (a last line without newline, a chat log). */
	finish(): Entry[] {
		this.out = [];
		if (this.finished) return this.out;
		this.finished = true;
		if (this.phase === 'detecting') this.detect('', true);
		if (this.phase === 'splitting' && this.splitter !== null) {
			this.splitter.finish();
			this.report.lines = this.splitter.lineCount;
		}
		this.flushChat();
		return this.out;
	}

	/** Marks the file as rejected before any text (the worker's byte sniff said binary). */
	reject(container: 'binary' | 'text', reason: string): FileImportReport {
		this.phase = 'rejected';
		this.report.container = container;
		this.report.fatal = reason;
		return this.report;
	}

	// ——— container detection ———

	/**
	 * Holds text back until the container is known. `{` and `[` need the first line: a complete
	 * value on it means JSON Lines (for `[`, only when more follows it: a minified array is one
	 * line too). Only the new text is scanned each time, so tiny chunks cost linear time.
	 */
	private detect(text: string, final: boolean): void {
		if (text.length > 0) {
			this.held.push(text);
			this.heldLength += text.length;
		}
		let i = 0;
		if (this.firstChar === -1) {
			if (this.held.length === 1 && text.charCodeAt(0) === BOM) i = 1;
			while (i < text.length && isSpace(text.charCodeAt(i))) i++;
			if (i < text.length) this.firstChar = text.charCodeAt(i);
			else {
				if (final) {
					this.report.container = 'empty';
					this.report.fatal = EMPTY_FILE_MESSAGE;
					this.phase = 'rejected';
					this.held = [];
				}
				return;
			}
		}
		const opensArray = this.firstChar === 0x5b; /* [ */
		const offset = this.heldLength - text.length;
		if (!this.firstLineEnded) {
			const end = findLineEnd(text, i);
			if (end !== -1) {
				this.firstLineEnded = true;
				this.firstLineEndAt = offset + end;
				i = end;
			}
		}
		if (!opensArray && this.firstChar !== 0x7b /* { */) {
			// Not JSON; wait for the first line anyway, so the message quotes it whatever the chunking.
			if (!this.firstLineEnded && !final && this.heldLength <= 4096) return;
			// A first record that is `null`, `42` or `"text"` followed by objects is JSON Lines with a
			// bad first line, not a file to refuse whole.
			if (this.firstLineEnded && this.firstLineEndAt <= 4096 && isCompleteJson(this.firstLine())) {
				const next = this.nextAfterFirstLine();
				if (next === -1 && !final && this.heldLength <= SCALAR_LOOKAHEAD) return;
				if (next === 0x7b || next === 0x5b) return this.startSplitting('jsonl');
			}
			this.rejectText();
			return;
		}
		if (opensArray && this.firstLineEnded && !this.moreAfterFirstLine) {
			while (i < text.length && isSpace(text.charCodeAt(i))) i++;
			if (i < text.length) {
				this.moreAfterFirstLine = true;
				this.moreAt = offset + i;
			}
		}
		// The first line decides when what it needs lies within the first maxRecordLength
		// characters; otherwise the container is guessed once that many are held. Deciding on
		// positions, not on how much happened to arrive, gives one answer for any chunking.
		const limit = this.maxRecordLength;
		const lineDecides = this.firstLineEndAt <= limit && (!opensArray || this.moreAt <= limit);
		if (!lineDecides) {
			if (this.heldLength > limit) return this.startSplitting(opensArray ? 'json-array' : 'jsonl');
			if (!final) return;
		}
		const firstLine = this.firstLine();
		if (opensArray) return this.startSplitting(this.moreAfterFirstLine && isCompleteJson(firstLine) ? 'jsonl' : 'json-array');
		if (isCompleteJson(firstLine)) return this.startSplitting('jsonl');
		// Not complete on its own line. A pretty-printed document's first line ends with an
		// opener or a comma (`{`, `{"name": "x",`); a broken JSON Lines record usually does not.
		const last = firstLine.charCodeAt(firstLine.length - 1);
		const opensDocument = last === 0x7b || last === 0x5b || last === 0x2c || last === 0x3a;
		this.startSplitting(opensDocument ? 'json' : 'jsonl');
	}

	/** The first non-blank line of the held text, trimmed. */
	private firstLine(): string {
		const all = this.held.length === 1 ? this.held[0] : this.held.join('');
		this.held = [all];
		let start = all.charCodeAt(0) === BOM ? 1 : 0;
		while (start < all.length && isSpace(all.charCodeAt(start))) start++;
		const end = findLineEnd(all, start);
		return all.slice(start, end === -1 ? all.length : end).trimEnd();
	}

	/** The first non-space character after the first line within SCALAR_LOOKAHEAD, or -1. */
	private nextAfterFirstLine(): number {
		const all = this.held.length === 1 ? this.held[0] : this.held.join('');
		this.held = [all];
		const end = Math.min(all.length, SCALAR_LOOKAHEAD);
		for (let i = this.firstLineEndAt; i < end; i++) if (!isSpace(all.charCodeAt(i))) return all.charCodeAt(i);
		return -1;
	}

	private rejectText(): void {
		const all = this.held.join('');
		// Quote the line detection stopped at (the first with a non-space character), so the
		// message is the same however the text arrived.
		let start = all.charCodeAt(0) === BOM ? 1 : 0;
		while (start < all.length && isSpace(all.charCodeAt(start))) start++;
		const end = findLineEnd(all, start);
		const firstLine = all.slice(start, end === -1 ? all.length : end).trim().slice(0, 60);
		this.report.container = 'text';
		this.report.fatal = `${NOT_A_DATASET_MESSAGE} (the file starts with "${firstLine}")`;
		this.phase = 'rejected';
		this.held = [];
	}

	private startSplitting(container: 'jsonl' | 'json-array' | 'json'): void {
		this.report.container = container;
		const options = { maxLineLength: this.maxRecordLength, maxRecordLength: this.maxRecordLength };
		if (container === 'jsonl') {
			this.splitter = new LineSplitter(
				{
					line: (text, line) => this.onRecordText(text, line, false),
					overlong: (line, length, head) => this.onOverlong(line, length, head)
				},
				options
			);
		} else {
			this.splitter = new JsonRecordSplitter(
				{
					record: (text, line, truncated) => this.onRecordText(text, line, truncated),
					overlong: (line, length, head) => this.onOverlong(line, length, head),
					problem: (line, excerpt, reason) => this.builder.error(line, excerpt, reason)
				},
				options
			);
		}
		this.phase = 'splitting';
		const held = this.held;
		this.held = [];
		for (const text of held) this.splitter.push(text);
	}

	// ——— records ———

	private onOverlong(line: number, length: number, head: string): void {
		this.report.records++;
		const megabytes = (length / (1024 * 1024)).toFixed(1);
		this.builder.error(line, head, `line too long (${megabytes} MB; the limit is ${Math.round(this.maxRecordLength / (1024 * 1024))} MB)`);
	}

	private onRecordText(text: string, line: number, truncated: boolean): void {
		this.report.records++;
		this.builder.beginRecord(line);
		if (text.indexOf('\uFFFD') !== -1 && this.takeReplacements(countReplacements(text))) this.report.invalidUtf8Lines++;
		if (text.charCodeAt(0) === BOM) {
			// A byte-order mark at the start of a later line: two files joined with `cat`.
			text = text.slice(1);
			this.builder.note('a byte-order mark at the start of a line was ignored (files joined together?)');
		}
		let value: unknown;
		try {
			value = JSON.parse(text);
		} catch (error) {
			this.builder.error(
				line,
				text,
				truncated ? 'truncated record: the file ends inside it' : `invalid JSON: ${jsonErrorMessage(error)}`
			);
			return;
		}
		const errorsBefore = this.report.errorCount;
		this.unwrapped = false;
		this.convertedRaw = null;
		this.onValue(value, line, text);
		if (!this.unwrapped) this.tallyOutcome(value, errorsBefore);
	}

	/** Takes the kinds of the next `count` U+FFFD characters: whether any was a decoding error. */
	private takeReplacements(count: number): boolean {
		const kinds = this.replacementKinds;
		let error = false;
		for (let n = 0; n < count; n++) {
			// Text outside records (an overlong line) can leave the queue short: count as an error then.
			error = (this.replacementHead < kinds.length ? kinds[this.replacementHead++] : true) || error;
		}
		if (this.replacementHead > 4096 && this.replacementHead * 2 > kinds.length) {
			this.replacementKinds = kinds.slice(this.replacementHead);
			this.replacementHead = 0;
		}
		return error;
	}

	/** After a record: the notebook's view of it when it was refused or converted. */
	private tallyOutcome(value: unknown, errorsBefore: number): void {
		if (this.report.errorCount > errorsBefore) this.tallyRefused(value);
		else if (this.convertedRaw !== null) this.tallyConverted(this.convertedRaw);
		this.convertedRaw = null;
	}

	/** Counts a refused record as OpenAI's notebook would (see `FileImportReport.cookbookNotImported`). */
	private tallyRefused(value: unknown): void {
		cookbookCounts(value, (this.report.cookbookNotImported ??= {}));
	}

	/** Counts a record converted from another shape as the notebook would see it in the file. */
	private tallyConverted(value: unknown): void {
		cookbookCounts(value, (this.report.cookbookConverted ??= {}));
	}

	private onValue(value: unknown, line: number, text: RecordText): void {
		if (this.pendingConverted.length > 0) this.pendingConverted = [];
		if (typeof value !== 'object' || value === null) {
			this.builder.error(line, textOf(text), `not an object (${describeJsonType(value)})`);
			return;
		}
		const inspected = inspectParsed(value, MAX_NESTING_DEPTH);
		if (inspected.tooDeep) {
			this.builder.error(line, textOf(text), `nested too deeply (more than ${MAX_NESTING_DEPTH} levels)`);
			return;
		}
		if (inspected.nonFinite && typeof text === 'string') {
			value = JSON.parse(quoteOutOfRangeNumbers(text));
			this.builder.note('a number beyond the range of a double (such as 1e400) kept as text instead of becoming null');
		}
		if (Array.isArray(value)) {
			this.flushChat(line);
			if (value.length > 0 && value.every(looksLikeTurn)) this.emit('turn-list', convertTurnList(value, this.ctx), line, text);
			else this.builder.error(line, textOf(text), 'not an object (a list, but not a list of turns)');
			return;
		}
		const record = value as JsonRecord;
		const shape = detectRecordShape(record);
		if (!KEEPS_MESSAGES.has(shape) && shape !== 'unknown') {
			// Records without an OpenAI messages list: what the notebook would count in the file.
			if (shape === 'isf-error' || shape === 'character-card' || shape === 'lorebook') this.tallyRefused(record);
			else this.convertedRaw = record;
		}
		if (shape !== 'sillytavern-message') this.flushChat(line);
		switch (shape) {
			case 'openai':
				return this.emit('openai', convertOpenAi(record, this.ctx), line, text);
			case 'llamafactory':
				return this.emit('llamafactory', convertLlamaFactory(record, this.ctx), line, text);
			case 'isf-annotated':
				return this.emit('isf-annotated', convertIsfAnnotated(record, this.ctx), line, text);
			case 'sharegpt':
				return this.emit('sharegpt', convertShareGpt(record, this.ctx), line, text);
			case 'sharegpt-pairs':
				return this.emit('sharegpt-pairs', convertShareGptPairs(record, this.ctx), line, text);
			case 'alpaca':
				return this.emit('alpaca', convertAlpaca(record, this.ctx), line, text);
			case 'prompt-response':
				return this.emit('prompt-response', convertPromptResponse(record, this.ctx), line, text);
			case 'prompt-completion':
				return this.emit('prompt-completion', convertPromptCompletion(record, this.ctx), line, text);
			case 'llamafactory-ranking':
			case 'llamafactory-kto':
			case 'trl-preference':
			case 'trl-kto':
				return this.emit(shape, convertPreference(shape, record, this.ctx), line, text);
			case 'skein':
				return this.onSkein(record, line, text);
			case 'isf-error':
				return this.onIsfError(record, line);
			case 'character-card':
				return this.onCard(record, line);
			case 'lorebook':
				return this.onLorebook(record, line);
			case 'sillytavern-header':
				this.chat = new SillyTavernChat({ ...record }, line);
				return;
			case 'sillytavern-message':
				if (this.chat === null) this.chat = new SillyTavernChat(null, line);
				this.chat.messages.push(convertSillyTavernMessage(record, this.ctx));
				return;
			case 'unknown': {
				const wrapped = findWrappedRecords(record);
				if (wrapped === null) {
					this.builder.error(line, textOf(text), `unknown shape (keys: ${describeKeys(record)})`);
					return;
				}
				return this.onWrapped(record, wrapped, line);
			}
		}
	}

	/**
	 * An object that wraps the records in lists ({"data": [...]}, {"train": [...], "test": [...]},
	 * the Hugging Face dataset-viewer's {"rows": [{"row": {...}}]}): each item is a record of its
	 * own, counted and reported as such; the report names the key (and tags entries with their
	 * split when there are several lists).
	 */
	private onWrapped(record: JsonRecord, wrapped: WrappedList[], line: number): void {
		this.unwrapped = true;
		const keys = describeKeys(record);
		const several = wrapped.length > 1;
		this.report.records--;
		for (const list of wrapped) {
			const where = list.rows ? `"${list.key}[].row"` : `"${list.key}"`;
			const note = `records read from the ${where} list of a wrapping object (keys: ${keys})${list.rows ? ': the Hugging Face dataset-viewer rows format' : ''}${several ? `; entries tagged "${list.tag}"` : ''}`;
			for (let i = 0; i < list.items.length; i++) {
				const raw = list.items[i];
				const item = list.rows && isRecord(raw) && isRecord(raw.row) ? raw.row : raw;
				this.report.records++;
				this.builder.beginRecord(line);
				this.builder.note(note);
				const before = this.out.length;
				const errorsBefore = this.report.errorCount;
				this.convertedRaw = null;
				this.onValue(item, line, () => `${list.key}[${i}]: ${(JSON.stringify(item) ?? '').slice(0, 200)}`);
				this.tallyOutcome(item, errorsBefore);
				if (several) {
					const tag = this.tagLookup?.get(list.tag) ?? list.tag;
					for (let e = before; e < this.out.length; e++) if (!this.out[e].tags.includes(tag)) this.out[e].tags.push(tag);
				}
			}
		}
	}

	private emit(format: FormatId, conversion: Conversion, line: number, text: RecordText): void {
		if (typeof conversion === 'string') {
			this.builder.error(line, textOf(text), conversion);
			return;
		}
		this.addEntry(this.buildEntry(format, conversion, line), format);
	}

	private buildEntry(format: FormatId, converted: ConvertedRecord, line: number): Entry {
		const meta: EntryMeta = { review: 'draft', source: { format, file: this.opts.fileName, line } };
		if (converted.provenance !== undefined) meta.provenance = converted.provenance;
		if (format !== 'sillytavern-chat' && this.pendingConverted.length > 0) {
			const flags: ContentConversion[] = [];
			for (const { message, was } of this.pendingConverted) {
				const index = converted.messages.indexOf(message);
				if (index !== -1) flags.push({ message: index, was, text: typeof message.content === 'string' ? message.content : null });
			}
			if (flags.length > 0) meta.contentConverted = flags;
			this.pendingConverted = [];
		}
		const entry: Entry = { id: this.freshId(), messages: converted.messages, tags: [], meta, extra: converted.extra, hash: hashMessages(converted.messages) };
		if (converted.preference !== undefined) entry.preference = converted.preference;
		return entry;
	}

	private addEntry(entry: Entry, format: FormatId): void {
		if (this.tagLookup !== null && entry.tags.length > 0) {
			const imported = importTags(entry.tags, this.tagLookup);
			entry.tags = imported.tags;
			for (const change of imported.changes) this.builder.note(describeImportedTag(change));
		}
		this.usedIds.add(entry.id);
		if (entry.preference !== undefined) this.report.preference = countPreference(this.report.preference, entry.preference);
		this.report.imported++;
		this.report.formats[format] = (this.report.formats[format] ?? 0) + 1;
		this.out.push(entry);
	}

	private freshId(): string {
		let id = this.opts.newId();
		// newId is unique in the dataset, but a Skein record earlier in this file may carry it.
		for (let tries = 0; this.usedIds.has(id) && tries < 1000; tries++) id = this.opts.newId();
		return id;
	}

	private onSkein(record: JsonRecord, line: number, text: RecordText): void {
		const entry = convertSkein(record);
		if (typeof entry === 'string') {
			this.builder.error(line, textOf(text), entry);
			return;
		}
		if (this.usedIds.has(entry.id) || (this.opts.isIdTaken?.(entry.id) ?? false)) {
			entry.id = this.freshId();
			this.ctx.note('Skein id already taken in this dataset or file: a new id was issued');
		}
		const hash = hashMessages(entry.messages);
		if (hash !== entry.hash) {
			entry.hash = hash;
			this.ctx.note('content hash recomputed (the messages were changed outside Skein)');
		}
		this.addEntry(entry, 'skein');
	}

	private onIsfError(record: JsonRecord, line: number): void {
		const error = record.__ERROR__;
		const errorType = isRecord(error) && typeof error.error === 'string' ? error.error : 'unknown';
		const message = isRecord(error) && typeof error.message === 'string' ? error.message : '';
		this.builder.isfError(line, errorType, message);
	}

	private onCard(record: JsonRecord, line: number): void {
		const card = recogniseCharacterCard(record);
		if (card === null) return;
		this.report.cards.push({ line, name: card.name, spec: card.spec, container: 'json' });
		this.ctx.note(CARD_NOTE);
	}

	private onLorebook(record: JsonRecord, line: number): void {
		const book = recogniseLorebook(record);
		if (book === null) return;
		const name = book.name || this.opts.fileName.replace(/\.[^.]*$/, '');
		(this.report.lorebooks ??= []).push({ line, name, kind: book.kind, entries: book.entries.length, enabled: book.entries.filter((entry) => entry.enabled).length });
		this.ctx.note(LOREBOOK_NOTE);
	}

	/** Turns a collected chat log into its entry; `resumeLine` is the record being handled now. */
	private flushChat(resumeLine?: number): void {
		const chat = this.chat;
		if (chat === null) return;
		this.chat = null;
		this.builder.beginRecord(chat.line);
		this.addEntry(this.buildEntry('sillytavern-chat', chat.toConverted(this.ctx), chat.line), 'sillytavern-chat');
		if (resumeLine !== undefined) this.builder.beginRecord(resumeLine);
	}
}

interface WrappedList {
	key: string;
	items: readonly unknown[];
	/** Items are Hugging Face dataset-viewer rows ({row_idx, row, truncated_cells}). */
	rows: boolean;
	/** The split tag for its entries, when an object wraps several lists. */
	tag: string;
}

function isViewerRow(item: unknown): boolean {
	return isRecord(item) && isRecord(item.row) && Object.keys(item).every((key) => key === 'row' || key === 'row_idx' || key === 'truncated_cells');
}

/**
 * The lists of records an unknown-shaped object wraps: the keys whose value is a non-empty list of
 * objects whose first item (or its `row`) is a record of a known format. Null when there are none,
 * so an object that merely has a list of something stays "unknown shape".
 */
export function findWrappedRecords(record: JsonRecord): WrappedList[] | null {
	const lists: WrappedList[] = [];
	for (const key of Object.keys(record)) {
		const value = record[key];
		if (!Array.isArray(value) || value.length === 0 || !isRecord(value[0])) continue;
		const rows = isViewerRow(value[0]);
		const first = rows ? (value[0] as JsonRecord).row : value[0];
		if (!isRecord(first) || detectRecordShape(first) === 'unknown') continue;
		lists.push({ key, items: value, rows, tag: slugTag(key) });
	}
	return lists.length > 0 ? lists : null;
}

function slugTag(key: string): string {
	return slugifyTag(key) || 'split';
}

/** A record's source text, or a function that makes an excerpt of it (only needed on errors). */
type RecordText = string | (() => string);

function textOf(text: RecordText): string {
	return typeof text === 'string' ? text : text();
}

function isCompleteJson(text: string): boolean {
	try {
		JSON.parse(text);
		return true;
	} catch {
		return false;
	}
}

/** Index of the first LF or CR at or after `from`, or -1. */
function findLineEnd(text: string, from: number): number {
	const lf = text.indexOf('\n', from);
	const cr = text.indexOf('\r', from);
	if (lf === -1) return cr;
	if (cr === -1) return lf;
	return Math.min(lf, cr);
}

/** Convenience for tests and pasted text: the whole text at once. */
export function importText(text: string, opts: FileImporterOptions): { entries: Entry[]; report: FileImportReport } {
	const importer = new FileImporter(opts);
	const entries = importer.push(text);
	for (const entry of importer.finish()) entries.push(entry);
	return { entries, report: importer.report };
}

/** A PNG file: recognises a SillyTavern character card in its `chara` / `ccv3` text chunk. */
export function importPng(bytes: Uint8Array, opts: FileImporterOptions): { entries: Entry[]; report: FileImportReport } {
	const report = emptyFileReport(opts.fileName, opts.sizeBytes, 'png');
	const chunks = readPngTextChunks(bytes);
	if (chunks === null) {
		report.fatal = 'this is not a PNG file (its signature is wrong)';
		return { entries: [], report };
	}
	const chunk = findCardChunk(chunks);
	if (chunk === null) {
		report.fatal = NO_CARD_IN_PNG_MESSAGE;
		return { entries: [], report };
	}
	report.records = 1;
	const json = decodeBase64Utf8(chunk.text);
	if (json === null) {
		report.fatal = `this PNG has a character card chunk ("${chunk.keyword}"), but it is not valid base64`;
		return { entries: [], report };
	}
	let value: unknown;
	try {
		value = JSON.parse(json);
	} catch (error) {
		report.fatal = `this PNG has a character card chunk ("${chunk.keyword}"), but its JSON is invalid: ${jsonErrorMessage(error)}`;
		return { entries: [], report };
	}
	const card = isRecord(value) && !exceedsDepth(value) ? recogniseCharacterCard(value) : null;
	if (card === null) {
		report.fatal = `this PNG has a "${chunk.keyword}" text chunk, but it does not hold a character card`;
		return { entries: [], report };
	}
	report.cards.push({ line: 0, name: card.name, spec: card.spec, container: 'png' });
	const builder = new ReportBuilder(report);
	builder.beginRecord(0);
	builder.note(CARD_NOTE);
	return { entries: [], report };
}
