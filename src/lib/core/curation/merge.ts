/**
 * Merging several datasets' entries into one (SPEC §3): exact duplicates — same content hash —
 * collapse into the first occurrence, which gains the duplicates' tags and a note of where they
 * came from; ids already taken by an earlier entry are re-issued.
 *
 * Unlike RoleThread (whose dedup key ignores the system prompt), the key is the full content
 * hash (`hashMessages`: roles, contents, tool calls), so the same turns under two different
 * system prompts are two entries. Entries are expected to carry an up-to-date `hash` (every
 * edit here recomputes it).
 *
 * Duplicates that were reviewed differently: the survivor keeps the most reviewed state, and
 * between the two verdicts `rejected` wins over `accepted` (REVIEW_PRECEDENCE). A rejection is a
 * person's decision that the conversation must not be trained on; letting another copy's
 * acceptance overrule it would put it back silently, whereas a wrongly kept rejection only costs
 * one look (the report lists it, and `meta.mergedDuplicates` says which copy was accepted).
 * Notes of both are joined (the duplicate's marked with its dataset), never dropped.
 */
import type { Entry, ReviewState } from '../model';
import { preferenceKeyOf } from '../formats/preference';

export interface MergeSource {
	/** The dataset's name, used in notes and the report. */
	name: string;
	entries: readonly Entry[];
}

/** Noted on a survivor, in `meta.mergedDuplicates`, for each duplicate collapsed into it. */
export interface MergedDuplicate {
	dataset: string;
	id: string;
	/** The duplicate's review state, noted when it differed from the survivor's. */
	review?: ReviewState;
}

/** Later wins: a merge keeps the state furthest along this list. */
export const REVIEW_PRECEDENCE: readonly ReviewState[] = ['draft', 'accepted', 'rejected'];

/** What collapsing a duplicate changed on the entry that survived. */
export interface MergeDecision {
	/** The surviving entry's id in the merged dataset. */
	id: string;
	/** Where the duplicate came from, and its id there. */
	dataset: string;
	duplicateId: string;
	/** Set when the review states differed: what each copy had and what was kept. */
	review?: { survivor: ReviewState; duplicate: ReviewState; kept: ReviewState };
	/** The duplicate's notes were joined to (or became) the survivor's. */
	notesJoined?: boolean;
}

/** Decisions listed one by one in the report; past this only the counts go on. */
export const MAX_REPORTED_DECISIONS = 500;

export interface MergeSourceReport {
	name: string;
	input: number;
	kept: number;
	duplicates: number;
	idsReissued: number;
}

export interface MergeReport {
	input: number;
	output: number;
	duplicatesCollapsed: number;
	idsReissued: number;
	sources: MergeSourceReport[];
	/** Every re-issued id, so a person can find an entry again. */
	reissued: { dataset: string; from: string; to: string }[];
	/** Entries whose review state a duplicate raised (a draft that a copy had accepted or rejected). */
	reviewsRaised: number;
	/** Entries where one copy was accepted and another rejected (kept: rejected). */
	reviewConflicts: number;
	/** Entries whose notes gained a duplicate's notes. */
	notesJoined: number;
	/** Every duplicate that changed its survivor's review or notes (the first MAX_REPORTED_DECISIONS). */
	decisions: MergeDecision[];
	/** How many decisions there were in all. */
	decisionCount: number;
}

export function emptyMergeReport(): MergeReport {
	return { input: 0, output: 0, duplicatesCollapsed: 0, idsReissued: 0, sources: [], reissued: [], reviewsRaised: 0, reviewConflicts: 0, notesJoined: 0, decisions: [], decisionCount: 0 };
}

/** Counts what a collapse decided (nothing when it changed neither review nor notes). */
export function recordDecision(report: MergeReport, decision: MergeDecision | null): void {
	if (decision === null) return;
	report.decisionCount++;
	if (report.decisions.length < MAX_REPORTED_DECISIONS) report.decisions.push(decision);
	if (decision.notesJoined) report.notesJoined++;
	if (decision.review) {
		const { survivor, duplicate } = decision.review;
		if ((survivor === 'accepted' && duplicate === 'rejected') || (survivor === 'rejected' && duplicate === 'accepted')) report.reviewConflicts++;
		else if (decision.review.kept !== survivor) report.reviewsRaised++;
	}
}

