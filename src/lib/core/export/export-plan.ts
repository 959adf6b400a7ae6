/**
 * The export plan: which entries go to which output file, in which order, decided from cheap
 * summaries (id, tags, review state, source) before any entry is read. The worker then reads its
 * blocks and hands each entry to `ExportRun`, which writes it at its planned place.
 *
 * Steps, each deterministic:
 * 1. Scope: every present condition must hold (ids ∧ review states ∧ predicate); none = all.
 *    The selected entries keep the order the summaries came in (storage order).
 * 2. One permutation P of the selected entries from `seed` (`seeded-shuffle.ts`). It orders the
 *    files when `shuffle` is on, and it picks the validation entries of a ratio split either way,
 *    so a split is reproducible with or without shuffling. (P is over the selection: a different
 *    scope gives a different split.)
 * 3. Split:
 *    - `none`: one file, `all`.
 *    - `ratio`: k = round(n × ratio) entries go to validation, clamped to 1 … n−1 when n ≥ 2 and
 *      0 < ratio < 1 so neither file is empty; with n = 1 the entry trains unless ratio is 1.
 *      They are the first k of P. Stratified (by tag or source): the same total k, divided over
 *      the strata by largest remainder (quota_s = n_s × k / n: floors first, then one more to
 *      the strata with the largest remainders, ties to the larger stratum, then to the smaller
 *      key), each stratum's validation entries being its first quota_s in P.
 *    - `tag`: entries carrying the tag go to validation, the rest to train.
 *
 * Cost: O(n) plus the shuffle; no sorting of entries (only of strata).
 */
import type { Entry, FormatId, ReviewState } from '../model';
import { seededPermutation } from './seeded-shuffle';

/** What the plan needs to know about an entry. */
export interface EntrySummary {
	id: string;
	tags: readonly string[];
	review: ReviewState;
	sourceFormat?: FormatId;
	sourceFile?: string;
}

export function summarizeEntry(entry: Entry): EntrySummary {
	const source = entry.meta.source;
	return {
		id: entry.id,
		tags: entry.tags,
		review: entry.meta.review,
		...(source !== undefined ? { sourceFormat: source.format } : {}),
		...(source?.file !== undefined ? { sourceFile: source.file } : {})
	};
}

export interface ExportScope {
	/** The selection. */
	ids?: Iterable<string>;
	reviewStates?: readonly ReviewState[];
	/** The filter. */
	predicate?: (summary: EntrySummary) => boolean;
}

/**
 * Strata for a stratified split. `tag`: an entry's stratum is the first of `tags` it carries
 * (in the order of `tags`), or without `tags` its own first tag; untagged entries form one
 * stratum. `source-format` / `source-file`: where it was imported from; unknown forms one stratum.
 */
export type StratifyBy = { by: 'tag'; tags?: readonly string[] } | { by: 'source-format' } | { by: 'source-file' };

export type SplitOptions =
	| { kind: 'none' }
	| { kind: 'ratio'; validationRatio: number; stratify?: StratifyBy }
	| { kind: 'tag'; tag: string };

export interface ExportPlanOptions {
	scope?: ExportScope;
	/** Order the files by the seeded permutation (default false: storage order). */
	shuffle?: boolean;
	/** Seed for the shuffle and the ratio split (default 0). Used as `seed >>> 0`. */
	seed?: number;
	split?: SplitOptions;
}

export const OUTPUT_PARTS = ['all', 'train', 'validation'] as const;
export type OutputPart = (typeof OUTPUT_PARTS)[number];

export interface PlannedFile {
	part: OutputPart;
	/** Entry ids in output order. */
	ids: string[];
}

export interface StratumPlan {
	/** The tag, format or file; null for untagged / unknown source. */
	key: string | null;
	size: number;
	validation: number;
}

export interface ExportPlan {
	files: PlannedFile[];
	/** Summaries given. */
	considered: number;
	/** Summaries in scope (the entries of all files together). */
	selected: number;
	seed: number;
	/** Per stratum, for a stratified split, sorted by key (null first). */
	strata?: StratumPlan[];
}

function selectInScope(summaries: readonly EntrySummary[], scope: ExportScope): EntrySummary[] {
	const ids = scope.ids === undefined ? null : scope.ids instanceof Set ? (scope.ids as ReadonlySet<string>) : new Set(scope.ids);
	const states = scope.reviewStates === undefined ? null : new Set<ReviewState>(scope.reviewStates);
	const predicate = scope.predicate ?? null;
	if (ids === null && states === null && predicate === null) return summaries.slice();
	const selected: EntrySummary[] = [];
	for (const summary of summaries) {
		if (ids !== null && !ids.has(summary.id)) continue;
		if (states !== null && !states.has(summary.review)) continue;
		if (predicate !== null && !predicate(summary)) continue;
		selected.push(summary);
	}
	return selected;
}

/** Validation size for a ratio split of n entries (see the module comment). */
export function validationCount(n: number, ratio: number): number {
	if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) throw new RangeError(`validation ratio must be between 0 and 1, got ${ratio}`);
	if (ratio === 0 || n === 0) return 0;
	if (ratio === 1) return n;
	if (n === 1) return 0;
	return Math.min(n - 1, Math.max(1, Math.round(n * ratio)));
}

