/**
 * The raw JSON view of an entry: what the editor shows (`entryToEditableJson`) and how an edit of
 * that text is read back (`replaceEntryFromJson`). Errors carry their location — line and
 * column for a syntax error, a path such as `messages[2].role` for a schema error — so the UI
 * can show each one where it is (SPEC §3: invalid edits are flagged, not silently rejected).
 */
import { hashMessages } from '../hash';
import { exceedsDepth, hasKey, isRecord } from '../json-safety';
import { EntrySchema, type Entry } from '../model';

export interface JsonEditError {
	message: string;
	/** Where a schema error is: `messages[2].role`; '' for the whole value. Absent for syntax errors. */
	path?: string;
	/** Where a syntax error is (1-based), and its offset in the text (0-based). */
	line?: number;
	column?: number;
	offset?: number;
}

export type JsonEditResult = { ok: true; entry: Entry } | { ok: false; errors: JsonEditError[] };

/** Keys the editable JSON may have. `hash` is accepted (and ignored) so a full entry pastes back. */
const EDITABLE_KEYS: ReadonlySet<string> = new Set(['id', 'messages', 'tags', 'characters', 'meta', 'extra', 'hash']);

/** The text the raw editor starts from: the entry without its hash (derived, never edited). */
export function entryToEditableJson(entry: Entry): string {
	const { hash: _hash, ...editable } = entry;
	return JSON.stringify(editable, null, 2);
}

/**
 * Reads an edited entry back. The id cannot change here (it would break history and
 * selections); `tags`, `meta` and `extra` may be left out (defaults: none, draft, none); the
 * hash is recomputed. Unknown top-level keys are errors, not silently dropped: custom fields
 * belong in `extra`.
 */
export function replaceEntryFromJson(text: string, id: string): JsonEditResult {
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch (error) {
		return { ok: false, errors: [syntaxError(text, error)] };
	}
	if (exceedsDepth(parsed)) return { ok: false, errors: [{ path: '', message: 'the JSON is nested too deeply' }] };
	if (!isRecord(parsed)) return { ok: false, errors: [{ path: '', message: 'an entry must be a JSON object' }] };

	const errors: JsonEditError[] = [];
	for (const key of Object.keys(parsed)) {
		if (!EDITABLE_KEYS.has(key)) errors.push({ path: formatPath([key]), message: `unknown key "${key}" (custom fields go in "extra")` });
	}
	if (hasKey(parsed, 'id') && parsed.id !== id) {
		errors.push({ path: 'id', message: `the id cannot be changed here (it is ${JSON.stringify(id)})` });
	}
	const messages = parsed.messages;
	const candidate = {
		id,
		messages,
		tags: hasKey(parsed, 'tags') ? parsed.tags : [],
		...(hasKey(parsed, 'characters') ? { characters: parsed.characters } : {}),
		meta: hasKey(parsed, 'meta') ? parsed.meta : { review: 'draft' },
		extra: hasKey(parsed, 'extra') ? parsed.extra : {},
		hash: ''
	};
	// Validate only: zod's output is a rebuilt copy, and the parsed value is already what we want.
	const result = EntrySchema.safeParse(candidate);
	if (!result.success) {
		for (const issue of result.error.issues) errors.push({ path: formatPath(issue.path), message: issue.message });
	}
	if (errors.length > 0) return { ok: false, errors };
	const entry = candidate as Entry;
	return { ok: true, entry: { ...entry, hash: hashMessages(entry.messages) } };
}

/** `['messages', 2, 'role']` → `messages[2].role`; keys that are not identifiers are quoted. */
export function formatPath(path: readonly PropertyKey[]): string {
	let text = '';
	for (const segment of path) {
		if (typeof segment === 'number') text += `[${segment}]`;
		else {
			const key = String(segment);
			if (/^[A-Za-z_$][\w$]*$/.test(key)) text += text === '' ? key : `.${key}`;
			else text += `[${JSON.stringify(key)}]`;
		}
	}
	return text;
}

function syntaxError(text: string, error: unknown): JsonEditError {
	// Engines word (and place) JSON errors differently — Node 20 gives no position at all — so
	// the location comes from our own scan, and only the fallback message from the engine.
	const located = locateJsonError(text);
	const offset = located?.offset ?? 0;
	const { line, column } = lineAndColumn(text, offset);
	const message = located?.message ?? (error instanceof Error ? error.message : 'invalid JSON');
	return { message, line, column, offset };
}

/** 1-based line and column of a 0-based offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
	let line = 1;
	let lineStart = 0;
	const end = Math.min(offset, text.length);
	for (let i = 0; i < end; i++) {
		if (text.charCodeAt(i) === 10) {
			line++;
			lineStart = i + 1;
		}
	}
	return { line, column: end - lineStart + 1 };
}

type ScanState = 'value' | 'value-or-close' | 'key' | 'key-or-close' | 'colon' | 'after-value' | 'end';

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERALS = ['true', 'false', 'null'];

/**
 * The first syntax error in `text` as a JSON document, or null when it is valid. An iterative
 * scan (an explicit stack, no recursion), so hostile nesting cannot overflow it.
 */
