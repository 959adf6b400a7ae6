/**
 * The seed-003 quality figures of a chunk, computed from what its steps stored (the answer text
 * and finish reason the engine returned), never from what the recipe said about itself:
 *
 * - JSON valid first try: first attempts of an iteration whose whole answer is STRICT JSON of the
 *   expected shape (`JSON.parse` of the answer as sent — no fence, prose, thinking block or cut-off
 *   answer salvaged — giving `{"entries": [...]}` or a bare array whose items are exactly
 *   `{"prompt", "response"}` with two non-empty strings, finish reason not "length").
 *   First attempts the tolerant parser could still use are counted apart as "salvaged".
 *   Target (seed 003): at least 95%.
 * - Duplicate prompts: of every prompt the usable answers carried, those that repeat an earlier
 *   prompt of the chunk exactly (the recipe drops them) or nearly (word 2-shingle Jaccard ≥ 0.8
 *   with an earlier kept prompt). Target: under 10%.
 * - Grounding: share of the kept samples whose answer is supported by the chunk: a grounding score
 *   (chunk-stats `groundingOf`) of at least GROUNDED_AT, or no content word at all (claims
 *   nothing). Target: 100%. Samples with content words and none from the chunk are counted apart.
 *
 * Which step is the first attempt of an iteration is replayed from the steps in order, as the
 * chunked task asks: an iteration's attempts continue while the answer is unusable, up to
 * 1 + retries; a usable answer or a failed request ends it. Judge requests are left out.
 */
import type { ChatResponse } from '../contracts/engine';
import type { StepRecord } from '../runtime/dispatcher';
import { chunkStats, groundingOf, jaccard, NEAR_DUPLICATE_THRESHOLD, promptKey, wordsOf, type PromptResponsePair } from './chunk-stats';
import { isJudgeRequest } from './judge';
import { NearDuplicateIndex } from '../validation/near-duplicates';
import type { DraftSample, RecordOutcome, RecordStat } from './recipe';

/** Up to this many prompts near-duplicates are found pair by pair (exactly). */
const EXACT_PAIRWISE_LIMIT = 2000;

/** A sample's answer is supported by its chunk from this grounding score on (half its content words). */
export const GROUNDED_AT = 0.5;

/** Seed 003's targets, as shown beside what was reached. */
export const SEED_TARGETS = {
	jsonFirstTry: { text: '≥ 95%', met: (rate: number) => rate >= 0.95 },
	duplicates: { text: '< 10%', met: (rate: number) => rate < 0.1 },
	grounding: { text: '100%', met: (rate: number) => rate >= 1 }
} as const;

/** What a first attempt was: strict JSON, salvaged by the tolerant parser, cut off, unusable, or no answer. */
export type FirstTryOutcome = 'strict' | 'salvaged' | 'cut-off' | 'invalid' | 'failed';

type Answer = Pick<ChatResponse, 'content' | 'finishReason'>;

function isPair(item: unknown): item is PromptResponsePair {
	if (!item || typeof item !== 'object' || Array.isArray(item)) return false;
	const keys = Object.keys(item);
	const record = item as Record<string, unknown>;
	return keys.length === 2 && typeof record.prompt === 'string' && typeof record.response === 'string' && record.prompt.trim() !== '' && record.response.trim() !== '';
}

/** The pairs of an answer that is strictly valid JSON of the expected shape, or null. */
export function strictChunkPairs(answer: Answer): PromptResponsePair[] | null {
	if (answer.finishReason === 'length') return null;
	let value: unknown;
	try {
		value = JSON.parse(answer.content);
	} catch {
		return null;
	}
	let items: unknown;
	if (Array.isArray(value)) items = value;
	else if (value && typeof value === 'object' && Object.keys(value).length === 1 && Array.isArray((value as Record<string, unknown>).entries)) items = (value as Record<string, unknown>).entries;
	else return null;
	const list = items as unknown[];
	if (!list.length || !list.every(isPair)) return null;
	return list.map((item) => ({ prompt: (item as PromptResponsePair).prompt, response: (item as PromptResponsePair).response }));
}

/** The tolerant parser of the recipe: the pairs it can use from an answer, or null. */
export type TolerantParse = (answer: Answer) => PromptResponsePair[] | null;

export function firstTryOutcome(step: Pick<StepRecord, 'response' | 'error'>, tolerant: TolerantParse): FirstTryOutcome {
	if (!step.response || step.error) return 'failed';
	if (strictChunkPairs(step.response)) return 'strict';
	if (step.response.finishReason === 'length') return 'cut-off';
	return tolerant(step.response) ? 'salvaged' : 'invalid';
}

