/**
 * Text search over entries, in chosen roles, with four modes:
 * - `contains`: the text as typed, anywhere in one message;
 * - `all-words`: every whitespace-separated word, each anywhere in the chosen messages;
 * - `phrase`: the words in order as whole words, any run of whitespace between them;
 * - `regex`: a JavaScript regular expression, tested against each message.
 * Case-insensitive unless asked otherwise. A match never spans two messages (except that
 * `all-words` may find its words in different messages).
 *
 * Speed: a query is compiled once (`compileSearch`); each entry's text is lower-cased once into a
 * haystack, which `SearchIndex` keeps between searches. Over 100k entries a search is a plain
 * loop of `includes` or `RegExp.test` (figures in search.test.ts).
 *
 * Regex cost: JavaScript cannot interrupt one `RegExp.test`, so a catastrophic pattern could
 * stall the worker. Three guards: the pattern length is capped; patterns with the classic
 * exponential shape — a quantified group whose body ends in a quantifier, `(a+)+`, `(\w*)*` —
 * are refused with an explanation; and the scan has a time budget, after which it stops and
 * says the result is partial. The worker is the last line: the page can terminate it.
 */

export const SEARCH_MODES = ['contains', 'all-words', 'phrase', 'regex'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

export interface TextQuery {
	text: string;
	mode: SearchMode;
	/** Roles whose messages are searched; empty or absent: all messages. */
	roles?: readonly string[];
	caseSensitive?: boolean;
}

export interface SearchError {
	kind: 'invalid-regex' | 'pattern-too-long' | 'risky-regex';
	message: string;
}

export const MAX_PATTERN_LENGTH = 1000;
/** Default time budget of one scan, well under the 1 s a search must answer in (SPEC §10). */
export const DEFAULT_SEARCH_BUDGET_MS = 2000;

/** The searchable text of one entry: one string per message, with its role. */
export interface Haystack {
	roles: string[];
	texts: string[];
}

/** A message's searchable text: string content, the text of structured parts, and tool calls. */
function messageText(message: { content: unknown; tool_calls?: unknown }): string {
	const content = message.content;
	let text = typeof content === 'string' ? content : content === null || content === undefined ? '' : (JSON.stringify(content) ?? '');
	if (message.tool_calls !== undefined) text += '\n' + (JSON.stringify(message.tool_calls) ?? '');
	return text;
}

export function buildHaystack(entry: { messages: readonly { role: string; content: unknown }[] }, caseSensitive = false): Haystack {
	const roles: string[] = [];
	const texts: string[] = [];
	for (const message of entry.messages) {
		roles.push(message.role);
		const text = messageText(message);
		texts.push(caseSensitive ? text : text.toLowerCase());
	}
	return { roles, texts };
}

export interface CompiledSearch {
	query: TextQuery;
	/** Whether haystacks must be built case-sensitively for this search. */
	caseSensitive: boolean;
	/** True when the query has nothing to look for (every entry matches). */
	empty: boolean;
	matches(haystack: Haystack): boolean;
}

export type CompileResult = { ok: true; search: CompiledSearch } | { ok: false; error: SearchError };

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `(…+)+`, `(…*)*`, `(…{2,})+` and the like: the shapes that backtrack exponentially. */
const NESTED_QUANTIFIER = /\((?:\?:)?(?:[^()\\]|\\.)*(?:[+*]|\{\d+,\d*\})\)(?:[+*]|\{\d+,\d*\})/;

/** Compiles a regex source with the `u` flag when it allows it, else without. */
function compileRegex(source: string, flags: string): RegExp | SearchError {
	try {
		return new RegExp(source, flags + 'u');
	} catch {
		try {
			return new RegExp(source, flags);
		} catch (error) {
			return { kind: 'invalid-regex', message: `not a valid regular expression: ${error instanceof Error ? error.message : String(error)}` };
		}
	}
}

export function compileSearch(query: TextQuery): CompileResult {
	const caseSensitive = query.caseSensitive === true;
	const roleSet = query.roles && query.roles.length > 0 ? new Set(query.roles) : null;
	const inRole = (haystack: Haystack, i: number) => roleSet === null || roleSet.has(haystack.roles[i]);
	const anyMessage = (haystack: Haystack, test: (text: string) => boolean) => {
		for (let i = 0; i < haystack.texts.length; i++) if (inRole(haystack, i) && test(haystack.texts[i])) return true;
		return false;
	};
	const make = (empty: boolean, matches: (haystack: Haystack) => boolean): CompileResult => ({
		ok: true,
		search: { query, caseSensitive, empty, matches: empty ? (haystack) => roleSet === null || haystack.roles.some((role) => roleSet.has(role)) : matches }
	});
	const fold = (text: string) => (caseSensitive ? text : text.toLowerCase());

	switch (query.mode) {
		case 'contains': {
			const needle = fold(query.text);
			return make(needle.trim() === '', (haystack) => anyMessage(haystack, (text) => text.includes(needle)));
		}
		case 'all-words': {
			const words = fold(query.text).split(/\s+/).filter(Boolean);
			return make(words.length === 0, (haystack) => words.every((word) => anyMessage(haystack, (text) => text.includes(word))));
		}
		case 'phrase': {
			const words = fold(query.text).split(/\s+/).filter(Boolean);
			if (words.length === 0) return make(true, () => true);
			// Whole words: no letter, digit or underscore right before or after.
			const source = `(?<![\\p{L}\\p{N}_])${words.map(escapeRegExp).join('\\s+')}(?![\\p{L}\\p{N}_])`;
			const regex = new RegExp(source, 'u');
			return make(false, (haystack) => anyMessage(haystack, (text) => regex.test(text)));
		}
		case 'regex': {
			if (query.text === '') return make(true, () => true);
			if (query.text.length > MAX_PATTERN_LENGTH) {
				return { ok: false, error: { kind: 'pattern-too-long', message: `the pattern is ${query.text.length} characters; the limit is ${MAX_PATTERN_LENGTH}` } };
			}
			const regex = compileRegex(query.text, caseSensitive ? '' : 'i');
			if (!(regex instanceof RegExp)) return { ok: false, error: regex };
			if (NESTED_QUANTIFIER.test(query.text)) {
				return {
					ok: false,
					error: {
						kind: 'risky-regex',
						message: 'a repeated group that ends in a repeat, such as (a+)+, can take minutes on long messages; remove the inner or the outer repeat'
					}
				};
			}
			return make(false, (haystack) => anyMessage(haystack, (text) => regex.test(text)));
		}
	}
}

export interface SearchOptions {
	/** Added to each reported index (the position of the block's first entry). */
	offset?: number;
	/** Stop after this many milliseconds and report a partial result. */
	budgetMs?: number;
	/** Clock, for tests. */
	now?: () => number;
}

export type SearchResult =
	| { ok: true; indices: number[]; scanned: number; truncated: boolean; ms: number }
	| { ok: false; error: SearchError };

function scan(count: number, matchAt: (i: number) => boolean, options: SearchOptions): Extract<SearchResult, { ok: true }> {
	const now = options.now ?? (() => performance.now());
	const budget = options.budgetMs ?? DEFAULT_SEARCH_BUDGET_MS;
	const offset = options.offset ?? 0;
	const start = now();
	const indices: number[] = [];
	let i = 0;
	for (; i < count; i++) {
		// Checking the clock every 256 entries keeps its cost out of the loop.
		if ((i & 255) === 255 && now() - start > budget) break;
		if (matchAt(i)) indices.push(offset + i);
	}
	return { ok: true, indices, scanned: i, truncated: i < count, ms: now() - start };
}

/** One-off search: builds each entry's haystack as it goes. */
export function searchEntries(entries: readonly { messages: readonly { role: string; content: unknown }[] }[], query: TextQuery | CompiledSearch, options: SearchOptions = {}): SearchResult {
	const compiled = 'matches' in query ? { ok: true as const, search: query } : compileSearch(query);
	if (!compiled.ok) return compiled;
	const { search } = compiled;
	return scan(entries.length, (i) => search.matches(buildHaystack(entries[i], search.caseSensitive)), options);
}

/**
 * Haystacks kept between searches (one list of entries, e.g. one block): the lower-cased ones
 * are built on first use and reused; case-sensitive searches build theirs on the fly.
 */
export class SearchIndex {
	private lower: (Haystack | undefined)[];

	constructor(private readonly entries: readonly { messages: readonly { role: string; content: unknown }[] }[]) {
		this.lower = new Array(entries.length);
	}

	haystack(i: number): Haystack {
		return (this.lower[i] ??= buildHaystack(this.entries[i]));
	}

	search(query: TextQuery | CompiledSearch, options: SearchOptions = {}): SearchResult {
		const compiled = 'matches' in query ? { ok: true as const, search: query } : compileSearch(query);
		if (!compiled.ok) return compiled;
		const { search } = compiled;
		if (search.caseSensitive) return searchEntries(this.entries, search, options);
		return scan(this.entries.length, (i) => search.matches(this.haystack(i)), options);
	}
}
