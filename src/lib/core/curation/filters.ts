/**
 * The entry filter: a serialisable description (zod schema, so it can be saved, put in a URL
 * and sent to the worker), compiled once into a predicate, plus the sort order of the matches.
 *
 * `compileFilter` needs, besides the filter, what only the caller has: the ids of entries with
 * the chosen validation findings (from the validation run), and a token counter if the filter
 * has a token range.
 */
import { z } from 'zod';
import { hashText } from '../hash';
import { FormatIdSchema, REVIEW_STATES, ReviewStateSchema, type Entry } from '../model';
import { SEARCH_MODES, buildHaystack, compileSearch, type CompiledSearch, type SearchError } from './search';

const count = z.number().int().nonnegative();
export const RangeSchema = z.object({ min: count.optional(), max: count.optional() });
export type Range = z.infer<typeof RangeSchema>;

export const SORT_KEYS = ['position', 'messages', 'characters', 'tokens', 'review', 'random'] as const;
export const SortSchema = z.object({
	by: z.enum(SORT_KEYS),
	descending: z.boolean().optional(),
	/** For `random`: the same seed gives the same order. */
	seed: z.number().int().optional()
});
export type EntrySort = z.infer<typeof SortSchema>;

export const TextFilterSchema = z.object({
	query: z.string(),
	mode: z.enum(SEARCH_MODES),
	/** Empty: all roles. */
	roles: z.array(z.string()).optional(),
	caseSensitive: z.boolean().optional()
});

/** Preference data (issue 16): a pair, a KTO label of either kind, or none at all. */
export const PREFERENCE_FILTERS = ['pair', 'wanted', 'unwanted', 'none'] as const;
export type PreferenceFilter = (typeof PREFERENCE_FILTERS)[number];

/** Which of `PREFERENCE_FILTERS` an entry is. */
export function preferenceKindOf(entry: Entry): PreferenceFilter {
	const preference = entry.preference;
	if (preference === undefined) return 'none';
	return preference.kind === 'pair' ? 'pair' : preference.label ? 'wanted' : 'unwanted';
}

export const EntryFilterSchema = z.object({
	text: TextFilterSchema.optional(),
	/** Entries with at least one of these tags. */
	tagsAny: z.array(z.string()).optional(),
	/** Entries with all of these tags. */
	tagsAll: z.array(z.string()).optional(),
	/** Entries with none of these tags. */
	tagsNone: z.array(z.string()).optional(),
	untagged: z.boolean().optional(),
	review: z.array(ReviewStateSchema).optional(),
	sources: z.array(FormatIdSchema).optional(),
	/** Entries that are any of these kinds of preference data. */
	preference: z.array(z.enum(PREFERENCE_FILTERS)).optional(),
	messageCount: RangeSchema.optional(),
	characterCount: RangeSchema.optional(),
	tokenCount: RangeSchema.optional(),
	/** Tokens of the entry rendered under the dataset's training target (entries the template refuses match no range). */
	templateTokens: RangeSchema.optional(),
	/** Validation finding codes: entries with (or, with `without`, lacking) any of them. */
	findings: z.object({ codes: z.array(z.string()), without: z.boolean().optional() }).optional(),
	sort: SortSchema.optional()
});
export type EntryFilter = z.infer<typeof EntryFilterSchema>;

export interface FilterContext {
	/**
	 * The tag library (`tagLookup` in tags.ts: slug or alias → current slug). With it a filter
	 * tag that is an old name means the renamed tag, and entries still carrying an old name match it.
	 */
	tagLookup?: ReadonlyMap<string, string>;
	/** Ids of the entries that have any of `filter.findings.codes` (the caller's validation results). */
	entriesWithFindings?: ReadonlySet<string>;
	/** Token count of an entry; required by a `tokenCount` range or a `tokens` sort. */
	tokenCount?: (entry: Entry) => number;
	/** Tokens of the entry under the training target (undefined: the template refuses it); required by `templateTokens`. */
	templateTokenCount?: (entry: Entry) => number | undefined;
}

export type FilterCompileError = SearchError | { kind: 'missing-context'; message: string };
export type CompiledFilter = { ok: true; matches: (entry: Entry) => boolean; search: CompiledSearch | null } | { ok: false; error: FilterCompileError };

/** Characters of text in an entry (structured content counted as its JSON). */
export function entryCharacterCount(entry: Entry): number {
	let total = 0;
	for (const message of entry.messages) {
		const content = message.content;
		total += typeof content === 'string' ? content.length : content === null ? 0 : (JSON.stringify(content)?.length ?? 0);
	}
	return total;
}

function inRange(value: number, range: Range | undefined): boolean {
	return range === undefined || ((range.min === undefined || value >= range.min) && (range.max === undefined || value <= range.max));
}

