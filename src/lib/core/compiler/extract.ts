/**
 * The tolerant reply extractor: finds the JSON records in what an external model wrote back.
 *
 * Models wrap their output in fenced code blocks, put prose before and after it, return a JSON
 * array instead of lines, leave trailing commas, break lines inside strings, or stop mid-object
 * when they run out of tokens. The extractor reads fenced blocks when there are any (else the
 * whole reply), scans them for JSON objects and arrays with a string-aware bracket matcher,
 * repairs the two safe mistakes (trailing commas, raw control characters inside strings), salvages
 * the complete elements of a truncated array, and reports everything it could not use with its
 * line. Converting the records into entries is the importer's job (core/import/file-importer.ts).
 */
import { exceedsDepth, isRecord, jsonErrorMessage, type JsonRecord } from '../json-safety';

export interface ExtractedRecord {
	record: JsonRecord;
	/** 1-based line of the reply where the record starts. */
	line: number;
	/** Whether a repair (trailing comma, raw line break in a string) was needed. */
	repaired: boolean;
}

export interface ExtractProblem {
	line: number;
	excerpt: string;
	reason: string;
}

export interface ExtractResult {
	records: ExtractedRecord[];
	/** JSON-looking text that could not be used. */
	problems: ExtractProblem[];
	/** Prose around the data, ignored (shown so the user sees nothing was silently dropped). */
	ignored: ExtractProblem[];
	notes: string[];
}