export interface ChunkFigures {
	/** Iterations asked (one first attempt each), and those that got a usable answer. */
	iterations: number;
	iterationsOk: number;
	firstTry: Record<FirstTryOutcome, number>;
	/** Prompts the usable answers carried, exact repeats (dropped) and near repeats of kept ones. */
	promptsReceived: number;
	exactDuplicates: number;
	nearDuplicates: number;
	/** Kept samples, those supported by the chunk, and those with nothing from it. */
	samples: number;
	grounded: number;
	nothingFromChunk: number;
}

export interface ChunkFiguresInput {
	steps: readonly Pick<StepRecord, 'stepIndex' | 'request' | 'response' | 'error'>[];
	/** The kept samples' prompt/response pairs. */
	pairs: readonly PromptResponsePair[];
	chunkText: string;
	characterName?: string;
	retriesPerIteration: number;
	tolerant: TolerantParse;
}

/** For each text, the index of an earlier text it nearly repeats (Jaccard ≥ 0.8), or -1. */
export function nearDuplicateOf(texts: readonly string[], threshold = NEAR_DUPLICATE_THRESHOLD): number[] {
	if (texts.length > EXACT_PAIRWISE_LIMIT) {
		// Pairwise is quadratic: above the limit the MinHash index estimates it (±0.05 around the threshold).
		const index = new NearDuplicateIndex({ threshold, shingleSize: 2 });
		texts.forEach((text, i) => index.add(String(i), [text]));
		const marks = new Array<number>(texts.length).fill(-1);
		for (const group of index.groups()) {
			const first = Number(group.members[0].id);
			for (const member of group.members.slice(1)) marks[Number(member.id)] = first;
		}
		return marks;
	}
	const sets = texts.map((text) => {
		const words = wordsOf(text);
		const shingles = new Set<string>();
		if (words.length < 2) {
			if (words.length) shingles.add(words.join(' '));
		} else for (let i = 0; i + 2 <= words.length; i++) shingles.add(`${words[i]} ${words[i + 1]}`);
		return shingles;
	});
	return sets.map((set, i) => {
		if (!set.size) return -1;
		for (let j = 0; j < i; j++) if (jaccard(set, sets[j]) >= threshold) return j;
		return -1;
	});
}

/** A sample's grounding: its score (null: no content word), whether the chunk supports it, and whether nothing in it comes from the chunk. */
export function sampleGrounding(answer: string, source: string, ignore: readonly string[] = []): { score: number | null; grounded: boolean; nothing: boolean } {
	const { stems, found } = groundingOf(answer, source, ignore);
	if (!stems) return { score: null, grounded: true, nothing: false };
	const score = found / stems;
	return { score, grounded: score >= GROUNDED_AT, nothing: found === 0 };
}

export function chunkFigures(input: ChunkFiguresInput): ChunkFigures {
	const firstTry: Record<FirstTryOutcome, number> = { strict: 0, salvaged: 0, 'cut-off': 0, invalid: 0, failed: 0 };
	const received: string[] = [];
	let iterations = 0;
	let iterationsOk = 0;
	let attempt = 1;
	const steps = input.steps.filter((step) => !isJudgeRequest(step.request)).sort((a, b) => a.stepIndex - b.stepIndex);
	for (const step of steps) {
		if (attempt === 1) {
			iterations++;
			firstTry[firstTryOutcome(step, input.tolerant)]++;
		}
		const pairs = step.response && !step.error ? input.tolerant(step.response) : null;
		if (pairs) {
			iterationsOk++;
			received.push(...pairs.map((pair) => pair.prompt));
		}
		attempt = step.error || pairs || attempt > input.retriesPerIteration ? 1 : attempt + 1;
	}
	const seen = new Set<string>();
	const kept: string[] = [];
	let exactDuplicates = 0;
	for (const prompt of received) {
		const key = promptKey(prompt);
		if (seen.has(key)) exactDuplicates++;
		else {
			seen.add(key);
			kept.push(prompt);
		}
	}
	const nearDuplicates = nearDuplicateOf(kept).filter((at) => at >= 0).length;
	const ignore = input.characterName ? [input.characterName] : [];
	let grounded = 0;
	let nothingFromChunk = 0;
	for (const pair of input.pairs) {
		const mark = sampleGrounding(pair.response, input.chunkText, ignore);
		if (mark.grounded) grounded++;
		if (mark.nothing) nothingFromChunk++;
	}
	return { iterations, iterationsOk, firstTry, promptsReceived: received.length, exactDuplicates, nearDuplicates, samples: input.pairs.length, grounded, nothingFromChunk };
}

