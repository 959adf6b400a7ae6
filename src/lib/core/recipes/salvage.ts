/**
 * The complete objects of a JSON answer cut off at max_tokens (finish reason "length"):
 * `{"entries": [{…}, {…}, {"prompt": "Wh` keeps the first two. The scan follows JSON's strings
 * (escapes included) and nesting from the first array after an "entries" key (else the first
 * array, else loose top-level objects); every object that closes at the array's own level is
 * parsed on its own, and one that does not parse is skipped. Nothing is repaired or guessed: an
 * entry the cut went through is dropped whole.
 */
import { isRecord, type JsonRecord } from '../json-safety';

/** Where the list of entries starts: after `"entries": [`, else the first `[`, else the first `{`. */
function listStart(text: string): { at: number; array: boolean } | null {
	const keyed = /"entries"\s*:\s*\[/.exec(text);
	if (keyed) return { at: keyed.index + keyed[0].length, array: true };
	const bracket = text.indexOf('[');
	const brace = text.indexOf('{');
	if (bracket >= 0 && (brace < 0 || bracket < brace)) return { at: bracket + 1, array: true };
	if (brace >= 0) return { at: brace, array: false };
	return null;
}

export function salvageTruncatedRecords(text: string): JsonRecord[] {
	const start = listStart(text);
	if (start === null) return [];
	const out: JsonRecord[] = [];
	let depth = 0;
	let inString = false;
	let escaped = false;
	let objectStart = -1;
	for (let i = start.at; i < text.length; i++) {
		const ch = text[i];
		if (inString) {
			if (escaped) escaped = false;
			else if (ch === '\\') escaped = true;
			else if (ch === '"') inString = false;
			continue;
		}
		if (ch === '"') inString = true;
		else if (ch === '{' || ch === '[') {
			if (depth === 0 && ch === '{') objectStart = i;
			depth++;
		} else if (ch === '}' || ch === ']') {
			if (depth === 0) {
				// The entries array closed (an answer that was complete after all) or stray text.
				if (start.array) break;
				continue;
			}
			depth--;
			if (depth === 0 && ch === '}' && objectStart >= 0) {
				try {
					const value: unknown = JSON.parse(text.slice(objectStart, i + 1));
					if (isRecord(value)) out.push(value);
				} catch {
					// A malformed entry is dropped; the ones around it still count.
				}
				objectStart = -1;
			}
		}
	}
	return out;
}