const nonEmpty = <T>(list: readonly T[] | undefined): list is readonly T[] => list !== undefined && list.length > 0;

/**
 * The predicate of a filter: every part present must hold. Invalid regexes and missing context
 * come back as an error, never thrown. `sort` does not affect matching (see `sortPositions`).
 */
export function compileFilter(filter: EntryFilter, context: FilterContext = {}): CompiledFilter {
	const tests: ((entry: Entry) => boolean)[] = [];
	let search: CompiledSearch | null = null;

	if (filter.text && filter.text.query !== '') {
		const compiled = compileSearch({ text: filter.text.query, mode: filter.text.mode, roles: filter.text.roles, caseSensitive: filter.text.caseSensitive });
		if (!compiled.ok) return compiled;
		const found = compiled.search;
		search = found;
		if (!found.empty) tests.push((entry) => found.matches(buildHaystack(entry, found.caseSensitive)));
	}
	const lookup = context.tagLookup;
	const canonical = lookup && lookup.size > 0 ? (tag: string) => lookup.get(tag) ?? tag : null;
	const tagsOf = canonical ? (entry: Entry) => entry.tags.map(canonical) : (entry: Entry) => entry.tags;
	const wanted = (tags: readonly string[]) => (canonical ? tags.map(canonical) : tags);
	if (nonEmpty(filter.tagsAny)) {
		const any = new Set(wanted(filter.tagsAny));
		tests.push((entry) => tagsOf(entry).some((tag) => any.has(tag)));
	}
	if (nonEmpty(filter.tagsAll)) {
		const all = wanted(filter.tagsAll);
		tests.push((entry) => {
			const tags = tagsOf(entry);
			return all.every((tag) => tags.includes(tag));
		});
	}
	if (nonEmpty(filter.tagsNone)) {
		const none = new Set(wanted(filter.tagsNone));
		tests.push((entry) => !tagsOf(entry).some((tag) => none.has(tag)));
	}
	if (filter.untagged) tests.push((entry) => entry.tags.length === 0);
	if (nonEmpty(filter.review)) {
		const states = new Set<string>(filter.review);
		tests.push((entry) => states.has(entry.meta.review));
	}
	if (nonEmpty(filter.sources)) {
		const formats = new Set<string>(filter.sources);
		tests.push((entry) => entry.meta.source !== undefined && formats.has(entry.meta.source.format));
	}
	if (nonEmpty(filter.preference)) {
		const kinds = new Set<string>(filter.preference);
		tests.push((entry) => kinds.has(preferenceKindOf(entry)));
	}
	if (filter.messageCount) {
		const range = filter.messageCount;
		tests.push((entry) => inRange(entry.messages.length, range));
	}
	if (filter.characterCount) {
		const range = filter.characterCount;
		tests.push((entry) => inRange(entryCharacterCount(entry), range));
	}
	if (filter.tokenCount) {
		const tokens = context.tokenCount;
		if (!tokens) return { ok: false, error: { kind: 'missing-context', message: 'token counts are not available yet' } };
		const range = filter.tokenCount;
		tests.push((entry) => inRange(tokens(entry), range));
	}
	if (filter.templateTokens) {
		const tokens = context.templateTokenCount;
		if (!tokens) return { ok: false, error: { kind: 'missing-context', message: 'token counts under the training target are not available (set a target first)' } };
		const range = filter.templateTokens;
		tests.push((entry) => {
			const count = tokens(entry);
			return count !== undefined && inRange(count, range);
		});
	}
	if (filter.findings && filter.findings.codes.length > 0) {
		const ids = context.entriesWithFindings;
		if (!ids) return { ok: false, error: { kind: 'missing-context', message: 'validation results are not available yet' } };
		const without = filter.findings.without === true;
		tests.push((entry) => ids.has(entry.id) !== without);
	}
	if (context.tokenCount === undefined && filter.sort?.by === 'tokens') {
		return { ok: false, error: { kind: 'missing-context', message: 'token counts are not available yet' } };
	}
	const matches = tests.length === 0 ? () => true : tests.length === 1 ? tests[0] : (entry: Entry) => tests.every((test) => test(entry));
	return { ok: true, matches, search };
}

/** Positions (block offset + index) of the entries of one block that match. */
export function matchingPositions(entries: readonly Entry[], matches: (entry: Entry) => boolean, offset = 0): number[] {
	const positions: number[] = [];
	for (let i = 0; i < entries.length; i++) if (matches(entries[i])) positions.push(offset + i);
	return positions;
}

// ---- sort ------------------------------------------------------------------------------------

const REVIEW_ORDER: Record<string, number> = Object.fromEntries(REVIEW_STATES.map((state, i) => [state, i]));

/**
 * The sort key of one entry (collect `{ position, key }` block by block, then `sortPositions`).
 * Random order is a hash of seed and id: stable for an entry wherever it moves.
 */
