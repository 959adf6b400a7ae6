/**
 * Prompt pools (SPEC §8.3 "in-voice answers to a prompt pool"): parsing an imported pool (JSONL,
 * a JSON array, CSV/TSV or one prompt per line, with an optional rating column such as the 1–5
 * "openness" score of wildchat-filtered-rated-prompts) and planning a seeded stratified sample by
 * rating from the per-rating counts alone, so the run service fetches only the chosen rows.
 */
import { mulberry32 } from '../random';
import type { Stratum } from './sources';

export interface ParsedPoolItem {
	text: string;
	rating: number | null;
}

export interface PoolProblem {
	/** 1-based line (CSV: the line the record starts on; JSON array: the element number). */
	line: number;
	reason: string;
}

export type PoolFormat = 'jsonl' | 'json' | 'csv' | 'tsv' | 'lines';

export interface ParsedPromptPool {
	items: ParsedPoolItem[];
	format: PoolFormat;
	/** The rating column or field, when the file has one. */
	ratingField?: string;
	problems: PoolProblem[];
}

/** Field and column names a prompt is read from, in order of preference. */
export const PROMPT_FIELDS = ['prompt', 'text', 'question', 'instruction', 'input', 'query', 'content', 'message'];
/** Field and column names a rating is read from, in order of preference. */
export const RATING_FIELDS = ['rating', 'score', 'openness', 'openness_score', 'original_score', 'quality', 'level', 'grade'];

const MAX_PROBLEMS = 500;

class Problems {
	readonly list: PoolProblem[] = [];
	private dropped = 0;
	add(line: number, reason: string): void {
		if (this.list.length < MAX_PROBLEMS) this.list.push({ line, reason });
		else this.dropped++;
	}
	done(): PoolProblem[] {
		if (this.dropped) this.list.push({ line: 0, reason: `${this.dropped} more problems not listed.` });
		return this.list;
	}
}

/** A number from a number or a numeric string; null otherwise. */
function numberOf(value: unknown): number | null {
	if (typeof value === 'number') return Number.isFinite(value) ? value : null;
	if (typeof value === 'string' && value.trim() !== '') {
		const parsed = Number(value.trim());
		return Number.isFinite(parsed) ? parsed : null;
	}
	return null;
}

function fieldIn(record: Record<string, unknown>, names: readonly string[]): string | undefined {
	const keys = Object.keys(record);
	for (const name of names) {
		const key = keys.find((candidate) => candidate.toLowerCase() === name);
		if (key !== undefined) return key;
	}
	return undefined;
}

/** The first user turn of a `messages` / `conversations` record (a chat log used as a pool). */
function firstUserTurn(record: Record<string, unknown>): string | undefined {
	const turns = record.messages ?? record.conversations;
	if (!Array.isArray(turns)) return undefined;
	for (const turn of turns) {
		if (!turn || typeof turn !== 'object') continue;
		const { role, from, content, value } = turn as Record<string, unknown>;
		const who = role ?? from;
		const text = content ?? value;
		if ((who === 'user' || who === 'human') && typeof text === 'string') return text;
	}
	return undefined;
}

/** Reads JSON values (lines of JSONL or elements of an array) into items. */
class JsonItems {
	ratingField?: string;
	readonly items: ParsedPoolItem[] = [];
	/**
	 * Non-numeric values of rating-named fields met before any numeric one fixed the rating field
	 * ({"score": "high"} on line 1, {"score": 4} on line 2): reported once the field is known.
	 */
	private readonly early: { line: number; key: string; value: unknown }[] = [];
	constructor(private readonly problems: Problems) {}

	private unratedProblem(line: number, key: string, value: unknown): void {
		this.problems.add(line, `The ${key} ${JSON.stringify(value)} is not a number; the prompt is kept unrated.`);
	}