/** The more reviewed of two states (rejected over accepted over draft). */
export function mergeReview(a: ReviewState, b: ReviewState): ReviewState {
	return REVIEW_PRECEDENCE.indexOf(b) > REVIEW_PRECEDENCE.indexOf(a) ? b : a;
}

/** The survivor's notes with the duplicate's joined on (marked with its dataset); unchanged when they add nothing. */
export function joinNotes(survivor: string | undefined, duplicate: string | undefined, dataset: string): string | undefined {
	const extra = duplicate?.trim();
	if (!extra) return survivor;
	if (!survivor?.trim()) return duplicate;
	if (survivor.includes(extra)) return survivor;
	return `${survivor}\n\n— ${dataset ? `from “${dataset}”` : 'from a duplicate'}: ${extra}`;
}

export function mergeDatasets(sources: readonly MergeSource[], newId: () => string): { entries: Entry[]; report: MergeReport } {
	const output: Entry[] = [];
	const byHash = new Map<string, number>();
	const usedIds = new Set<string>();
	const report = emptyMergeReport();

	for (const source of sources) {
		const sourceReport: MergeSourceReport = { name: source.name, input: source.entries.length, kept: 0, duplicates: 0, idsReissued: 0 };
		report.sources.push(sourceReport);
		report.input += source.entries.length;
		for (const entry of source.entries) {
			// Pairs on one prompt share the prompt's hash: their answers tell them apart (issue 16).
			const key = entry.hash + preferenceKeyOf(entry);
			const survivorAt = byHash.get(key);
			if (survivorAt !== undefined) {
				const absorbed = absorbDuplicate(output[survivorAt], entry, source.name);
				output[survivorAt] = absorbed.entry;
				recordDecision(report, absorbed.decision);
				sourceReport.duplicates++;
				report.duplicatesCollapsed++;
				continue;
			}
			let kept = entry;
			if (usedIds.has(entry.id)) {
				let id = newId();
				// A generator that repeats itself must not create a new collision.
				for (let tries = 0; usedIds.has(id) && tries < 1000; tries++) id = newId();
				if (usedIds.has(id)) id = uniqueSuffix(entry.id, usedIds);
				kept = { ...entry, id };
				report.reissued.push({ dataset: source.name, from: entry.id, to: id });
				sourceReport.idsReissued++;
				report.idsReissued++;
			}
			usedIds.add(kept.id);
			byHash.set(key, output.length);
			output.push(kept);
			sourceReport.kept++;
		}
	}
	report.output = output.length;
	return { entries: output, report };
}

function uniqueSuffix(id: string, used: ReadonlySet<string>): string {
	let n = 2;
	while (used.has(`${id}-${n}`)) n++;
	return `${id}-${n}`;
}

/**
 * The survivor with the duplicate's tags and character mappings added, the more reviewed state
 * kept, the notes joined and the duplicate noted; with what was decided (null when neither the
 * review nor the notes changed).
 */
export function absorbDuplicate(survivor: Entry, duplicate: Entry, dataset: string): { entry: Entry; decision: MergeDecision | null } {
	const tags = [...survivor.tags];
	for (const tag of duplicate.tags) if (!tags.includes(tag)) tags.push(tag);
	const previous = survivor.meta.mergedDuplicates;
	const noted: MergedDuplicate[] = Array.isArray(previous) ? (previous as MergedDuplicate[]) : [];
	const characters = survivor.characters || duplicate.characters ? { ...duplicate.characters, ...survivor.characters } : undefined;
	const reviewDiffers = survivor.meta.review !== duplicate.meta.review;
	const review = mergeReview(survivor.meta.review, duplicate.meta.review);
	const notes = joinNotes(survivor.meta.notes, duplicate.meta.notes, dataset);
	const notesJoined = notes !== survivor.meta.notes;
	const meta = {
		...survivor.meta,
		review,
		...(notes !== undefined ? { notes } : {}),
		mergedDuplicates: [...noted, reviewDiffers ? { dataset, id: duplicate.id, review: duplicate.meta.review } : { dataset, id: duplicate.id }]
	};
	const entry = { ...survivor, tags, ...(characters ? { characters } : {}), meta };
	if (!reviewDiffers && !notesJoined) return { entry, decision: null };
	return {
		entry,
		decision: {
			id: survivor.id,
			dataset,
			duplicateId: duplicate.id,
			...(reviewDiffers ? { review: { survivor: survivor.meta.review, duplicate: duplicate.meta.review, kept: review } } : {}),
			...(notesJoined ? { notesJoined: true } : {})
		}
	};
}
