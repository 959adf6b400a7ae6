/**
 * Per-chunk statistics of the chunked iterative generation recipe (SPEC §8.3: "a grounding check
 * … and a diversity check … reported per chunk"). Pure functions over what a record kept: its
 * prompt/response pairs, the task's notes and the chunk's text.
 *
 * Grounding method (`groundingScore`): both texts are cut into words (letters, digits and inner
 * apostrophes), lower-cased; possessive "'s" and stop words (function words, pronouns, auxiliaries
 * and conversational filler such as "tell" or "really") are removed; every remaining word is
 * reduced to a stem, its first 5 characters (so "rewards"/"rewarded"/"rewarding" and
 * "chocolatine"/"chocolatines" meet). Numbers are kept whole. The score is the share of the
 * answer's distinct stems that occur in the source, the character's name left out; a chunk's mean
 * leaves out answers with no content word at all ("Yes, I do.", "I am Queen Pédauque."). It is a lexical check: a
 * paraphrase with new words scores lower, a made-up fact built from the chunk's words scores high;
 * it catches answers that drift away from the chunk, not subtle falsehoods.
 *
 * Near-duplicates (`nearDuplicateShare`): prompts as word 2-shingles (questions are short, so 3
 * would leave many prompts with one or two shingles), Jaccard similarity ≥ 0.8 with an earlier
 * prompt. Exact for up to 2,000 prompts; above that the MinHash index of the validation rules
 * estimates it (±0.05 around the threshold).
 */
import { NearDuplicateIndex } from '../validation/near-duplicates';
import type { RecordStat } from './recipe';
import type { TaskNote } from '../runtime/task';

export const NEAR_DUPLICATE_THRESHOLD = 0.8;
const SHINGLE_SIZE = 2;
const STEM_LENGTH = 5;
const EXACT_NEAR_DUPLICATE_LIMIT = 2000;

const STOP_WORDS = new Set(
	(
		'a about above after again against all am an and any are aren\'t as at be because been before being below between both but by can can\'t cannot could ' +
		'couldn\'t did didn\'t do does doesn\'t doing don\'t down during each few for from further had hadn\'t has hasn\'t have haven\'t having he he\'d he\'ll ' +
		'he\'s her here here\'s hers herself him himself his how how\'s i i\'d i\'ll i\'m i\'ve if in into is isn\'t it it\'s its itself let\'s me more most ' +
		'mustn\'t my myself no nor not of off on once only or other ought our ours ourselves out over own same shan\'t she she\'d she\'ll she\'s should ' +
		'shouldn\'t so some such than that that\'s the their theirs them themselves then there there\'s these they they\'d they\'ll they\'re they\'ve this ' +
		'those through to too under until up very was wasn\'t we we\'d we\'ll we\'re we\'ve were weren\'t what what\'s when when\'s where where\'s which ' +
		'while who who\'s whom why why\'s will with won\'t would wouldn\'t you you\'d you\'ll you\'re you\'ve your yours yourself yourselves ' +
		// Conversational filler that carries no fact of its own.
		'also just really quite indeed well yes yeah oh ah certainly course sure tell told say said know think feel like much many thing things ' +
		'something anything everything someone somebody anyone anybody everyone everybody says saying one ones may might must shall us let get got make made way always often sometimes ever even still'
	).split(' ')
);