	add(value: unknown, line: number): void {
		if (typeof value === 'string') {
			if (value.trim()) this.items.push({ text: value.trim(), rating: null });
			else this.problems.add(line, 'Empty prompt.');
			return;
		}
		if (!value || typeof value !== 'object' || Array.isArray(value)) {
			this.problems.add(line, 'Not an object or a string.');
			return;
		}
		const record = value as Record<string, unknown>;
		const promptKey = fieldIn(record, PROMPT_FIELDS);
		const raw = promptKey !== undefined ? record[promptKey] : firstUserTurn(record);
		if (typeof raw !== 'string' || !raw.trim()) {
			this.problems.add(line, promptKey !== undefined ? `The "${promptKey}" field is empty or not text.` : `No prompt field (looked for ${PROMPT_FIELDS.join(', ')}).`);
			return;
		}
		if (this.ratingField === undefined) {
			const key = fieldIn(record, RATING_FIELDS);
			if (key !== undefined && numberOf(record[key]) !== null) {
				this.ratingField = key;
				for (const early of this.early) if (early.key === key) this.unratedProblem(early.line, early.key, early.value);
				this.early.length = 0;
			} else if (key !== undefined && record[key] !== undefined && record[key] !== null) this.early.push({ line, key, value: record[key] });
		}
		let rating: number | null = null;
		if (this.ratingField !== undefined && record[this.ratingField] !== undefined && record[this.ratingField] !== null) {
			rating = numberOf(record[this.ratingField]);
			if (rating === null) this.unratedProblem(line, this.ratingField, record[this.ratingField]);
		}
		this.items.push({ text: raw.trim(), rating });
	}
}

function parseJsonLines(text: string, problems: Problems): { items: ParsedPoolItem[]; ratingField?: string } {
	const reader = new JsonItems(problems);
	text.split(/\r?\n/).forEach((line, index) => {
		if (!line.trim()) return;
		let value: unknown;
		try {
			value = JSON.parse(line);
		} catch (error) {
			problems.add(index + 1, `Not valid JSON (${error instanceof Error ? error.message : String(error)}).`);
			return;
		}
		reader.add(value, index + 1);
	});
	return { items: reader.items, ...(reader.ratingField !== undefined ? { ratingField: reader.ratingField } : {}) };
}

/** RFC 4180 records: quoted fields may hold the delimiter, `""` and line breaks. */
export function parseDelimited(text: string, delimiter: string): { records: { line: number; fields: string[] }[]; unterminatedAt?: number } {
	const records: { line: number; fields: string[] }[] = [];
	let fields: string[] = [];
	let field = '';
	let quoted = false;
	let line = 1;
	let recordLine = 1;
	let fieldStarted = false;
	const endRecord = () => {
		fields.push(field);
		if (fields.length > 1 || fields[0] !== '') records.push({ line: recordLine, fields });
		fields = [];
		field = '';
		fieldStarted = false;
	};
	for (let i = 0; i < text.length; i++) {
		const char = text[i];
		if (quoted) {
			if (char === '"') {
				if (text[i + 1] === '"') {
					field += '"';
					i++;
				} else quoted = false;
			} else {
				if (char === '\n') line++;
				field += char;
			}
			continue;
		}
		if (char === '"' && !fieldStarted) {
			quoted = true;
			fieldStarted = true;
		} else if (char === delimiter) {
			fields.push(field);
			field = '';
			fieldStarted = false;
		} else if (char === '\n' || char === '\r') {
			if (char === '\r' && text[i + 1] === '\n') i++;
			endRecord();
			line++;
			recordLine = line;
		} else {
			field += char;
			fieldStarted = true;
		}
	}
	const unterminatedAt = quoted ? recordLine : undefined;
	if (field !== '' || fields.length) endRecord();
	return { records, ...(unterminatedAt !== undefined ? { unterminatedAt } : {}) };
}