export function sortKeyOf(entry: Entry, position: number, sort: EntrySort | undefined, context: FilterContext = {}): number | string {
	switch (sort?.by ?? 'position') {
		case 'messages':
			return entry.messages.length;
		case 'characters':
			return entryCharacterCount(entry);
		case 'tokens':
			return context.tokenCount ? context.tokenCount(entry) : 0;
		case 'review':
			return REVIEW_ORDER[entry.meta.review] ?? REVIEW_STATES.length;
		case 'random':
			return hashText(`${sort?.seed ?? 0}\u0000${entry.id}`);
		default:
			return position;
	}
}

/** Positions in sort order; ties keep dataset order (also when descending). */
export function sortPositions(keyed: readonly { position: number; key: number | string }[], sort: EntrySort | undefined): number[] {
	const direction = sort?.descending ? -1 : 1;
	return [...keyed]
		.sort((a, b) => (a.key < b.key ? -direction : a.key > b.key ? direction : a.position - b.position))
		.map((item) => item.position);
}

// ---- canonical form and URLs -----------------------------------------------------------------

/** The filter without empty parts and defaults: what `decodeFilterFromUrl(encodeFilterToUrl(f))` gives back. */
export function normalizeFilter(filter: EntryFilter): EntryFilter {
	const out: EntryFilter = {};
	const list = <T>(values: readonly T[] | undefined): T[] | undefined => (values && values.length > 0 ? [...values] : undefined);
	const range = (value: Range | undefined): Range | undefined =>
		value && (value.min !== undefined || value.max !== undefined)
			? { ...(value.min !== undefined ? { min: value.min } : {}), ...(value.max !== undefined ? { max: value.max } : {}) }
			: undefined;
	if (filter.text && filter.text.query !== '') {
		const roles = list(filter.text.roles);
		out.text = { query: filter.text.query, mode: filter.text.mode, ...(roles ? { roles } : {}), ...(filter.text.caseSensitive ? { caseSensitive: true } : {}) };
	}
	const assign = <K extends keyof EntryFilter>(key: K, value: EntryFilter[K] | undefined) => {
		if (value !== undefined) out[key] = value;
	};
	assign('tagsAny', list(filter.tagsAny));
	assign('tagsAll', list(filter.tagsAll));
	assign('tagsNone', list(filter.tagsNone));
	if (filter.untagged) out.untagged = true;
	assign('review', list(filter.review));
	assign('sources', list(filter.sources));
	assign('preference', list(filter.preference));
	assign('messageCount', range(filter.messageCount));
	assign('characterCount', range(filter.characterCount));
	assign('tokenCount', range(filter.tokenCount));
	assign('templateTokens', range(filter.templateTokens));
	if (filter.findings && filter.findings.codes.length > 0) {
		out.findings = { codes: [...filter.findings.codes], ...(filter.findings.without ? { without: true } : {}) };
	}
	if (filter.sort && (filter.sort.by !== 'position' || filter.sort.descending)) {
		out.sort = {
			by: filter.sort.by,
			...(filter.sort.descending ? { descending: true } : {}),
			...(filter.sort.by === 'random' ? { seed: filter.sort.seed ?? 0 } : {})
		};
	}
	return out;
}

const RANGE_PARAMS = [
	['messageCount', 'messages'],
	['characterCount', 'chars'],
	['tokenCount', 'tokens'],
	['templateTokens', 'template-tokens']
] as const;
const LIST_PARAMS = [
	['tagsAny', 'tag'],
	['tagsAll', 'all-tag'],
	['tagsNone', 'no-tag']
] as const;

/** The filter as URL query parameters (without `?`), for shareable links. Empty parts are left out. */
export function encodeFilterToUrl(filter: EntryFilter): string {
	const f = normalizeFilter(filter);
	const params = new URLSearchParams();
	if (f.text) {
		params.set('q', f.text.query);
		if (f.text.mode !== 'contains') params.set('mode', f.text.mode);
		for (const role of f.text.roles ?? []) params.append('role', role);
		if (f.text.caseSensitive) params.set('case', '1');
	}
	for (const [key, name] of LIST_PARAMS) for (const tag of f[key] ?? []) params.append(name, tag);
	if (f.untagged) params.set('untagged', '1');
	for (const review of f.review ?? []) params.append('review', review);
	for (const source of f.sources ?? []) params.append('source', source);
	for (const kind of f.preference ?? []) params.append('preference', kind);
	for (const [key, name] of RANGE_PARAMS) {
		const range = f[key];
		if (range) params.set(name, `${range.min ?? ''}..${range.max ?? ''}`);
	}
	if (f.findings) {
		for (const code of f.findings.codes) params.append('finding', code);
		if (f.findings.without) params.set('finding-mode', 'without');
	}
	if (f.sort) {
		params.set('sort', f.sort.by);
		if (f.sort.descending) params.set('desc', '1');
		if (f.sort.seed !== undefined) params.set('seed', String(f.sort.seed));
	}
	return params.toString();
}