function rate(count: number, of: number): string {
	return `${Math.round((count / of) * 1000) / 10}%`;
}

/** "3 of 5 (60%)", a figure with its parts (so a run can add chunks up) and seed 003's target. */
function figure(label: string, count: number, of: number, target?: { text: string; met: (rate: number) => boolean }): RecordStat {
	if (!of) return { label, value: '—', count, of, ...(target ? { target: target.text } : {}) };
	return { label, value: `${count} of ${of} (${rate(count, of)})`, number: Math.round((count / of) * 1000) / 10, count, of, ...(target ? { target: target.text, met: target.met(count / of) } : {}) };
}

/** The figures as the run view shows them per chunk (labels are the run total's keys too). */
export function chunkFigureStats(figures: ChunkFigures, entries: number, meanGrounding: number | null): RecordStat[] {
	const { firstTry, iterations, iterationsOk } = figures;
	return [
		{ label: 'Entries', value: String(entries), number: entries, count: entries },
		{ label: 'Iterations ok', value: `${iterationsOk} of ${iterations}`, number: iterationsOk, count: iterationsOk, of: iterations },
		figure('JSON valid first try', firstTry.strict, iterations, SEED_TARGETS.jsonFirstTry),
		figure('Salvaged first try', firstTry.salvaged, iterations),
		figure('Cut off or unusable first try', firstTry['cut-off'] + firstTry.invalid + firstTry.failed, iterations),
		figure('Duplicate prompts', figures.exactDuplicates + figures.nearDuplicates, figures.promptsReceived, SEED_TARGETS.duplicates),
		figure('Grounded samples', figures.grounded, figures.samples, SEED_TARGETS.grounding),
		figure('Nothing from the chunk', figures.nothingFromChunk, figures.samples),
		meanGrounding === null ? { label: 'Grounding (mean score)', value: '—' } : { label: 'Grounding (mean score)', value: `${Math.round(meanGrounding * 1000) / 10}%`, number: Math.round(meanGrounding * 1000) / 10 }
	];
}

/**
 * A run's total of its records' figures: every stat with parts (`count`, `of`) added up over the
 * records, with its target. Stats without parts are left out.
 */
export function runFigureStats(records: readonly { stats?: readonly RecordStat[] }[]): RecordStat[] {
	const totals = new Map<string, { count: number; of: number | undefined; target?: string; met?: (rate: number) => boolean }>();
	const targets = new Map<string, { text: string; met: (rate: number) => boolean }>([
		['JSON valid first try', SEED_TARGETS.jsonFirstTry],
		['Duplicate prompts', SEED_TARGETS.duplicates],
		['Grounded samples', SEED_TARGETS.grounding]
	]);
	for (const record of records) {
		for (const stat of record.stats ?? []) {
			if (stat.count === undefined) continue;
			const total = totals.get(stat.label) ?? { count: 0, of: stat.of === undefined ? undefined : 0 };
			total.count += stat.count;
			if (total.of !== undefined) total.of += stat.of ?? 0;
			totals.set(stat.label, total);
		}
	}
	return [...totals].map(([label, total]) => {
		if (total.of === undefined) return { label, value: String(total.count), number: total.count, count: total.count };
		if (label === 'Iterations ok') return { label, value: `${total.count} of ${total.of}`, number: total.count, count: total.count, of: total.of };
		return figure(label, total.count, total.of, targets.get(label));
	});
}

/** The pairs of a record's samples (first user and assistant message). */
function pairsOfSamples(samples: readonly DraftSample[]): PromptResponsePair[] {
	return samples.flatMap((sample) => {
		const prompt = sample.messages.find((message) => message.role === 'user')?.content;
		const reply = sample.messages.find((message) => message.role === 'assistant')?.content;
		return prompt !== undefined && reply !== undefined ? [{ prompt, response: reply }] : [];
	});
}

/** A chunk record's figures from its stored steps and kept samples (what the chunked recipe's `summarize` shows). */
export function chunkFigureStatsOf(
	outcome: Pick<RecordOutcome<{ chunk: { document: string }; characterName: string }>, 'input' | 'samples' | 'notes' | 'steps'>,
	retriesPerIteration: number,
	tolerant: TolerantParse
): RecordStat[] {
	const pairs = pairsOfSamples(outcome.samples);
	const chunkText = outcome.input.chunk.document;
	const figures = chunkFigures({ steps: outcome.steps ?? [], pairs, chunkText, characterName: outcome.input.characterName, retriesPerIteration, tolerant });
	const mean = chunkStats({ pairs, notes: outcome.notes, chunkText, characterName: outcome.input.characterName }).groundingScore;
	return chunkFigureStats(figures, pairs.length, mean);
}