function stratumKey(summary: EntrySummary, stratify: StratifyBy, tagOrder: ReadonlyMap<string, number> | null): string | null {
	switch (stratify.by) {
		case 'source-format':
			return summary.sourceFormat ?? null;
		case 'source-file':
			return summary.sourceFile ?? null;
		case 'tag': {
			if (tagOrder === null) return summary.tags.length > 0 ? summary.tags[0] : null;
			let best: string | null = null;
			let bestRank = Infinity;
			for (const tag of summary.tags) {
				const rank = tagOrder.get(tag);
				if (rank !== undefined && rank < bestRank) {
					best = tag;
					bestRank = rank;
				}
			}
			return best;
		}
	}
}

function compareKeys(a: string | null, b: string | null): number {
	if (a === b) return 0;
	if (a === null) return -1;
	if (b === null) return 1;
	return a < b ? -1 : 1;
}

/**
 * Largest-remainder division of k validation entries over strata of the given sizes (n in all).
 * Integer arithmetic only: quota_s = floor(n_s·k / n), remainders n_s·k mod n.
 */
export function apportion(strata: readonly { key: string | null; size: number }[], k: number): number[] {
	const n = strata.reduce((sum, s) => sum + s.size, 0);
	if (n === 0) return strata.map(() => 0);
	const quotas = strata.map((s) => Math.floor((s.size * k) / n));
	let left = k - quotas.reduce((sum, q) => sum + q, 0);
	const byRemainder = strata
		.map((s, index) => ({ index, remainder: (s.size * k) % n, size: s.size, key: s.key }))
		.sort((a, b) => b.remainder - a.remainder || b.size - a.size || compareKeys(a.key, b.key));
	for (const { index } of byRemainder) {
		if (left === 0) break;
		if (quotas[index] < strata[index].size) {
			quotas[index]++;
			left--;
		}
	}
	return quotas;
}

/** Marks the validation entries (indices into `selected`) of a stratified ratio split. */
function stratifiedValidation(
	selected: readonly EntrySummary[],
	permutation: Uint32Array,
	k: number,
	stratify: StratifyBy
): { isValidation: Uint8Array; strata: StratumPlan[] } {
	const tagOrder = stratify.by === 'tag' && stratify.tags !== undefined ? new Map(stratify.tags.map((tag, rank) => [tag, rank] as const)) : null;
	const indexOfKey = new Map<string | null, number>();
	const strata: StratumPlan[] = [];
	const stratumOf = new Uint32Array(selected.length);
	for (let i = 0; i < selected.length; i++) {
		const key = stratumKey(selected[i], stratify, tagOrder);
		let index = indexOfKey.get(key);
		if (index === undefined) {
			index = strata.length;
			indexOfKey.set(key, index);
			strata.push({ key, size: 0, validation: 0 });
		}
		strata[index].size++;
		stratumOf[i] = index;
	}
	// Sorted by key, so the plan (and the tie-breaking) does not depend on which came first.
	const sorted = strata.map((s, index) => ({ ...s, index })).sort((a, b) => compareKeys(a.key, b.key));
	const quotas = apportion(sorted, k);
	const quotaOf = new Uint32Array(strata.length);
	sorted.forEach((s, i) => (quotaOf[s.index] = quotas[i]));
	const taken = new Uint32Array(strata.length);
	const isValidation = new Uint8Array(selected.length);
	for (let p = 0; p < permutation.length; p++) {
		const i = permutation[p];
		const s = stratumOf[i];
		if (taken[s] < quotaOf[s]) {
			taken[s]++;
			isValidation[i] = 1;
		}
	}
	return { isValidation, strata: sorted.map((s, i) => ({ key: s.key, size: s.size, validation: quotas[i] })) };
}

/** The ordered ids per output file. Throws RangeError on a ratio outside [0, 1]. */
export function planExport(summaries: readonly EntrySummary[], options: ExportPlanOptions = {}): ExportPlan {
	const seed = (options.seed ?? 0) >>> 0;
	const selected = selectInScope(summaries, options.scope ?? {});
	const n = selected.length;
	const split = options.split ?? { kind: 'none' };
	const needsPermutation = options.shuffle === true || split.kind === 'ratio';
	const permutation = needsPermutation ? seededPermutation(n, seed) : null;
	const order = options.shuffle === true && permutation !== null ? permutation : null;
	const idAt = (position: number): string => selected[order === null ? position : order[position]].id;
	const base = { considered: summaries.length, selected: n, seed };

	if (split.kind === 'none') {
		const ids = new Array<string>(n);
		for (let p = 0; p < n; p++) ids[p] = idAt(p);
		return { ...base, files: [{ part: 'all', ids }] };
	}

	let isValidation: Uint8Array;
	let strata: StratumPlan[] | undefined;
	if (split.kind === 'tag') {
		isValidation = new Uint8Array(n);
		for (let i = 0; i < n; i++) if (selected[i].tags.includes(split.tag)) isValidation[i] = 1;
	} else {
		const k = validationCount(n, split.validationRatio);
		const perm = permutation as Uint32Array;
		if (split.stratify !== undefined) ({ isValidation, strata } = stratifiedValidation(selected, perm, k, split.stratify));
		else {
			isValidation = new Uint8Array(n);
			for (let p = 0; p < k; p++) isValidation[perm[p]] = 1;
		}
	}

	const train: string[] = [];
	const validation: string[] = [];
	for (let p = 0; p < n; p++) {
		const i = order === null ? p : order[p];
		(isValidation[i] === 1 ? validation : train).push(selected[i].id);
	}
	return {
		...base,
		files: [
			{ part: 'train', ids: train },
			{ part: 'validation', ids: validation }
		],
		...(strata !== undefined ? { strata } : {})
	};
}
