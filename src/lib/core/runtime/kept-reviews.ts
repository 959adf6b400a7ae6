/**
 * A record asked again (re-run stale, a resumed re-run) replaces its samples with the new ones.
 * A new sample with the same messages as an old one is the same sample: it keeps the reviewer's
 * decision (accepted, rejected), edit and where it was accepted into, so a re-run that brings
 * back the same answers (from the response cache, or a deterministic model) costs no review.
 */
import type { RunSampleRow } from '../contracts/rows';
import { hashValue } from './manifest';

/** What a reviewer judged of a sample: its messages (not its tags, meta or judge verdict). */
const contentOf = (row: RunSampleRow) => hashValue(row.sample.messages.map((message) => [message.role, message.content]));

/** Whether a sample carries anything of a review. */
const reviewed = (row: RunSampleRow) => row.review !== 'pending' || row.edited !== undefined || row.acceptedInto !== undefined;

/**
 * The new samples of a record, each taking over the review of one old sample of that record with
 * the same messages (one for one, in order: two equal answers take two reviews).
 */
export function keepReviews(old: readonly RunSampleRow[], fresh: readonly RunSampleRow[]): RunSampleRow[] {
	const byContent = new Map<string, RunSampleRow[]>();
	for (const row of old) {
		if (!reviewed(row)) continue;
		const key = contentOf(row);
		const same = byContent.get(key);
		if (same) same.push(row);
		else byContent.set(key, [row]);
	}
	if (!byContent.size) return [...fresh];
	return fresh.map((row) => {
		const match = byContent.get(contentOf(row))?.shift();
		if (!match) return row;
		const kept: RunSampleRow = { ...row, review: match.review };
		if (match.edited) kept.edited = match.edited;
		if (match.acceptedInto) kept.acceptedInto = match.acceptedInto;
		return kept;
	});
}