function parseCsv(text: string, delimiter: string, problems: Problems): { items: ParsedPoolItem[]; ratingField?: string } {
	const { records, unterminatedAt } = parseDelimited(text.replace(/^\uFEFF/, ''), delimiter);
	if (unterminatedAt !== undefined) problems.add(unterminatedAt, 'A quoted field is never closed; read to the end of the file.');
	if (!records.length) return { items: [] };
	let [header, ...rows] = records;
	let names = header.fields.map((name) => name.trim().toLowerCase());
	if (isHeaderless(names)) {
		// The first line is a prompt, not a header ("What is love?,5"): columns are known by position.
		rows = records;
		names = header.fields.map(() => '');
		header = { line: header.line, fields: header.fields.map((_, column) => `column ${column + 1}`) };
	}
	const numericShare = (column: number) => {
		const values = rows.map((row) => row.fields[column] ?? '').filter((value) => value.trim() !== '');
		return values.length ? values.filter((value) => numberOf(value) !== null).length / values.length : 0;
	};
	let promptColumn = -1;
	for (const name of PROMPT_FIELDS) {
		promptColumn = names.indexOf(name);
		if (promptColumn >= 0) break;
	}
	let ratingColumn = -1;
	for (const name of RATING_FIELDS) {
		const column = names.indexOf(name);
		if (column >= 0 && column !== promptColumn && numericShare(column) >= 0.5) {
			ratingColumn = column;
			break;
		}
	}
	if (names.every((name) => name === '')) {
		// No header: a single numeric column beside the text is the rating.
		const numeric = names.map((_, column) => column).filter((column) => numericShare(column) >= 0.5);
		if (numeric.length === 1 && names.length > 1) ratingColumn = numeric[0];
	}
	// No known prompt column: the first column that is mostly text.
	if (promptColumn < 0) promptColumn = names.findIndex((_, column) => column !== ratingColumn && numericShare(column) < 0.5);
	if (promptColumn < 0) {
		problems.add(header.line, 'No text column to read prompts from.');
		return { items: [] };
	}
	const items: ParsedPoolItem[] = [];
	for (const row of rows) {
		const text = (row.fields[promptColumn] ?? '').trim();
		if (!text) {
			problems.add(row.line, `Empty ${header.fields[promptColumn] || 'prompt'}.`);
			continue;
		}
		let rating: number | null = null;
		if (ratingColumn >= 0) {
			const raw = (row.fields[ratingColumn] ?? '').trim();
			rating = numberOf(raw);
			if (raw && rating === null) problems.add(row.line, `The ${header.fields[ratingColumn]} "${raw}" is not a number; the prompt is kept unrated.`);
		}
		items.push({ text, rating });
	}
	return { items, ...(ratingColumn >= 0 ? { ratingField: header.fields[ratingColumn].trim() } : {}) };
}

/**
 * Whether a CSV's first record is data rather than a header: none of its cells is a known prompt
 * or rating name, and one of them is a number or reads like a sentence (ends with ? . ! or has
 * four words or more). "rank,utterance" stays a header; "What is love?,5" does not.
 */
function isHeaderless(names: readonly string[]): boolean {
	const known = new Set([...PROMPT_FIELDS, ...RATING_FIELDS]);
	if (names.some((name) => known.has(name))) return false;
	return names.some((name) => numberOf(name) !== null || /[?.!]$/.test(name) || name.split(/\s+/).filter(Boolean).length >= 4);
}

function formatOf(text: string, fileName: string): PoolFormat {
	const name = fileName.toLowerCase();
	if (/\.(jsonl|ndjson)$/.test(name)) return 'jsonl';
	if (name.endsWith('.json')) return text.trimStart().startsWith('[') ? 'json' : 'jsonl';
	if (name.endsWith('.csv')) return 'csv';
	if (name.endsWith('.tsv')) return 'tsv';
	if (/\.(txt|md|text)$/.test(name)) return 'lines';
	const start = text.trimStart();
	if (start.startsWith('[')) return 'json';
	if (start.startsWith('{')) return 'jsonl';
	return 'lines';
}

/**
 * A pool from a file's text (or pasted text, `fileName` "pasted"): its prompts with their ratings
 * (null when unrated), the rating field, and the lines that could not be read.
 */
export function parsePromptPool(source: string, fileName: string): ParsedPromptPool {
	// A byte-order mark breaks JSON.parse of the first line; CRLF inside quoted CSV fields would stay in prompts.
	const text = source.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
	const problems = new Problems();
	let format = formatOf(text, fileName);
	let parsed: { items: ParsedPoolItem[]; ratingField?: string };
	if (format === 'json') {
		let array: unknown;
		try {
			array = JSON.parse(text);
		} catch {
			array = undefined;
		}
		if (Array.isArray(array)) {
			const reader = new JsonItems(problems);
			array.forEach((value, index) => reader.add(value, index + 1));
			parsed = { items: reader.items, ...(reader.ratingField !== undefined ? { ratingField: reader.ratingField } : {}) };
		} else {
			format = 'jsonl';
			parsed = parseJsonLines(text, problems);
		}
	} else if (format === 'jsonl') parsed = parseJsonLines(text, problems);
	else if (format === 'csv' || format === 'tsv') parsed = parseCsv(text, format === 'csv' ? ',' : '\t', problems);
	else
		parsed = {
			items: text
				.split(/\r?\n/)
				.map((line) => line.trim())
				.filter(Boolean)
				.map((line) => ({ text: line, rating: null }))
		};
	return { items: parsed.items, format, ...(parsed.ratingField !== undefined ? { ratingField: parsed.ratingField } : {}), problems: problems.done() };
}

