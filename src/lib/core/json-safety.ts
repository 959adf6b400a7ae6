/**
 * Helpers for handling untrusted parsed JSON without surprises.
 *
 * `JSON.parse` turns a `"__proto__"` key into an ordinary own property, which is harmless until
 * someone copies it with `target[key] = value` (that assignment calls the `__proto__` setter and
 * swaps the target's prototype). Everything here copies with `Object.fromEntries` or object spread,
 * which define own properties, and walks nested values with an explicit stack, so neither hostile
 * keys nor hostile depth can hurt the caller.
 */

export type JsonRecord = Record<string, unknown>;

/** A JSON object (not an array, not null). */
export function isRecord(value: unknown): value is JsonRecord {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Own-key check that ignores `Object.prototype` (so `"constructor"` is not "present"). */
export function hasKey(record: object, key: string): boolean {
	return Object.prototype.hasOwnProperty.call(record, key);
}

/** Reads an own property only, never one inherited from `Object.prototype`. */
export function ownValue(record: object, key: string): unknown {
	return hasKey(record, key) ? (record as JsonRecord)[key] : undefined;
}

/**
 * A copy of `record` without the given keys, built with `Object.fromEntries` (safe for
 * `__proto__`). Returns a fresh empty object quickly when nothing else is left.
 */
export function omitKeys(record: JsonRecord, omit: ReadonlySet<string>): JsonRecord {
	const keys = Object.keys(record);
	let kept = 0;
	for (const key of keys) if (!omit.has(key)) kept++;
	if (kept === 0) return {};
	const entries: [string, unknown][] = [];
	for (const key of keys) if (!omit.has(key)) entries.push([key, record[key]]);
	return Object.fromEntries(entries);
}

/** Sets one own property, even when the key is `__proto__`. */
export function defineOwn(target: object, key: string, value: unknown): void {
	Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Deepest nesting Skein accepts in a record; deeper values would break recursive code later
 * (`JSON.stringify`, structured clone, zod) with a stack overflow. */
export const MAX_NESTING_DEPTH = 200;

/**
 * Whether `root` has objects or arrays nested more than `limit` levels deep (the root object is
 * level 1). Iterative, and it stops descending at the limit, so its own cost is bounded by the
 * size of the value and it cannot overflow the stack.
 */
export function exceedsDepth(root: unknown, limit: number = MAX_NESTING_DEPTH): boolean {
	return inspectParsed(root, limit).tooDeep;
}

/**
 * One walk over a parsed value for what the importer must know: nesting deeper than `limit`, and
 * numbers `JSON.parse` turned into ±Infinity (literals beyond double range such as 1e400, which
 * would silently become null when stored and written back).
 */
export function inspectParsed(root: unknown, limit: number = MAX_NESTING_DEPTH): { tooDeep: boolean; nonFinite: boolean } {
	let nonFinite = false;
	if (typeof root !== 'object' || root === null) return { tooDeep: false, nonFinite: typeof root === 'number' && !Number.isFinite(root) };
	const values: object[] = [root];
	const depths: number[] = [1];
	while (values.length > 0) {
		const value = values.pop() as object;
		const depth = depths.pop() as number;
		if (depth > limit) return { tooDeep: true, nonFinite };
		if (Array.isArray(value)) {
			for (let i = 0; i < value.length; i++) {
				const child: unknown = value[i];
				if (typeof child === 'object' && child !== null) {
					values.push(child);
					depths.push(depth + 1);
				} else if (typeof child === 'number' && child - child !== 0) nonFinite = true;
			}
		} else {
			for (const key in value) {
				const child: unknown = (value as JsonRecord)[key];
				if (typeof child === 'object' && child !== null) {
					values.push(child);
					depths.push(depth + 1);
				} else if (typeof child === 'number' && child - child !== 0) nonFinite = true;
			}
		}
	}
	return { tooDeep: false, nonFinite };
}

/** JSON tokens that matter for `quoteOutOfRangeNumbers`: whole strings (skipped) and numbers. */
const STRING_OR_NUMBER = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/**
 * The JSON text with every number literal beyond double range turned into a string of its digits
 * ("weight": 1e400 → "weight": "1e400"), so nothing is lost on the way to storage and back.
 */
export function quoteOutOfRangeNumbers(text: string): string {
	return text.replace(STRING_OR_NUMBER, (token) => (token.charCodeAt(0) === 34 || Number.isFinite(Number(token)) ? token : `"${token}"`));
}

/** "a number", "a string", "null", "a list"… for error messages. */
export function describeJsonType(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'a list';
	switch (typeof value) {
		case 'string':
			return 'a string';
		case 'number':
			return 'a number';
		case 'boolean':
			return 'a boolean';
		case 'object':
			return 'an object';
		default:
			return typeof value;
	}
}

export const EXCERPT_LENGTH = 120;

/** The first ~120 characters of a record, on one line, for error reports. */
export function excerptOf(text: string, length: number = EXCERPT_LENGTH): string {
	const head = text.length > length ? text.slice(0, length) + '…' : text;
	return head.replace(/[\r\n\t]+/g, ' ').trim();
}

/** Short, human form of a `JSON.parse` error ("Unexpected token 'x'" without V8's excerpt). */
export function jsonErrorMessage(error: unknown): string {
	const message = error instanceof Error ? error.message : String(error);
	const short = message.replace(/,\s*".*" is not valid JSON$/s, '').replace(/^JSON\.parse: /, '');
	return short.length > 100 ? short.slice(0, 100) + '…' : short;
}