/** Longest reply accepted (characters): a paste, not a dataset file. */
export const MAX_REPLY_LENGTH = 20_000_000;
const EXCERPT = 100;
/** Keys under which models nest their list of entries ({"entries": [...]}). */
const WRAPPER_KEYS = ['entries', 'data', 'dataset', 'examples', 'items', 'samples', 'results'];
/** A line's text up to its first `{`: indentation, then at most a list marker ("3.", "4)", "-"). */
const RECORD_LINE = /^([ \t]*)(?:\d{1,6}[.)][ \t]*|[-*•][ \t]+)?\{$/;

function excerpt(text: string): string {
	const flat = text.replace(/\s+/g, ' ').trim();
	return flat.length > EXCERPT ? `${flat.slice(0, EXCERPT - 1)}…` : flat;
}

interface Region {
	text: string;
	/** Offset of `text` in the whole reply. */
	offset: number;
}

/** Fenced code blocks (``` or ~~~, any info string); an unclosed last fence runs to the end. */
function fencedRegions(reply: string): { regions: Region[]; outside: Region[] } | null {
	const fence = /^[ \t]*(`{3,}|~{3,})[^\n]*$/gm;
	const marks: { start: number; end: number; marker: string }[] = [];
	for (let m = fence.exec(reply); m; m = fence.exec(reply)) marks.push({ start: m.index, end: m.index + m[0].length, marker: m[1] });
	if (!marks.length) return null;
	const regions: Region[] = [];
	const outside: Region[] = [];
	let cursor = 0;
	let i = 0;
	while (i < marks.length) {
		const open = marks[i];
		outside.push({ text: reply.slice(cursor, open.start), offset: cursor });
		const bodyStart = Math.min(open.end + 1, reply.length);
		let close = i + 1;
		while (close < marks.length && !(marks[close].marker[0] === open.marker[0] && marks[close].marker.length >= open.marker.length)) close++;
		if (close < marks.length) {
			regions.push({ text: reply.slice(bodyStart, marks[close].start), offset: bodyStart });
			cursor = marks[close].end;
			i = close + 1;
		} else {
			regions.push({ text: reply.slice(bodyStart), offset: bodyStart });
			cursor = reply.length;
			i = marks.length;
		}
	}
	outside.push({ text: reply.slice(cursor), offset: cursor });
	return { regions, outside };
}

/**
 * From an opening bracket, the index just past its matching closer; `truncated` when the text
 * ends first; `mismatch` at a closer of the wrong kind.
 */
function matchBrackets(text: string, start: number): { end: number; state: 'complete' | 'truncated' | 'mismatch' } {
	const stack: string[] = [];
	let inString = false;
	for (let i = start; i < text.length; i++) {
		const c = text[i];
		if (inString) {
			if (c === '\\') i++;
			else if (c === '"') inString = false;
			continue;
		}
		if (c === '"') inString = true;
		else if (c === '{') stack.push('}');
		else if (c === '[') stack.push(']');
		else if (c === '}' || c === ']') {
			if (stack.pop() !== c) return { end: i + 1, state: 'mismatch' };
			if (!stack.length) return { end: i + 1, state: 'complete' };
		}
	}
	return { end: text.length, state: 'truncated' };
}

/** The safe repairs: drop trailing commas, escape raw control characters inside strings. */
function repairJson(text: string): string {
	let out = '';
	let inString = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (inString) {
			if (c === '\\') {
				out += c + (text[i + 1] ?? '');
				i++;
			} else if (c === '"') {
				inString = false;
				out += c;
			} else if (c === '\n') out += '\\n';
			else if (c === '\r') out += '\\r';
			else if (c === '\t') out += '\\t';
			else out += c;
			continue;
		}
		if (c === '"') inString = true;
		if (c === ',') {
			let j = i + 1;
			while (j < text.length && /\s/.test(text[j])) j++;
			if (text[j] === '}' || text[j] === ']') continue;
		}
		out += c;
	}
	return out;
}

function parseTolerant(text: string): { ok: true; value: unknown; repaired: boolean } | { ok: false; error: string } {
	try {
		return { ok: true, value: JSON.parse(text), repaired: false };
	} catch (error) {
		try {
			return { ok: true, value: JSON.parse(repairJson(text)), repaired: true };
		} catch {
			return { ok: false, error: jsonErrorMessage(error) };
		}
	}
}

class LineIndex {
	private readonly starts: number[] = [0];
	constructor(text: string) {
		for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
	}
	lineAt(offset: number): number {
		let lo = 0;
		let hi = this.starts.length - 1;
		while (lo < hi) {
			const mid = (lo + hi + 1) >> 1;
			if (this.starts[mid] <= offset) lo = mid;
			else hi = mid - 1;
		}
		return lo + 1;
	}
}

export function extractRecords(input: string): ExtractResult {
	const result: ExtractResult = { records: [], problems: [], ignored: [], notes: [] };
	if (input.length > MAX_REPLY_LENGTH) {
		result.problems.push({ line: 1, excerpt: excerpt(input.slice(0, 200)), reason: `the reply is longer than ${MAX_REPLY_LENGTH.toLocaleString('en-US')} characters; import it as a file instead` });
		return result;
	}
	const reply = input.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
	const lines = new LineIndex(reply);
	let repairedCount = 0;
	let unwrapped = 0;
	let salvaged = 0;
	let truncatedArray = false;

	const addValue = (value: unknown, offset: number, repaired: boolean) => {
		if (exceedsDepth(value)) {
			result.problems.push({ line: lines.lineAt(offset), excerpt: '', reason: 'nested too deeply to be a dataset entry' });
			return;
		}
		if (Array.isArray(value)) {
			for (const item of value) {
				if (isRecord(item)) result.records.push({ record: item, line: lines.lineAt(offset), repaired });
				else result.problems.push({ line: lines.lineAt(offset), excerpt: excerpt(JSON.stringify(item) ?? ''), reason: 'an array item that is not an object' });
			}
			return;
		}
		if (!isRecord(value)) return;
		const wrapperKey = WRAPPER_KEYS.find((key) => Array.isArray(value[key]) && (value[key] as unknown[]).every(isRecord) && Object.keys(value).length <= 3);
		if (wrapperKey) {
			unwrapped++;
			addValue(value[wrapperKey], offset, repaired);
			return;
		}
		result.records.push({ record: value, line: lines.lineAt(offset), repaired });
	};

	/**
	 * Where a failed object should give way to the next record: the start of a later line (before
	 * `end`) that opens an object at the same or a smaller indentation, after nothing but an
	 * optional list marker. A cut-off JSON Lines record then costs only its own line; objects nested
	 * inside a pretty-printed record are indented deeper and never count. -1 when there is none.
	 */
	const resyncPoint = (text: string, start: number, end: number): number => {
		const lineStart = text.lastIndexOf('\n', start - 1) + 1;
		const own = RECORD_LINE.exec(text.slice(lineStart, start + 1));
		if (!own) return -1;
		const indent = own[1].length;
		for (let nl = text.indexOf('\n', start); nl !== -1 && nl + 1 < end; nl = text.indexOf('\n', nl + 1)) {
			const brace = text.indexOf('{', nl + 1);
			if (brace === -1) return -1;
			const lineEnd = text.indexOf('\n', nl + 1);
			if (lineEnd !== -1 && brace > lineEnd) continue;
			const next = RECORD_LINE.exec(text.slice(nl + 1, brace + 1));
			if (next && next[1].length <= indent) return nl + 1;
		}
		return -1;
	};

	const scanRegion = (text: string, base: number, reportProse: boolean) => {
		let proseStart = 0;
		const flushProse = (end: number) => {
			const prose = text.slice(proseStart, end);
			if (reportProse && prose.trim() !== '' && !/^[\s,]*$/.test(prose)) {
				const lead = prose.length - prose.trimStart().length;
				result.ignored.push({ line: lines.lineAt(base + proseStart + lead), excerpt: excerpt(prose), reason: 'text around the data, ignored' });
			}
		};
		let i = 0;
		while (i < text.length) {
			const c = text[i];
			if (c !== '{' && c !== '[') {
				i++;
				continue;
			}
			let match = matchBrackets(text, i);
			let parsed = match.state === 'complete' ? parseTolerant(text.slice(i, match.end)) : null;
			if (c === '{' && !parsed?.ok) {
				// A cut-off or broken record must not swallow the lines after it.
				const resync = resyncPoint(text, i, match.end);
				if (resync !== -1) {
					match = matchBrackets(text.slice(0, i + text.slice(i, resync).trimEnd().length), i);
					parsed = match.state === 'complete' ? parseTolerant(text.slice(i, match.end)) : null;
				}
			}
			const candidate = text.slice(i, match.end);
			// Prose brackets ("[1]", "{see above}") are not data: only text with a quoted key-ish
			// string is treated as JSON that failed.
			const looksLikeJson = /"[^"\n]*"\s*:/.test(candidate) || (c === '[' && /^\[\s*[{["]/.test(candidate));
			if (parsed) {
				if (parsed.ok && Array.isArray(parsed.value) && !parsed.value.some(isRecord)) {
					// "[1]", "[see below]" and other lists of scalars in prose: not data.
					i = match.end;
					continue;
				}
				if (parsed.ok) {
					flushProse(i);
					if (parsed.repaired) repairedCount++;
					addValue(parsed.value, base + i, parsed.repaired);
					i = match.end;
					proseStart = i;
					continue;
				}
				if (!looksLikeJson) {
					i++;
					continue;
				}
				flushProse(i);
				if (c === '[') {
					// A broken array: keep its complete objects.
					const before = result.records.length;
					scanRegion(candidate.slice(1, -1), base + i + 1, false);
					salvaged += result.records.length - before;
				} else result.problems.push({ line: lines.lineAt(base + i), excerpt: excerpt(candidate), reason: `invalid JSON: ${parsed.error}` });
				i = match.end;
				proseStart = i;
				continue;
			}
			if (!looksLikeJson) {
				i++;
				continue;
			}
			flushProse(i);
			if (c === '[') {
				const before = result.records.length;
				scanRegion(text.slice(i + 1, match.end), base + i + 1, false);
				salvaged += result.records.length - before;
				if (match.state === 'truncated') truncatedArray = true;
			} else {
				result.problems.push({
					line: lines.lineAt(base + i),
					excerpt: excerpt(candidate),
					reason: match.state !== 'truncated' ? 'mismatched brackets' : match.end < text.length ? 'cut off: this object ends before its closing bracket (the next line starts a new record)' : 'cut off: the reply ends inside this object'
				});
			}
			i = match.end;
			proseStart = i;
		}
		flushProse(text.length);
	};

	const fenced = fencedRegions(reply);
	if (fenced) {
		const blocks = fenced.regions.filter((r) => r.text.trim() !== '');
		if (blocks.length > 1) result.notes.push(`Read ${blocks.length} fenced code blocks.`);
		for (const region of fenced.regions) scanRegion(region.text, region.offset, true);
		for (const region of fenced.outside) scanRegion(region.text, region.offset, true);
	} else scanRegion(reply, 0, true);

	result.records.sort((a, b) => a.line - b.line);
	result.problems.sort((a, b) => a.line - b.line);
	result.ignored.sort((a, b) => a.line - b.line);
	if (repairedCount) result.notes.push(`Repaired ${repairedCount} JSON value${repairedCount === 1 ? '' : 's'} (trailing commas or line breaks inside strings).`);
	if (unwrapped) result.notes.push('Unwrapped a list of entries nested under a key.');
	if (truncatedArray) result.notes.push('A JSON array was not closed (the reply was probably cut off); its complete objects were kept.');
	else if (salvaged) result.notes.push(`Kept ${salvaged} complete object${salvaged === 1 ? '' : 's'} from a broken JSON array.`);
	return result;
}

/** The records as JSON Lines, for the file importer (its line n is record n). */
export function recordsToJsonl(records: readonly ExtractedRecord[]): string {
	return records.map((r) => JSON.stringify(r.record)).join('\n');
}