/** The key of a rating in `PromptPool.ratingCounts` ('' = unrated). */
export function ratingKey(rating: number | null): string {
	return rating === null ? '' : String(rating);
}

/** Items per rating value (key '' = unrated), as stored with the pool. */
export function ratingCountsOf(items: readonly { rating: number | null }[]): Record<string, number> {
	const counts: Record<string, number> = {};
	for (const item of items) {
		const key = ratingKey(item.rating);
		counts[key] = (counts[key] ?? 0) + 1;
	}
	return counts;
}

/** 40% open prompts (4–5) for voice, 40% practical ones (2–3), 20% narrow ones (1) to stay helpful. */
export const DEFAULT_MIX: Stratum[] = [
	{ min: 4, max: 5, share: 0.4 },
	{ min: 2, max: 3, share: 0.4 },
	{ min: 1, max: 1, share: 0.2 }
];

/** A stratum of unrated items: any stratum whose `min` is above its `max` selects them. */
export function unratedStratum(share: number): Stratum {
	return { min: 1, max: 0, share };
}

export function isUnratedStratum(stratum: Stratum): boolean {
	return stratum.min > stratum.max;
}

export function stratumLabel(stratum: Stratum): string {
	if (isUnratedStratum(stratum)) return 'unrated';
	return stratum.min === stratum.max ? `rating ${stratum.min}` : `ratings ${stratum.min}–${stratum.max}`;
}

/**
 * Splits `total` by `weights` into integers that sum to `total` exactly (largest remainder;
 * ties go to the earlier weight). Zero weights get zero.
 */
export function largestRemainder(weights: readonly number[], total: number): number[] {
	const sum = weights.reduce((a, b) => a + Math.max(0, b), 0);
	if (sum <= 0 || total <= 0) return weights.map(() => 0);
	const quotas = weights.map((weight) => (Math.max(0, weight) / sum) * total);
	const counts = quotas.map(Math.floor);
	let left = total - counts.reduce((a, b) => a + b, 0);
	const order = quotas.map((quota, index) => ({ index, remainder: quota - Math.floor(quota) })).filter(({ index }) => weights[index] > 0);
	order.sort((a, b) => b.remainder - a.remainder || a.index - b.index);
	for (let i = 0; left > 0; i = (i + 1) % order.length, left--) counts[order[i].index]++;
	return counts;
}

/** One item to fetch: the `ordinal`-th item (0-based, in pool order) among those with this rating. */
export interface PoolPick {
	rating: number | null;
	ordinal: number;
}

export interface StratumPlan extends Stratum {
	label: string;
	/** Items of the pool in this stratum. */
	available: number;
	/** Items the mix asks for. */
	wanted: number;
	/** Items sampled (wanted, capped by what is there, plus what other strata could not give). */
	taken: number;
}

export interface PoolSamplePlan {
	/** In a seeded random order (so a run limited to its first records is still a mix). */
	picks: PoolPick[];
	strata: StratumPlan[];
	/** What did not go as the mix said: short strata, redistributions, a pool smaller than n. */
	notes: string[];
	/** Items asked for that the pool could not give. */
	shortfall: number;
}

interface Bucket {
	rating: number | null;
	count: number;
}

/** `k` distinct integers of [0, n), uniformly (a partial Fisher–Yates over a sparse array). */
function sampleIndices(n: number, k: number, random: () => number): number[] {
	const swapped = new Map<number, number>();
	const out: number[] = [];
	for (let i = 0; i < k; i++) {
		const j = i + Math.floor(random() * (n - i));
		const atJ = swapped.get(j) ?? j;
		swapped.set(j, swapped.get(i) ?? i);
		out.push(atJ);
	}
	return out;
}

/**
 * Plans a seeded stratified sample of `n` items from a pool known only by its counts per rating.
 * Each stratum gets its share of `n` exactly (largest remainder); a stratum with too few items
 * gives all it has and the rest goes to the others by their shares (said in `notes`); items are
 * chosen uniformly within a stratum. Unrated items are used only by an empty mix (or one whose
 * shares are all zero: sample the whole pool) or an unrated stratum. The same counts, mix, n and seed always give the same picks.
 */