/** Words of a text: lower-cased runs of letters/digits with inner apostrophes (’ read as '). */
export function wordsOf(text: string): string[] {
	return text.toLowerCase().replace(/\u2019/g, "'").match(/[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*/gu) ?? [];
}

/** A word (as `wordsOf` returns it) that carries content: not a stop word, not a single letter. */
export function isContentWord(word: string): boolean {
	return word.length > 1 && !STOP_WORDS.has(word) && !STOP_WORDS.has(word.replace(/'s$/, ''));
}

/** The stems of a text's content words, in order (repeats kept). */
export function contentStems(text: string): string[] {
	const stems: string[] = [];
	for (let word of wordsOf(text)) {
		if (STOP_WORDS.has(word)) continue;
		word = word.replace(/'s$/, '');
		if (/^\p{N}+$/u.test(word)) {
			stems.push(word);
			continue;
		}
		// Single letters and leftover contractions ("i", "s") are noise.
		if (word.length < 2 || STOP_WORDS.has(word)) continue;
		stems.push(word.slice(0, STEM_LENGTH));
	}
	return stems;
}

/** How many distinct content stems an answer has, and how many of them the source has. */
export interface Grounding {
	stems: number;
	found: number;
}

/**
 * The answer's distinct content stems (a word said three times counts once, so repeating the
 * chunk's words does not buy grounding) less those of `ignore` (the character's name: every
 * answer may say it, it is no fact), and how many of them occur in the source.
 */
export function groundingOf(answer: string, source: string, ignore: readonly string[] = []): Grounding {
	const ignored = new Set(ignore.flatMap(contentStems));
	const stems = new Set(contentStems(answer).filter((stem) => !ignored.has(stem)));
	const known = new Set(contentStems(source));
	let found = 0;
	for (const stem of stems) if (known.has(stem)) found++;
	return { stems: stems.size, found };
}

/**
 * Share (0–1) of the answer's distinct content words that appear in the source (method above).
 * An answer with no content words ("Yes, I do.") claims nothing the source could contradict: 1
 * (chunkStats leaves such answers out of its mean instead).
 */
export function groundingScore(answer: string, source: string, ignore: readonly string[] = []): number {
	const { stems, found } = groundingOf(answer, source, ignore);
	return stems ? found / stems : 1;
}

/** The normalised key two prompts share when they differ only in case and spacing. */
export function promptKey(prompt: string): string {
	return prompt.replace(/\s+/g, ' ').trim().toLowerCase();
}

function shinglesOf(text: string): Set<string> {
	const words = wordsOf(text);
	const shingles = new Set<string>();
	if (words.length < SHINGLE_SIZE) {
		if (words.length) shingles.add(words.join(' '));
		return shingles;
	}
	for (let i = 0; i + SHINGLE_SIZE <= words.length; i++) shingles.add(words.slice(i, i + SHINGLE_SIZE).join(' '));
	return shingles;
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
	if (!a.size && !b.size) return 0;
	let shared = 0;
	const [small, large] = a.size <= b.size ? [a, b] : [b, a];
	for (const item of small) if (large.has(item)) shared++;
	return shared / (a.size + b.size - shared);
}

/** Share (0–1) of the texts that are near-duplicates (Jaccard ≥ threshold) of an earlier one. */
export function nearDuplicateShare(texts: readonly string[], threshold = NEAR_DUPLICATE_THRESHOLD): number {
	if (texts.length < 2) return 0;
	if (texts.length > EXACT_NEAR_DUPLICATE_LIMIT) {
		const index = new NearDuplicateIndex({ threshold, shingleSize: SHINGLE_SIZE });
		texts.forEach((text, i) => index.add(String(i), [text]));
		const repeats = index.groups().reduce((sum, group) => sum + group.members.length - 1, 0);
		return repeats / texts.length;
	}
	const sets = texts.map(shinglesOf);
	let repeats = 0;
	for (let i = 1; i < sets.length; i++) {
		if (!sets[i].size) continue;
		for (let j = 0; j < i; j++) {
			if (jaccard(sets[i], sets[j]) >= threshold) {
				repeats++;
				break;
			}
		}
	}
	return repeats / texts.length;
}

export interface PromptResponsePair {
	prompt: string;
	response: string;
}

export interface ChunkStatsInput {
	pairs: readonly PromptResponsePair[];
	notes: readonly TaskNote[];
	/** The chunk's document (what the answers must be traceable to). */
	chunkText: string;
	/** Exact-duplicate prompts dropped; counted from 'duplicate-dropped' notes when omitted. */
	duplicatesDropped?: number;
	/** The character's name: its words ground nothing (every answer may say it). */
	characterName?: string;
}

export interface ChunkStats {
	entries: number;
	/** Iterations that ended (kept or skipped). */
	iterations: number;
	iterationsOk: number;
	iterationsSkipped: number;
	/** Rates are 0–1; null when there is nothing to divide by. */
	jsonValidFirstTryRate: number | null;
	/** Dropped exact-duplicate prompts among all prompts received. */
	duplicatePromptRate: number | null;
	/** Kept prompts that are near-duplicates of an earlier kept prompt. */
	nearDuplicatePromptRate: number | null;
	/** Mean grounding score of the responses that have content words (null when none has). */
	groundingScore: number | null;
	duplicatesDropped: number;
}

function countOf(note: TaskNote): number {
	const count = note.data?.count;
	return typeof count === 'number' && Number.isFinite(count) ? count : 1;
}

export function chunkStats(input: ChunkStatsInput): ChunkStats {
	const { pairs, notes, chunkText } = input;
	const ok = notes.filter((note) => note.kind === 'iteration-ok');
	const iterationsOk = ok.length;
	const iterationsSkipped = notes.filter((note) => note.kind === 'iteration-skipped').length;
	const iterations = iterationsOk + iterationsSkipped;
	const firstTry = ok.filter((note) => note.data?.firstTry === true).length;
	const duplicatesDropped = input.duplicatesDropped ?? notes.filter((note) => note.kind === 'duplicate-dropped').reduce((sum, note) => sum + countOf(note), 0);
	const received = pairs.length + duplicatesDropped;
	const ignore = input.characterName ? [input.characterName] : [];
	const scored = pairs.map((pair) => groundingOf(pair.response, chunkText, ignore)).filter((grounding) => grounding.stems > 0);
	const grounding = scored.length ? scored.reduce((sum, { stems, found }) => sum + found / stems, 0) / scored.length : null;
	return {
		entries: pairs.length,
		iterations,
		iterationsOk,
		iterationsSkipped,
		jsonValidFirstTryRate: iterations ? firstTry / iterations : null,
		duplicatePromptRate: received ? duplicatesDropped / received : null,
		nearDuplicatePromptRate: pairs.length ? nearDuplicateShare(pairs.map((pair) => pair.prompt)) : null,
		groundingScore: grounding,
		duplicatesDropped
	};
}

function percent(rate: number | null): Pick<RecordStat, 'value' | 'number'> {
	if (rate === null) return { value: '—' };
	const value = Math.round(rate * 1000) / 10;
	return { value: `${value}%`, number: value };
}

/** The stats as the run view shows them; rates as percentages (`number` is the percentage). */
export function chunkRecordStats(stats: ChunkStats): RecordStat[] {
	return [
		{ label: 'Entries', value: String(stats.entries), number: stats.entries },
		{ label: 'Iterations ok', value: `${stats.iterationsOk} of ${stats.iterations}`, number: stats.iterationsOk },
		{ label: 'Iterations skipped', value: String(stats.iterationsSkipped), number: stats.iterationsSkipped },
		{ label: 'JSON valid first try', ...percent(stats.jsonValidFirstTryRate) },
		{ label: 'Duplicate prompts', ...percent(stats.duplicatePromptRate) },
		{ label: 'Near-duplicate prompts', ...percent(stats.nearDuplicatePromptRate) },
		{ label: 'Grounding', ...percent(stats.groundingScore) }
	];
}