export function locateJsonError(text: string): { offset: number; message: string } | null {
	const stack: string[] = [];
	let state: ScanState = 'value';
	let i = 0;
	const n = text.length;
	const afterValue = (): ScanState => (stack.length === 0 ? 'end' : 'after-value');

	while (true) {
		while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
		if (i >= n) {
			if (state === 'end') return null;
			return { offset: n, message: 'unexpected end of the JSON text' + (stack.length ? ` (unclosed "${stack[stack.length - 1]}")` : '') };
		}
		const char = text[i];
		switch (state) {
			case 'end':
				return { offset: i, message: `unexpected ${describeChar(char)} after the end of the value` };
			case 'colon':
				if (char !== ':') return { offset: i, message: `expected ":" after the key, found ${describeChar(char)}` };
				i++;
				state = 'value';
				continue;
			case 'after-value': {
				const close = stack[stack.length - 1] === '{' ? '}' : ']';
				if (char === ',') {
					i++;
					state = close === '}' ? 'key' : 'value';
				} else if (char === close) {
					i++;
					stack.pop();
					state = afterValue();
				} else return { offset: i, message: `expected "," or "${close}", found ${describeChar(char)}` };
				continue;
			}
			case 'key':
			case 'key-or-close':
				if (char === '}' && state === 'key-or-close') {
					i++;
					stack.pop();
					state = afterValue();
					continue;
				}
				if (char !== '"') {
					return { offset: i, message: `expected a key in double quotes, found ${describeChar(char)}` + (char === '}' ? ' (trailing comma?)' : '') };
				}
				{
					const end = scanString(text, i);
					if (typeof end !== 'number') return end;
					i = end;
				}
				state = 'colon';
				continue;
			case 'value-or-close':
				if (char === ']') {
					i++;
					stack.pop();
					state = afterValue();
					continue;
				}
			// falls through: anything else must be a value
			case 'value': {
				if (char === '{' || char === '[') {
					stack.push(char);
					i++;
					state = char === '{' ? 'key-or-close' : 'value-or-close';
					continue;
				}
				if (char === '"') {
					const end = scanString(text, i);
					if (typeof end !== 'number') return end;
					i = end;
					state = afterValue();
					continue;
				}
				NUMBER.lastIndex = i;
				if (NUMBER.test(text)) {
					i = NUMBER.lastIndex;
					state = afterValue();
					continue;
				}
				const literal = LITERALS.find((word) => text.startsWith(word, i));
				if (literal) {
					i += literal.length;
					state = afterValue();
					continue;
				}
				return { offset: i, message: `expected a value, found ${describeChar(char)}` + (char === ']' ? ' (trailing comma?)' : '') };
			}
		}
	}
}

/** The offset just past a string starting at `start` (a double quote), or the error in it. */
function scanString(text: string, start: number): number | { offset: number; message: string } {
	let i = start + 1;
	while (i < text.length) {
		const code = text.charCodeAt(i);
		if (code === 0x22) return i + 1;
		if (code < 0x20) return { offset: i, message: 'a control character (such as a line break) inside a string must be escaped' };
		if (code === 0x5c) {
			const next = text[i + 1];
			if (next === 'u') {
				if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return { offset: i, message: 'a \\u escape needs four hex digits' };
				i += 6;
				continue;
			}
			if (next === undefined || !'"\\/bfnrt'.includes(next)) return { offset: i, message: `invalid escape "\\${next ?? ''}" in a string` };
			i += 2;
			continue;
		}
		i++;
	}
	return { offset: start, message: 'a string is not closed' };
}

function describeChar(char: string): string {
	return JSON.stringify(char);
}

/**
 * A deep copy of an entry for an editor's draft. Entries hold only JSON values (imports parse
 * JSON; numbers beyond double range are kept as text), so copying objects and arrays and keeping
 * everything else (strings are immutable) copies exactly — like a JSON round trip, `undefined`
 * properties are dropped — without re-encoding the text: a JSON round trip of a 30 MB message
 * was the longest task of opening the editor, and it is faster than `structuredClone` on 10,000
 * messages.
 */
export function copyEntry<T extends object>(entry: T): T {
	return copyJson(entry) as T;
}

function copyJson(value: unknown): unknown {
	if (value === null || typeof value !== 'object') return value;
	if (Array.isArray(value)) {
		const copy = new Array<unknown>(value.length);
		for (let i = 0; i < value.length; i++) copy[i] = value[i] === undefined ? null : copyJson(value[i]);
		return copy;
	}
	const copy: Record<string, unknown> = {};
	for (const key of Object.keys(value)) {
		const item = (value as Record<string, unknown>)[key];
		if (item === undefined) continue;
		// JSON.parse makes "__proto__" an own key; assigning it would set the prototype instead.
		if (key === '__proto__') Object.defineProperty(copy, key, { value: copyJson(item), enumerable: true, writable: true, configurable: true });
		else copy[key] = copyJson(item);
	}
	return copy;
}

/**
 * Whether two JSON values would serialise to the same text (same keys in the same order, same
 * values) — what `JSON.stringify(a) === JSON.stringify(b)` answers, without writing out 30 MB of
 * text for an entry holding a huge message (an unchanged draft shares its strings, which then
 * compare at once).
 */
export function sameJson(a: unknown, b: unknown): boolean {
	if (a === b) return true;
	if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
	if (Array.isArray(a) !== Array.isArray(b)) return false;
	if (Array.isArray(a)) {
		const other = b as unknown[];
		if (a.length !== other.length) return false;
		for (let i = 0; i < a.length; i++) if (!sameJson(a[i] ?? null, other[i] ?? null)) return false;
		return true;
	}
	const left = Object.keys(a).filter((key) => (a as Record<string, unknown>)[key] !== undefined);
	const right = Object.keys(b).filter((key) => (b as Record<string, unknown>)[key] !== undefined);
	if (left.length !== right.length) return false;
	for (let i = 0; i < left.length; i++) {
		if (left[i] !== right[i]) return false;
		if (!sameJson((a as Record<string, unknown>)[left[i]], (b as Record<string, unknown>)[left[i]])) return false;
	}
	return true;
}