export function planPoolSample(ratingCounts: Record<string, number>, mix: readonly Stratum[], n: number, seed: number): PoolSamplePlan {
	const target = Math.max(0, Math.floor(n));
	const rated: Bucket[] = [];
	let unrated = 0;
	for (const [key, count] of Object.entries(ratingCounts)) {
		if (!(count > 0)) continue;
		if (key === '') unrated += count;
		else {
			const rating = Number(key);
			if (Number.isFinite(rating)) rated.push({ rating, count });
		}
	}
	rated.sort((a, b) => (a.rating as number) - (b.rating as number));
	const notes: string[] = [];
	const useMix = mix.some((stratum) => stratum.share > 0);
	const strata: Stratum[] = useMix ? [...mix] : [{ min: Number.NEGATIVE_INFINITY, max: Number.POSITIVE_INFINITY, share: 1 }];
	const bucketsOf: Bucket[][] = strata.map(() => []);
	const claimed = new Set<Bucket>();
	strata.forEach((stratum, s) => {
		if (isUnratedStratum(stratum)) {
			if (unrated) bucketsOf[s].push({ rating: null, count: unrated });
			return;
		}
		for (const bucket of rated)
			if (!claimed.has(bucket) && (bucket.rating as number) >= stratum.min && (bucket.rating as number) <= stratum.max) {
				claimed.add(bucket);
				bucketsOf[s].push(bucket);
			}
		if (!useMix && unrated) bucketsOf[s].push({ rating: null, count: unrated });
	});
	if (useMix) {
		const outside = rated.filter((bucket) => !claimed.has(bucket)).reduce((sum, bucket) => sum + bucket.count, 0);
		if (outside) notes.push(`${outside} rated items are outside the mix and are not used.`);
		if (unrated && !strata.some(isUnratedStratum)) notes.push(`${unrated} unrated items are not used (the mix is by rating).`);
	}
	const available = bucketsOf.map((buckets) => buckets.reduce((sum, bucket) => sum + bucket.count, 0));
	const shares = strata.map((stratum) => Math.max(0, stratum.share));
	const wanted = largestRemainder(shares, target);
	const taken = wanted.map((want, s) => Math.min(want, available[s]));
	const extra = strata.map(() => 0);
	let deficit = target - taken.reduce((a, b) => a + b, 0);
	while (deficit > 0) {
		const open = strata.map((_, s) => (shares[s] > 0 && available[s] > taken[s] ? shares[s] : 0));
		if (!open.some((weight) => weight > 0)) break;
		const split = largestRemainder(open, deficit);
		let given = 0;
		split.forEach((count, s) => {
			const add = Math.min(count, available[s] - taken[s]);
			taken[s] += add;
			extra[s] += add;
			given += add;
		});
		deficit -= given;
		if (given === 0) break;
	}
	const labels = strata.map((stratum) => (useMix ? stratumLabel(stratum) : 'the whole pool'));
	strata.forEach((_, s) => {
		if (wanted[s] > available[s]) notes.push(`${labels[s]}: ${available[s]} items for ${wanted[s]} wanted; took ${available[s] === 0 ? 'none' : `all ${available[s]}`}.`);
	});
	const moved = extra.map((count, s) => (count ? `${labels[s]} (+${count})` : '')).filter(Boolean);
	if (moved.length) notes.push(`The ${extra.reduce((a, b) => a + b, 0)} missing went to ${moved.join(', ')}.`);
	const shortfall = target - taken.reduce((a, b) => a + b, 0);
	if (shortfall > 0) notes.push(`The pool has only ${target - shortfall} usable items for the ${target} asked for; the sample is smaller.`);

	const random = mulberry32(seed);
	const picks: PoolPick[] = [];
	strata.forEach((_, s) => {
		const buckets = bucketsOf[s];
		for (const index of sampleIndices(available[s], taken[s], random)) {
			let rest = index;
			for (const bucket of buckets) {
				if (rest < bucket.count) {
					picks.push({ rating: bucket.rating, ordinal: rest });
					break;
				}
				rest -= bucket.count;
			}
		}
	});
	for (let i = picks.length - 1; i > 0; i--) {
		const j = Math.floor(random() * (i + 1));
		[picks[i], picks[j]] = [picks[j], picks[i]];
	}
	return {
		picks,
		// The whole-pool stratum is reported by the ratings it spans (plans are stored as JSON: no infinities).
		strata: strata.map((stratum, s) => ({
			...(useMix ? stratum : { min: Number(rated[0]?.rating ?? 0), max: Number(rated[rated.length - 1]?.rating ?? 0), share: 1 }),
			label: labels[s],
			available: available[s],
			wanted: wanted[s],
			taken: taken[s]
		})),
		notes,
		shortfall
	};
}