/**
 * Reads a filter back from a URL's query (with or without `?`). Values that do not make sense
 * are dropped and listed in `errors`, so a mangled link still opens with what it could read.
 */
export function decodeFilterFromUrl(search: string | URLSearchParams): { filter: EntryFilter; errors: string[] } {
	const params = typeof search === 'string' ? new URLSearchParams(search.startsWith('?') ? search.slice(1) : search) : search;
	const errors: string[] = [];
	const filter: EntryFilter = {};

	const query = params.get('q');
	if (query !== null && query !== '') {
		const modeParam = params.get('mode') ?? 'contains';
		const mode = SEARCH_MODES.find((known) => known === modeParam) ?? 'contains';
		if (mode !== modeParam) errors.push(`unknown search mode "${modeParam}"`);
		const roles = params.getAll('role');
		filter.text = { query, mode, ...(roles.length ? { roles } : {}), ...(params.get('case') === '1' ? { caseSensitive: true } : {}) };
	}
	for (const [key, name] of LIST_PARAMS) {
		const values = params.getAll(name);
		if (values.length) filter[key] = values;
	}
	if (params.get('untagged') === '1') filter.untagged = true;
	const reviews = params.getAll('review');
	const validReviews = reviews.filter((value): value is (typeof REVIEW_STATES)[number] => ReviewStateSchema.safeParse(value).success);
	if (validReviews.length < reviews.length) errors.push('unknown review state ignored');
	if (validReviews.length) filter.review = validReviews;
	const sources = params.getAll('source');
	const validSources = sources.flatMap((value) => {
		const parsed = FormatIdSchema.safeParse(value);
		return parsed.success ? [parsed.data] : [];
	});
	if (validSources.length < sources.length) errors.push('unknown source format ignored');
	if (validSources.length) filter.sources = validSources;
	const kinds = params.getAll('preference');
	const validKinds = kinds.filter((value): value is PreferenceFilter => (PREFERENCE_FILTERS as readonly string[]).includes(value));
	if (validKinds.length < kinds.length) errors.push('unknown preference kind ignored');
	if (validKinds.length) filter.preference = validKinds;
	for (const [key, name] of RANGE_PARAMS) {
		const text = params.get(name);
		if (text === null) continue;
		const match = /^(\d*)\.\.(\d*)$/.exec(text);
		const min = match?.[1] ? Number(match[1]) : undefined;
		const max = match?.[2] ? Number(match[2]) : undefined;
		if (!match || (min !== undefined && !Number.isSafeInteger(min)) || (max !== undefined && !Number.isSafeInteger(max))) {
			errors.push(`"${name}" should look like 3..10, 3.. or ..10`);
			continue;
		}
		if (min !== undefined || max !== undefined) filter[key] = { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
	}
	const codes = params.getAll('finding');
	if (codes.length) filter.findings = { codes, ...(params.get('finding-mode') === 'without' ? { without: true } : {}) };
	const sortBy = params.get('sort');
	if (sortBy !== null) {
		const by = SORT_KEYS.find((key) => key === sortBy);
		if (!by) errors.push(`unknown sort "${sortBy}"`);
		else {
			const seedText = params.get('seed');
			const seed = seedText !== null && /^-?\d+$/.test(seedText) && Number.isSafeInteger(Number(seedText)) ? Number(seedText) : undefined;
			if (seedText !== null && seed === undefined) errors.push('the random seed should be a whole number');
			filter.sort = { by, ...(params.get('desc') === '1' ? { descending: true } : {}), ...(seed !== undefined ? { seed } : {}) };
		}
	}
	return { filter: normalizeFilter(filter), errors };
}

// ---- saved filters ---------------------------------------------------------------------------

export const SavedFilterSchema = z.object({
	id: z.string().min(1),
	name: z.string().min(1),
	filter: EntryFilterSchema,
	createdAt: z.number()
});
export type SavedFilter = z.infer<typeof SavedFilterSchema>;

/** Adds a saved filter, or replaces the one with the same name (names compare case-insensitively). */
export function saveFilter(saved: readonly SavedFilter[], entry: SavedFilter): SavedFilter[] {
	const name = entry.name.trim();
	const key = name.toLowerCase();
	const next = { ...entry, name, filter: normalizeFilter(entry.filter) };
	const index = saved.findIndex((item) => item.name.trim().toLowerCase() === key);
	if (index === -1) return [...saved, next];
	return saved.map((item, i) => (i === index ? { ...next, id: item.id, createdAt: item.createdAt } : item));
}

export function removeSavedFilter(saved: readonly SavedFilter[], id: string): SavedFilter[] {
	return saved.filter((item) => item.id !== id);
}
